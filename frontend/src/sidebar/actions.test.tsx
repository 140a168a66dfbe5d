import { act } from "preact/test-utils";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Candidate, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, notLinkedContext, session } from "../test/fixtures";
import { LinkPicker, SEARCH_DELAY_MS, searchable, type Actions } from "./actions";
import { App } from "./App";
import { readPageParams } from "./params";

const page = readPageParams({ pathname: "/sidebar/demo-easemob", search: "?visitorImId=nobody-here&lang=en" });

async function wait(ms: number) {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
  await flush();
}

async function type(el: HTMLElement | null, value: string) {
  const input = el as HTMLInputElement;
  await act(async () => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function key(el: Element | null, k: string) {
  await act(async () => {
    el!.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
  });
  await flush();
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

const emily: Candidate = { id: "c2", name: "Emily Clark", hint: "138****0000" };
const emma: Candidate = { id: "c3", name: "Emma Miller", hint: "e***@example.com" };

const emilyContext: SidebarContext = {
  ...linkedContext,
  visitor: notLinkedContext.visitor,
  contact: { id: "c2", name: "Emily Clark" },
  match: { status: "linked", method: "manual", reason: "an agent linked this visitor to this contact by hand" },
};

const withCandidates: SidebarContext = {
  ...notLinkedContext,
  match: {
    status: "not_linked",
    method: "matching_fields",
    matchedOn: ["phone"],
    reason: "2 contacts have this phone",
    candidates: [
      { id: "c7", name: "王芳", hint: "159****5678" },
      { id: "c8", name: "Wang Fang", hint: "w***@example.com" },
    ],
  },
};

describe("searchable", () => {
  it("takes 2+ characters or one Chinese character, up to 100 bytes", () => {
    expect(searchable("")).toBe(false);
    expect(searchable("E")).toBe(false);
    expect(searchable(" E ")).toBe(false);
    expect(searchable("1")).toBe(false);
    expect(searchable("Em")).toBe(true);
    expect(searchable("林")).toBe(true);
    expect(searchable(" 林 ")).toBe(true);
    expect(searchable("a".repeat(100))).toBe(true);
    expect(searchable("a".repeat(101))).toBe(false);
    expect(searchable("林".repeat(34))).toBe(false); // 102 bytes
  });
});

describe("linking a not-linked visitor", () => {
  it("searches after a pause in typing, only from 2 characters, and shows name and hint", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: async () => notLinkedContext,
      searchContacts: async () => [emily, emma],
    });
    const el = await mount(<App page={page} client={client} />);
    const input = byTestId(el, "contact-search");
    expect(input).not.toBeNull();
    expect(byTestId(el, "search-status")?.textContent).toMatch(/at least 2 characters/);

    await type(input, "E");
    await wait(SEARCH_DELAY_MS + 100);
    expect(calls.filter((c) => c.method === "searchContacts")).toEqual([]);

    await type(input, "Em");
    await wait(100);
    await type(input, "Emi");
    await wait(100);
    expect(calls.filter((c) => c.method === "searchContacts")).toEqual([]);
    await wait(SEARCH_DELAY_MS);
    expect(calls.filter((c) => c.method === "searchContacts")).toEqual([{ method: "searchContacts", args: ["tok-123", "Emi"] }]);

    const row = byTestId(el, "candidate-c2")!;
    expect(row.querySelector(".candidate-name")?.textContent).toBe("Emily Clark");
    expect(row.querySelector(".candidate-hint")?.textContent).toBe("138****0000");
    expect(byTestId(el, "link-c3")?.textContent).toBe("Link");
  });

  it("says it is searching while a prefilled or typed query waits for its answer, never that it is too short", async () => {
    for (const lang of ["en", "zh"] as const) {
      let answer: (list: Candidate[]) => void = () => {};
      const actions: Actions = {
        search: () => new Promise<Candidate[]>((r) => (answer = r)),
        link: async () => {},
        unlink: async () => {},
        reveal: async () => "",
      };
      const el = await mount(<LinkPicker candidates={[]} lang={lang} actions={actions} delayMs={50} initial="Walker Wu" />);
      const status = () => byTestId(el, "search-status")?.textContent;
      const searching = lang === "en" ? /Searching/ : /搜索中|正在搜索/;
      expect(status(), lang).toMatch(searching); // before the delay
      await wait(80);
      expect(status(), lang).toMatch(searching); // the request is out
      await act(async () => answer([]));
      await flush();
      expect(status(), lang).not.toMatch(searching);
      expect(status(), lang).not.toMatch(/at least 2|至少/);
    }
  });

  it("searches for one Chinese character, and at once on Enter", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: async () => notLinkedContext,
      searchContacts: async () => [],
    });
    const el = await mount(<App page={page} client={client} />);
    const input = byTestId(el, "contact-search");
    await type(input, "林");
    await key(input, "Enter");
    expect(calls.filter((c) => c.method === "searchContacts")).toEqual([{ method: "searchContacts", args: ["tok-123", "林"] }]);
    expect(byTestId(el, "search-status")?.textContent).toBe("No contact matches.");
    await wait(SEARCH_DELAY_MS + 50); // the debounced search was replaced, not added
    expect(calls.filter((c) => c.method === "searchContacts")).toHaveLength(1);
  });

  it("never shows an older query's answer over a newer one's", async () => {
    const slow = deferred<Candidate[]>();
    const { client } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: async () => notLinkedContext,
      searchContacts: (_t, q) => (q === "Em" ? slow.promise : Promise.resolve([emma])),
    });
    const el = await mount(<App page={page} client={client} />);
    const input = byTestId(el, "contact-search");
    await type(input, "Em");
    await key(input, "Enter");
    await type(input, "Emm");
    await key(input, "Enter");
    await act(async () => slow.resolve([emily]));
    await flush();
    expect(byTestId(el, "candidate-c3")).not.toBeNull();
    expect(byTestId(el, "candidate-c2")).toBeNull();
  });

  it("says a refused query in words", async () => {
    const { client } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: async () => notLinkedContext,
      searchContacts: async () => {
        throw new ApiError("invalid_query", "type 2 to 100 characters", 400);
      },
    });
    const el = await mount(<App page={page} client={client} />);
    await type(byTestId(el, "contact-search"), "Em");
    await key(byTestId(el, "contact-search"), "Enter");
    expect(byTestId(el, "action-error")?.textContent).toMatch(/at least 2 characters .*at most 100/);
  });

  it("links in one click and shows the contact without going through the skeleton", async () => {
    const reloaded = deferred<SidebarContext>();
    let contexts = 0;
    const { client, calls } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: () => (contexts++ === 0 ? Promise.resolve(notLinkedContext) : reloaded.promise),
      searchContacts: async () => [emily, emma],
      linkVisitor: async () => emilyContext.match,
    });
    const el = await mount(<App page={page} client={client} />);
    await type(byTestId(el, "contact-search"), "Em");
    await key(byTestId(el, "contact-search"), "Enter");
    await click(byTestId(el, "link-c2"));

    expect(calls.slice(-2)).toEqual([
      { method: "linkVisitor", args: ["tok-123", { contactId: "c2" }] },
      { method: "getContext", args: ["tok-123"] },
    ]);
    // while the context reloads the picker stays, busy
    expect(byTestId(el, "state-loading")).toBeNull();
    expect(byTestId(el, "link-c2")?.textContent).toBe("Linking…");
    expect((byTestId(el, "link-c3") as HTMLButtonElement).disabled).toBe(true);

    await act(async () => reloaded.resolve(emilyContext));
    await flush();
    expect(byTestId(el, "contact-name")?.textContent).toBe("Emily Clark");
    expect(byTestId(el, "state-not-linked")).toBeNull();
    expect(byTestId(el, "contact-picker")).toBeNull();
    expect(byTestId(el, "not-this-person")).not.toBeNull();
  });

  it("lists the candidates first, with Link buttons, and does not repeat them in the results", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(withCandidates),
      getContext: async () => withCandidates,
      searchContacts: async () => [{ id: "c8", name: "Wang Fang", hint: "w***@example.com" }, emily],
      linkVisitor: async () => emilyContext.match,
    });
    const el = await mount(<App page={page} client={client} />);
    const picker = byTestId(el, "contact-picker")!;
    expect(picker.querySelector("h2")?.textContent).toBe("Several contacts match — none was linked automatically");
    expect([...picker.querySelectorAll("[data-testid^='link-c']")].map((b) => b.getAttribute("data-testid"))).toEqual([
      "link-c7",
      "link-c8",
    ]);
    await type(byTestId(el, "contact-search"), "Wa");
    await key(byTestId(el, "contact-search"), "Enter");
    expect(el.querySelectorAll("[data-testid='link-c8']")).toHaveLength(1);
    expect(byTestId(byTestId(el, "search-results")!, "link-c2")).not.toBeNull();

    await click(byTestId(el, "link-c7"));
    expect(calls.find((c) => c.method === "linkVisitor")?.args).toEqual(["tok-123", { contactId: "c7" }]);
  });

  it("moves between the box and the Link buttons with the arrow keys", async () => {
    const { client } = fakeClient({
      createSession: async () => session(notLinkedContext),
      getContext: async () => notLinkedContext,
      searchContacts: async () => [emily, emma],
    });
    const el = await mount(<App page={page} client={client} />);
    const input = byTestId(el, "contact-search") as HTMLInputElement;
    await type(input, "Em");
    await key(input, "Enter");
    input.focus();
    await key(input, "ArrowDown");
    expect(document.activeElement).toBe(byTestId(el, "link-c2"));
    await key(document.activeElement, "ArrowDown");
    expect(document.activeElement).toBe(byTestId(el, "link-c3"));
    await key(document.activeElement, "ArrowUp");
    await key(document.activeElement, "ArrowUp");
    expect(document.activeElement).toBe(input);
  });

  it("says why a link failed and lets the agent try again", async () => {
    let n = 0;
    const { client } = fakeClient({
      createSession: async () => session(withCandidates),
      getContext: async () => (n++ === 0 ? withCandidates : emilyContext),
      linkVisitor: async () => {
        throw new ApiError("contact_not_found", "no contact has this id; search again", 404);
      },
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "link-c7"));
    expect(byTestId(el, "action-error")?.textContent).toBe("This contact no longer exists. Search again.");
    expect((byTestId(el, "link-c7") as HTMLButtonElement).disabled).toBe(false);
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
  });

  it("says a link past the session's limit, out of reach or refused by a read-only integration, in the agent's words", async () => {
    const refusals: [ApiError, string][] = [
      [new ApiError("rate_limited", "this sidebar session has reached its limit of 10 links", 429), "This sidebar has reached its limit for this action. Reload the sidebar, or try again later."],
      [new ApiError("contact_not_reachable", "not reachable", 404), "This sidebar can link only contacts offered for this visitor or found by a search here. Search for the contact, then link it from the results."],
      [new ApiError("agent_actions_read_only", "read only", 403), "This integration lets agents only read the matched contact: search and link are off because nothing verifies the agent. An admin can turn them on in the crmlens console."],
    ];
    for (const [refusal, words] of refusals) {
      const { client } = fakeClient({
        createSession: async () => session(withCandidates),
        getContext: async () => withCandidates,
        linkVisitor: async () => {
          throw refusal;
        },
      });
      const el = await mount(<App page={page} client={client} />);
      await click(byTestId(el, "link-c7"));
      expect(byTestId(el, "action-error")?.textContent).toBe(words);
    }
  });

  it("turns an expired session into the error state, whose retry opens a new one", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(withCandidates),
      getContext: async () => withCandidates,
      linkVisitor: async () => {
        throw new ApiError("token_expired", "token expired", 401);
      },
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "link-c7"));
    expect(byTestId(el, "state-error")?.dataset.code).toBe("token_expired");
    expect(byTestId(el, "error-message")?.textContent).toBe("The session has expired. Try again to start a new one.");
    await click(byTestId(el, "retry"));
    expect(calls.filter((c) => c.method === "createSession")).toHaveLength(2);
    expect(byTestId(el, "link-c7")).not.toBeNull();
  });
});

describe("not this person", () => {
  it("asks inline first, then unlinks and shows the search", async () => {
    let n = 0;
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => (n++ === 0 ? linkedContext : notLinkedContext),
      unlinkVisitor: async () => ({ status: "not_linked", reason: "an agent said the linked contact is not this person" }),
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "not-this-person"));
    expect(byTestId(el, "not-this-person-confirm")?.textContent).toContain("Unlink this contact?");
    expect(document.activeElement).toBe(byTestId(el, "cancel-not-this-person"));
    expect(calls.some((c) => c.method === "unlinkVisitor")).toBe(false);

    await click(byTestId(el, "cancel-not-this-person"));
    expect(byTestId(el, "not-this-person-confirm")).toBeNull();
    expect(calls.some((c) => c.method === "unlinkVisitor")).toBe(false);
    expect(document.activeElement).toBe(byTestId(el, "not-this-person"));

    await click(byTestId(el, "not-this-person"));
    await click(byTestId(el, "confirm-not-this-person"));
    expect(calls.slice(-2)).toEqual([
      { method: "unlinkVisitor", args: ["tok-123", { notThisPerson: true }] },
      { method: "getContext", args: ["tok-123"] },
    ]);
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    expect(byTestId(el, "contact-name")).toBeNull();
    expect(byTestId(el, "contact-search")).not.toBeNull();
  });

  it("says why the unlink failed, in the agent's language", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext, "zh"),
      getContext: async () => linkedContext,
      unlinkVisitor: async () => {
        throw new ApiError("network", "Failed to fetch");
      },
    });
    const el = await mount(<App page={readPageParams({ pathname: "/sidebar/demo-easemob", search: "?visitorImId=x&lang=zh" })} client={client} />);
    expect(byTestId(el, "not-this-person")?.textContent).toBe("不是此人");
    await click(byTestId(el, "not-this-person"));
    await click(byTestId(el, "confirm-not-this-person"));
    expect(byTestId(el, "action-error")?.textContent).toBe("无法连接 crmlens 服务器。请检查网络后重试。");
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });
});

describe("showing a masked value", () => {
  const twoMasked: SidebarContext = {
    ...linkedContext,
    panels: [
      linkedContext.panels[0]!,
      {
        key: "leads",
        object: "leads",
        kind: "list",
        title: { zh: "线索", en: "Leads" },
        fields: [
          { key: "subject", label: { zh: "主题", en: "Subject" }, type: "text", masked: false },
          { key: "phone", label: { zh: "电话", en: "Phone" }, type: "phone", masked: true },
        ],
        records: [
          { id: "L1", values: { subject: "Renewal", phone: "139****0001" } },
          { id: "L2", values: { subject: "Upsell", phone: "139****0002" } },
        ],
      },
    ],
  };

  it("reveals one record's value on Show, and only that one", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(twoMasked),
      getContext: async () => twoMasked,
      revealField: async () => ({ value: "13900000001" }),
    });
    const el = await mount(<App page={page} client={client} />);
    const contactShow = byTestId(el, "reveal-contact-c1-mobile");
    expect(contactShow?.textContent).toBe("Show");
    await click(byTestId(el, "reveal-leads-L1-phone"));
    expect(calls.at(-1)).toEqual({
      method: "revealField",
      args: ["tok-123", { object: "leads", recordId: "L1", field: "phone" }],
    });
    const l1 = el.querySelector('[data-record="L1"] [data-field="phone"]')!;
    expect(l1.textContent).toBe("Phone 13900000001 Hide");
    expect(l1.querySelector("a")?.getAttribute("href")).toBe("tel:13900000001");
    expect(l1.querySelector(".masked")).toBeNull();
    // the other record and the contact panel keep theirs masked
    expect(el.querySelector('[data-record="L2"] [data-field="phone"] .masked')?.textContent).toBe("139****0002");
    expect(byTestId(el, "reveal-leads-L2-phone")).not.toBeNull();
    expect(byTestId(el, "panel-contact")?.querySelector('[data-field="mobile"] .masked')?.textContent).toBe("159****5678");
  });

  it("shows an empty clear value as empty", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
      revealField: async () => ({ value: null }),
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "reveal-contact-c1-mobile"));
    expect(byTestId(el, "panel-contact")?.querySelector('[data-field="mobile"] dd')?.textContent).toBe("— Hide");
  });

  it("hides a shown value again on Hide, and Show asks again", async () => {
    const { client, calls } = fakeClient({
      createSession: async () => session(twoMasked),
      getContext: async () => twoMasked,
      revealField: async () => ({ value: "13900000001" }),
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "reveal-leads-L1-phone"));
    const cell = () => el.querySelector('[data-record="L1"] [data-field="phone"]')!;
    expect(cell().textContent).toContain("13900000001");
    const hide = byTestId(el, "hide-leads-L1-phone");
    expect(hide?.getAttribute("aria-label")).toBe("Mask the value again: Phone");
    await click(hide);
    expect(cell().textContent).not.toContain("13900000001");
    expect(cell().querySelector(".masked")?.textContent).toBe("139****0001");
    expect(document.activeElement).toBe(byTestId(el, "reveal-leads-L1-phone"));
    await click(byTestId(el, "reveal-leads-L1-phone"));
    expect(calls.filter((c) => c.method === "revealField")).toHaveLength(2);
    expect(cell().textContent).toContain("13900000001");
  });

  it("says why a value could not be shown, next to it", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
      revealField: async () => {
        throw new ApiError("record_not_linked", "that record is not one of this visitor's contact's", 404);
      },
    });
    const el = await mount(<App page={page} client={client} />);
    await click(byTestId(el, "reveal-contact-c1-mobile"));
    const cell = byTestId(el, "panel-contact")!.querySelector('[data-field="mobile"] dd')!;
    expect(cell.querySelector("[role='alert']")?.textContent).toBe(
      "This record no longer belongs to the linked contact. Reload the sidebar.",
    );
    expect(cell.querySelector(".masked")?.textContent).toBe("159****5678");
    expect((byTestId(el, "reveal-contact-c1-mobile") as HTMLButtonElement).disabled).toBe(false);
  });

  it("has words for field_not_masked", async () => {
    const { client } = fakeClient({
      createSession: async () => session(linkedContext, "zh"),
      getContext: async () => linkedContext,
      revealField: async () => {
        throw new ApiError("field_not_masked", "the layout does not mask mobile", 400);
      },
    });
    const el = await mount(<App page={readPageParams({ pathname: "/sidebar/demo-easemob", search: "?visitorImId=x&lang=zh" })} client={client} />);
    const show = byTestId(el, "reveal-contact-c1-mobile");
    expect(show?.textContent).toBe("显示");
    await click(show);
    expect(byTestId(el, "action-error")?.textContent).toContain("布局未对此字段脱敏");
  });
});
