// The console's calls, over the one API client (../api/client.ts). The
// session is the HttpOnly cookie set at sign-in (scripts never see the
// token); every write sends the session's CSRF token as X-CSRF-Token, as the
// server requires; a 401 (other than a wrong password asked again) tells the
// console its session ended.
import { createApi, data, type Api, type ApiError } from "../api/client";
import type { operations } from "../api/schema";
import type { FieldType, IntegrationInput, IntegrationUpdate, Label, LayoutDoc } from "../api/types";

type ListAuditQuery = NonNullable<operations["listAuditEvents"]["parameters"]["query"]>;

/** The audit trail's filters as the form holds them (text), named as the API's query. */
export type AuditQuery = { [K in Exclude<keyof ListAuditQuery, "limit">]?: string };

/** q as a query string ("" or "?a=b&..."), leaving out empty filters: the export link's. */
export function auditQueryString(q: AuditQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The filters as the API types them (previews a boolean, limit a number), empty ones left out. */
function auditParams(q: AuditQuery, limit?: number): ListAuditQuery {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(q)) {
    if (!v) continue;
    if (k === "previews") out[k] = v === "true";
    else out[k] = v;
  }
  if (limit) out.limit = limit;
  return out as ListAuditQuery;
}

export function createAdminClient(api: Api = createApi()) {
  const { raw } = api;
  const path = <P extends Record<string, string>>(p: P) => ({ params: { path: p } });

  return {
    /** Called when any call answers 401 (expired or missing session). */
    setOnUnauthorized(fn: (e: ApiError) => void) {
      api.setOnUnauthorized(fn);
    },
    async signIn(email: string, password: string) {
      const s = await data(raw.POST("/api/v1/admin/session", { body: { email, password } }));
      api.setCsrfToken(s.csrfToken);
      return s;
    },
    async current() {
      const s = await data(raw.GET("/api/v1/admin/session"));
      api.setCsrfToken(s.csrfToken);
      return s;
    },
    async signOut(): Promise<void> {
      await data(raw.DELETE("/api/v1/admin/session"), "allowed");
      api.setCsrfToken("");
    },
    changePassword: (currentPassword: string, newPassword: string) =>
      data(raw.POST("/api/v1/admin/password", { body: { currentPassword, newPassword } }), "allowed"),
    listAdmins: async () => (await data(raw.GET("/api/v1/admin/admins"))).admins,
    createAdmin: (email: string, password: string, currentPassword: string) =>
      data(raw.POST("/api/v1/admin/admins", { body: { email, password, currentPassword } })),
    removeAdmin: (id: string) => data(raw.DELETE("/api/v1/admin/admins/{id}", path({ id })), "allowed"),
    resetAdminPassword: (id: string, password: string, currentPassword: string) =>
      data(raw.POST("/api/v1/admin/admins/{id}/password", { ...path({ id }), body: { password, currentPassword } }), "allowed"),
    listIntegrations: async () => (await data(raw.GET("/api/v1/admin/integrations"))).integrations,
    createIntegration: (input: IntegrationInput) =>
      data(raw.POST("/api/v1/admin/integrations", { body: input })),
    updateIntegration: (slug: string, body: IntegrationUpdate) =>
      data(raw.PATCH("/api/v1/admin/integrations/{slug}", { ...path({ slug }), body })),
    disableIntegration: (slug: string) => data(raw.POST("/api/v1/admin/integrations/{slug}/disable", path({ slug }))),
    enableIntegration: (slug: string) => data(raw.POST("/api/v1/admin/integrations/{slug}/enable", path({ slug }))),
    deleteIntegration: (slug: string) => data(raw.DELETE("/api/v1/admin/integrations/{slug}", path({ slug }))),
    deleteLayout: (name: string) => data(raw.DELETE("/api/v1/admin/layouts/{name}", path({ name })), "allowed"),
    revealKey: async (slug: string, password: string) =>
      (await data(raw.POST("/api/v1/admin/integrations/{slug}/key/reveal", { ...path({ slug }), body: { password } }))).key,
    rotateKey: (slug: string, password: string, key: string, graceHours: number | undefined) =>
      data(
        raw.POST("/api/v1/admin/integrations/{slug}/key/rotate", {
          ...path({ slug }),
          body: { password, ...(key ? { key } : {}), ...(graceHours !== undefined ? { graceHours } : {}) },
        }),
      ),
    listFields: () => data(raw.GET("/api/v1/admin/fields")),
    putField: (object: string, key: string, label: Label, type: FieldType, values?: string[]) =>
      data(raw.PUT("/api/v1/admin/fields/{object}/{key}", { ...path({ object, key }), body: values ? { label, type, values } : { label, type } })),
    retireField: (object: string, key: string) => data(raw.DELETE("/api/v1/admin/fields/{object}/{key}", path({ object, key })), "allowed"),
    listLayouts: async () => (await data(raw.GET("/api/v1/admin/layouts"))).layouts,
    putLayout: (doc: LayoutDoc) => data(raw.PUT("/api/v1/admin/layouts", { body: doc })),
    previewLayout: (layout: LayoutDoc, contactId: string) => data(raw.POST("/api/v1/admin/layouts/preview", { body: { layout, contactId } })),
    contacts: async (q: string) => (await data(raw.GET("/api/v1/admin/contacts", { params: { query: q ? { q } : {} } }))).contacts,
    listAgents: () => data(raw.GET("/api/v1/admin/agents")),
    importAgents: (format: "csv" | "ndjson", content: string) => data(raw.POST("/api/v1/admin/agents/import", { body: { format, content } })),
    setAgentGroups: (id: string, groups: string[]) => data(raw.PUT("/api/v1/admin/agents/{id}/groups", { ...path({ id }), body: { groups } })),
    simulate: (integration: string, input: string) => data(raw.POST("/api/v1/admin/simulate", { body: { integration, input } })),
    audit: ({ limit, ...q }: AuditQuery & { limit?: number }) =>
      data(raw.GET("/api/v1/admin/audit", { params: { query: auditParams(q, limit) } })),
  };
}

export type AdminClient = ReturnType<typeof createAdminClient>;
