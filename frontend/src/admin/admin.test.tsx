// Unit tests of the console: catalogues, the API client's CSRF and error
// handling, and screens showing the API's field errors, driven through a
// fake fetch that answers as the server does (the e2e test drives the real
// server).
import { describe, expect, it } from "vitest";
import { byTestId, click, flush, mount } from "../test/dom";
import { AdminApiError, auditQueryString, createAdminClient, type Fetch } from "./api";
import { catalogues, initialLang, t } from "./i18n";
import { Integrations } from "./Integrations";
import { LayoutDesigner, move, starterLayout, toggleField } from "./LayoutDesigner";
import { Simulator } from "./Simulator";
import { screenOf } from "./Console";
import type { FieldCatalog, Integration, LayoutDoc, SidebarContext } from "./types";
import { act } from "preact/test-utils";

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fake fetch: routes "METHOD /path" to [status, body]; records every call. */
function fakeFetch(routes: Record<string, (c: Call) => [number, unknown]>) {
  const calls: Call[] = [];
  const f: Fetch = async (input, init) => {
    const method = init?.method ?? "GET";
    const path = input.split("?")[0]!;
    const call: Call = {
      method,
      path: input,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(init.body as string) : undefined,
    };
    calls.push(call);
    const route = routes[`${method} ${path}`];
    const [status, body] = route ? route(call) : [404, { error: { code: "not_found", message: "no route" } }];
    return new Response(body === undefined ? "" : JSON.stringify(body), { status });
  };
  return { f, calls };
}

const session = { token: "jwt", expiresAt: "2026-11-23T16:00:00Z", email: "ops@example.com", csrfToken: "csrf-123" };

async function type(el: Element | null, value: string) {
  if (!el) throw new Error("no input");
  await act(async () => {
    const input = el as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function submit(el: Element | null) {
  if (!el) throw new Error("no form");
  await act(async () => {
    (el as HTMLFormElement).dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  });
  await flush();
}

describe("catalogues", () => {
  it("zh and en have the same keys, none empty, zh translated", () => {
    expect(Object.keys(catalogues.zh).sort()).toEqual(Object.keys(catalogues.en).sort());
    for (const lang of ["zh", "en"] as const) {
      for (const [k, v] of Object.entries(catalogues[lang])) expect(v.trim(), `${lang}.${k}`).not.toBe("");
    }
    expect(catalogues.zh["nav.layouts"]).toMatch(/[\u4e00-\u9fff]/);
    expect(catalogues.zh["int.where.easemob"]).toContain("管理员模式 > 设置 > 自定义信息接口");
    expect(catalogues.en["int.where.easemob"]).toContain("管理员模式 > 设置 > 自定义信息接口");
  });

  it("fills placeholders and picks a language", () => {
    expect(t("en", "lay.saved", { version: 3 })).toBe("Saved as version 3.");
    expect(t("zh", "lay.saved", { version: 3 })).toBe("已保存为第 3 版。");
    const cases: Array<[string | null, string, "zh" | "en"]> = [
      [null, "zh-CN", "zh"],
      [null, "en-US", "en"],
      ["en", "zh-CN", "en"],
      ["zh", "en-GB", "zh"],
      ["fr", "fr-FR", "en"],
    ];
    for (const [stored, nav, want] of cases) expect(initialLang(stored, nav), `${stored} ${nav}`).toBe(want);
  });

  it("routes by hash", () => {
    expect(screenOf("#layouts")).toBe("layouts");
    expect(screenOf("#nope")).toBe("integrations");
    expect(screenOf("")).toBe("integrations");
  });
});

describe("admin client", () => {
  it("sends the CSRF token on writes only, once signed in", async () => {
    const { f, calls } = fakeFetch({
      "POST /api/v1/admin/session": () => [201, session],
      "GET /api/v1/admin/integrations": () => [200, { integrations: [] }],
      "PUT /api/v1/admin/layouts": (c) => [200, c.body],
    });
    const c = createAdminClient(f);
    await c.signIn("ops@example.com", "pw");
    await c.listIntegrations();
    await c.putLayout(starterLayout);
    expect(calls.map((x) => [x.method, x.headers["X-CSRF-Token"]])).toEqual([
      ["POST", undefined],
      ["GET", undefined],
      ["PUT", "csrf-123"],
    ]);
  });

  it("keeps field errors, and ends the session only on a session 401", async () => {
    let ended = 0;
    const { f } = fakeFetch({
      "POST /api/v1/admin/integrations": () => [
        400,
        { error: { code: "invalid_key", message: "too short", fields: [{ field: "key", message: "too short" }] } },
      ],
      "POST /api/v1/admin/integrations/acme/key/reveal": () => [401, { error: { code: "bad_credentials", message: "the password is wrong" } }],
      "GET /api/v1/admin/integrations": () => [401, { error: { code: "token_expired", message: "sign in again" } }],
    });
    const c = createAdminClient(f);
    c.setOnUnauthorized(() => ended++);
    const e = await c.createIntegration({ kind: "easemob", key: "x" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AdminApiError);
    expect((e as AdminApiError).fieldMessage("key")).toBe("too short");
    expect((e as AdminApiError).status).toBe(400);
    await c.revealKey("acme", "nope").catch(() => {});
    expect(ended).toBe(0);
    await c.listIntegrations().catch(() => {});
    expect(ended).toBe(1);
  });

  it("builds audit queries", () => {
    expect(auditQueryString({})).toBe("");
    expect(auditQueryString({ action: "key.reveal", actor: "", contactId: "7" })).toBe("?action=key.reveal&contactId=7");
  });
});

describe("layout helpers", () => {
  it("moves and toggles fields consistently", () => {
    expect(move(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(move(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(move(["a", "b"], 0, 5)).toEqual(["a", "b"]);
    const p = { object: "contact" as const, fields: ["name", "phone"], masked: ["phone"], labels: { phone: { zh: "电话", en: "Tel" } } };
    const off = toggleField(p, "phone", false);
    expect(off).toEqual({ object: "contact", fields: ["name"], masked: [], labels: {} });
    expect(toggleField(off, "email", true).fields).toEqual(["name", "email"]);
  });
});

const integration: Integration = {
  slug: "acme",
  kind: "easemob",
  name: "Acme",
  sidebarUrl: "https://crm.example.com/sidebar/acme",
  origins: ["https://kefu.easemob.com"],
  keySet: true,
  keyMasked: "••••cret",
  protection: { level: "low", summary: "anyone who has this URL…", exposed: [], advice: ["turn on encrypted system params"] },
  options: {},
};

/** The body of the last POST among calls. */
function lastPost(calls: Call[]): unknown {
  return calls.filter((c) => c.method === "POST").at(-1)?.body;
}

describe("integrations screen", () => {
  it("shows where to paste the URL, and the API's field error beside the key", async () => {
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }],
      "POST /api/v1/admin/integrations": () => [
        400,
        {
          error: {
            code: "invalid_key",
            message: "an Easemob key must be longer than 8 characters",
            fields: [{ field: "key", message: "an Easemob key must be longer than 8 characters" }],
          },
        },
      ],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="zh" />);
    expect(byTestId(el, "where-to-paste")?.textContent).toContain("管理员模式 > 设置 > 自定义信息接口");
    expect(byTestId(el, "sidebar-url")?.textContent).toBe(integration.sidebarUrl);
    await click(byTestId(el, "integration-new"));
    await type(el.querySelector('input[name="key"]'), "short");
    await submit(byTestId(el, "integration-form"));
    expect(byTestId(el, "error-key")?.textContent).toBe("an Easemob key must be longer than 8 characters");
    expect(byTestId(el, "error-banner")).toBeNull();
    expect(calls.at(-1)?.body).toMatchObject({ kind: "easemob", key: "short", origins: ["https://kefu.easemob.com"] });
  });

  it("pre-fills the kind's usual origin and says plainly when none is set", async () => {
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [{ ...integration, slug: "web", kind: "sharecrm", origins: [] }] }],
      "POST /api/v1/admin/integrations": (c) => [201, { integration: { ...integration, ...(c.body as object) } }],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="en" />);
    // The card of an integration without origins says no platform can frame it.
    expect(byTestId(byTestId(el, "integration-web")!, "origins-none")?.textContent).toBe(t("en", "int.origins.none"));
    await click(byTestId(el, "integration-new"));
    const origins = () => (el.querySelector('textarea[name="origins"]') as HTMLTextAreaElement).value;
    expect(origins()).toBe("https://kefu.easemob.com");
    expect(byTestId(el, "origins-usual")?.textContent).toContain("https://kefu.easemob.com");
    expect(byTestId(el, "integration-form")!.querySelector('[data-testid="origins-none"]')).toBeNull();
    const kind = el.querySelector('select[name="kind"]') as HTMLSelectElement;
    const pick = async (k: string) =>
      act(async () => {
        kind.value = k;
        kind.dispatchEvent(new Event("change", { bubbles: true }));
      });
    await pick("chatwoot");
    expect(origins()).toBe("https://app.chatwoot.com");
    await pick("sharecrm");
    expect(origins()).toBe("");
    expect(byTestId(el, "origins-usual")).toBeNull();
    expect(byTestId(el, "integration-form")!.querySelector('[data-testid="origins-none"]')?.textContent).toContain("no platform can frame this sidebar");
    await pick("easemob");
    await type(el.querySelector('textarea[name="origins"]'), "");
    expect(byTestId(el, "integration-form")!.querySelector('[data-testid="origins-none"]')).not.toBeNull();
    await type(el.querySelector('textarea[name="origins"]'), "https://kefu.example.cn");
    expect(byTestId(el, "integration-form")!.querySelector('[data-testid="origins-none"]')).toBeNull();
    expect(byTestId(el, "origins-usual")).toBeNull();
    await submit(byTestId(el, "integration-form"));
    expect(lastPost(calls)).toMatchObject({ kind: "easemob", origins: ["https://kefu.example.cn"] });
  });

  it("creates a keyless Easemob integration only when asked, with its warning", async () => {
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [] }],
      "POST /api/v1/admin/integrations": () => [201, { integration: { ...integration, keySet: false, keyMasked: "" } }],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="zh" />);
    await click(byTestId(el, "integration-new"));
    expect(byTestId(el, "no-key-warning")).toBeNull();
    await act(async () => {
      (el.querySelector('input[name="noKey"]') as HTMLInputElement).click();
    });
    expect(byTestId(el, "no-key-warning")?.textContent).toBe(t("zh", "int.noKeyMode.warn"));
    expect(el.querySelector('input[name="key"]')).toBeNull();
    await submit(byTestId(el, "integration-form"));
    const body = lastPost(calls) as Record<string, unknown>;
    expect(body).toMatchObject({ kind: "easemob", noKey: true, origins: ["https://kefu.easemob.com"] });
    expect(body).not.toHaveProperty("key");
    expect(byTestId(el, "created-key")).toBeNull();
    // Without the box an empty key still means "generate one".
    await click(byTestId(el, "integration-new"));
    await submit(byTestId(el, "integration-form"));
    expect(lastPost(calls)).not.toHaveProperty("noKey");
  });
});

const catalog: FieldCatalog = {
  objects: [
    {
      object: "contact",
      label: { zh: "联系人", en: "Contact" },
      single: true,
      fields: [
        { object: "contact", key: "name", label: { zh: "姓名", en: "Name" }, type: "text", custom: false, retired: false, sortable: false, filterable: false },
        { object: "contact", key: "phone", label: { zh: "手机", en: "Phone" }, type: "phone", custom: false, retired: false, sortable: false, filterable: false },
      ],
    },
  ],
};

const previewCtx: SidebarContext = {
  visitor: { id: "1", channel: "easemob", externalId: "v-1" },
  contact: { id: "7", name: "张三" },
  match: { status: "linked", reason: "preview" },
  layout: { name: "vip", reason: "preview" },
  panels: [],
};

describe("layout designer", () => {
  it("on a version conflict shows it and keeps the admin's edits", async () => {
    const stored: LayoutDoc = { name: "vip", version: 3, scope: { default: true }, panels: [{ object: "contact", fields: ["name"] }] };
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/fields": () => [200, catalog],
      "GET /api/v1/admin/layouts": () => [200, { layouts: [{ ...stored, version: 4 }] }],
      "GET /api/v1/admin/contacts": () => [200, { contacts: [{ id: "7", name: "张三", hint: "159****5678" }] }],
      "POST /api/v1/admin/layouts/preview": () => [200, previewCtx],
      "PUT /api/v1/admin/layouts": () => [409, { error: { code: "layout_stale", message: "layout changed" } }],
    });
    // The list answers version 4 (someone saved meanwhile); the designer was opened on 4, and
    // saving is refused as stale: the conflict shows and the ticked phone stays ticked.
    const el = await mount(<LayoutDesigner client={createAdminClient(f)} lang="en" />);
    const phone = el.querySelector('[data-testid="tick-0-phone"]') as HTMLInputElement;
    expect(phone.checked).toBe(false);
    await click(phone);
    await submit(byTestId(el, "layout-form"));
    expect(byTestId(el, "layout-conflict")?.textContent).toContain("Nothing was written");
    expect((el.querySelector('[data-testid="tick-0-phone"]') as HTMLInputElement).checked).toBe(true);
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.body).toMatchObject({ name: "vip", version: 4, panels: [{ object: "contact", fields: ["name", "phone"] }] });
  });

  it("shows a refused layout's error beside its panel", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/fields": () => [200, catalog],
      "GET /api/v1/admin/layouts": () => [200, { layouts: [] }],
      "GET /api/v1/admin/contacts": () => [200, { contacts: [] }],
      "PUT /api/v1/admin/layouts": () => [
        400,
        {
          error: {
            code: "invalid_layout",
            message: 'layout "default": panel 1 (contact) names no fields',
            fields: [{ field: "panels.0.fields", message: 'layout "default": panel 1 (contact) names no fields' }],
          },
        },
      ],
    });
    const el = await mount(<LayoutDesigner client={createAdminClient(f)} lang="en" />);
    await submit(byTestId(el, "layout-form"));
    expect(byTestId(el, "panel-error-0")?.textContent).toContain("names no fields");
    expect(byTestId(el, "panel-error-1")).toBeNull();
  });
});

describe("simulator", () => {
  it("shows each step and the failing one's code", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }],
      "POST /api/v1/admin/simulate": () => [
        200,
        {
          input: "query",
          params: [{ name: "agentId", received: "0a1b", value: "", how: "failed" }],
          steps: [
            { step: "input", status: "ok", detail: "read as query with 3 parameters" },
            { step: "decode", status: "failed", code: "decrypt_failed", detail: "could not decrypt. The encryption key set in Easemob (…自定义信息接口) differs" },
          ],
        },
      ],
    });
    const el = await mount(<Simulator client={createAdminClient(f)} lang="en" />);
    await type(byTestId(el, "sim-input"), "visitorImId=x&agentId=0a1b");
    await submit(byTestId(el, "simulator"));
    const step = byTestId(el, "sim-step-decode");
    expect(step?.dataset.status).toBe("failed");
    expect(step?.dataset.code).toBe("decrypt_failed");
    expect(byTestId(el, "sim-params")?.textContent).toContain("agentId");
  });

  it("words each ignored param's reason and the reading a system param took", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration] }],
      "POST /api/v1/admin/simulate": () => [
        200,
        {
          input: "sidebar_url",
          params: [
            { name: "desc", received: "", value: "", how: "dropped", dropped: "empty" },
            { name: "agentId", received: "12", value: "", how: "dropped", dropped: "not_encrypted" },
            { name: "nickname", received: "cc20da07f4727ac9", value: "", how: "dropped", dropped: "not_decryptable" },
            { name: "lang", received: "ja", value: "", how: "dropped", dropped: "unknown" },
            {
              name: "visitorImId",
              received: "3b5a0c9d1e2f4a6b",
              value: "im-ann",
              how: "decrypted",
              reading: { chosen: "decrypted", why: "known_identity", other: "3b5a0c9d1e2f4a6b" },
            },
          ],
          steps: [{ step: "decode", status: "warning", detail: "a session ignores 4 params" }],
        },
      ],
    });
    const el = await mount(<Simulator client={createAdminClient(f)} lang="zh" />);
    await type(byTestId(el, "sim-input"), "https://crm.example.com/sidebar/acme?visitorImId=3b5a0c9d1e2f4a6b&desc=");
    await submit(byTestId(el, "simulator"));
    expect(byTestId(el, "sim-dropped-desc")?.textContent).toBe("已忽略：值为空。");
    expect(byTestId(el, "sim-dropped-agentId")?.textContent).toContain("未加密");
    expect(byTestId(el, "sim-dropped-nickname")?.textContent).toContain("无法用该集成的密钥解密");
    expect(byTestId(el, "sim-dropped-lang")?.textContent).toContain("浏览器的语言");
    expect(byTestId(el, "sim-param-lang")?.textContent).toContain("已忽略");
    const reading = byTestId(el, "sim-reading-visitorImId");
    expect(reading?.dataset.why).toBe("known_identity");
    expect(reading?.textContent).toContain("解密后");
    expect(reading?.textContent).toContain("联系人的渠道身份");
    expect(reading?.textContent).toContain("3b5a0c9d1e2f4a6b");
  });
});
