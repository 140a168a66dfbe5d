import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { SessionResponse, SidebarContext } from "../api/types";
import { byTestId, click, flush, mount } from "../test/dom";
import { fakeClient, linkedContext, notLinkedContext, session } from "../test/fixtures";
import { appContext, fakeFrame } from "../test/frame";
import { App } from "./App";
import { readPageParams } from "./params";

const page = (search: string) => readPageParams({ pathname: "/sidebar/demo-easemob", search });
const renamed = (name: string): SidebarContext => ({ ...linkedContext, contact: { id: "c1", name } });

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

describe("refresh", () => {
  it("loads the context again in place with the same session", async () => {
    const answers = [linkedContext, renamed("张伟 (updated)")];
    const { client, calls } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => answers.shift()!,
    });
    const el = await mount(<App page={page("?visitorImId=v&lang=en")} client={client} />);
    expect(byTestId(el, "updated")?.textContent).toMatch(/^Updated at \d/);
    await click(byTestId(el, "refresh"));
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟 (updated)");
    expect(calls.map((c) => c.method)).toEqual(["createSession", "getContext", "getContext"]);
    expect(calls[2]?.args).toEqual(["tok-123"]);
    expect(byTestId(el, "stale")).toBeNull();
  });

  it("keeps the data on screen while refreshing, and says it is refreshing", async () => {
    const held = deferred<SidebarContext>();
    let n = 0;
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: () => (n++ === 0 ? Promise.resolve(linkedContext) : held.promise),
    });
    const el = await mount(<App page={page("?visitorImId=v&lang=en")} client={client} />);
    await click(byTestId(el, "refresh"));
    const button = byTestId(el, "refresh")!;
    expect(button.getAttribute("aria-busy")).toBe("true");
    expect(button.getAttribute("aria-label")).toBe("Refreshing…");
    expect((button as HTMLButtonElement).disabled).toBe(true);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "state-loading")).toBeNull();
    held.resolve(renamed("Zhang Wei"));
    await flush();
    expect(byTestId(el, "contact-name")?.textContent).toBe("Zhang Wei");
    expect(byTestId(el, "refresh")?.getAttribute("aria-busy")).toBe("false");
  });

  it("keeps the old data with a stale-data hint in the agent's words when a refresh fails, and retries", async () => {
    let n = 0;
    const { client } = fakeClient({
      createSession: async () => session(linkedContext),
      getContext: async () => {
        n++;
        if (n === 2) throw new ApiError("network", "Failed to fetch");
        return n === 1 ? linkedContext : renamed("Zhang Wei");
      },
    });
    const el = await mount(<App page={page("?visitorImId=v&lang=en")} client={client} />);
    await click(byTestId(el, "refresh"));
    const stale = byTestId(el, "stale")!;
    expect(stale.dataset.code).toBe("network");
    expect(stale.getAttribute("role")).toBe("status");
    expect(stale.textContent).toContain("Could not refresh");
    expect(stale.textContent).toMatch(/Still showing the data loaded at \d/);
    expect(stale.textContent).toContain("Cannot reach the crmlens server");
    // the data stays, and so do the panels
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "panel-orders")).not.toBeNull();

    await click(byTestId(el, "stale-retry"));
    expect(byTestId(el, "stale")).toBeNull();
    expect(byTestId(el, "contact-name")?.textContent).toBe("Zhang Wei");
  });

  it("opens a new session with the same params when the session expired", async () => {
    let contexts = 0;
    const { client, calls } = fakeClient({
      createSession: async () => ({ ...session(linkedContext), token: `tok-${calls.filter((c) => c.method === "createSession").length}` }),
      getContext: async (token) => {
        if (contexts++ === 1) throw new ApiError("token_expired", "token is expired", 401);
        return token === "tok-2" ? renamed("fresh") : linkedContext;
      },
    });
    const el = await mount(<App page={page("?visitorImId=v&easemobId=e")} client={client} />);
    await click(byTestId(el, "refresh"));
    expect(calls.map((c) => [c.method, ...c.args])).toEqual([
      [
        "createSession",
        { integration: "demo-easemob", params: { visitorImId: "v", easemobId: "e" } },
        [
          ["visitorImId", "v"],
          ["easemobId", "e"],
        ],
      ],
      ["getContext", "tok-1"],
      ["getContext", "tok-1"],
      [
        "createSession",
        { integration: "demo-easemob", params: { visitorImId: "v", easemobId: "e" } },
        [
          ["visitorImId", "v"],
          ["easemobId", "e"],
        ],
      ],
      ["getContext", "tok-2"],
    ]);
    expect(byTestId(el, "contact-name")?.textContent).toBe("fresh");
  });

  it("says why when the new session is refused too (a signed link is single-use)", async () => {
    let sessions = 0;
    let contexts = 0;
    const { client } = fakeClient({
      createSession: async () => {
        if (sessions++ > 0) throw new ApiError("token_replayed", "jti already used", 401);
        return session(linkedContext);
      },
      getContext: async () => {
        if (contexts++ > 0) throw new ApiError("unauthorized", "the session token has expired", 401);
        return linkedContext;
      },
    });
    const el = await mount(<App page={page("?token=a.b.c&lang=en")} client={client} />);
    await click(byTestId(el, "refresh"));
    expect(byTestId(el, "stale")?.dataset.code).toBe("token_replayed");
    expect(byTestId(el, "stale")?.textContent).toContain("already been used");
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });

  it("drops a refresh's answer once another visitor is shown", async () => {
    const frame = fakeFrame();
    const held = deferred<SidebarContext>();
    let n = 0;
    const { client } = fakeClient({
      createSession: async (req) => session(req.params.contact_id === "42" ? linkedContext : notLinkedContext),
      getContext: () => {
        n++;
        if (n === 2) return held.promise; // the refresh of contact 42
        return Promise.resolve(n === 1 ? linkedContext : notLinkedContext);
      },
    });
    const el = await mount(<App page={readPageParams({ pathname: "/sidebar/cw", search: "" })} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext(42, 7));
    await click(byTestId(el, "refresh"));
    await frame.deliver(appContext(43, 8));
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    held.resolve(linkedContext);
    await flush();
    expect(byTestId(el, "state-not-linked")).not.toBeNull();
    expect(byTestId(el, "contact-name")).toBeNull();
    expect(byTestId(el, "stale")).toBeNull();
  });
});

describe("Chatwoot: new details of the person shown", () => {
  it("keep the view with a stale-data hint when their session fails", async () => {
    const frame = fakeFrame();
    let n = 0;
    const { client } = fakeClient({
      createSession: async () => {
        if (n++ === 0) return session(linkedContext);
        throw new ApiError("chatwoot_unreachable", "chatwoot did not answer", 502);
      },
      getContext: async () => linkedContext,
    });
    const el = await mount(<App page={readPageParams({ pathname: "/sidebar/cw", search: "?lang=en" })} client={client} chatwoot={frame.host} />);
    await frame.deliver(appContext());
    const changed = appContext();
    changed.data.contact.email = "new@example.com";
    await frame.deliver(changed);
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(byTestId(el, "stale")?.dataset.code).toBe("chatwoot_unreachable");
    expect(byTestId(el, "state-error")).toBeNull();
  });
});

describe("a context the page cannot draw", () => {
  it("is said in words with a retry, not a blank page", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = { ...linkedContext, contact: { id: "c1", name: 42 } } as unknown as SidebarContext;
    let n = 0;
    const { client } = fakeClient({
      createSession: async () => session(linkedContext) as SessionResponse,
      getContext: async () => (n++ === 0 ? broken : linkedContext),
    });
    const el = await mount(<App page={page("?visitorImId=v&lang=en")} client={client} />);
    expect(byTestId(el, "state-error")?.dataset.code).toBe("bad_response");
    expect(byTestId(el, "error-message")?.textContent).toContain("cannot read");
    expect(errors).toHaveBeenCalled();
    await click(byTestId(el, "retry"));
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
  });
});
