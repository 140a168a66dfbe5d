import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Panel, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, notLinkedContext, session } from "../test/fixtures";
import { App } from "./App";
import { readPageParams } from "./params";
import { ErrorState, SidebarView } from "./views";

const page = (search: string, slug = "demo-easemob") => readPageParams({ pathname: `/sidebar/${slug}`, search });

describe("SidebarView", () => {
  it("shows the contact, why it matched, and one section per panel", async () => {
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "match-reason")?.textContent).toContain("visitorImId demo-visitor-0001 is linked");
    expect([...el.querySelectorAll("section .panel-title")].map((h) => h.textContent)).toEqual([
      "Contact",
      "Recent orders",
      "Tickets",
      "Account",
    ]);
    expect(byTestId(el, "state-not-linked")).toBeNull();
  });

  it("renders a record panel as label/value rows", async () => {
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    const panel = byTestId(el, "panel-contact")!;
    const rows = [...panel.querySelectorAll(".row")].map((r) => [
      r.querySelector("dt")!.textContent,
      r.querySelector("dd")!.textContent,
    ]);
    expect(rows).toEqual([
      ["Name", "张伟"],
      ["Mobile", "159****5678"],
      ["Email", "zhang.wei@example.com"],
      ["VIP", "Yes"],
      ["New type", "31.2,121.5"],
    ]);
    expect(panel.querySelector('[data-field="mobile"] a')).toBeNull();
    expect(panel.querySelector('[data-field="email"] a')?.getAttribute("href")).toBe("mailto:zhang.wei@example.com");
  });

  it("renders a list panel as rows with a title, a status badge, relative dates and meta", async () => {
    // The orders' fields on an object without a widget of its own: the generic list.
    const orders = linkedContext.panels[1]!;
    const ctx: SidebarContext = { ...linkedContext, panels: [{ ...orders, key: "quotes", object: "quotes" as Panel["object"] }] };
    const now = Date.UTC(2024, 5, 18, 12);
    const el = await mount(<SidebarView ctx={ctx} lang="zh" now={now} />);
    const panel = byTestId(el, "panel-quotes")!;
    expect(panel.querySelector(".panel-title")?.textContent).toBe("最近订单");
    expect(panel.querySelector(".count")?.textContent).toBe("2");
    const items = panel.querySelectorAll(".item");
    expect(items).toHaveLength(2);
    expect(items[0]!.querySelector(".item-title")?.textContent).toBe("SO-1001");
    // the status as a badge, in words of the UI language, coloured by tone
    const badge = items[0]!.querySelector(".badge")!;
    expect(badge.textContent).toBe("已发货");
    expect(badge.getAttribute("data-tone")).toBe("info");
    expect(badge.getAttribute("data-status")).toBe("shipped");
    expect(items[0]!.querySelector('[data-field="amount"]')?.textContent).toBe("金额 ¥199.50");
    // dates in lists are relative, the calendar date on hover
    const time = items[1]!.querySelector('[data-field="orderedAt"] time')!;
    expect(time.textContent).toBe("3天前");
    expect(time.getAttribute("title")).toBe("2024年6月15日");
    expect(time.getAttribute("datetime")).toBe("2024-06-15");
    // the currency is in the amount; its own field is not repeated in the row
    expect(items[0]!.querySelector('[data-field="currency"]')).toBeNull();
  });

  it("says when a panel has nothing", async () => {
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    expect(byTestId(el, "panel-tickets")?.querySelector(".empty")?.textContent).toBe("Nothing here yet.");
    expect(byTestId(el, "panel-account")?.querySelector(".empty")?.textContent).toBe("Nothing here yet.");
  });

  it("shows the not-linked state with the visitor's channel and id", async () => {
    const el = await mount(<SidebarView ctx={notLinkedContext} lang="en" />);
    const state = byTestId(el, "state-not-linked")!;
    expect(state.textContent).toContain("This visitor is not linked to a contact yet");
    expect(byTestId(el, "visitor")?.textContent).toContain("easemob");
    expect(byTestId(el, "visitor")?.textContent).toContain("nobody-here");
    expect(byTestId(el, "contact-name")).toBeNull();
    // the empty contact panel is not repeated under a visitor without contact
    expect(byTestId(el, "panel-contact")).toBeNull();
  });

  it("shows what the match was made on", async () => {
    const ctx: SidebarContext = {
      ...linkedContext,
      match: { status: "linked", method: "matching_fields", matchedOn: ["phone", "name"], reason: "Same phone and name" },
    };
    const en = await mount(<SidebarView ctx={ctx} lang="en" />);
    expect(byTestId(en, "matched-on")?.textContent).toBe("Matched on: phone, name");
    expect(byTestId(en, "match-reason")?.textContent).toContain("Same phone and name");
    const zh = await mount(<SidebarView ctx={ctx} lang="zh" />);
    expect(byTestId(zh, "matched-on")?.textContent).toBe("匹配字段： 手机号、姓名");
    // no matchedOn, no line
    const none = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    expect(byTestId(none, "matched-on")).toBeNull();
  });

  it("lists the candidates, read-only, when several contacts matched", async () => {
    const ctx: SidebarContext = {
      ...notLinkedContext,
      match: {
        status: "not_linked",
        method: "matching_fields",
        matchedOn: ["phone"],
        reason: "2 contacts have this phone",
        candidates: [
          { id: "c7", name: "王芳", hint: "159****5678 · 星辰科技" },
          { id: "c8", name: "Wang Fang", hint: "w***@example.com · Acme" },
        ],
      },
    };
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    const state = byTestId(el, "state-not-linked")!;
    expect(byTestId(state, "candidates")?.querySelector("h2")?.textContent).toBe(
      "Several contacts match — none was linked automatically",
    );
    expect(byTestId(state, "candidate-c7")?.textContent).toBe("王芳159****5678 · 星辰科技");
    expect(byTestId(state, "candidate-c8")?.querySelector(".candidate-name")?.textContent).toBe("Wang Fang");
    expect(byTestId(state, "candidate-c8")?.querySelector(".candidate-hint")?.textContent).toBe("w***@example.com · Acme");
    expect(state.querySelectorAll("[data-testid^='candidate-'] button, [data-testid^='candidate-'] a")).toHaveLength(0);
    expect(byTestId(state, "matched-on")?.textContent).toBe("Matched on: phone");
    expect(byTestId(el, "contact-name")).toBeNull();

    const zh = await mount(<SidebarView ctx={ctx} lang="zh" />);
    expect(byTestId(zh, "candidates")?.querySelector("h2")?.textContent).toBe("有多个联系人匹配，未自动关联");
  });

  it("shows no candidate list without candidates", async () => {
    const el = await mount(<SidebarView ctx={{ ...notLinkedContext, match: { ...notLinkedContext.match, candidates: [] } }} lang="en" />);
    expect(byTestId(el, "candidates")).toBeNull();
    expect(el.textContent).not.toMatch(/\b0\b/);
  });

  it("never renders blank for a list panel without fields", async () => {
    const ctx: SidebarContext = {
      ...linkedContext,
      panels: [
        { key: "leads", object: "leads", kind: "list", title: { zh: "线索", en: "Leads" }, fields: [], records: [{ id: "L1", values: {} }] },
      ],
    };
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    expect(byTestId(el, "panel-leads")?.querySelector(".item-title")?.textContent).toBe("Leads");
  });
});

describe("ErrorState", () => {
  it("uses localized words for known codes and keeps the server's message as detail", async () => {
    let retried = 0;
    const el = await mount(
      <ErrorState lang="zh" code="decrypt_failed" message="the params do not decrypt with the key" onRetry={() => retried++} />,
    );
    expect(byTestId(el, "error-message")?.textContent).toContain("无法解密");
    expect(el.textContent).toContain("the params do not decrypt with the key");
    await click(byTestId(el, "retry"));
    expect(retried).toBe(1);
  });

  it.each([
    ["plain_system_param", "arrived unencrypted", "明文"],
    ["tenant_mismatch", "another platform tenant", "租户"],
    ["unknown_agent", "does not know this agent", "坐席"],
    ["missing_claim", "lacks information", "缺少"],
    ["invalid_token", "not valid", "无效"],
    ["token_expired", "signed link has expired", "签名链接已过期"],
    ["token_replayed", "already been used", "已被使用"],
    ["token_lifetime", "at most 5 minutes", "5 分钟"],
    ["chatwoot_mismatch", "not in this conversation", "不在此会话"],
    ["chatwoot_unreachable", "could not reach Chatwoot", "无法连接 Chatwoot"],
    ["rate_limited", "Too many failed attempts", "失败次数过多"],
  ])("words %s for the agent, with the server's message as detail", async (code, en, zh) => {
    const el = await mount(<ErrorState lang="en" code={code} message="server says so" stage="session" />);
    expect(byTestId(el, "error-message")?.textContent).toContain(en);
    expect(el.querySelector(".detail")?.textContent).toBe(`Details: server says so ${code}`);
    const zhEl = await mount(<ErrorState lang="zh" code={code} message="server says so" stage="session" />);
    expect(byTestId(zhEl, "error-message")?.textContent).toContain(zh);
    // A full-width colon after the zh label, as the other zh labels have.
    expect(zhEl.querySelector(".detail")?.textContent).toBe(`详情： server says so ${code}`);
  });

  it("calls an expired token crmlens's session when the context failed to load", async () => {
    const el = await mount(<ErrorState lang="en" code="token_expired" message="token expired" stage="context" />);
    expect(byTestId(el, "error-message")?.textContent).toBe("The session has expired. Try again to start a new one.");
  });

  it("falls back to the server's message for an unknown code", async () => {
    const el = await mount(<ErrorState lang="en" code="brand_new" message="Something specific happened" />);
    expect(byTestId(el, "error-message")?.textContent).toBe("Something specific happened");
    expect(byTestId(el, "retry")).toBeNull();
  });
});

describe("App", () => {
  it("opens a session with the slug and params, then loads the context with the token", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page("?easemobId=1&visitorImId=demo-visitor-0001&lang=en")} client={client} />);
    expect(calls).toEqual([
      {
        method: "createSession",
        args: [{ integration: "demo-easemob", params: { easemobId: "1", visitorImId: "demo-visitor-0001", lang: "en" } }],
      },
      { method: "getContext", args: ["tok-123"] },
    ]);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(document.documentElement.lang).toBe("en-US");
  });

  it("shows the skeleton while loading", async () => {
    const { client } = fakeClient({ createSession: () => new Promise(() => {}) });
    const el = await mount(<App page={page("?visitorImId=x")} client={client} />);
    expect(byTestId(el, "state-loading")).not.toBeNull();
  });

  it("says visitorImId is missing without calling the API", async () => {
    const { client, calls } = fakeClient();
    const el = await mount(<App page={page("")} client={client} navigatorLang="en-US" />);
    expect(calls).toEqual([]);
    expect(byTestId(el, "state-error")?.dataset.code).toBe("missing_visitor");
    const text = byTestId(el, "error-message")?.textContent ?? "";
    // It names what each platform adds, since the page does not know which one it is.
    for (const param of ["visitorImId", "customParams", "token"]) expect(text).toContain(param);
  });

  it("offers no retry where none helps, and says what to do instead", async () => {
    for (const [code, status, words] of [
      ["integration_not_found", 404, "Check the URL configured"],
      ["integration_disabled", 403, "Ask your crmlens admin to enable it"],
      ["decrypt_failed", 422, "ask your admin to set the same key"],
      ["token_replayed", 409, "Reopen the conversation"],
      ["unknown_agent", 403, "Ask your admin to add you"],
    ] as const) {
      const { client } = fakeClient({
        createSession: async () => {
          throw new ApiError(code, "refused", status);
        },
      });
      const el = await mount(<App page={page("?visitorImId=x&lang=en", "nope")} client={client} />);
      expect(byTestId(el, "state-error")?.dataset.code).toBe(code);
      expect(byTestId(el, "error-message")?.textContent).toContain(words);
      expect(byTestId(el, "retry"), code).toBeNull();
    }
  });

  it("shows a server error in the agent's words and retries from the start", async () => {
    let n = 0;
    const { client, calls } = fakeClient({
      createSession: async () => {
        if (n++ === 0) throw new ApiError("internal", "internal error", 500);
        return session(notLinkedContext);
      },
      getContext: async () => notLinkedContext,
    });
    const el = await mount(<App page={page("?visitorImId=x&lang=en", "nope")} client={client} />);
    expect(byTestId(el, "state-error")?.dataset.code).toBe("internal");
    expect(byTestId(el, "error-message")?.textContent).toContain("Something went wrong on the crmlens server");
    await click(byTestId(el, "retry"));
    expect(calls.map((c) => c.method)).toEqual(["createSession", "createSession", "getContext"]);
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
  });

  it("takes the language from the session when the lang param is encrypted", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext, "zh"),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page("?visitorImId=x&lang=9f86d081884c7d65")} client={client} navigatorLang="en-US" />);
    await flush();
    expect(byTestId(el, "panel-orders")?.querySelector(".panel-title")?.textContent).toBe("最近订单");
    expect(document.documentElement.lang).toBe("zh-CN");
  });

  it("renders Chinese labels for lang=zh", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext, "zh"),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page("?visitorImId=x&lang=zh")} client={client} navigatorLang="en-US" />);
    expect(byTestId(el, "match-reason")?.textContent).toContain("匹配依据");
    expect(byTestId(el, "panel-contact")?.querySelector("dt")?.textContent).toBe("姓名");
  });
});
