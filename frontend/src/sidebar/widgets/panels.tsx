// The built-in panel widgets: one record as label/value rows, a list of
// records as rows with a title, a status badge and details, and the plain-text
// fallback for a panel nothing else can show.
import type { FieldDef } from "../../api/types";
import { t } from "../../shared/i18n";
import type { PanelProps } from "../registry";
import { FieldValue, label } from "./fields";

const statusKey = /(^|_)(status|state|stage|priority)$/i;

/** The field shown as a badge in list rows: an enum, or a status-like key. */
export function badgeField(fields: FieldDef[]): FieldDef | undefined {
  return fields.find((f) => f.type === "enum") ?? fields.find((f) => statusKey.test(f.key));
}

/** Money fields already show their currency: the currency fields they name would repeat it. */
export function shownFields(fields: FieldDef[]): FieldDef[] {
  const currencies = new Set(fields.filter((f) => f.type === "money" && f.currencyField).map((f) => f.currencyField));
  return fields.filter((f) => !currencies.has(f.key));
}

export function Empty({ lang }: Pick<PanelProps, "lang">) {
  return <p class="empty">{t(lang, "empty")}</p>;
}

/** One record (a contact, an account) as label/value rows. */
export function RecordPanel({ panel, lang }: PanelProps) {
  const rec = panel.records[0];
  if (!rec) return <Empty lang={lang} />;
  return (
    <dl class="fields">
      {panel.fields.map((f) => (
        <div class="row" key={f.key} data-field={f.key}>
          <dt>{label(f.label, lang, f.key)}</dt>
          <dd>
            <FieldValue panel={panel} record={rec} field={f} place="record" />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Records as rows: the first field as the title, a status badge, the other fields as details. */
export function ListPanel({ panel, lang }: PanelProps) {
  if (panel.records.length === 0) return <Empty lang={lang} />;
  const badge = badgeField(panel.fields);
  const shown = shownFields(panel.fields).filter((f) => f !== badge);
  // The first text field names the row (a subject, a title), else the first field.
  const title = shown.find((f) => f.type === "text") ?? shown[0];
  const meta = shown.filter((f) => f !== title);
  return (
    <ul class="items">
      {panel.records.map((r) => (
        <li class="item" key={r.id} data-record={r.id}>
          <div class="item-top">
            <span class="item-title">{title ? <FieldValue panel={panel} record={r} field={title} place="list" /> : label(panel.title, lang, panel.key)}</span>
            {badge && r.values[badge.key] && <FieldValue panel={panel} record={r} field={{ ...badge, type: "enum" }} place="list" />}
          </div>
          {meta.length > 0 && (
            <div class="item-meta">
              {meta.map((f) => (
                <span key={f.key} data-field={f.key}>
                  <span class="k">{label(f.label, lang, f.key)}</span> <FieldValue panel={panel} record={r} field={f} place="list" />
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Every record's values as plain text, with why: for a panel of a kind this
 * build does not know, or whose widget failed. It uses no other widget, so it
 * cannot fail the same way, and copes with a malformed panel.
 */
export function PlainPanel({ panel, lang, reason }: PanelProps & { reason: "kind" | "failed" }) {
  const fields = Array.isArray(panel.fields) ? panel.fields : [];
  const records = Array.isArray(panel.records) ? panel.records : [];
  return (
    <div class="plain" data-testid="plain-fallback" data-reason={reason}>
      <p class="fallback-note">
        {reason === "kind" ? t(lang, "fallback.panel", { kind: String(panel.kind) }) : t(lang, "fallback.widget")}
      </p>
      {records.length === 0 ? (
        <Empty lang={lang} />
      ) : (
        records.map((r, i) => (
          <dl class="fields" key={String(r?.id ?? i)}>
            {fields.map((f, j) => {
              const v = r?.values?.[f?.key];
              return (
                <div class="row" key={String(f?.key ?? j)}>
                  <dt>{label(f?.label, lang, String(f?.key ?? ""))}</dt>
                  <dd>{v === null || v === undefined || v === "" ? "—" : String(v)}</dd>
                </div>
              );
            })}
          </dl>
        ))
      )}
    </div>
  );
}

/** The registry's answer for a panel kind it does not know. */
export function UnknownKindPanel(props: PanelProps) {
  return <PlainPanel {...props} reason="kind" />;
}
