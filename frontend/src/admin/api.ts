// The console's client for the admin API. The session is the HttpOnly
// cookie set at sign-in (scripts never see the token); every write sends
// the session's CSRF token as X-CSRF-Token, as the server requires.
import type {
  AdminSession,
  AdminSessionInfo,
  AdminUser,
  AdminUserList,
  AgentList,
  AdminAgent,
  AuditList,
  CatalogField,
  Candidate,
  CreatedIntegration,
  DeletedIntegration,
  FieldCatalog,
  FieldError,
  ImportResult,
  Integration,
  IntegrationInput,
  IntegrationUpdate,
  Label,
  FieldType,
  LayoutDoc,
  SidebarContext,
  Simulation,
} from "./types";

/** A failed call: the server's {"error":{code,message,fields}} or a local code. */
export class AdminApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "AdminApiError";
  }

  /** The message for field, if the server named it (or a field under it, e.g. panels.0.fields). */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field || f.field.startsWith(field + "."))?.message;
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface AuditQuery {
  action?: string;
  actor?: string;
  contactId?: string;
  visitorId?: string;
  since?: string;
  until?: string;
  before?: string;
}

export function auditQueryString(q: AuditQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function createAdminClient(fetchImpl: Fetch = (i, init) => fetch(i, init)) {
  let csrf = "";
  let onUnauthorized: (e: AdminApiError) => void = () => {};

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    let res: Response;
    try {
      res = await fetchImpl(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (e) {
      throw new AdminApiError("network", e instanceof Error ? e.message : String(e));
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: unknown; message?: unknown; fields?: unknown } } | null)?.error;
      const code = typeof err?.code === "string" && err.code ? err.code : `http_${res.status}`;
      const message = typeof err?.message === "string" && err.message ? err.message : `HTTP ${res.status}`;
      const fields = Array.isArray(err?.fields) ? (err.fields as FieldError[]) : [];
      const e = new AdminApiError(code, message, res.status, fields);
      // A wrong password asked again (reveal, rotate, password change) is
      // not the end of the session.
      if (res.status === 401 && code !== "bad_credentials") onUnauthorized(e);
      throw e;
    }
    return (parsed ?? undefined) as T;
  }
  const enc = encodeURIComponent;

  return {
    /** Called when any call answers 401 (expired or missing session). */
    setOnUnauthorized(fn: (e: AdminApiError) => void) {
      onUnauthorized = fn;
    },
    async signIn(email: string, password: string): Promise<AdminSession> {
      const s = await call<AdminSession>("POST", "/api/v1/admin/session", { email, password });
      csrf = s.csrfToken;
      return s;
    },
    async current(): Promise<AdminSessionInfo> {
      const s = await call<AdminSessionInfo>("GET", "/api/v1/admin/session");
      csrf = s.csrfToken;
      return s;
    },
    async signOut(): Promise<void> {
      await call<void>("DELETE", "/api/v1/admin/session");
      csrf = "";
    },
    changePassword: (currentPassword: string, newPassword: string) =>
      call<void>("POST", "/api/v1/admin/password", { currentPassword, newPassword }),
    listAdmins: async () => (await call<AdminUserList>("GET", "/api/v1/admin/admins")).admins,
    createAdmin: (email: string, password: string, currentPassword: string) =>
      call<AdminUser>("POST", "/api/v1/admin/admins", { email, password, currentPassword }),
    removeAdmin: (id: string) => call<void>("DELETE", `/api/v1/admin/admins/${enc(id)}`),
    resetAdminPassword: (id: string, password: string, currentPassword: string) =>
      call<void>("POST", `/api/v1/admin/admins/${enc(id)}/password`, { password, currentPassword }),
    listIntegrations: async () => (await call<{ integrations: Integration[] }>("GET", "/api/v1/admin/integrations")).integrations,
    createIntegration: (input: IntegrationInput) => call<CreatedIntegration>("POST", "/api/v1/admin/integrations", input),
    updateIntegration: (slug: string, u: IntegrationUpdate) =>
      call<Integration>("PATCH", `/api/v1/admin/integrations/${enc(slug)}`, u),
    disableIntegration: (slug: string) => call<Integration>("POST", `/api/v1/admin/integrations/${enc(slug)}/disable`),
    enableIntegration: (slug: string) => call<Integration>("POST", `/api/v1/admin/integrations/${enc(slug)}/enable`),
    deleteIntegration: (slug: string) => call<DeletedIntegration>("DELETE", `/api/v1/admin/integrations/${enc(slug)}`),
    deleteLayout: (name: string) => call<void>("DELETE", `/api/v1/admin/layouts/${enc(name)}`),
    revealKey: async (slug: string, password: string) =>
      (await call<{ key: string }>("POST", `/api/v1/admin/integrations/${enc(slug)}/key/reveal`, { password })).key,
    rotateKey: (slug: string, password: string, key: string, graceHours: number | undefined) =>
      call<CreatedIntegration>("POST", `/api/v1/admin/integrations/${enc(slug)}/key/rotate`, {
        password,
        ...(key ? { key } : {}),
        ...(graceHours !== undefined ? { graceHours } : {}),
      }),
    listFields: () => call<FieldCatalog>("GET", "/api/v1/admin/fields"),
    putField: (object: string, key: string, label: Label, type: FieldType, values?: string[]) =>
      call<CatalogField>("PUT", `/api/v1/admin/fields/${enc(object)}/${enc(key)}`, values ? { label, type, values } : { label, type }),
    retireField: (object: string, key: string) => call<void>("DELETE", `/api/v1/admin/fields/${enc(object)}/${enc(key)}`),
    listLayouts: async () => (await call<{ layouts: LayoutDoc[] }>("GET", "/api/v1/admin/layouts")).layouts,
    putLayout: (doc: LayoutDoc) => call<LayoutDoc>("PUT", "/api/v1/admin/layouts", doc),
    previewLayout: (layout: LayoutDoc, contactId: string) =>
      call<SidebarContext>("POST", "/api/v1/admin/layouts/preview", { layout, contactId }),
    contacts: async (q: string) =>
      (await call<{ contacts: Candidate[] }>("GET", `/api/v1/admin/contacts${q ? `?q=${enc(q)}` : ""}`)).contacts,
    listAgents: () => call<AgentList>("GET", "/api/v1/admin/agents"),
    importAgents: (format: "csv" | "ndjson", content: string) =>
      call<ImportResult>("POST", "/api/v1/admin/agents/import", { format, content }),
    setAgentGroups: (id: string, groups: string[]) => call<AdminAgent>("PUT", `/api/v1/admin/agents/${enc(id)}/groups`, { groups }),
    simulate: (integration: string, input: string) => call<Simulation>("POST", "/api/v1/admin/simulate", { integration, input }),
    audit: (q: AuditQuery & { limit?: number }) =>
      call<AuditList>("GET", `/api/v1/admin/audit${auditQueryString({ ...q, ...(q.limit ? { limit: String(q.limit) } : {}) } as AuditQuery)}`),
  };
}

export type AdminClient = ReturnType<typeof createAdminClient>;
