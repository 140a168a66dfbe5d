// The console and the sidebar word the server's error codes in the page's
// language (codes.ts errorWords, i18n errorDetailText): the banner, a
// field's error, the sidebar's details line; the Simulator's cut values and
// the audit trail's details too.
import { afterEach, describe, expect, it } from "vitest";
import { act } from "preact/test-utils";
import { byTestId, flush, mount } from "../test/dom";
import { createApi, type Fetch } from "../api/client";
import { createAdminClient as adminClient } from "./api";
import { Account, SignIn } from "./SignIn";
import { Integrations } from "./Integrations";
import { Audit, detailText } from "./Audit";
import { receivedText } from "./Simulator";
import { ErrorState } from "../sidebar/views";
import type { Integration } from "../api/types";
import type { Lang } from "../shared/i18n";

const client = (routes: Record<string, [number, unknown]>) => {
  const f: Fetch = async (req) => {
    const u = new URL(req.url);
    const [status, body] = routes[`${req.method} ${u.pathname}`] ?? [404, { error: { code: "not_found", message: "no route" } }];
    return new Response(JSON.stringify(body), { status });
  };
  return adminClient(createApi({ fetch: f }));
};

async function typeIn(el: Element | null, value: string) {
  await act(async () => {
    const input = el as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function submit(el: Element | null) {
  await act(async () => {
    (el as HTMLFormElement).dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  });
  await flush();
}

const integration: Integration = {
  slug: "acme",
  kind: "signed",
  name: "Acme",
  sidebarUrl: "https://crm.example.com/sidebar/acme",
  origins: ["https://app.example.com"],
  keySet: true,
  keyMasked: "••••cret",
  protection: { level: "high", summary: "signed", exposed: [], advice: [], summaryCodes: [], exposedCodes: [], adviceCodes: [] },
  options: {},
};

afterEach(() => {
  document.documentElement.lang = "";
});

describe("server errors in the page's language", () => {
  const badCredentials = { error: { code: "bad_credentials", message: "wrong email or password" } };
  const signIn = async (lang: Lang) => {
    const el = await mount(<SignIn client={client({ "POST /api/v1/admin/session": [401, badCredentials] })} lang={lang} onSignedIn={() => {}} onLang={() => {}} />);
    await typeIn(el.querySelector('input[name="email"]'), "a@example.com");
    await typeIn(el.querySelector('input[name="password"]'), "wrong-password");
    await submit(byTestId(el, "sign-in"));
    return byTestId(el, "error-banner")?.textContent ?? "";
  };

  it("words bad_credentials in zh, the server's English in en", async () => {
    const zh = await signIn("zh");
    expect(zh).toContain("邮箱或密码错误");
    expect(zh).not.toContain("wrong email");
    expect(await signIn("en")).toContain("wrong email or password");
  });

  it("words a password-length error on its field in zh", async () => {
    const tooShort = {
      error: {
        code: "invalid_admin",
        message: "the new password must be 10 to 72 characters",
        fields: [{ field: "newPassword", message: "the new password must be 10 to 72 characters" }],
        params: { rule: "length", min: "10", max: "72" },
      },
    };
    const el = await mount(<Account client={client({ "POST /api/v1/admin/password": [400, tooShort] })} lang="zh" />);
    await typeIn(el.querySelector('input[name="currentPassword"]'), "current-password");
    await typeIn(el.querySelector('input[name="newPassword"]'), "short");
    await submit(byTestId(el, "password-form"));
    expect(byTestId(el, "error-newPassword")?.textContent).toBe("密码须为 10 到 72 个字符");
    expect(byTestId(el, "error-banner")).toBeNull();
  });

  it("words an integration key error in zh (the page's language when a screen passes none)", async () => {
    document.documentElement.lang = "zh-CN";
    const badKey = {
      error: {
        code: "invalid_key",
        message: "key is shorter than 32 bytes; use a random secret of at least 32 bytes",
        fields: [{ field: "key", message: "key is shorter than 32 bytes; use a random secret of at least 32 bytes" }],
      },
    };
    const el = await mount(
      <Integrations
        client={client({ "GET /api/v1/admin/integrations": [200, { integrations: [integration] }], "POST /api/v1/admin/integrations/acme/key/rotate": [400, badKey] })}
        lang="zh"
      />,
    );
    await act(async () => {
      (byTestId(el, "key-rotate-open") as HTMLButtonElement).click();
    });
    await typeIn(byTestId(el, "key-rotate")?.querySelector('input[name="password"]') ?? null, "my-password");
    await typeIn(byTestId(el, "key-rotate")?.querySelector('input[name="key"]') ?? null, "short");
    await submit(byTestId(el, "key-rotate"));
    expect(byTestId(el, "error-rotate-key")?.textContent).toBe("此密钥无法使用：请从平台原样复制");
  });

  it("words the sidebar's details line from the error's params, the server's English without them", async () => {
    const msg = 'no integration has the slug "acme"; check the URL configured in the platform';
    const cases: [Lang, Record<string, string> | undefined, string][] = [
      ["zh", { slug: "acme" }, "详情： 没有标识为“acme”的集成 integration_not_found"],
      ["en", { slug: "acme" }, "Details: no integration has the slug “acme” integration_not_found"],
      ["zh", undefined, `详情： ${msg} integration_not_found`],
    ];
    for (const [lang, params, want] of cases) {
      const el = await mount(<ErrorState lang={lang} code="integration_not_found" message={msg} params={params} stage="session" />);
      expect(byTestId(el, "error-detail")?.textContent, `${lang} ${JSON.stringify(params)}`).toBe(want);
    }
  });
});

describe("simulator and audit words", () => {
  it("words the cut note of a long received value", () => {
    const cases: [Lang, string, string][] = [
      ["zh", "0123456789abcdef…(64 chars)", "0123456789abcdef…（共 64 个字符）"],
      ["en", "0123456789abcdef…(64 chars)", "0123456789abcdef…(64 characters in all)"],
      ["zh", "short", "short"],
    ];
    for (const [lang, received, want] of cases) expect(receivedText(lang, received)).toBe(want);
  });

  it("words audit details and leaves out empty ones", () => {
    const cases: [Lang, Record<string, string>, string][] = [
      ["zh", { method: "manual_unverified" }, "方式：由坐席关联，未验证"],
      ["zh", { notThisPerson: "true" }, "坐席表示：不是本人"],
      ["zh", { notThisPerson: "false" }, ""],
      ["zh", { results: "0", contacts: "", by: "name" }, "0 个结果；按姓名"],
      ["en", { input: "sidebar_url", result: "failed at decode" }, "input: a sidebar URL; result: failed at Decoding"],
      ["en", { method: "fields:email+phone" }, "method: by the same email, phone"],
      ["zh", { brandNew: "x" }, "brandNew=x"],
    ];
    for (const [lang, detail, want] of cases) expect(detailText(lang, detail), JSON.stringify(detail)).toBe(want);
  });

  it("shows worded details in the audit table", async () => {
    const events = [
      { id: "1", action: "visitor.unlink", actor: "agent-7", requestId: "r", at: "2026-12-03T10:00:00Z", detail: { notThisPerson: "true" } },
      { id: "2", action: "contact.search", actor: "agent-7", requestId: "r", at: "2026-12-03T10:00:00Z", detail: { results: "0", contacts: "", by: "phone" } },
    ];
    const c = client({ "GET /api/v1/admin/integrations": [200, { integrations: [] }], "GET /api/v1/admin/audit": [200, { events }] });
    const el = await mount(<Audit client={c} lang="zh" />);
    await flush();
    expect([...el.querySelectorAll('[data-testid="audit-detail"]')].map((td) => td.textContent)).toEqual(["坐席表示：不是本人", "0 个结果；按手机号"]);
  });
});
