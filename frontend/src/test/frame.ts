// A Chatwoot dashboard in a test: appContext message builders (as Chatwoot's
// DashboardApp/Frame.vue posts them) and a fake window whose parent records
// what the page posts.
import { act } from "preact/test-utils";
import { bufferedMessages, windowHost, type ChatwootHost, type MessageFeed } from "../sidebar/chatwoot";
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

/**
 * An e-mail conversation as Chatwoot's store holds it: every loaded message
 * with its full HTML (content_attributes.email.html_content), each about
 * `htmlChars` long. 12 messages of 200,000 characters make the 2.4 MB a real
 * thread came to.
 */
export function emailConversation(contactId = 42, conversationId = 7, messages = 12, htmlChars = 200_000) {
  const base = appContext(contactId, conversationId);
  const para = "<p>Dear support team, the parcel for order SO-2024-0042 has not arrived yet; tracking says &quot;in transit&quot;.</p>\n";
  const html = (i: number) => `<html><body><div class="msg-${i}">${para.repeat(Math.ceil(htmlChars / para.length))}</div></body></html>`;
  base.data.conversation.messages = Array.from({ length: messages }, (_, i) => ({
    id: 1000 + i,
    content: `Re: order SO-2024-0042 (${i + 1})`,
    content_type: "text",
    message_type: i % 2,
    content_attributes: { email: { subject: "Re: order SO-2024-0042", html_content: { full: html(i), reply: html(i) } } },
  })) as unknown as typeof base.data.conversation.messages;
  return base;
}

/**
 * A fake frame. By default the page listens only while subscribed
 * (`listeners`); with `{ buffered: true }` it listens from the start and keeps
 * what comes before the App subscribes, as main.tsx does (early.ts).
 */
export function fakeFrame(origins: Iterable<string> = [CHATWOOT_ORIGIN], opts: { buffered?: boolean } = {}) {
  const listeners = new Set<(e: Event) => void>();
  const posted: unknown[][] = [];
  const warnings: string[] = [];
  const parent = { postMessage: (...args: unknown[]) => void posted.push(args) };
  const win = {
    parent,
    addEventListener: (type: string, l: (e: Event) => void) => type === "message" && listeners.add(l),
    removeEventListener: (type: string, l: (e: Event) => void) => type === "message" && listeners.delete(l),
  };
  type W = Parameters<typeof windowHost>[0];
  const feed: MessageFeed | undefined = opts.buffered ? bufferedMessages(win as unknown as W) : undefined;
  const host: ChatwootHost = windowHost(win as unknown as W, new Set(origins), feed, (m) => void warnings.push(m));
  return {
    host,
    parent,
    posted,
    listeners,
    /** What the page said in the console about messages it refused. */
    warnings,
    /** Delivers a message event as the browser would, then lets the page react. */
    async deliver(data: unknown, origin = CHATWOOT_ORIGIN, source: unknown = parent) {
      await act(async () => {
        for (const l of [...listeners]) l({ type: "message", data, origin, source } as unknown as Event);
      });
      await flush();
    },
  };
}
