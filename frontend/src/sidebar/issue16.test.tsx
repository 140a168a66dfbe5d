// Issue 16, the sidebar's part: "not this person" said and undone, a plain
// Unlink, what the platform sent about an unlinked visitor (and the search
// it starts), results that tell people apart, money in its own currency,
// order titles, and a session reused by a reload of the same page.
import { act } from "preact/test-utils";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Candidate, Panel, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, notLinkedContext, session } from "../test/fixtures";
import { SEARCH_LIMIT } from "./actions";
import { App } from "./App";
import { currencyOf } from "./format";
import { readPageParams } from "./params";
import { keyOf, storedSessions } from "./resume";
import { SidebarView } from "./views";

const page = readPageParams({ pathname: "/sidebar/demo-easemob", search: "?visitorImId=nobody-here&lang=en" });

async function wait(ms: number) {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
  await flush();
}

const rejectedContext: SidebarContext = {
  ...notLinkedContext,
  match: {
    status: "not_linked",
    reasonCode: "rejected",
    reason: "an agent said Zhang San is not this person; ...",
    rejected: { id: "c1", name: "Zhang San" },
  },
};

describe("not this person", () => {
  it("says who was rejected, in zh and en, never that no contact has the id", async () => {
    for (const [lang, words] of [
      ["en", "an agent said Zhang San is not this person: link Zhang San again to undo that"],
      ["zh", "坐席确认Zhang San不是此人：重新关联Zhang San即可撤销"],
    ] as const) {
      const el = await mount(<SidebarView ctx={rejectedContext} lang={lang} />);
      const text = byTestId(el, "match-reason")?.textContent ?? "";
      expect(text).toContain(words);
      expect(text).not.toMatch(/no contact has|没有联系人/);
    }
  });

  it("links the rejected contact again from the not-linked view", async () => {
    let linked = false;
    const { client, calls } = fakeClient({
      createSession: async () => session(rejectedContext),
      getContext: async () => (linked ? linkedContext : rejectedContext),
      linkVisitor: async () => {
        linked = true;
        return linkedContext.match;
      },
    });
    const el = await mount(<App page={page} client={client} />);
    const relink = byTestId(el, "relink");
    expect(relink?.textContent).toBe("Link Zhang San again");
    await click(relink);
    await flush();
    expect(calls.find((c) => c.method === "linkVisitor")?.args[1]).toEqual({ contactId: "c1" });
    expect(byTestId(el, "contact-name")?.textContent).toBe(linkedContext.contact!.name);
  });

  it("has a plain Unlink beside Not this person, which rejects no one", async () => {
    let unlinked = false;
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () =>
        unlinked ? { ...notLinkedContext, match: { status: "not_linked", reasonCode: "unlinked", reason: "unlinked" } } : linkedContext,
      unlinkVisitor: async () => {
        unlinked = true;
        return { status: "not_linked", reasonCode: "unlinked", reason: "unlinked" };
      },
    });
    const el = await mount(<App page={page} client={client} />);
    expect(byTestId(el, "not-this-person")).not.toBeNull();
    await click(byTestId(el, "unlink"));
    await flush();
    expect(calls.find((c) => c.method === "unlinkVisitor")?.args[1]).toEqual({ notThisPerson: false });
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    expect(byTestId(el, "match-reason")?.textContent).toContain("an agent unlinked this visitor");
  });
});

describe("an unlinked visitor", () => {
  const sent: SidebarContext = {
    ...notLinkedContext,
    visitor: { ...notLinkedContext.visitor, displayName: "Emily", verified: { name: "Emily Clark", phone: "138****0000" } },
  };

  it("shows what the platform sent and searches for it at once", async () => {
    const found: Candidate[] & { more?: boolean } = Array.from({ length: SEARCH_LIMIT }, (_, i) => ({
      id: `c${i}`,
      name: `Emily ${i}`,
      hint: "138****0000",
      email: `e***@example${i}.com`,
      company: `Acme ${i}`,
    }));
    found.more = true;
    const { client, calls } = fakeClient({
      createSession: async () => session(sent),
      getContext: async () => sent,
      searchContacts: async () => found,
    });
    const el = await mount(<App page={page} client={client} />);
    const box = byTestId(el, "visitor-sent")!;
    expect(box.querySelector('[data-field="displayName"] dd')?.textContent).toBe("Emily");
    expect(box.querySelector('[data-field="name"] dd')?.textContent).toBe("Emily Clark");
    expect(box.querySelector('[data-field="phone"] dd')?.textContent).toBe("138****0000");
    expect((byTestId(el, "contact-search") as HTMLInputElement).value).toBe("Emily Clark");
    await wait(300);
    expect(calls.find((c) => c.method === "searchContacts")?.args[1]).toBe("Emily Clark");
    const row = byTestId(el, "candidate-c3")!;
    expect(row.querySelector('[data-testid="candidate-company"]')?.textContent).toBe("Acme 3");
    expect(row.querySelector('[data-testid="candidate-email"]')?.textContent).toBe("e***@example3.com");
    expect(byTestId(el, "search-more")?.textContent).toContain(`first ${SEARCH_LIMIT} matches`);
  });

  it("says nothing of more results when the server listed them all, even a full page", async () => {
    const all = Array.from({ length: SEARCH_LIMIT }, (_, i) => ({ id: `c${i}`, name: `Emily ${i}`, hint: "" }));
    const { client } = fakeClient({
      createSession: async () => session(sent),
      getContext: async () => sent,
      searchContacts: async () => all,
    });
    const el = await mount(<App page={page} client={client} />);
    await wait(300);
    expect(byTestId(el, "candidate-c0")).not.toBeNull();
    expect(byTestId(el, "search-more")).toBeNull();
  });

  it("says nothing of more results when fewer came", async () => {
    const { client } = fakeClient({
      createSession: async () => session(sent),
      getContext: async () => sent,
      searchContacts: async () => [{ id: "c1", name: "Emily Clark", hint: "" }],
    });
    const el = await mount(<App page={page} client={client} />);
    await wait(300);
    expect(byTestId(el, "candidate-c1")).not.toBeNull();
    expect(byTestId(el, "search-more")).toBeNull();
  });
});

describe("money and orders", () => {
  const orders: Panel = {
    key: "orders",
    object: "orders",
    kind: "list",
    title: { zh: "订单", en: "Orders" },
    fields: [
      { key: "amount", label: { zh: "金额", en: "Amount" }, type: "money", masked: false },
      { key: "placed_at", label: { zh: "下单时间", en: "Placed" }, type: "datetime", masked: false },
    ],
    records: [
      { id: "1", values: { amount: "9447.80", placed_at: "2026-11-20T08:00:00Z" }, currencies: { amount: "CNY" } },
      { id: "2", values: { amount: "120", placed_at: "2026-11-19T08:00:00Z" }, currencies: { amount: "JPY" } },
    ],
  };

  it("uses the record's currency without the currency field, and titles orders by date", async () => {
    const ctx: SidebarContext = { ...linkedContext, panels: [orders] };
    const el = await mount(<SidebarView ctx={ctx} lang="en" now={Date.parse("2026-11-21T08:00:00Z")} />);
    const first = el.querySelector('[data-record="1"]')!;
    expect(first.querySelector(".tl-amount")?.textContent).toBe("CN¥9,447.80");
    expect(el.querySelector('[data-record="2"] .tl-amount')?.textContent).toBe("¥120");
    const title = first.querySelector(".item-title")?.textContent ?? "";
    expect(title).toMatch(/Nov 20, 2026/);
    expect(title).not.toBe("1");
    expect(byTestId(el, "orders-total")?.textContent).toContain("CN¥9,447.80 + ¥120");
  });

  it("prefers the record's currency, then the shown currency field", () => {
    const f = { key: "amount", label: { zh: "", en: "" }, type: "money" as const, masked: false, currencyField: "currency" };
    expect(currencyOf(f, { values: { currency: "USD" } })).toBe("USD");
    expect(currencyOf(f, { values: { currency: "USD" }, currencies: { amount: "EUR" } })).toBe("EUR");
    expect(currencyOf({ ...f, currencyField: undefined }, { values: {} })).toBeNull();
  });
});

/** A Storage in memory. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
  };
}

describe("a reload of the same page", () => {
  const signed = readPageParams({ pathname: "/sidebar/signed", search: "?token=eyJ.abc.def&lang=en" });

  it("reuses the page's session instead of opening the single-use link again", async () => {
    const storage = memoryStorage();
    const sessions = storedSessions(() => storage);
    let opened = 0;
    const { client, calls } = fakeClient({
      createSession: async () => {
        if (opened++ > 0) throw new ApiError("token_replayed", "used", 409);
        return session(linkedContext);
      },
      getContext: async () => linkedContext,
    });
    await mount(<App page={signed} client={client} sessions={sessions} />);
    expect([...Array(storage.length).keys()].map((i) => storage.getItem(storage.key(i)!) ?? "").join()).not.toContain("eyJ.abc.def");
    // The reload: a new App, the same page and storage.
    const el = await mount(<App page={signed} client={client} sessions={sessions} />);
    expect(byTestId(el, "contact-name")?.textContent).toBe(linkedContext.contact!.name);
    expect(calls.map((c) => c.method)).toEqual(["createSession", "getContext", "getContext"]);
    expect(calls[2]?.args[0]).toBe("tok-123");
  });

  it("opens a new session when the kept one ended, and keeps none for another page", async () => {
    const storage = memoryStorage();
    let now = Date.parse("2029-12-31T23:00:00Z");
    const sessions = storedSessions(() => storage, () => now);
    sessions.put("signed", signed.params, { token: "old", expiresAt: now + 10 * 60_000 });
    expect(sessions.get("signed", { ...signed.params, token: "another" })).toBeNull();
    expect(keyOf("signed", { a: "1", b: "2" })).toBe(keyOf("signed", { b: "2", a: "1" }));
    now += 10 * 60_000;
    expect(sessions.get("signed", signed.params)).toBeNull();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async (token: string) => {
        if (token === "gone") throw new ApiError("unauthorized", "expired", 401);
        return linkedContext;
      },
    });
    sessions.put("signed", signed.params, { token: "gone", expiresAt: now + 10 * 60_000 });
    const el = await mount(<App page={signed} client={client} sessions={sessions} />);
    expect(calls.map((c) => c.method)).toEqual(["getContext", "createSession", "getContext"]);
    expect(byTestId(el, "contact-name")).not.toBeNull();
  });
});
