// A Chatwoot dashboard in a test: an appContext message builder and a fake
// window whose parent records what the page posts.
import { act } from "preact/test-utils";
import { windowHost, type ChatwootHost } from "../sidebar/chatwoot";
import { flush } from "./dom";

export const CHATWOOT_ORIGIN = "https://chat.example.com";

/** An appContext as Chatwoot posts it (with some of the many fields it also sends). */
export function appContext(contactId = 42, conversationId = 7) {
  return {
    event: "appContext",
    data: {
      conversation: {
        id: conversationId,
        account_id: 1,
        inbox_id: 3,
        status: "open",
        meta: { sender: { id: contactId, name: "Zhang Wei" }, assignee: null, channel: "Channel::WebWidget" },
        messages: [{ id: 1, content: "Where is my order?" }],
      },
      contact: {
        id: contactId,
        name: contactId === 42 ? "Zhang Wei" : "Emily Clark",
        email: contactId === 42 ? "zhang.wei@example.com" : null,
        phone_number: contactId === 42 ? "+8615912345678" : "",
        identifier: contactId === 42 ? "cust-0042" : null,
        thumbnail: "",
        custom_attributes: {},
      },
      currentAgent: { id: 5, name: "Li Na", email: "li.na@example.com" },
    },
  };
}

export function fakeFrame(origins: Iterable<string> = [CHATWOOT_ORIGIN]) {
  const listeners = new Set<(e: Event) => void>();
  const posted: unknown[][] = [];
  const parent = { postMessage: (...args: unknown[]) => void posted.push(args) };
  const win = {
    parent,
    addEventListener: (type: string, l: (e: Event) => void) => type === "message" && listeners.add(l),
    removeEventListener: (type: string, l: (e: Event) => void) => type === "message" && listeners.delete(l),
  };
  const host: ChatwootHost = windowHost(win as unknown as Parameters<typeof windowHost>[0], new Set(origins));
  return {
    host,
    parent,
    posted,
    listeners,
    /** Delivers a message event as the browser would, then lets the page react. */
    async deliver(data: unknown, origin = CHATWOOT_ORIGIN, source: unknown = parent) {
      await act(async () => {
        for (const l of [...listeners]) l({ type: "message", data, origin, source } as unknown as Event);
      });
      await flush();
    },
  };
}
