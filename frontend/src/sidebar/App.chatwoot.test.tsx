import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionResponse, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, notLinkedContext, session } from "../test/fixtures";
import { appContext, CHATWOOT_ORIGIN, emailConversation, fakeFrame } from "../test/frame";
import { App } from "./App";
import { FETCH_INFO } from "./chatwoot";
import { readPageParams } from "./params";

const page = (search = "") => readPageParams({ pathname: "/sidebar/cw-secret", search });

/** Moves the fake clock on, as the agent's wait would, and lets the page react. */
async function wait(ms: number) {
  await act(async () => {
    vi.advanceTimersByTime(ms);
  });
  await flush();
}

const emilyContext: SidebarContext = {
  ...linkedContext,
  visitor: { id: "v2", channel: "chatwoot", externalId: "43" },
  contact: { id: "c2", name: "Emily Clark" },
};

/** A promise and its resolve, to hold an answer back. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("App in a Chatwoot dashboard", () => {
  it("asks the parent for the context, waits on the skeleton, then opens a session with it flattened", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page("?lang=en")} client={client} chatwoot={frame.host} />);
    expect(frame.posted).toEqual([[FETCH_INFO, "*"]]);
    expect(byTestId(el, "state-loading")).not.toBeNull();
    expect(calls).toEqual([]);

    await frame.deliver(JSON.stringify(appContext()));
    expect(calls[0]).toEqual({
      method: "createSession",
      args: [
        {
          integration: "cw-secret",
          params: {
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
            lang: "en",
          },
        },
      ],
    });
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });

  it("ignores messages from other origins and of other shapes", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient();
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} chatwootWaitMs={60_000} />);
    await frame.deliver(JSON.stringify(appContext()), "https://evil.example");
    await frame.deliver({ event: "appContext", data: { ...appContext().data, contact: { id: "42" } } });
    await frame.deliver("hello");
    expect(calls).toEqual([]);
    // no session, and the last refusal said: contact.id as a string
    expect(byTestId(el, "contact-name")).toBeNull();
    expect(byTestId(el, "rejected-message")?.textContent).toContain("contact.id");
  });

  afterEach(() => {
    vi.useRealTimers();
    delete document.documentElement.dataset.theme;
  });

  it("says what to check when no context comes, after the delay it is given, and asks again on retry", async () => {
    // Fake timers that also move with the real clock, so the page's own zero-delay tasks still run.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const frame = fakeFrame();
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} chatwootWaitMs={60_000} navigatorLang="en" />);
    await wait(55_000);
    expect(byTestId(el, "state-loading")).not.toBeNull();
    await wait(5_000);
    expect(byTestId(el, "waiting-message")?.textContent).toBe(
      "No conversation came from Chatwoot. Open this page from a conversation's tab, as a Chatwoot dashboard app (Settings > Integrations > Dashboard apps), and check that this integration's allowed origins include your Chatwoot's address.",
    );
    await click(byTestId(el, "retry"));
    expect(frame.posted).toEqual([
      [FETCH_INFO, "*"],
      [FETCH_INFO, "*"],
    ]);
    expect(byTestId(el, "state-loading")).not.toBeNull();
    await frame.deliver(appContext());
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });

  it("says what to check in Chinese too, by default after a few seconds", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const frame = fakeFrame();
    const el = await mount(<App page={page()} client={fakeClient().client} chatwoot={frame.host} navigatorLang="zh-CN" />);
    await wait(5_000);
    expect(byTestId(el, "waiting-message")?.textContent).toContain("允许来源");
  });

  it("uses the load post that came before it subscribed (Chatwoot posts on the frame's load event), without an answer to fetch-info", async () => {
    const frame = fakeFrame(undefined, { buffered: true });
    // The load post: before the App exists. No answer to fetch-info ever comes
    // (up to v3.14 it may go to another dashboard app's frame).
    for (const l of [...frame.listeners]) {
      l({ type: "message", data: JSON.stringify(emailConversation()), origin: CHATWOOT_ORIGIN, source: frame.parent } as unknown as Event);
    }
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(calls.filter((c) => c.method === "createSession")).toHaveLength(1);
    expect((calls[0]?.args[0] as { params: Record<string, string> }).params.contact_id).toBe("42");
    expect(frame.posted).toEqual([[FETCH_INFO, "*"]]); // still asked, as the fallback
  });

  it("says on screen, in the page's language, why a context was refused, and still takes a right one", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page("?lang=en")} client={client} chatwoot={frame.host} chatwootWaitMs={60_000} />);
    const bad = appContext();
    (bad.data.conversation as unknown as { id: string }).id = "7";
    await frame.deliver(JSON.stringify(bad));
    expect(byTestId(el, "rejected-message")?.textContent).toBe(
      "A context from Chatwoot was not understood: conversation.id is not a positive whole number.",
    );
    expect(frame.warnings).toHaveLength(1);
    expect(calls).toEqual([]);
    await frame.deliver(JSON.stringify(appContext()), "https://other.example");
    expect(byTestId(el, "rejected-message")?.textContent).toContain("https://other.example");
    await frame.deliver(JSON.stringify(appContext()));
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    // a refusal after that changes nothing on screen, and is said in the console
    await frame.deliver(JSON.stringify(bad));
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(frame.warnings).toHaveLength(3);
  });

  it("says a refusal in Chinese", async () => {
    const frame = fakeFrame();
    const el = await mount(<App page={page("?lang=zh")} client={fakeClient().client} chatwoot={frame.host} chatwootWaitMs={60_000} />);
    const bad = appContext();
    (bad.data.contact as unknown as { email: number }).email = 1;
    await frame.deliver(JSON.stringify(bad));
    expect(byTestId(el, "rejected-message")?.textContent).toBe("未能理解来自 Chatwoot 的会话信息：contact.email 不是文本。");
    await click(byTestId(el, "retry"));
    expect(frame.posted).toHaveLength(2);
    expect(byTestId(el, "state-loading")).not.toBeNull();
  });

  it("follows Chatwoot's theme (v4), over the URL's", async () => {
    document.documentElement.dataset.theme = "light";
    const frame = fakeFrame();
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    await mount(<App page={page("?theme=light")} client={client} chatwoot={frame.host} />);
    await frame.deliver(JSON.stringify({ ...appContext(), data: { ...appContext().data, theme: "dark", customAttributes: {} } }));
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("accepts a contact the store has not loaded ({}) and no currentAgent (older Chatwoot)", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    const m = appContext();
    m.data.contact = {} as typeof m.data.contact;
    delete (m.data as { currentAgent?: unknown }).currentAgent;
    await frame.deliver(JSON.stringify(m));
    expect((calls[0]?.args[0] as { params: unknown }).params).toEqual({
      conversation_id: "7",
      account_id: "1",
      contact_id: "42",
      contact_name: "Zhang Wei",
    });
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });

  it("replaces the view on a conversation switch, never showing the previous visitor meanwhile", async () => {
    const frame = fakeFrame();
    const second = deferred<SessionResponse>();
    const { client, calls } = fakeClient({
      createSession: async (req) => (req.params.contact_id === "42" ? session(linkedContext) : second.promise),
      getContext: async () => (calls.filter((c) => c.method === "createSession").length === 1 ? linkedContext : emilyContext),
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    await frame.deliver(JSON.stringify(appContext(42, 7)));
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");

    await frame.deliver(JSON.stringify(appContext(43, 8)));
    // the skeleton, not a blank page and not 张伟
    expect(byTestId(el, "state-loading")).not.toBeNull();
    expect(el.textContent).not.toContain("张伟");
    expect(el.textContent).not.toContain("zhang.wei");

    second.resolve(session(emilyContext));
    await flush();
    expect(byTestId(el, "contact-name")?.textContent).toBe("Emily Clark");
  });

  it("drops an answer for a conversation the agent has already left", async () => {
    const frame = fakeFrame();
    const first = deferred<SessionResponse>();
    const { client } = fakeClient({
      createSession: (req) => (req.params.contact_id === "42" ? first.promise : Promise.resolve(session(notLinkedContext))),
      getContext: async (token) => (token === "late" ? linkedContext : notLinkedContext),
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext(42, 7));
    await frame.deliver(appContext(43, 8));
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    first.resolve({ ...session(linkedContext), token: "late" });
    await flush();
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    expect(byTestId(el, "contact-name")).toBeNull();
  });

  it("does not reload for the same context sent again", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext());
    await frame.deliver(JSON.stringify(appContext()));
    expect(calls.map((c) => c.method)).toEqual(["createSession", "getContext"]);
  });

  it("refreshes the same visitor in place when their details change", async () => {
    const frame = fakeFrame();
    const held = deferred<SessionResponse>();
    let n = 0;
    const { client } = fakeClient({
      createSession: () => (n++ === 0 ? Promise.resolve(session(linkedContext)) : held.promise),
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext());
    const changed = appContext();
    changed.data.contact.email = "new@example.com";
    await frame.deliver(changed);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "state-loading")).toBeNull();
    held.resolve(session(linkedContext));
    await flush();
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });

  it("shows a Chatwoot check failure in words and asks for a fresh context on retry", async () => {
    const frame = fakeFrame();
    const { ApiError } = await import("../api/client");
    const { client } = fakeClient({
      createSession: async () => {
        throw new ApiError("chatwoot_mismatch", "contact 42 is not in conversation 7", 422);
      },
    });
    const el = await mount(<App page={page("?lang=en")} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext());
    expect(byTestId(el, "state-error")?.dataset.code).toBe("chatwoot_mismatch");
    expect(byTestId(el, "error-message")?.textContent).toContain("not in this conversation");
    await click(byTestId(el, "retry"));
    expect(frame.posted).toHaveLength(2);
  });

  it("reads the URL when it carries platform params, framed or not", async () => {
    const frame = fakeFrame();
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => linkedContext,
    });
    await mount(<App page={page("?easemobId=1&visitorImId=v")} client={client} chatwoot={frame.host} />);
    expect(frame.posted).toEqual([]);
    expect(frame.listeners.size).toBe(0);
    expect(calls[0]?.args[0]).toEqual({ integration: "cw-secret", params: { easemobId: "1", visitorImId: "v" } });
  });

  it("stops listening when unmounted", async () => {
    const frame = fakeFrame();
    const { client } = fakeClient();
    const { render } = await import("preact");
    const el = await mount(<App page={page()} client={client} chatwoot={frame.host} chatwootWaitMs={60_000} />);
    expect(frame.listeners.size).toBe(1);
    render(null, el);
    expect(frame.listeners.size).toBe(0);
  });
});
