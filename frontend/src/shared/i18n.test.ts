import { describe, expect, it } from "vitest";
import { addCatalogue, catalogues, errorText, langFromTag, pickLang, statusWord, t, type MessageKey } from "./i18n";

describe("catalogues", () => {
  it("zh and en have the same keys", () => {
    expect(Object.keys(catalogues.zh).sort()).toEqual(Object.keys(catalogues.en).sort());
  });

  it("has no empty message, and zh is actually translated", () => {
    for (const lang of ["zh", "en"] as const) {
      for (const [k, v] of Object.entries(catalogues[lang])) expect(v.trim(), `${lang}.${k}`).not.toBe("");
    }
    expect(catalogues.zh.retry).not.toBe(catalogues.en.retry);
    expect(catalogues.zh["notLinked.body"]).toMatch(/[\u4e00-\u9fff]/);
  });

  it("has words for every API error code in both languages", () => {
    const codes = [
      "integration_not_found",
      "integration_disabled",
      "missing_param",
      "invalid_param",
      "decrypt_failed",
      "unauthorized",
      "token_expired",
      "rate_limited",
      "body_too_large",
      "internal",
      "plain_system_param",
      "tenant_mismatch",
      "spliced_param",
      "unknown_agent",
      "missing_claim",
      "invalid_token",
      "token_replayed",
      "token_lifetime",
      "chatwoot_mismatch",
      "chatwoot_unreachable",
      "invalid_query",
      "contact_not_found",
      "field_not_masked",
      "record_not_linked",
      "visitor_not_found",
    ];
    for (const code of codes) {
      expect(errorText("en", code), code).toBeTruthy();
      expect(errorText("zh", code), code).toBeTruthy();
    }
    expect(errorText("en", "something_new")).toBeNull();
  });

  it("gives every code its own words", () => {
    const words = Object.entries(catalogues.en).filter(([k]) => k.startsWith("err."));
    expect(new Set(words.map(([, v]) => v)).size).toBe(words.length);
  });

  it("tells an expired signed link from an expired session", () => {
    expect(errorText("en", "token_expired", "session")).toMatch(/signed link has expired/);
    expect(errorText("en", "token_expired", "context")).toMatch(/session has expired/);
    expect(errorText("zh", "token_expired", "context")).toBe(catalogues.zh["err.session_expired"]);
    expect(errorText("en", "rate_limited")).toMatch(/wait a minute/i);
  });
});

describe("language", () => {
  it("takes a plain lang param first", () => {
    expect(pickLang("en", "zh-CN")).toBe("en");
    expect(pickLang("zh", "en-US")).toBe("zh");
  });

  it("falls back to the browser when the param is missing or encrypted", () => {
    expect(pickLang(undefined, "zh-TW")).toBe("zh");
    expect(pickLang("9f86d081884c7d65", "en-GB")).toBe("en");
    expect(pickLang(null, "fr-FR")).toBe("en");
  });

  it("reads language tags", () => {
    expect(langFromTag("zh-Hans-CN")).toBe("zh");
    expect(langFromTag("EN")).toBe("en");
    expect(langFromTag("de")).toBeNull();
    expect(langFromTag("")).toBeNull();
  });
});

describe("words with values", () => {
  it("fills {names} and leaves unknown ones", () => {
    expect(t("en", "copy.label", { label: "Phone" })).toBe("Copy Phone");
    expect(t("zh", "copy.label", { label: "手机" })).toBe("复制手机");
    expect(t("en", "updated", {})).toBe("Updated at {time}");
  });

  it("says known statuses in both languages, and others as they are", () => {
    expect(statusWord("zh", "Paid")).toBe("已付款");
    expect(statusWord("en", "mid-market")).toBe("Mid-market");
    expect(statusWord("zh", "on_the_moon")).toBe("on_the_moon");
    expect(statusWord("en", "constructor")).toBe("constructor");
  });

  it("uses the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(catalogues.en)) {
      expect(names(catalogues.zh[k as keyof typeof catalogues.zh]), k).toEqual(names(v));
    }
  });
});

describe("added catalogues", () => {
  it("t() says an added catalogue's words, with the same placeholders", () => {
    addCatalogue({ en: { "test.added": "Hello {who}" }, zh: { "test.added": "你好，{who}" } });
    expect(t("en", "test.added" as MessageKey, { who: "Li" })).toBe("Hello Li");
    expect(t("zh", "test.added" as MessageKey, { who: "李" })).toBe("你好，李");
  });

  it.each([
    ["a key of this file with other words", { en: { retry: "Again" }, zh: { retry: "重试" } }],
    ["a key added before with other words", { en: { "test.added": "Hi" }, zh: { "test.added": "你好，{who}" } }],
  ])("refuses %s", (_name, more) => {
    expect(() => addCatalogue(more)).toThrow(/already a key/);
  });

  it("accepts the same words again (a module loaded twice)", () => {
    expect(() => addCatalogue({ en: { cancel: catalogues.en.cancel }, zh: { cancel: catalogues.zh.cancel } })).not.toThrow();
  });

  it("says nothing for a key no catalogue has", () => {
    expect(t("en", "test.never" as MessageKey)).toBe("");
  });
});
