// Chatwoot dashboard apps: the parent window (Chatwoot's agent dashboard)
// posts the conversation's context to the framed page. What Chatwoot really
// does, from app/javascript/dashboard/components/widgets/DashboardApp/Frame.vue
// (chatwoot/chatwoot):
//
//   <iframe :id="getFrameId(index)" :src="configItem.url" @load="() => onIframeLoad(index)" />
//   onIframeLoad(index) {
//     const eventData = { event: 'appContext', data: this.dashboardAppContext };
//     frameElement.contentWindow.postMessage(JSON.stringify(eventData), '*');
//   }
//   dashboardAppContext() { return { conversation: this.currentChat,
//     contact: this.$store.getters['contacts/getContact'](this.contactId),
//     currentAgent: this.currentAgent }; }
//
// - It posts once, on the iframe's load event (the frame's own load: after
//   this page's module script has run, before any Preact effect), as a JSON
//   string, to "*". So the page listens from the first line of its script
//   (early.ts) and keeps what arrives until the App subscribes.
// - It posts again only when asked with "chatwoot-dashboard-app:fetch-info".
//   Up to v3.14 each Frame does `window.onmessage = e => ... this.onIframeLoad(0)`:
//   the last-mounted app's Frame answers, to its own first frame; with two
//   dashboard apps the answer can go to the other app. Since v3.15 the answer
//   goes to the asking frame. fetch-info is the fallback, the load post is
//   what counts.
// - ConversationBox.vue keys each Frame by `currentChat.id + '-' + dashboardApp.id`
//   and renders the iframe only once the tab was opened (hasOpenedAtleastOnce):
//   every conversation switch is a fresh page load.
// - `conversation` is the whole conversation with every loaded message (an
//   e-mail carries its full HTML in content_attributes.email.html_content: a
//   12-message thread is MBs). Only the few fields below are read.
// - `contact` is the store's record: `{}` when the store has not loaded it
//   (then conversation.meta.sender has the same fields), `name` may be null;
//   `currentAgent` is missing before Dec 2022; v4 adds `customAttributes` and
//   `theme` ("light" | "dark").
//
// Chatwoot does not sign this context: the page accepts it only from an
// allowed origin and only of the expected shape, and the server checks it
// again (the integration's secret URL, and Chatwoot's API when the admin gave
// crmlens a token).

/** What the page posts to the parent to ask for the context. */
export const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";
/** The name of the meta tag that lists the origins allowed to post the context. */
export const ORIGINS_META = "crmlens-frame-origins";

/** The session params the context is flattened into (see openapi.yaml, createSidebarSession). */
export type ChatwootParams = Partial<
  Record<
    | "conversation_id"
    | "account_id"
    | "contact_id"
    | "contact_identifier"
    | "contact_email"
    | "contact_phone"
    | "contact_name"
    | "agent_id"
    | "agent_email"
    | "agent_name",
    string
  >
>;

/**
 * The origins whose messages are accepted: those listed, space-separated, in
 * `<meta name="crmlens-frame-origins" content="https://a.example https://b.example">`,
 * which the server writes into sidebar.html from the integration's allowed
 * origins, plus the page's own origin.
 *
 * Without the tag (or with an empty one) only same-origin messages are
 * accepted: a Chatwoot on another origin then never gets through, which is the
 * safe failure. The page's own origin is always accepted because a
 * same-origin parent can read and script this page directly anyway.
 * Entries are exact origins (no wildcards); those that are not a plain
 * http(s)://host[:port] are dropped.
 */
export function allowedOrigins(doc: Pick<Document, "querySelector">, self: string): Set<string> {
  const out = new Set<string>();
  if (self && self !== "null") out.add(self);
  const content = doc.querySelector(`meta[name="${ORIGINS_META}"]`)?.getAttribute("content") ?? "";
  for (const token of content.split(/[\s,]+/)) {
    if (!token) continue;
    try {
      const u = new URL(token);
      const bare = u.pathname === "/" && !u.search && !u.hash && !u.username && !u.password;
      if ((u.protocol === "https:" || u.protocol === "http:") && bare) out.add(u.origin);
    } catch {
      // not a URL: ignore it
    }
  }
  return out;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const absent = (o: Obj, k: string) => !(k in o) || o[k] === undefined;

/**
 * The largest message read, in characters. A real context is MBs (every
 * loaded message of the conversation, e-mails with their full HTML); this
 * only keeps a runaway from being parsed.
 */
export const MAX_CONTEXT_CHARS = 32 * 1024 * 1024;

/** The colours Chatwoot's dashboard is in (v4 sends it). */
export type ChatwootTheme = "light" | "dark";

/** Why a message was not taken, for the console and the screen. */
export type Rejection =
  /** Not an appContext at all (another event, not JSON): said in the console only. */
  | { kind: "other" }
  | { kind: "origin"; origin: string }
  | { kind: "too_large"; chars: number }
  | { kind: "json" }
  /** A field of the wrong type: `field` is its path, `expected` what it must be. */
  | { kind: "field"; field: string; expected: "id" | "text" | "object" };

export type ReadResult =
  | { ok: true; params: ChatwootParams; theme: ChatwootTheme | null }
  | { ok: false; why: Rejection };

/** The reason in plain English (the console's words; the screen's are in i18n.ts). */
export function describeRejection(why: Rejection): string {
  switch (why.kind) {
    case "other":
      return "it is not a Chatwoot appContext";
    case "origin":
      return `it came from ${why.origin || "an unknown origin"}, which is not one of the integration's allowed origins`;
    case "too_large":
      return `it is ${why.chars} characters long, more than ${MAX_CONTEXT_CHARS}`;
    case "json":
      return "it is not valid JSON";
    case "field":
      return `${why.field} is not ${why.expected === "id" ? "a positive whole number" : why.expected === "text" ? "text" : "an object"}`;
  }
}

/**
 * Reads a message's data as Chatwoot's appContext (a JSON string or an
 * object): the flattened session params and the theme, or why not. Types
 * are checked strictly: ids are positive integers, texts are strings (or
 * null, read as absent). Only the fields named here are read; everything else
 * Chatwoot sends (the messages, custom attributes...) is never looked at,
 * never passed on.
 */
export function readAppContext(raw: unknown): ReadResult {
  const no = (why: Rejection): ReadResult => ({ ok: false, why });
  let msg: unknown = raw;
  if (typeof raw === "string") {
    // Not JSON of an object at all (Chatwoot's own strings, a stray message): not ours.
    if (!raw.trimStart().startsWith("{")) return no({ kind: "other" });
    if (raw.length > MAX_CONTEXT_CHARS) return no({ kind: "too_large", chars: raw.length });
    try {
      msg = JSON.parse(raw);
    } catch {
      return no(raw.includes('"appContext"') ? { kind: "json" } : { kind: "other" });
    }
  }
  if (!isObj(msg) || msg.event !== "appContext") return no({ kind: "other" });
  const data = msg.data;
  if (!isObj(data)) return no({ kind: "field", field: "data", expected: "object" });
  const { conversation, contact, currentAgent } = data;

  const field = (f: string, expected: "id" | "text" | "object") => no({ kind: "field", field: f, expected });
  if (!isObj(conversation)) return field("conversation", "object");
  if (!isId(conversation.id)) return field("conversation.id", "id");
  if (!absent(conversation, "account_id") && !isId(conversation.account_id)) return field("conversation.account_id", "id");
  if (!absent(conversation, "meta") && !isObj(conversation.meta)) return field("conversation.meta", "object");
  const meta = isObj(conversation.meta) ? conversation.meta : {};
  if (!absent(meta, "sender") && !isObj(meta.sender)) return field("conversation.meta.sender", "object");
  if (!absent(data, "contact") && contact !== null && !isObj(contact)) return field("contact", "object");
  if (!absent(data, "currentAgent") && currentAgent !== null && !isObj(currentAgent)) return field("currentAgent", "object");

  // The store's contact, or (when the store has not loaded it: `{}`) the
  // conversation's sender, which has the same fields.
  const stored = isObj(contact) && Object.keys(contact).length > 0;
  const person: Obj = stored ? contact : isObj(meta.sender) ? meta.sender : {};
  const at = stored ? "contact" : "conversation.meta.sender";
  if (!isId(person.id)) return field(`${at}.id`, "id");
  for (const k of ["name", "email", "phone_number", "identifier"]) {
    const v = person[k];
    if (v !== undefined && v !== null && typeof v !== "string") return field(`${at}.${k}`, "text");
  }
  const agent: Obj = isObj(currentAgent) ? currentAgent : {};
  if (!absent(agent, "id") && agent.id !== null && !isId(agent.id)) return field("currentAgent.id", "id");
  for (const k of ["name", "email"]) {
    const v = agent[k];
    if (v !== undefined && v !== null && typeof v !== "string") return field(`currentAgent.${k}`, "text");
  }

  const params: ChatwootParams = {};
  const put = (k: keyof ChatwootParams, v: unknown) => {
    if (typeof v === "number") params[k] = String(v);
    else if (typeof v === "string" && v.trim() !== "") params[k] = v;
  };
  put("conversation_id", conversation.id);
  put("account_id", conversation.account_id);
  put("contact_id", person.id);
  put("contact_identifier", person.identifier);
  put("contact_email", person.email);
  put("contact_phone", person.phone_number);
  put("contact_name", person.name);
  put("agent_id", agent.id);
  put("agent_email", agent.email);
  put("agent_name", agent.name);
  const theme = data.theme === "light" || data.theme === "dark" ? data.theme : null;
  return { ok: true, params, theme };
}

/** The flattened params of an appContext of the expected shape, else null (see readAppContext). */
export function parseAppContext(raw: unknown): ChatwootParams | null {
  const r = readAppContext(raw);
  return r.ok ? r.params : null;
}

/** A message event as far as the page looks at it. */
export interface FrameMessage {
  origin: string;
  data: unknown;
  source?: unknown;
}

/** What an allowed origin's message gives: the context, or why it was refused. */
export function readMessage(ev: FrameMessage, origins: ReadonlySet<string>): ReadResult {
  if (typeof ev.origin !== "string" || !origins.has(ev.origin)) {
    // Only an appContext from the wrong origin is worth saying: it is what a
    // missing allowed origin looks like. Anything else there is not ours.
    const r = readAppContext(ev.data);
    return { ok: false, why: r.ok || r.why.kind !== "other" ? { kind: "origin", origin: String(ev.origin) } : r.why };
  }
  return readAppContext(ev.data);
}

/** The flattened params of an acceptable message: an allowed origin and the expected shape. */
export function acceptMessage(ev: FrameMessage, origins: ReadonlySet<string>): ChatwootParams | null {
  const r = readMessage(ev, origins);
  return r.ok ? r.params : null;
}

/** An accepted context. */
export interface ChatwootContext {
  params: ChatwootParams;
  theme: ChatwootTheme | null;
}

/** The page's link to the Chatwoot dashboard that frames it. */
export interface ChatwootHost {
  /** Asks the parent for the context (again). */
  requestInfo(): void;
  /**
   * Calls onContext with each accepted context and onRejected with each
   * appContext refused (with the reason); returns the unsubscribe. Messages
   * that arrived before (the load post) are delivered first.
   */
  subscribe(onContext: (ctx: ChatwootContext) => void, onRejected?: (why: Rejection) => void): () => void;
}

/** Message events, as the page sees them: live, or kept since the script started. */
export interface MessageFeed {
  subscribe(listener: (m: FrameMessage) => void): () => void;
}

type ListenWindow = Pick<Window, "addEventListener" | "removeEventListener">;

/** The window's message events from now on, listening only while subscribed. */
export function liveMessages(win: ListenWindow): MessageFeed {
  return {
    subscribe(listener) {
      const l = (ev: Event) => listener(ev as MessageEvent);
      win.addEventListener("message", l);
      return () => win.removeEventListener("message", l);
    },
  };
}

/**
 * Listens from the moment it is called and keeps the messages that come while
 * nobody is subscribed (at most `max`, the latest), to hand them to the first
 * subscriber. Chatwoot posts the context on the iframe's load event, before
 * the App's first effect subscribes: without this the page misses it. Only
 * the event's origin, data and source are kept, and only until delivered.
 */
export function bufferedMessages(win: Pick<Window, "addEventListener">, max = 8): MessageFeed {
  let kept: FrameMessage[] = [];
  const listeners = new Set<(m: FrameMessage) => void>();
  win.addEventListener("message", (ev: Event) => {
    const m = ev as MessageEvent;
    const msg: FrameMessage = { origin: m.origin, data: m.data, source: m.source };
    if (listeners.size === 0) {
      kept.push(msg);
      if (kept.length > max) kept.shift();
      return;
    }
    for (const l of [...listeners]) l(msg);
  });
  return {
    subscribe(listener) {
      listeners.add(listener);
      const replay = kept;
      kept = [];
      for (const m of replay) if (listeners.has(listener)) listener(m);
      return () => listeners.delete(listener);
    },
  };
}

type HostWindow = ListenWindow & {
  readonly parent: Pick<Window, "postMessage">;
};

/**
 * The host behind window.parent. Messages from anything but the parent window
 * (another frame, a popup) are ignored, silently; refused ones from the parent
 * are said in the console, and an appContext refused is passed to onRejected.
 */
export function windowHost(
  win: HostWindow,
  origins: ReadonlySet<string>,
  feed: MessageFeed = liveMessages(win),
  warn: (msg: string) => void = (msg) => console.warn(msg),
): ChatwootHost {
  return {
    requestInfo() {
      // The context carries no secret the parent does not have; "*" because
      // the dashboard's origin is only known from the answer.
      win.parent.postMessage(FETCH_INFO, "*");
    },
    subscribe(onContext, onRejected) {
      return feed.subscribe((m) => {
        if (m.source !== win.parent) return;
        const r = readMessage(m, origins);
        if (r.ok) {
          onContext({ params: r.params, theme: r.theme });
          return;
        }
        warn(`crmlens: ignored a message from the parent window (${m.origin}): ${describeRejection(r.why)}`);
        if (r.why.kind !== "other") onRejected?.(r.why);
      });
    },
  };
}

/** Same conversation and contact: a re-sent context for the person already shown. */
export function sameVisitor(a: ChatwootParams, b: ChatwootParams): boolean {
  return a.conversation_id === b.conversation_id && a.contact_id === b.contact_id;
}

/** The same params, key for key. */
export function sameParams(a: ChatwootParams, b: ChatwootParams): boolean {
  const ka = Object.keys(a) as (keyof ChatwootParams)[];
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
