// A small typed fetch client for the crmlens API (see openapi.yaml).
import type {
  Candidate,
  CandidateList,
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

/** A failed API call: the server's {"error":{code,message}} or a local code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Client {
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

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function createClient(fetchImpl: Fetch = (i, init) => fetch(i, init), base = ""): Client {
  async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(base + path, {
        ...init,
        headers: { Accept: "application/json", ...(init.headers as Record<string, string>) },
        cache: "no-store",
      });
    } catch (e) {
      throw new ApiError("network", e instanceof Error ? e.message : String(e));
    }
    let body: unknown = null;
    const text = await res.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!res.ok) {
      const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = typeof err?.code === "string" && err.code ? err.code : `http_${res.status}`;
      const message =
        typeof err?.message === "string" && err.message ? err.message : `HTTP ${res.status} ${res.statusText}`.trim();
      throw new ApiError(code, message, res.status);
    }
    if (body === null) throw new ApiError("bad_response", `HTTP ${res.status}: the answer is not JSON`, res.status);
    return body as T;
  }

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const post = <T>(path: string, token: string, body: unknown) =>
    call<T>(path, {
      method: "POST",
      headers: { ...bearer(token), "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  return {
    createSession: (req) =>
      call<SessionResponse>("/api/v1/sidebar/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(req),
      }),
    getContext: (token) =>
      call<SidebarContext>("/api/v1/sidebar/context", {
        headers: bearer(token),
      }),
    searchContacts: async (token, q) => {
      const res = await call<CandidateList>(`/api/v1/sidebar/contacts?q=${encodeURIComponent(q)}`, {
        headers: bearer(token),
      });
      const list: CandidateResults = [...(res.contacts ?? [])];
      if (res.more) list.more = true;
      return list;
    },
    linkVisitor: (token, req) => post<Match>("/api/v1/sidebar/link", token, req),
    unlinkVisitor: (token, req) => post<Match>("/api/v1/sidebar/unlink", token, req),
    revealField: (token, req) => post<RevealedValue>("/api/v1/sidebar/reveal", token, req),
    listConversations: () => call<ConversationList>("/api/v1/playground/conversations"),
  };
}
