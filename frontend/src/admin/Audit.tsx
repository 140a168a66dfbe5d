// The audit trail: filters (integration, who, contact, visitor, action,
// time), newest first, older pages on demand, and an NDJSON export with the
// same filters. Events show the names of what they refer to (the server
// joins them in); the designer's previews are hidden unless asked for.
import { useEffect, useState } from "preact/hooks";
import { auditQueryString, type AdminClient, type AuditQuery } from "./api";
import codes from "./codes.json";
import { auditActionName } from "./codes";
import { t, type Lang } from "../shared/i18n";
import "./messages";
import type { AuditEvent, Integration } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

/** Every action the server may record (codes.json, kept by a Go test). */
export const auditActions: string[] = codes.auditActions;

/** The list's filters: the export's, and whether to show the designer's previews. */
type Query = AuditQuery & { integration?: string; contact?: string; previews?: string };

/** A name with the internal id it stands for, when both are known. */
function named(name: string | undefined, id: string | undefined): string {
  if (name && id) return `${name} (#${id})`;
  return name || (id ? `#${id}` : "");
}

/** A datetime-local value as RFC 3339 in UTC, or undefined. */
export function toRFC3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function Audit({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [form, setForm] = useState({ action: "", integration: "", actor: "", contact: "", contactId: "", visitorId: "", since: "", until: "" });
  const [previews, setPreviews] = useState(false);
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const [query, setQuery] = useState<Query>({});
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<Failure>(null);
  const load = (q: Query, append: boolean) =>
    client
      .audit({ ...q, limit: 100 })
      .then((r) => {
        setEvents((prev) => (append ? [...(prev ?? []), ...r.events] : r.events));
        setNext(r.next);
        setFailure(null);
      })
      .catch((e) => setFailure(asFailure(e)));
  useEffect(() => {
    void load({}, false);
    client
      .listIntegrations()
      .then((l) => setIntegrations([...l].sort((a, b) => a.name.localeCompare(b.name))))
      .catch(() => setIntegrations([]));
  }, []);
  const { previews: _shown, ...exported } = query;
  const input = (k: keyof typeof form, label: Parameters<typeof t>[1], type = "text") => (
    <FieldRow label={t(lang, label)} error={fieldError(failure, k)} id={k}>
      <input name={k} type={type} value={form[k]} onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })} />
    </FieldRow>
  );
  return (
    <section>
      <h1>{t(lang, "aud.title")}</h1>
      <form
        class="box form"
        data-testid="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          const q: Query = {
            action: form.action || undefined,
            integration: form.integration || undefined,
            actor: form.actor.trim() || undefined,
            contact: form.contact.trim() || undefined,
            contactId: form.contactId.trim() || undefined,
            visitorId: form.visitorId.trim() || undefined,
            since: toRFC3339(form.since),
            until: toRFC3339(form.until),
            previews: previews ? "true" : undefined,
          };
          setQuery(q);
          void load(q, false);
        }}
      >
        <div class="grid3">
          <FieldRow label={t(lang, "aud.action")}>
            <select name="action" value={form.action} onChange={(e) => setForm({ ...form, action: e.currentTarget.value })} data-testid="audit-action">
              <option value="">{t(lang, "aud.anyAction")}</option>
              {auditActions.map((a) => (
                <option key={a} value={a}>
                  {auditActionName(lang, a)}
                </option>
              ))}
            </select>
          </FieldRow>
          <FieldRow label={t(lang, "aud.integration")} error={fieldError(failure, "integration")} id="integration">
            <select
              name="integration"
              value={form.integration}
              onChange={(e) => setForm({ ...form, integration: e.currentTarget.value })}
              data-testid="audit-integration"
            >
              <option value="">{t(lang, "aud.anyIntegration")}</option>
              {integrations.map((i) => (
                <option key={i.slug} value={i.slug}>
                  {i.name}
                </option>
              ))}
            </select>
          </FieldRow>
          {input("actor", "aud.actor")}
          {input("contact", "aud.contactName")}
          {input("contactId", "aud.contactId")}
          {input("visitorId", "aud.visitorId")}
          {input("since", "aud.since", "datetime-local")}
          {input("until", "aud.until", "datetime-local")}
        </div>
        <label class="check">
          <input type="checkbox" checked={previews} onChange={(e) => setPreviews(e.currentTarget.checked)} data-testid="audit-previews" />{" "}
          {t(lang, "aud.previews")}
        </label>
        <ErrorBanner failure={failure} lang={lang} shown={Object.keys(form)} />
        <div class="btns">
          <button type="submit" data-testid="audit-apply">
            {t(lang, "aud.apply")}
          </button>
          <a class="button secondary" href={`/api/v1/admin/audit/export${auditQueryString(exported)}`} download data-testid="audit-export">
            {t(lang, "aud.export")}
          </a>
        </div>
      </form>
      {events === null ? (
        <p class="loading">{t(lang, "admin.loading")}</p>
      ) : events.length === 0 ? (
        <p class="none">{t(lang, "aud.none")}</p>
      ) : (
        <div class="box">
          <table data-testid="audit-events">
            <thead>
              <tr>
                <th>{t(lang, "aud.at")}</th>
                <th>{t(lang, "aud.action")}</th>
                <th>{t(lang, "aud.actor")}</th>
                <th>{t(lang, "aud.integration")}</th>
                <th>{t(lang, "aud.visitor")}</th>
                <th>{t(lang, "aud.contact")}</th>
                <th>{t(lang, "aud.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((ev) => (
                <tr key={ev.id} data-action={ev.action}>
                  <td>{new Date(ev.at).toLocaleString(lang === "zh" ? "zh-CN" : "en")}</td>
                  <td title={ev.action}>{auditActionName(lang, ev.action)}</td>
                  <td data-testid="audit-actor" title={ev.actor}>
                    {ev.actorName ? `${ev.actorName} (${ev.actor})` : ev.actor}
                  </td>
                  <td data-testid="audit-integration-name" title={ev.integrationSlug}>
                    {named(ev.integrationName, ev.integrationId)}
                  </td>
                  <td data-testid="audit-visitor">{named(ev.visitorName, ev.visitorId)}</td>
                  <td data-testid="audit-contact">{named(ev.contactName, ev.contactId)}</td>
                  <td class="muted small">
                    {Object.entries(ev.detail)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(" ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {next && (
            <button type="button" class="secondary" onClick={() => load({ ...query, before: next }, true)}>
              {t(lang, "aud.more")}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
