import { describe, expect, it } from "vitest";
import { appContext, CHATWOOT_ORIGIN, fakeFrame } from "../test/frame";
import { acceptMessage, allowedOrigins, FETCH_INFO, parseAppContext, sameParams, sameVisitor } from "./chatwoot";

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
    ["contact name null", edited((m) => ((m.data.contact as unknown as { name: null }).name = null))],
    ["email as an object", edited((m) => ((m.data.contact as unknown as { email: object }).email = {}))],
    ["agent email null", edited((m) => ((m.data.currentAgent as unknown as { email: null }).email = null))],
    ["meta not an object", edited((m) => ((m.data.conversation as unknown as { meta: string }).meta = "x"))],
    ["meta.sender not an object", edited((m) => ((m.data.conversation.meta as unknown as { sender: number }).sender = 1))],
    ["no currentAgent", edited((m) => delete (m.data as { currentAgent?: unknown }).currentAgent)],
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
    const off = f.host.subscribe((p) => got.push(p.contact_id));
    await f.deliver(JSON.stringify(appContext(42)));
    await f.deliver(JSON.stringify(appContext(43)), "https://evil.example");
    await f.deliver(JSON.stringify(appContext(44)), CHATWOOT_ORIGIN, { postMessage() {} });
    await f.deliver({ event: "appContext" });
    expect(got).toEqual(["42"]);
    off();
    expect(f.listeners.size).toBe(0);
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
