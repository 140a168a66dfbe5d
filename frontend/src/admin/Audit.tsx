// The audit trail: filters (who, contact, visitor, action, time), newest
// first, older pages on demand, and an NDJSON export with the same filters.
import { useEffect, useState } from "preact/hooks";
import { auditQueryString, type AdminClient, type AuditQuery } from "./api";
import { t, type Lang } from "./i18n";
import type { AuditEvent } from "./types";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

export const auditActions = [
  "context.read",
  "field.reveal",
  "contact.search",
  "visitor.link",
  "visitor.unlink",
  "key.reveal",
  "key.rotate",
  "layout.change",
  "layout.preview",
  "integration.create",
  "integration.update",
  "field.change",
  "agents.import",
  "agent.groups",
  "simulate",
  "admin.password",
];

/** A datetime-local value as RFC 3339 in UTC, or undefined. */
export function toRFC3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function Audit({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [form, setForm] = useState({ action: "", actor: "", contactId: "", visitorId: "", since: "", until: "" });
  const [query, setQuery] = useState<AuditQuery>({});
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<Failure>(null);
  const load = (q: AuditQuery, append: boolean) =>
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
  }, []);
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
          const q: AuditQuery = {
            action: form.action || undefined,
            actor: form.actor.trim() || undefined,
            contactId: form.contactId.trim() || undefined,
            visitorId: form.visitorId.trim() || undefined,
            since: toRFC3339(form.since),
            until: toRFC3339(form.until),
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
                  {a}
                </option>
              ))}
            </select>
          </FieldRow>
          {input("actor", "aud.actor")}
          {input("contactId", "aud.contactId")}
          {input("visitorId", "aud.visitorId")}
          {input("since", "aud.since", "datetime-local")}
          {input("until", "aud.until", "datetime-local")}
        </div>
        <ErrorBanner failure={failure} lang={lang} shown={Object.keys(form)} />
        <div class="btns">
          <button type="submit" data-testid="audit-apply">
            {t(lang, "aud.apply")}
          </button>
          <a class="button secondary" href={`/api/v1/admin/audit/export${auditQueryString(query)}`} download data-testid="audit-export">
            {t(lang, "aud.export")}
          </a>
        </div>
      </form>
      {events === null ? (
        <p class="loading">{t(lang, "loading")}</p>
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
                <th>{t(lang, "aud.visitorId")}</th>
                <th>{t(lang, "aud.contactId")}</th>
                <th>{t(lang, "aud.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((ev) => (
                <tr key={ev.id} data-action={ev.action}>
                  <td>{new Date(ev.at).toLocaleString(lang === "zh" ? "zh-CN" : "en")}</td>
                  <td>
                    <code>{ev.action}</code>
                  </td>
                  <td>{ev.actor}</td>
                  <td>{ev.integrationId ?? ""}</td>
                  <td>{ev.visitorId ?? ""}</td>
                  <td>{ev.contactId ?? ""}</td>
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
