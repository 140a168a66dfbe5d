// Unit tests of the console: catalogues, the API client's CSRF and error
// handling, and screens showing the API's field errors, driven through a
// fake fetch that answers as the server does (the e2e test drives the real
// server).
import { describe, expect, it } from "vitest";
import { byTestId, click, flush, mount } from "../test/dom";
import { ApiError, createApi, type Fetch } from "../api/client";
import { auditQueryString, createAdminClient as adminClient } from "./api";
import { pickLang, t } from "../shared/i18n";
import { adminCatalogues as catalogues } from "./messages";
import { Integrations } from "./Integrations";
import { changeObject, LayoutDesigner, move, starterLayout, toggleField } from "./LayoutDesigner";
import { Simulator } from "./Simulator";
import { Console, noticeOnLoad, screenOf } from "./Console";
import { Admins } from "./Admins";
import { ErrorBanner } from "./ui";
import { Agents } from "./Agents";
import { Fields } from "./Fields";
import type { CatalogField, CatalogObject, FieldCatalog, Integration, LayoutDoc, SidebarContext } from "../api/types";
import { act } from "preact/test-utils";

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** The console's client over the one API client, answering from f. */
const createAdminClient = (f: Fetch) => adminClient(createApi({ fetch: f }));

/** A fake fetch: routes "METHOD /path" to [status, body]; records every call. */
function fakeFetch(routes: Record<string, (c: Call) => [number, unknown]>) {
  const calls: Call[] = [];
  const f: Fetch = async (req) => {
    const method = req.method;
    const url = new URL(req.url);
    const path = url.pathname;
    const text = await req.text();
    const call: Call = {
      method,
      path: path + url.search,
      headers: Object.fromEntries([...req.headers].map(([k, v]) => [k.toLowerCase(), v])),
      body: text ? JSON.parse(text) : undefined,
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
    for (const [stored, nav, want] of cases) expect(pickLang(stored, nav), `${stored} ${nav}`).toBe(want);
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
    expect(calls.map((x) => [x.method, x.headers["x-csrf-token"]])).toEqual([
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
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).fieldMessage("key")).toBe("too short");
    expect((e as ApiError).status).toBe(400);
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
  protection: {
    level: "low",
    summary: "anyone who has this URL…",
    exposed: [],
    advice: ["turn on encrypted system params"],
    summaryCodes: [],
    exposedCodes: [],
    adviceCodes: [],
  },
  options: {},
};

/** The body of the last POST among calls. */
function lastPost(calls: Call[]): unknown {
  return calls.filter((c) => c.method === "POST").at(-1)?.body;
}

function lastPut(calls: Call[]): unknown {
  return calls.filter((c) => c.method === "PUT").at(-1)?.body;
}

describe("integrations screen", () => {
  it("creates Udesk and Sobot integrations with their own options", async () => {
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [] }],
      "POST /api/v1/admin/integrations": () => [400, { error: { code: "invalid_option", message: "stop here" } }],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="en" />);
    await click(byTestId(el, "integration-new"));
    const kind = () => el.querySelector('select[name="kind"]') as HTMLSelectElement;
    await act(async () => {
      kind().value = "udesk";
      kind().dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect((el.querySelector('input[name="identityParam"]') as HTMLInputElement).value).toBe("customer_token");
    expect((el.querySelector('textarea[name="fieldParams"]') as HTMLTextAreaElement).value).toBe("phone=cellphone\nemail=email");
    expect(el.querySelector('input[name="noKey"]')).toBeNull();
    await type(el.querySelector('input[name="key"]'), "957a542817ebcda1cccacd9a7c1fc711");
    await type(el.querySelector('textarea[name="fieldParams"]'), "phone = mobile\n\nemail=mail");
    await submit(byTestId(el, "integration-form"));
    expect(calls.at(-1)?.body).toMatchObject({
      kind: "udesk",
      key: "957a542817ebcda1cccacd9a7c1fc711",
      options: { identityParam: "customer_token", fieldParams: { phone: "mobile", email: "mail" }, matchingFields: [["phone"], ["email"]] },
    });
    await act(async () => {
      kind().value = "sobot";
      kind().dispatchEvent(new Event("change", { bubbles: true }));
    });
    await type(el.querySelector('input[name="sobotSysNum"]'), " 8a7c0e ");
    await click(el.querySelector('input[name="noKey"]'));
    expect(byTestId(el, "no-key-warning")?.textContent).toContain("protection: low");
    expect(el.querySelector('input[name="key"]')).toBeNull();
    await submit(byTestId(el, "integration-form"));
    expect(calls.at(-1)?.body).toMatchObject({ kind: "sobot", noKey: true, options: { sobotSysNum: "8a7c0e" } });
  });

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

  it("drops the previous run's result at once and names each result's integration", async () => {
    const other = { ...integration, slug: "other", name: "Other" };
    const { f } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [integration, other] }],
      "POST /api/v1/admin/simulate": (c) => [
        200,
        { input: "query", params: [], steps: [{ step: "input", status: "ok", detail: (c.body as { integration: string }).integration }] },
      ],
    });
    // The second run's answer waits until the test lets it go.
    let release: () => void = () => {};
    let runs = 0;
    const slow: Fetch = async (req) => {
      if (new URL(req.url).pathname === "/api/v1/admin/simulate" && ++runs === 2) await new Promise<void>((r) => (release = r));
      return f(req);
    };
    const el = await mount(<Simulator client={createAdminClient(slow)} lang="en" />);
    await type(byTestId(el, "sim-input"), "visitorImId=x");
    await submit(byTestId(el, "simulator"));
    expect(byTestId(el, "sim-result")?.dataset.integration).toBe(integration.slug);
    const select = byTestId(el, "sim-integration") as HTMLSelectElement;
    await act(async () => {
      select.value = "other";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await submit(byTestId(el, "simulator"));
    expect(byTestId(el, "sim-result"), "the first run's result is gone while the second runs").toBeNull();
    await act(async () => release());
    await flush();
    expect(byTestId(el, "sim-result")?.dataset.integration).toBe("other");
    expect(byTestId(el, "sim-step-input")?.textContent).toContain("other");
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

const field = (object: string, key: string, more: Partial<{ sortable: boolean; filterable: boolean; retired: boolean }> = {}) =>
  ({ object, key, label: { zh: key, en: key }, type: "text", custom: false, retired: false, sortable: false, filterable: false, ...more }) as CatalogObject["fields"][number];

describe("changing a panel's object", () => {
  const orders = {
    object: "orders",
    label: { zh: "订单", en: "Orders" },
    single: false,
    fields: [field("orders", "order_no"), field("orders", "status", { filterable: true }), field("orders", "created_at", { sortable: true })],
  } as CatalogObject;
  const tickets = {
    object: "tickets",
    label: { zh: "工单", en: "Tickets" },
    single: false,
    fields: [
      field("tickets", "subject"),
      field("tickets", "status", { filterable: true }),
      field("tickets", "created_at", { sortable: true }),
      field("tickets", "priority"),
    ],
  } as CatalogObject;
  const account = { object: "account", label: { zh: "客户", en: "Account" }, single: true, fields: [field("account", "name")] } as CatalogObject;

  it("keeps the fields the new object also has, their labels and masks, the limit, sort and filters", () => {
    const p = {
      object: "orders" as const,
      title: { zh: "订单", en: "Orders" },
      fields: ["order_no", "created_at", "status"],
      labels: { status: { zh: "状态", en: "State" }, order_no: { zh: "单号", en: "No." } },
      masked: ["status", "order_no"],
      limit: 7,
      sort: "created_at",
      filter: { status: ["open"] },
    };
    expect(changeObject(p, tickets, orders)).toEqual({
      object: "tickets",
      fields: ["created_at", "status"],
      labels: { status: { zh: "状态", en: "State" } },
      masked: ["status"],
      limit: 7,
      sort: "created_at",
      filter: { status: ["open"] },
    });
    // A title the admin wrote is theirs; a single record takes no limit.
    expect(changeObject({ ...p, title: { zh: "最近", en: "Latest" } }, tickets, orders).title).toEqual({ zh: "最近", en: "Latest" });
    expect(changeObject(p, account, orders)).toEqual({ object: "account", fields: [] });
  });

  it("in the designer, switching orders to tickets keeps status and the limit", async () => {
    const stored: LayoutDoc = { name: "vip", version: 1, scope: { default: true }, panels: [{ object: "orders", fields: ["order_no", "status"], limit: 3 }] };
    const { f } = fakeFetch({
      "GET /api/v1/admin/fields": () => [200, { objects: [orders, tickets] }],
      "GET /api/v1/admin/layouts": () => [200, { layouts: [stored] }],
      "GET /api/v1/admin/contacts": () => [200, { contacts: [] }],
    });
    const el = await mount(<LayoutDesigner client={createAdminClient(f)} lang="en" />);
    const sel = byTestId(el, "panel-object-0") as HTMLSelectElement;
    await act(async () => {
      sel.value = "tickets";
      sel.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect((byTestId(el, "tick-0-status") as HTMLInputElement).checked).toBe(true);
    expect((byTestId(el, "tick-0-subject") as HTMLInputElement).checked).toBe(false);
    expect((byTestId(el, "panel-limit-0") as HTMLInputElement).value).toBe("3");
  });
});

describe("session notices", () => {
  it("says nothing to a first visitor, 'signed out' after signing out, 'ended' after a session 401", async () => {
    expect(noticeOnLoad(new ApiError("unauthorized", "sign in", 401))).toBeNull();
    expect(noticeOnLoad(new ApiError("session_ended", "signed out", 401))).toBe("ended");
    let signedIn = false;
    const { f } = fakeFetch({
      "GET /api/v1/admin/session": () =>
        signedIn ? [200, { email: "ops@example.com", expiresAt: session.expiresAt, csrfToken: "c" }] : [401, { error: { code: "unauthorized", message: "sign in" } }],
      "POST /api/v1/admin/session": () => ((signedIn = true), [201, session]),
      "DELETE /api/v1/admin/session": () => ((signedIn = false), [204, undefined]),
      "GET /api/v1/admin/integrations": () =>
        signedIn ? [200, { integrations: [] }] : [401, { error: { code: "session_ended", message: "this admin session was signed out" } }],
    });
    location.hash = "";
    const el = await mount(<Console client={createAdminClient(f)} initialLang="en" />);
    expect(byTestId(el, "sign-in")).not.toBeNull();
    expect(byTestId(el, "sign-in-notice")).toBeNull();
    expect(byTestId(el, "sign-in-hint")?.querySelector("code")?.textContent).toBe("crmlens admin create");
    expect(byTestId(el, "sign-in-hint")?.textContent).not.toContain("`");
    await type(el.querySelector('input[name="email"]'), "ops@example.com");
    await type(el.querySelector('input[name="password"]'), "pw");
    await submit(byTestId(el, "sign-in"));
    expect(byTestId(el, "signed-in-as")?.textContent).toBe("ops@example.com");
    await click(byTestId(el, "sign-out"));
    expect(byTestId(el, "sign-in-notice")?.textContent).toBe(t("en", "signIn.signedOut"));
    // Signed in again, then the session ends elsewhere: the next call's 401 says so.
    await type(el.querySelector('input[name="email"]'), "ops@example.com");
    await type(el.querySelector('input[name="password"]'), "pw");
    await submit(byTestId(el, "sign-in"));
    expect(byTestId(el, "sign-in-notice")).toBeNull();
    signedIn = false;
    await click(byTestId(el, "nav-layouts"));
    await click(byTestId(el, "nav-integrations"));
    expect(byTestId(el, "sign-in-notice")?.textContent).toBe(t("en", "signIn.expired"));
  });
});

describe("console friction", () => {
  it("sorts integrations by name and pre-fills ShareCRM's real defaults with its own origin hint", async () => {
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [
        200,
        { integrations: [{ ...integration, slug: "z", name: "Zeta" }, { ...integration, slug: "a", name: "alpha" }, { ...integration, slug: "m", name: "Mid" }] },
      ],
      "POST /api/v1/admin/integrations": (c) => [201, { integration: { ...integration, ...(c.body as object) }, key: "k".repeat(24) }],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="en" />);
    expect([...el.querySelectorAll("[data-testid^='integration-'][data-kind]")].map((x) => x.getAttribute("data-testid"))).toEqual([
      "integration-a",
      "integration-m",
      "integration-z",
    ]);
    await click(byTestId(el, "integration-new"));
    const kind = el.querySelector('select[name="kind"]') as HTMLSelectElement;
    await act(async () => {
      kind.value = "sharecrm";
      kind.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect((el.querySelector('input[name="verificationFields"]') as HTMLInputElement).value).toBe("full_name, phone");
    expect((el.querySelector('textarea[name="matchingFields"]') as HTMLTextAreaElement).value).toBe("phone\nfull_name+phone");
    expect(byTestId(el, "integration-form")?.textContent).toContain(t("en", "int.origins.hint.sharecrm"));
    expect(byTestId(el, "integration-form")?.textContent).not.toContain("kefu.easemob.com");
    await submit(byTestId(el, "integration-form"));
    expect(lastPost(calls)).toMatchObject({ options: { verificationFields: ["full_name", "phone"], matchingFields: [["phone"], ["full_name", "phone"]] } });
    // The key is shown now and can be revealed later: nothing says "shown once".
    expect(byTestId(el, "integration-created")?.textContent).not.toMatch(/shown (only )?once/i);
    expect(byTestId(el, "created-key-hint")?.textContent).toBe(t("en", "int.createdKey.hint"));
  });

  it("opens an integration's edit form in place of its card", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/integrations": () => [200, { integrations: [{ ...integration, slug: "a", name: "A" }, { ...integration, slug: "b", name: "B" }] }],
    });
    const el = await mount(<Integrations client={createAdminClient(f)} lang="en" />);
    await click(byTestId(byTestId(el, "integration-b")!, "integration-edit"));
    const form = byTestId(el, "integration-form")!;
    expect(byTestId(el, "integration-b")).toBeNull();
    expect(form.previousElementSibling?.getAttribute("data-testid")).toBe("integration-a");
    expect(form.contains(document.activeElement)).toBe(true);
  });

  it("says '1 member' and confirms an added field", async () => {
    const { f } = fakeFetch({
      "GET /api/v1/admin/agents": () => [200, { agents: [], groups: [{ name: "vip", members: 1 }, { name: "all", members: 2 }] }],
      "GET /api/v1/admin/fields": () => [200, catalog],
      "PUT /api/v1/admin/fields/contact/vip_level": (c) => [200, { object: "contact", key: "vip_level", ...(c.body as object), custom: true, retired: false, sortable: false, filterable: false }],
    });
    const agents = await mount(<Agents client={createAdminClient(f)} lang="en" />);
    expect(byTestId(agents, "groups-summary")?.textContent).toContain("vip · 1 member");
    expect(byTestId(agents, "groups-summary")?.textContent).toContain("all · 2 members");
    const el = await mount(<Fields client={createAdminClient(f)} lang="en" />);
    await type(el.querySelector('input[name="key"]'), "vip_level");
    await type(el.querySelector('input[name="zh"]'), "会员等级");
    await type(el.querySelector('input[name="en"]'), "VIP level");
    await submit(byTestId(el, "field-add"));
    expect(byTestId(el, "field-added")?.textContent).toBe(t("en", "fld.added", { label: "VIP level", key: "vip_level", object: "Contact" }));
  });

  it("sends an enum field's allowed values, one per line or comma-separated, and lists them", async () => {
    let stored: CatalogField | null = null;
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/fields": () => [200, stored ? { objects: [{ ...catalog.objects[0], fields: [...catalog.objects[0]!.fields, stored] }] } : catalog],
      "PUT /api/v1/admin/fields/contact/vip_level": (c) => {
        stored = { object: "contact", key: "vip_level", ...(c.body as object), custom: true, retired: false, sortable: false, filterable: false } as CatalogField;
        return [200, stored];
      },
    });
    const el = await mount(<Fields client={createAdminClient(f)} lang="zh" />);
    expect(el.querySelector('textarea[name="values"]')).toBeNull();
    const typeSelect = [...el.querySelectorAll("select")].find((s) => [...s.options].some((o) => o.value === "enum"))!;
    await act(async () => {
      typeSelect.value = "enum";
      typeSelect.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(el.textContent).toContain(t("zh", "fld.valuesHint"));
    await type(el.querySelector('input[name="key"]'), "vip_level");
    await type(el.querySelector('input[name="zh"]'), "会员等级");
    await type(el.querySelector('input[name="en"]'), "VIP level");
    await type(el.querySelector('textarea[name="values"]'), "gold\n silver ，bronze\n\n");
    await submit(byTestId(el, "field-add"));
    expect(lastPut(calls)).toEqual({ label: { zh: "会员等级", en: "VIP level" }, type: "enum", values: ["gold", "silver", "bronze"] });
    expect(byTestId(el, "catalog-values-contact.vip_level")?.textContent).toContain("gold, silver, bronze");
  });
});

describe("admins screen", () => {
  it("lists admins, adds one with your password asked again, and shows why one cannot be removed", async () => {
    let admins = [
      { id: "1", email: "ops@example.com", createdAt: "2026-11-01T00:00:00Z", you: true },
      { id: "2", email: "dev@example.com", createdAt: "2026-11-02T00:00:00Z", you: false },
    ];
    const { f, calls } = fakeFetch({
      "GET /api/v1/admin/admins": () => [200, { admins }],
      "POST /api/v1/admin/admins": (c) => {
        const b = c.body as { email: string; currentPassword: string };
        if (b.currentPassword !== "mine")
          return [401, { error: { code: "bad_credentials", message: "the password is wrong", fields: [{ field: "currentPassword", message: "the password is wrong" }] } }];
        const a = { id: "3", email: b.email, createdAt: "2026-12-01T00:00:00Z", you: false };
        admins = [...admins, a];
        return [201, a];
      },
      "DELETE /api/v1/admin/admins/2": () => [409, { error: { code: "admin_last", message: "dev@example.com is the last admin" } }],
    });
    const el = await mount(<Admins client={createAdminClient(f)} lang="en" />);
    expect(byTestId(byTestId(el, "admin-ops@example.com")!, "admin-remove")).toBeNull();
    await type(el.querySelector('[data-testid="admin-add"] input[name="email"]'), "new@example.com");
    await type(el.querySelector('[data-testid="admin-add"] input[name="password"]'), "a first password");
    await type(el.querySelector('[data-testid="admin-add"] input[name="currentPassword"]'), "wrong");
    await submit(byTestId(el, "admin-add"));
    expect(byTestId(el, "error-admin-current")?.textContent).toBe("the password is wrong");
    await type(el.querySelector('[data-testid="admin-add"] input[name="currentPassword"]'), "mine");
    await submit(byTestId(el, "admin-add"));
    expect(lastPost(calls)).toEqual({ email: "new@example.com", password: "a first password", currentPassword: "mine" });
    expect(byTestId(el, "admins-done")?.textContent).toBe(t("en", "adm.added", { email: "new@example.com" }));
    expect(byTestId(el, "admin-new@example.com")).not.toBeNull();
    await click(byTestId(byTestId(el, "admin-dev@example.com")!, "admin-remove"));
    await click(byTestId(el, "admin-remove-confirm"));
    expect(byTestId(el, "error-banner")?.textContent).toContain("dev@example.com is the last admin");
  });
});

describe("error banner", () => {
  it("words a code it knows in the console's language, else shows the server's message", async () => {
    const el = await mount(<ErrorBanner failure={new ApiError("internal", "internal error", 500)} lang="zh" />);
    expect(byTestId(el, "error-banner")?.textContent).toContain("crmlens 服务器出错");
    expect(byTestId(el, "error-banner")?.textContent).not.toContain("internal error");
    const other = await mount(<ErrorBanner failure={new ApiError("layout_stale", "layout vip changed meanwhile", 409)} lang="zh" />);
    expect(byTestId(other, "error-banner")?.textContent).toContain("layout vip changed meanwhile");
  });
});
