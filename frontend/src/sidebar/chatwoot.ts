// Chatwoot dashboard apps: the parent window (Chatwoot's agent dashboard)
// posts the conversation's context to the framed page, as
//   {event: "appContext", data: {conversation, contact, currentAgent}}
// (usually as a JSON string), and sends it again when the page posts
// "chatwoot-dashboard-app:fetch-info". Chatwoot does not sign this context:
// the page accepts it only from an allowed origin and only of the expected
// shape, and the server checks it again (the integration's secret URL, and
// Chatwoot's API when the admin gave crmlens a token).

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
const optional = (o: Obj, k: string, test: (v: unknown) => boolean) => !(k in o) || o[k] === undefined || test(o[k]);
const isStr = (v: unknown) => typeof v === "string";
const isStrOrNull = (v: unknown) => v === null || typeof v === "string";

/**
 * The flattened params for a message's data when it is an appContext of the
 * expected shape (a JSON string or an object), else null. Types are checked
 * strictly: ids are positive integers, texts are strings; other fields
 * Chatwoot sends are ignored, never passed on.
 */
export function parseAppContext(raw: unknown): ChatwootParams | null {
  let msg: unknown = raw;
  if (typeof raw === "string") {
    // The context is a few KB; a huge string is not it.
    if (raw.length > 1_000_000) return null;
    try {
      msg = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!isObj(msg) || msg.event !== "appContext" || !isObj(msg.data)) return null;
  const { conversation, contact, currentAgent } = msg.data;
  if (!isObj(conversation) || !isObj(contact) || !isObj(currentAgent)) return null;

  if (!isId(conversation.id) || !optional(conversation, "account_id", isId)) return null;
  if (!optional(conversation, "meta", isObj)) return null;
  if (isObj(conversation.meta) && !optional(conversation.meta, "sender", isObj)) return null;

  if (!isId(contact.id) || !optional(contact, "name", isStr)) return null;
  for (const k of ["email", "phone_number", "identifier"]) if (!optional(contact, k, isStrOrNull)) return null;

  if (!isId(currentAgent.id) || !optional(currentAgent, "name", isStr) || !optional(currentAgent, "email", isStr)) {
    return null;
  }

  const out: ChatwootParams = {};
  const put = (k: keyof ChatwootParams, v: unknown) => {
    if (typeof v === "number") out[k] = String(v);
    else if (typeof v === "string" && v !== "") out[k] = v;
  };
  put("conversation_id", conversation.id);
  put("account_id", conversation.account_id);
  put("contact_id", contact.id);
  put("contact_identifier", contact.identifier);
  put("contact_email", contact.email);
  put("contact_phone", contact.phone_number);
  put("contact_name", contact.name);
  put("agent_id", currentAgent.id);
  put("agent_email", currentAgent.email);
  put("agent_name", currentAgent.name);
  return out;
}

/** A message event as far as the page looks at it. */
export interface FrameMessage {
  origin: string;
  data: unknown;
  source?: unknown;
}

/** The flattened params of an acceptable message: an allowed origin and the expected shape. */
export function acceptMessage(ev: FrameMessage, origins: ReadonlySet<string>): ChatwootParams | null {
  if (typeof ev.origin !== "string" || !origins.has(ev.origin)) return null;
  return parseAppContext(ev.data);
}

/** The page's link to the Chatwoot dashboard that frames it. */
export interface ChatwootHost {
  /** Asks the parent for the context (again). */
  requestInfo(): void;
  /** Calls onContext with each accepted context; returns the unsubscribe. */
  subscribe(onContext: (params: ChatwootParams) => void): () => void;
}

type HostWindow = Pick<Window, "addEventListener" | "removeEventListener"> & {
  readonly parent: Pick<Window, "postMessage">;
};

/**
 * The host behind window.parent. Messages from anything but the parent window
 * (another frame, a popup) are ignored too, as are those acceptMessage refuses.
 */
export function windowHost(win: HostWindow, origins: ReadonlySet<string>): ChatwootHost {
  return {
    requestInfo() {
      // The context carries no secret the parent does not have; "*" because
      // the dashboard's origin is only known from the answer.
      win.parent.postMessage(FETCH_INFO, "*");
    },
    subscribe(onContext) {
      const listener = (ev: Event) => {
        const m = ev as MessageEvent;
        if (m.source !== win.parent) return;
        const params = acceptMessage(m, origins);
        if (params) onContext(params);
      };
      win.addEventListener("message", listener);
      return () => win.removeEventListener("message", listener);
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
