import { afterEach, describe, expect, it, vi } from "vitest";
import type { FieldDef, Panel, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { linkedContext } from "../test/fixtures";
import { copyText } from "./clipboard";
import { COLLAPSED_KEY, memoryOnly, storedPanelMemory } from "./prefs";
import { headerFacts, initials, SidebarView } from "./views";

const text = (key: string, en: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  key,
  label: { zh: key, en },
  type: "text",
  masked: false,
  ...extra,
});

/** linkedContext with a richer contact and an account, as the default layout sends them. */
const richContext: SidebarContext = {
  ...linkedContext,
  match: { status: "linked", method: "identity", matchedOn: ["easemob id"], reason: "the easemob id v1 is an identity of this contact" },
  panels: [
    {
      key: "contact",
      object: "contact",
      kind: "record",
      title: { zh: "联系人", en: "Contact" },
      fields: [
        text("name", "Name"),
        text("title", "Title"),
        text("tags", "Tags"),
        text("owner", "Owner", { masked: true }),
        { key: "segment", label: { zh: "分群", en: "Segment" }, type: "enum", masked: false },
      ],
      records: [{ id: "c1", values: { name: "张伟", title: "采购经理", tags: "VIP， 回头客、VIP;  wholesale", owner: "L***", segment: "vip" } }],
    },
    {
      key: "account",
      object: "account",
      kind: "record",
      title: { zh: "客户", en: "Account" },
      fields: [
        text("name", "Name"),
        { key: "tier", label: { zh: "等级", en: "Tier" }, type: "enum", masked: false },
        text("owner", "Owner"),
      ],
      records: [{ id: "a1", values: { name: "上海示例贸易有限公司", tier: "enterprise", owner: "王磊" } }],
    },
  ],
};

afterEach(() => {
  localStorage.clear();
});

describe("headerFacts", () => {
  it("takes the title, the company, the owner and the tags from the contact and account panels", () => {
    expect(headerFacts(richContext, "en")).toEqual({
      title: "采购经理",
      company: "上海示例贸易有限公司",
      // the contact's owner is masked: the account's is used, the masked one stays in its panel
      owner: "王磊",
      tags: ["VIP", "回头客", "wholesale"],
      badges: [
        { value: "vip", label: "Segment" },
        { value: "enterprise", label: "Tier" },
      ],
    });
  });

  it("has nothing to say without those panels", () => {
    expect(headerFacts({ ...linkedContext, panels: [] }, "en")).toEqual({ tags: [], badges: [] });
    expect(headerFacts({ ...linkedContext, panels: undefined } as unknown as SidebarContext, "en").tags).toEqual([]);
  });
});

describe("initials", () => {
  it.each([
    ["张伟", "张"],
    ["Emily Clark", "EC"],
    ["mary ann smith", "MS"],
    ["  Li  ", "L"],
    ["", "?"],
    ["𠀋 test", "𠀋"],
  ])("%s → %s", (name, want) => {
    expect(initials(name)).toBe(want);
  });
});

describe("the header card", () => {
  it("shows the contact at a glance: name, title and company, badges, tags, owner, why it matched", async () => {
    const el = await mount(<SidebarView ctx={richContext} lang="zh" />);
    const head = byTestId(el, "header")!;
    expect(head.querySelector(".avatar")?.textContent).toBe("张");
    expect(byTestId(head, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(head, "contact-org")?.textContent).toBe("采购经理 · 上海示例贸易有限公司");
    expect([...byTestId(head, "contact-tags")!.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "vip",
      "大客户",
      "VIP",
      "回头客",
      "wholesale",
    ]);
    expect(byTestId(head, "contact-owner")?.textContent).toBe("负责人 王磊");
    expect(byTestId(head, "match-method")?.textContent).toBe("渠道身份");
    expect(byTestId(head, "match-reason")?.textContent).toContain("the easemob id v1 is an identity of this contact");
    expect(byTestId(head, "matched-on")?.textContent).toBe("匹配字段： easemob 账号");
    // the visitor's id can be copied
    expect(byTestId(head, "visitor")?.querySelector('[data-testid="copy"]')?.getAttribute("aria-label")).toBe("复制访客 ID");
  });

  it("leaves out a match method it has no words for", async () => {
    const ctx = { ...richContext, match: { ...richContext.match, method: "telepathy" } } as unknown as SidebarContext;
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    expect(byTestId(el, "match-method")).toBeNull();
    expect(byTestId(el, "match-reason")?.textContent).toContain("identity of this contact");
  });
});

describe("collapsible panels", () => {
  it("collapse and expand from the keyboard-reachable title button, and say so", async () => {
    const panels = memoryOnly();
    const el = await mount(<SidebarView ctx={richContext} lang="en" panels={panels} />);
    const section = byTestId(el, "panel-account")!;
    const toggle = section.querySelector<HTMLButtonElement>('[data-testid="collapse-toggle"]')!;
    expect(toggle.tagName).toBe("BUTTON");
    const body = el.querySelector(`#${toggle.getAttribute("aria-controls")}`) as HTMLElement;
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(body.hidden).toBe(false);

    await click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(body.hidden).toBe(true);
    expect(panels.isCollapsed("account")).toBe(true);
    expect(panels.isCollapsed("contact")).toBe(false);

    await click(toggle);
    expect(body.hidden).toBe(false);
    expect(panels.isCollapsed("account")).toBe(false);
  });

  it("start collapsed where the agent left them, on the next page", async () => {
    localStorage.setItem(COLLAPSED_KEY, JSON.stringify(["contact"]));
    const el = await mount(<SidebarView ctx={richContext} lang="en" panels={storedPanelMemory(() => localStorage)} />);
    const collapsed = byTestId(el, "panel-contact")!.querySelector('[data-testid="collapse-toggle"]')!;
    expect(collapsed.getAttribute("aria-expanded")).toBe("false");
    expect(byTestId(el, "panel-account")!.querySelector('[data-testid="collapse-toggle"]')!.getAttribute("aria-expanded")).toBe("true");
    await click(byTestId(el, "panel-account")!.querySelector('[data-testid="collapse-toggle"]'));
    expect(JSON.parse(localStorage.getItem(COLLAPSED_KEY)!)).toEqual(["contact", "account"]);
  });

  it("keep a revealed value while collapsed", async () => {
    const actions = { search: vi.fn(), link: vi.fn(), unlink: vi.fn(), reveal: vi.fn(async () => "15912345678") };
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" actions={actions} />);
    await click(byTestId(el, "reveal-contact-c1-mobile"));
    const toggle = byTestId(el, "panel-contact")!.querySelector('[data-testid="collapse-toggle"]')!;
    await click(toggle);
    await click(toggle);
    expect(byTestId(el, "panel-contact")!.querySelector('[data-field="mobile"] a')?.textContent).toBe("15912345678");
    expect(actions.reveal).toHaveBeenCalledTimes(1);
  });
});

describe("copy", () => {
  it("copies with the Clipboard API and says Copied, then goes quiet", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const cell = byTestId(el, "panel-contact")!.querySelector('[data-field="email"]')!;
      const button = cell.querySelector<HTMLButtonElement>('[data-testid="copy"]')!;
      expect(button.getAttribute("aria-label")).toBe("Copy Email");
      button.click();
      await vi.waitFor(() => expect(cell.querySelector('[data-testid="copy-status"]')?.textContent).toBe("Copied"));
      expect(writeText).toHaveBeenCalledWith("zhang.wei@example.com");
      expect(cell.querySelector('[data-testid="copy-status"]')?.getAttribute("role")).toBe("status");
      vi.advanceTimersByTime(2000);
      await vi.waitFor(() => expect(cell.querySelector('[data-testid="copy-status"]')?.textContent).toBe(""));
    } finally {
      vi.useRealTimers();
    }
  });

  it("has no copy button for a masked value", async () => {
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" />);
    expect(byTestId(el, "panel-contact")!.querySelector('[data-field="mobile"] [data-testid="copy"]')).toBeNull();
  });

  it("falls back to a selection and execCommand when the frame may not use the Clipboard API, and gives focus back", async () => {
    const button = document.createElement("button");
    document.body.appendChild(button);
    button.focus();
    let copied = "";
    const execCommand = vi.fn((cmd: string) => {
      // what a browser copies: the selection in the focused text area
      const area = document.body.querySelector("textarea")!;
      expect(document.activeElement).toBe(area);
      copied = cmd === "copy" ? area.value.slice(area.selectionStart, area.selectionEnd) : "";
      return true;
    });
    const doc = {
      execCommand,
      body: document.body,
      createElement: document.createElement.bind(document),
      get activeElement() {
        return document.activeElement;
      },
      defaultView: { navigator: { clipboard: { writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError")) } } },
    } as unknown as Parameters<typeof copyText>[1];
    expect(await copyText("SO-2026-000001", doc)).toBe(true);
    expect(copied).toBe("SO-2026-000001");
    expect(document.querySelector("textarea")).toBeNull();
    expect(document.activeElement).toBe(button);

    execCommand.mockImplementation(() => false);
    expect(await copyText("x", doc)).toBe(false);
  });

  it("says so when copying is impossible", async () => {
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
    // happy-dom has no execCommand; a browser that refuses both ways answers false.
    const exec = vi.fn(() => false);
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true });
    const el = await mount(<SidebarView ctx={linkedContext} lang="zh" />);
    await click(byTestId(el, "visitor")!.querySelector('[data-testid="copy"]'));
    await flush();
    expect(byTestId(byTestId(el, "visitor")!, "copy-status")?.textContent).toBe("无法复制：请选中文字后手动复制。");
    expect(exec).toHaveBeenCalledWith("copy");
  });
});

describe("a read-only rendering (the admin's preview)", () => {
  it("renders a context from {ctx, lang} alone: no actions, no refresh, masked values stay masked", async () => {
    const el = await mount(<SidebarView ctx={richContext} lang="en" />);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "not-this-person")).toBeNull();
    expect(byTestId(el, "refresh")).toBeNull();
    expect(byTestId(el, "updated")).toBeNull();
    expect(el.querySelector('[data-field="owner"] .masked')?.textContent).toBe("L***");
    expect(el.querySelector("[data-testid^='reveal-']")).toBeNull();
  });
});

describe("panels of a not-linked visitor", () => {
  it("show only those with records", async () => {
    const withRecords: Panel = { ...richContext.panels[1]! };
    const ctx: SidebarContext = {
      ...richContext,
      contact: undefined,
      match: { status: "not_linked", reason: "no contact" },
      panels: [{ ...richContext.panels[0]!, records: [] }, withRecords],
    };
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    expect(byTestId(el, "panel-contact")).toBeNull();
    expect(byTestId(el, "panel-account")).not.toBeNull();
  });
});

describe("a panel whose live source is unavailable", () => {
  const orders: Panel = {
    key: "orders",
    object: "orders",
    kind: "list",
    title: { zh: "订单", en: "Orders" },
    fields: [text("order_no", "Order")],
    records: [],
    unavailable: true,
  };
  const ctx: SidebarContext = { ...richContext, panels: [...richContext.panels, orders] };
  it.each([
    ["en", "Source unavailable"],
    ["zh", "数据源暂不可用"],
  ] as const)("says so in %s while the other panels show, and ↻ still reads again", async (lang, words) => {
    const run = vi.fn();
    const el = await mount(<SidebarView ctx={ctx} lang={lang} refresh={{ loadedAt: Date.now(), busy: false, run }} />);
    const panel = byTestId(el, "panel-orders")!;
    expect(byTestId(panel, "panel-unavailable")?.textContent).toContain(words);
    expect(panel.textContent).not.toContain(lang === "en" ? "Nothing here yet." : "暂无数据。");
    expect(panel.querySelector(".count")).toBeNull();
    expect(byTestId(byTestId(el, "panel-contact")!, "panel-unavailable")).toBeNull();
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    await click(byTestId(el, "refresh"));
    expect(run).toHaveBeenCalledTimes(1);
  });
  it("is drawn by its widget when available", async () => {
    const el = await mount(<SidebarView ctx={{ ...ctx, panels: [{ ...orders, unavailable: false }] }} lang="en" />);
    expect(byTestId(el, "panel-unavailable")).toBeNull();
    expect(byTestId(el, "panel-orders")?.querySelector(".count")?.textContent).toBe("0");
  });
});
