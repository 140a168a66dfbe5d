// The one client of the crmlens API, for the sidebar, the playground and the
// admin console: openapi-fetch over the types generated from openapi.yaml
// (schema.d.ts), so every path, parameter, body and answer is typed by the
// spec. What all callers share lives here: the base URL, no caching,
// credentials and the console's CSRF header, the sidebar's bearer token, and
// one ApiError for every failure (the server's {"error":{code,message,fields}},
// a network failure, an answer that is not JSON), with the Try-again policy.
import createFetchClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import type {
  Candidate,
  ConversationList,
  LinkRequest,
  Match,
  RevealedValue,
  RevealRequest,
  SessionRequest,
  SessionResponse,
  SidebarContext,
  UnlinkRequest,
} from "./types";

type FieldError = components["schemas"]["FieldError"];

/** A failed API call: the server's {"error":{code,message,fields}} or a local code (network, bad_response, http_NNN). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status = 0,
    /** The request fields at fault, when the server named them. */
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The first field the server named, if any. */
  get field(): string | undefined {
    return this.fields[0]?.field;
  }

  /** The message for field, if the server named it (or a field under it, e.g. panels.0.fields). */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field || f.field.startsWith(field + "."))?.message;
  }
}

/** e as an ApiError (an unexpected throw becomes code "unknown"). */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("unknown", e instanceof Error ? e.message : String(e));
}

/** The session token is no longer accepted: a new session is needed. */
export function sessionGone(err: ApiError): boolean {
  return err.code === "unauthorized" || err.code === "token_expired";
}

// chatwoot_mismatch: a retry asks Chatwoot for a fresh context, which may name the right contact.
const retryable = new Set(["network", "internal", "rate_limited", "chatwoot_unreachable", "chatwoot_mismatch", "bad_response", "unknown", "unavailable", "timeout"]);

/**
 * Whether trying again can fix err: the network, the server, a limit that
 * passes, a platform that did not answer, or (loading the context) a
 * session that ended, which a new one replaces. A wrong URL, key or agent,
 * or a signed link already used, fails again however often it is tried:
 * their words say what to do instead. The stage is where the sidebar was:
 * reading its page, opening the session, or loading the context.
 */
export function retryHelps(err: ApiError, stage: "page" | "session" | "context"): boolean {
  if (retryable.has(err.code) || err.status >= 500 || err.status === 408 || err.status === 429) return true;
  return stage === "context" && sessionGone(err);
}

/** What openapi-fetch calls to send a request (window.fetch by default; tests pass a fake). */
export type Fetch = (request: Request) => Promise<Response>;

export interface ApiOptions {
  fetch?: Fetch;
  /** Prefix of every path ("" = this page's origin). */
  baseUrl?: string;
  /** Called when a call answers 401, with the error it throws (the console's session ended). */
  onUnauthorized?: (e: ApiError) => void;
}

/** The API: typed calls (GET/POST/... of openapi-fetch), each answering its data or throwing ApiError. */
export interface Api {
  raw: Client<paths>;
  /** Sent as X-CSRF-Token with every call that is not a GET (the console's session); "" sends none. */
  setCsrfToken(token: string): void;
  /** Replaces the 401 hook (see ApiOptions.onUnauthorized). */
  setOnUnauthorized(fn: (e: ApiError) => void): void;
}

export function createApi(opts: ApiOptions = {}): Api {
  let csrf = "";
  let onUnauthorized = opts.onUnauthorized ?? (() => {});
  const raw = createFetchClient<paths>({
    baseUrl: opts.baseUrl ?? "",
    // Late-bound: a test may replace globalThis.fetch after the client exists.
    fetch: opts.fetch ?? ((r: Request) => globalThis.fetch(r)),
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  });
  const shared: Middleware = {
    onRequest({ request }) {
      if (request.method !== "GET" && csrf) request.headers.set("X-CSRF-Token", csrf);
      return request;
    },
    onError({ error }) {
      // fetch threw: no answer came (offline, DNS, CORS, aborted).
      return new ApiError("network", error instanceof Error ? error.message : String(error));
    },
    async onResponse({ response }) {
      if (response.ok) return undefined;
      const e = await errorOf(response);
      // A wrong password asked again (reveal, rotate, password change) is
      // not the end of the session.
      if (response.status === 401 && e.code !== "bad_credentials") onUnauthorized(e);
      throw e;
    },
  };
  raw.use(shared);
  return {
    raw,
    setCsrfToken: (t) => {
      csrf = t;
    },
    setOnUnauthorized: (fn) => {
      onUnauthorized = fn;
    },
  };
}

/** The ApiError a failed response stands for: its JSON error body, or its status when the body is not one. */
async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = null;
  }
  const err = (body as { error?: { code?: unknown; message?: unknown; fields?: unknown } } | null)?.error;
  const code = typeof err?.code === "string" && err.code ? err.code : `http_${res.status}`;
  const message = typeof err?.message === "string" && err.message ? err.message : `HTTP ${res.status} ${res.statusText}`.trim();
  const fields = Array.isArray(err?.fields) ? (err.fields as FieldError[]) : [];
  return new ApiError(code, message, res.status, fields);
}

/**
 * The data of a successful call. The middleware already threw for a failed
 * one; an answer that is not JSON (a proxy's page) is bad_response.
 */
export async function data<T>(call: Promise<{ data?: T; response: Response }>, empty: "allowed" | "refused" = "refused"): Promise<T> {
  let res: { data?: T; response: Response };
  try {
    res = await call;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof SyntaxError) throw new ApiError("bad_response", "the answer is not JSON");
    throw new ApiError("network", e instanceof Error ? e.message : String(e));
  }
  if (res.data === undefined && empty === "refused") {
    throw new ApiError("bad_response", `HTTP ${res.response.status}: the answer is empty`, res.response.status);
  }
  return res.data as T;
}

/** The Authorization header of a sidebar session. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The sidebar's and the playground's calls. */
export interface SidebarClient {
  createSession(req: SessionRequest): Promise<SessionResponse>;
  getContext(token: string): Promise<SidebarContext>;
  /** Contacts whose name, phone or email starts with q (2+ characters, or one Chinese character). */
  searchContacts(token: string, q: string): Promise<CandidateResults>;
  linkVisitor(token: string, req: LinkRequest): Promise<Match>;
  unlinkVisitor(token: string, req: UnlinkRequest): Promise<Match>;
  revealField(token: string, req: RevealRequest): Promise<RevealedValue>;
  listConversations(): Promise<ConversationList>;
}

/** Search results, with more: true when the server matched more than it listed. */
export type CandidateResults = Candidate[] & { more?: boolean };

export function sidebarClient(api: Api = createApi()): SidebarClient {
  const { raw } = api;
  return {
    createSession: (req) => data(raw.POST("/api/v1/sidebar/sessions", { body: req })),
    getContext: (token) => data(raw.GET("/api/v1/sidebar/context", { headers: bearer(token) })),
    searchContacts: async (token, q) => {
      const res = await data(raw.GET("/api/v1/sidebar/contacts", { params: { query: { q } }, headers: bearer(token) }));
      const list: CandidateResults = [...(res.contacts ?? [])];
      if (res.more) list.more = true;
      return list;
    },
    linkVisitor: (token, body) => data(raw.POST("/api/v1/sidebar/link", { body, headers: bearer(token) })),
    unlinkVisitor: (token, body) => data(raw.POST("/api/v1/sidebar/unlink", { body, headers: bearer(token) })),
    revealField: (token, body) => data(raw.POST("/api/v1/sidebar/reveal", { body, headers: bearer(token) })),
    listConversations: () => data(raw.GET("/api/v1/playground/conversations")),
  };
}
