// Finding 3 of issue 16's walkthrough: the session's lang (a signed link's
// claim, Easemob's encrypted lang param) applies when the URL gives no
// readable lang; the browser's language only when neither says.
import { describe, expect, it } from "vitest";
import type { SessionResponse } from "../api/types";
import { byTestId, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, session } from "../test/fixtures";
import { App } from "./App";
import { platformSaysLang, readPageParams } from "./params";

/** An unsigned JWT-shaped token with these claims (the page never checks a signature). */
function token(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}.c2ln`;
}

describe("the sidebar's language", () => {
  const cases: { name: string; slug: string; search: string; navigator: string; server: SessionResponse["lang"]; want: "zh-CN" | "en-US" }[] = [
    { name: "signed link with a zh claim, English browser", slug: "signed", search: `?token=${token({ sub: "v", lang: "zh" })}`, navigator: "en-US", server: "zh", want: "zh-CN" },
    { name: "signed link with an en claim, Chinese browser", slug: "signed", search: `?token=${token({ sub: "v", lang: "en" })}`, navigator: "zh-CN", server: "en", want: "en-US" },
    { name: "signed link without a claim: the browser's, not the server's default", slug: "signed", search: `?token=${token({ sub: "v" })}`, navigator: "en-US", server: "zh", want: "en-US" },
    { name: "Easemob's encrypted lang param", slug: "demo-easemob", search: "?visitorImId=x&lang=9f86d081884c7d65", navigator: "en-US", server: "zh", want: "zh-CN" },
    { name: "a readable lang param wins over the session's", slug: "signed", search: `?token=${token({ sub: "v", lang: "zh" })}&lang=en`, navigator: "zh-CN", server: "zh", want: "en-US" },
    { name: "no lang anywhere: the browser's", slug: "demo-easemob", search: "?visitorImId=x", navigator: "en-GB", server: "zh", want: "en-US" },
    { name: "no lang anywhere, Chinese browser", slug: "demo-easemob", search: "?visitorImId=x", navigator: "zh-TW", server: "zh", want: "zh-CN" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { client } = fakeClient({
        createSession: async () => session(linkedContext, c.server),
        getContext: async () => linkedContext,
      });
      const el = await mount(<App page={readPageParams({ pathname: `/sidebar/${c.slug}`, search: c.search })} client={client} navigatorLang={c.navigator} />);
      await flush();
      expect(byTestId(el, "contact-name")).not.toBeNull();
      expect(document.documentElement.lang).toBe(c.want);
    });
  }

  it("reads whether a token carries a lang claim, and nothing from a token it cannot read", () => {
    expect(platformSaysLang({ token: token({ lang: "zh" }) })).toBe(true);
    expect(platformSaysLang({ token: token({ sub: "v" }) })).toBe(false);
    expect(platformSaysLang({ token: "not-a-jwt" })).toBe(false);
    expect(platformSaysLang({ token: "a.%%%.c" })).toBe(false);
    expect(platformSaysLang({ lang: "9f86d081884c7d65" })).toBe(true);
    expect(platformSaysLang({ visitorImId: "x" })).toBe(false);
  });
});
