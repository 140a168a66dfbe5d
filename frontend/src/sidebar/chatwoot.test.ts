import { describe, expect, it } from "vitest";
import { appContext, CHATWOOT_ORIGIN, emailConversation, fakeFrame } from "../test/frame";
import {
  acceptMessage,
  allowedOrigins,
  bufferedMessages,
  describeRejection,
  FETCH_INFO,
  MAX_CONTEXT_CHARS,
  parseAppContext,
  readAppContext,
  readMessage,
  sameParams,
  sameVisitor,
  type FrameMessage,
} from "./chatwoot";

const origins = new Set([CHATWOOT_ORIGIN]);

/** appContext() with one change made by edit. */
function edited(edit: (m: ReturnType<typeof appContext>) => void): unknown {
  const m = appContext();
  edit(m);
  return m;
}

describe("parseAppContext", () => {
  it("accepts the expected shape and flattens it into the session params", () => {
    expect(parseAppContext(appContext())).toEqual({
      conversation_id: "7",
      account_id: "1",
      contact_id: "42",
      contact_identifier: "cust-0042",
      contact_email: "zhang.wei@example.com",
      contact_phone: "+8615912345678",
      contact_name: "Zhang Wei",
      agent_id: "5",
      agent_email: "li.na@example.com",
      agent_name: "Li Na",
    });
  });

  it("accepts the JSON string Chatwoot actually posts", () => {
    expect(parseAppContext(JSON.stringify(appContext()))).toEqual(parseAppContext(appContext()));
  });

  it("omits absent, null and empty fields, and passes nothing else on", () => {
    const p = parseAppContext({
      event: "appContext",
      data: {
        conversation: { id: 9 },
        contact: { id: 10, email: null, phone_number: "", identifier: null, custom_attributes: { vip: true } },
        currentAgent: { id: 2 },
      },
    });
    expect(p).toEqual({ conversation_id: "9", contact_id: "10", agent_id: "2" });
  });

  it.each<[string, unknown]>([
    ["contact without id", edited((m) => delete (m.data.contact as { id?: number }).id)],
    ["contact id as a string", edited((m) => ((m.data.contact as unknown as { id: string }).id = "42"))],
    ["conversation id as a string", edited((m) => ((m.data.conversation as unknown as { id: string }).id = "7"))],
    ["agent id as a fraction", edited((m) => (m.data.currentAgent.id = 5.5))],
    ["id zero", edited((m) => (m.data.contact.id = 0))],
    ["account_id as a string", edited((m) => ((m.data.conversation as unknown as { account_id: string }).account_id = "1"))],
    ["contact name as a number", edited((m) => ((m.data.contact as unknown as { name: number }).name = 1))],
    ["email as an object", edited((m) => ((m.data.contact as unknown as { email: object }).email = {}))],
    ["meta not an object", edited((m) => ((m.data.conversation as unknown as { meta: string }).meta = "x"))],
    ["meta.sender not an object", edited((m) => ((m.data.conversation.meta as unknown as { sender: number }).sender = 1))],
    ["agent name as a number", edited((m) => ((m.data.currentAgent as unknown as { name: number }).name = 1))],
    ["currentAgent as a string", edited((m) => ((m.data as unknown as { currentAgent: string }).currentAgent = "x"))],
    ["contact {} and no sender", edited((m) => ((m.data.contact = {} as typeof m.data.contact), delete (m.data.conversation.meta as { sender?: unknown }).sender))],
    ["contact {} and a sender id as a string", edited((m) => ((m.data.contact = {} as typeof m.data.contact), ((m.data.conversation.meta.sender as unknown as { id: string }).id = "42")))],
    ["contact as an array", edited((m) => ((m.data as unknown as { contact: unknown[] }).contact = []))],
    ["another event name", edited((m) => (m.event = "appContextChanged"))],
    ["no event name", edited((m) => delete (m as { event?: string }).event)],
    ["no data", { event: "appContext" }],
    ["null", null],
    ["a number", 42],
    ["an array", [appContext()]],
    ["the fetch-info string", FETCH_INFO],
    ["a string that is not JSON", "{event: appContext"],
    ["a JSON string of another shape", JSON.stringify({ event: "appContext", data: "x" })],
  ])("ignores %s", (_, data) => {
    expect(parseAppContext(data)).toBeNull();
  });

  // What Chatwoot really sends, version by version (Frame.vue's dashboardAppContext).
  it("accepts a null name (a nullable column) as no name", () => {
    const p = parseAppContext(edited((m) => ((m.data.contact as unknown as { name: null }).name = null)));
    expect(p?.contact_id).toBe("42");
    expect(p && "contact_name" in p).toBe(false);
  });

  it("accepts a context without currentAgent (Chatwoot before Dec 2022) or with nulls in it", () => {
    const p = parseAppContext(edited((m) => delete (m.data as { currentAgent?: unknown }).currentAgent));
    expect(p).toMatchObject({ conversation_id: "7", contact_id: "42" });
    expect(Object.keys(p!).filter((k) => k.startsWith("agent_"))).toEqual([]);
    const q = parseAppContext(edited((m) => ((m.data.currentAgent as unknown as { email: null }).email = null)));
    expect(q).toMatchObject({ agent_id: "5", agent_name: "Li Na" });
    expect(q && "agent_email" in q).toBe(false);
  });

  it("takes the conversation's sender when the store has not loaded the contact ({})", () => {
    const m = appContext(42, 7);
    m.data.contact = {} as typeof m.data.contact;
    Object.assign(m.data.conversation.meta.sender, { email: "zhang.wei@example.com", phone_number: null, identifier: "cust-0042" });
    expect(parseAppContext(JSON.stringify(m))).toEqual({
      conversation_id: "7",
      account_id: "1",
      contact_id: "42",
      contact_identifier: "cust-0042",
      contact_email: "zhang.wei@example.com",
      contact_name: "Zhang Wei",
      agent_id: "5",
      agent_email: "li.na@example.com",
      agent_name: "Li Na",
    });
    const noContact = appContext();
    delete (noContact.data as { contact?: unknown }).contact;
    expect(parseAppContext(noContact)?.contact_id).toBe("42");
  });

  it("accepts v4's customAttributes and theme, and reads the theme", () => {
    const m = { ...appContext(), data: { ...appContext().data, customAttributes: { plan: "pro" }, theme: "dark" } };
    const r = readAppContext(JSON.stringify(m));
    expect(r).toEqual({ ok: true, params: parseAppContext(appContext()), theme: "dark" });
    expect(readAppContext(appContext())).toMatchObject({ ok: true, theme: null });
    expect(readAppContext({ ...m, data: { ...m.data, theme: "solarized" } })).toMatchObject({ ok: true, theme: null });
  });

  it("accepts a real e-mail thread's size (12 messages with their full HTML, 2.4 MB)", () => {
    const raw = JSON.stringify(emailConversation());
    expect(raw.length).toBeGreaterThan(2_400_000);
    expect(parseAppContext(raw)).toEqual(parseAppContext(appContext()));
  });

  it("refuses only a runaway beyond 32 MB, and says so", () => {
    const raw = `{"event":"appContext","data":"${"x".repeat(MAX_CONTEXT_CHARS)}"}`;
    expect(readAppContext(raw)).toEqual({ ok: false, why: { kind: "too_large", chars: raw.length } });
  });

  it.each<[string, unknown, string]>([
    ["contact id as a string", edited((m) => ((m.data.contact as unknown as { id: string }).id = "42")), "contact.id is not a positive whole number"],
    ["no conversation", edited((m) => delete (m.data as { conversation?: unknown }).conversation), "conversation is not an object"],
    ["email as a number", edited((m) => ((m.data.contact as unknown as { email: number }).email = 1)), "contact.email is not text"],
    [
      "a sender without id behind {}",
      edited((m) => ((m.data.contact = {} as typeof m.data.contact), delete (m.data.conversation.meta.sender as { id?: number }).id)),
      "conversation.meta.sender.id is not a positive whole number",
    ],
    ["broken JSON", '{"event":"appContext","data":', "it is not valid JSON"],
  ])("says why it refuses %s", (_, data, why) => {
    const r = readAppContext(data);
    expect(r.ok).toBe(false);
    expect(!r.ok && describeRejection(r.why)).toBe(why);
  });

  it("calls what is not an appContext at all 'other' (never said on screen)", () => {
    for (const data of [FETCH_INFO, "hello", 42, null, { event: "ready" }, '{"type":"x"}']) {
      expect(readAppContext(data), String(data)).toEqual({ ok: false, why: { kind: "other" } });
    }
  });
});

describe("acceptMessage", () => {
  it("accepts an allowed origin", () => {
    expect(acceptMessage({ origin: CHATWOOT_ORIGIN, data: JSON.stringify(appContext()) }, origins)?.contact_id).toBe("42");
  });

  it("ignores any other origin, however the message looks", () => {
    for (const origin of ["https://evil.example", "http://chat.example.com", "https://chat.example.com:8443", "null", ""]) {
      expect(acceptMessage({ origin, data: appContext() }, origins), origin).toBeNull();
    }
  });

  it("ignores the wrong shape from an allowed origin", () => {
    expect(acceptMessage({ origin: CHATWOOT_ORIGIN, data: { event: "appContext", data: {} } }, origins)).toBeNull();
  });
});

describe("readMessage", () => {
  it("names the origin of an appContext from an origin not allowed", () => {
    expect(readMessage({ origin: "https://other.example", data: JSON.stringify(appContext()) }, origins)).toEqual({
      ok: false,
      why: { kind: "origin", origin: "https://other.example" },
    });
    expect(readMessage({ origin: "https://other.example", data: "hello" }, origins)).toEqual({ ok: false, why: { kind: "other" } });
  });
});

describe("allowedOrigins", () => {
  const doc = (content: string | null) => {
    const d = document.implementation.createHTMLDocument("t");
    if (content !== null) {
      const m = d.createElement("meta");
      m.setAttribute("name", "crmlens-frame-origins");
      m.setAttribute("content", content);
      d.head.appendChild(m);
    }
    return d;
  };

  it("takes the meta tag's origins plus the page's own", () => {
    expect([...allowedOrigins(doc("https://a.example https://b.example:8443/"), "https://crm.example")]).toEqual([
      "https://crm.example",
      "https://a.example",
      "https://b.example:8443",
    ]);
  });

  it("accepts only the page's own origin without the tag", () => {
    expect([...allowedOrigins(doc(null), "https://crm.example")]).toEqual(["https://crm.example"]);
    expect([...allowedOrigins(doc(""), "https://crm.example")]).toEqual(["https://crm.example"]);
  });

  it("drops what is not a plain http(s) origin", () => {
    const got = allowedOrigins(doc("'self' * javascript:alert(1) https://a.example/path https://u@b.example https://ok.example"), "null");
    expect([...got]).toEqual(["https://ok.example"]);
  });
});

describe("windowHost", () => {
  it("asks the parent for the context", () => {
    const f = fakeFrame();
    f.host.requestInfo();
    expect(f.posted).toEqual([[FETCH_INFO, "*"]]);
  });

  it("passes on accepted messages from the parent only, until unsubscribed", async () => {
    const f = fakeFrame();
    const got: unknown[] = [];
    const off = f.host.subscribe((c) => got.push(c.params.contact_id));
    await f.deliver(JSON.stringify(appContext(42)));
    await f.deliver(JSON.stringify(appContext(43)), "https://evil.example");
    await f.deliver(JSON.stringify(appContext(44)), CHATWOOT_ORIGIN, { postMessage() {} });
    await f.deliver({ event: "appContext" });
    expect(got).toEqual(["42"]);
    off();
    expect(f.listeners.size).toBe(0);
  });
});

describe("windowHost's refusals", () => {
  it("says each refusal from the parent in the console, and passes on only an appContext's", async () => {
    const f = fakeFrame();
    const refused: unknown[] = [];
    f.host.subscribe(() => {}, (why) => refused.push(why));
    const bad = appContext();
    (bad.data.contact as unknown as { id: string }).id = "42";
    await f.deliver(JSON.stringify(bad));
    await f.deliver("some other app's message");
    await f.deliver(JSON.stringify(appContext()), "https://other.example");
    await f.deliver(JSON.stringify(bad), CHATWOOT_ORIGIN, { postMessage() {} }); // not the parent: silent
    expect(refused).toEqual([
      { kind: "field", field: "contact.id", expected: "id" },
      { kind: "origin", origin: "https://other.example" },
    ]);
    expect(f.warnings).toEqual([
      `crmlens: ignored a message from the parent window (${CHATWOOT_ORIGIN}): contact.id is not a positive whole number`,
      `crmlens: ignored a message from the parent window (${CHATWOOT_ORIGIN}): it is not a Chatwoot appContext`,
      "crmlens: ignored a message from the parent window (https://other.example): it came from https://other.example, which is not one of the integration's allowed origins",
    ]);
  });
});

describe("bufferedMessages", () => {
  function fakeWindow() {
    let listener: ((e: Event) => void) | undefined;
    return {
      addEventListener: (_: string, l: (e: Event) => void) => void (listener = l),
      post: (data: unknown) => listener?.({ origin: CHATWOOT_ORIGIN, data, source: null } as unknown as Event),
    };
  }

  it("keeps what comes before the first subscriber (Chatwoot's load post) and hands it over, then passes messages on", () => {
    const w = fakeWindow();
    const feed = bufferedMessages(w as unknown as Window);
    w.post("load post");
    const got: FrameMessage[] = [];
    const off = feed.subscribe((m) => got.push(m));
    w.post("answer");
    expect(got.map((m) => m.data)).toEqual(["load post", "answer"]);
    expect(got[0]).toEqual({ origin: CHATWOOT_ORIGIN, data: "load post", source: null });
    off();
    w.post("later");
    expect(got).toHaveLength(2);
    // handed over once: a second subscriber gets only what came since
    const again: unknown[] = [];
    feed.subscribe((m) => again.push(m.data));
    expect(again).toEqual(["later"]);
  });

  it("keeps only the latest few", () => {
    const w = fakeWindow();
    const feed = bufferedMessages(w as unknown as Window, 3);
    for (let i = 0; i < 10; i++) w.post(i);
    const got: unknown[] = [];
    feed.subscribe((m) => got.push(m.data));
    expect(got).toEqual([7, 8, 9]);
  });
});

describe("comparing contexts", () => {
  it("tells a re-sent context and the same visitor apart from another one", () => {
    const a = parseAppContext(appContext(42, 7))!;
    expect(sameParams(a, { ...a })).toBe(true);
    expect(sameParams(a, { ...a, agent_name: "x" })).toBe(false);
    expect(sameVisitor(a, { ...a, contact_email: "new@example.com" })).toBe(true);
    expect(sameVisitor(a, parseAppContext(appContext(43, 7))!)).toBe(false);
    expect(sameVisitor(a, parseAppContext(appContext(42, 8))!)).toBe(false);
  });
});
