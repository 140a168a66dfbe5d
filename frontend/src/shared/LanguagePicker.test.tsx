import { describe, expect, it } from "vitest";
import { byTestId, click, mount } from "../test/dom";
import type { Lang } from "./i18n";
import { LanguagePicker } from "./LanguagePicker";

describe("LanguagePicker", () => {
  it.each([
    ["en", "Language", "lang-zh", ["zh"]],
    ["zh", "语言", "lang-en", ["en"]],
    ["en", "Language", "lang-en", []],
  ] as const)("in %s (%s), a click on %s asks for %j", async (lang, label, button, want) => {
    const asked: Lang[] = [];
    const el = await mount(<LanguagePicker lang={lang} onChange={(l) => asked.push(l)} />);
    const group = byTestId(el, "lang-picker")!;
    expect(group.getAttribute("role")).toBe("group");
    expect(group.getAttribute("aria-label")).toBe(label);
    expect(byTestId(el, "lang-zh")!.textContent).toBe("中文");
    expect(byTestId(el, "lang-en")!.textContent).toBe("English");
    expect(byTestId(el, `lang-${lang}`)!.getAttribute("aria-pressed")).toBe("true");
    expect(byTestId(el, `lang-${lang === "zh" ? "en" : "zh"}`)!.getAttribute("aria-pressed")).toBe("false");
    await click(byTestId(el, button));
    expect(asked).toEqual(want);
  });
});
