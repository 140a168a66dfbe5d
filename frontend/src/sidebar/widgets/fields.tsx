// The built-in field widgets, one per field type of the API, and FieldValue,
// which every panel uses to show a value: empty, masked (with Show), or in
// clear through the widget registered for its type, with a copy button for
// phones, emails and ids.
import type { CrmRecord, FieldDef, Panel } from "../../api/types";
import { t, type Lang } from "../../shared/i18n";
import { MaskedValue } from "../actions";
import { useEnv } from "../env";
import { copyable, currencyOf, EMPTY, formatBool, formatDate, formatDateTime, formatMoney, formatNumber } from "../format";
import type { FieldProps, Place } from "../registry";
import { CopyButton, RelativeTime, StatusBadge } from "./parts";

export function TextField({ value }: FieldProps) {
  return <>{value}</>;
}

export function NumberField({ value, lang }: FieldProps) {
  return <>{formatNumber(value, lang)}</>;
}

/** The amount in the record's own currency, never converted. */
export function MoneyField({ field, value, record, lang }: FieldProps) {
  const currency = currencyOf(field, record);
  return <span class="money">{formatMoney(value, currency, lang)}</span>;
}

/** Relative in list rows ("3 days ago"), the calendar date elsewhere. */
export function DateField({ value, lang, place }: FieldProps) {
  return place === "list" ? <RelativeTime value={value} dateOnly /> : <>{formatDate(value, lang)}</>;
}

export function DateTimeField({ value, lang, place }: FieldProps) {
  return place === "list" ? <RelativeTime value={value} /> : <>{formatDateTime(value, lang)}</>;
}

export function EnumField({ field, value, lang }: FieldProps) {
  return <StatusBadge value={value} label={label(field.label, lang, field.key)} />;
}

export function BoolField({ value, lang }: FieldProps) {
  return <>{formatBool(value, lang)}</>;
}

export function PhoneField({ value }: FieldProps) {
  const dial = value.replace(/[^\d+]/g, "");
  return dial ? <a href={`tel:${dial}`}>{value}</a> : <>{value}</>;
}

export function EmailField({ value }: FieldProps) {
  return value.includes("@") ? <a href={`mailto:${value.trim()}`}>{value}</a> : <>{value}</>;
}

/** http(s) links only: anything else (javascript:, data:) is shown as text. */
export function UrlField({ value }: FieldProps) {
  const href = value.trim();
  return /^https?:\/\//i.test(href) ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {value}
    </a>
  ) : (
    <>{value}</>
  );
}

/** A type this build has no widget for: the text as it came, saying so on hover. */
export function UnknownField({ field, value, lang }: FieldProps) {
  return (
    <span class="unknown-type" data-unknown-type={field.type} title={t(lang, "fallback.field", { type: String(field.type) })}>
      {value}
    </span>
  );
}

/** A label in lang, the other language's when missing, else the fallback (a key). */
export function label(l: Partial<Record<Lang, string>> | undefined, lang: Lang, fallback: string): string {
  return l?.[lang] || l?.[lang === "zh" ? "en" : "zh"] || fallback;
}

interface ValueProps {
  panel: Panel;
  record: CrmRecord;
  field: FieldDef;
  place: Place;
}

/**
 * A record's value of field, as panels show it: a dash when empty; masked
 * with a Show button (given actions) when the layout masks it; else through
 * the widget registered for its type (UnknownField without one), plus a copy
 * button for phones, emails and ids.
 */
export function FieldValue({ panel, record, field, place }: ValueProps) {
  const { lang, actions } = useEnv();
  const raw = record.values?.[field.key];
  if (raw === null || raw === undefined || raw === "") return <span class="value-none">{EMPTY}</span>;
  const name = label(field.label, lang, field.key);
  if (field.masked) {
    if (!actions) {
      return (
        <span class="masked" title={t(lang, "masked")}>
          {raw}
        </span>
      );
    }
    // Keyed by record and value: a clear value never outlives the masked one it replaced.
    return (
      <MaskedValue
        key={`${record.id}|${raw}`}
        text={raw}
        req={{ object: panel.object, recordId: record.id, field: field.key }}
        testId={`reveal-${panel.key}-${record.id}-${field.key}`}
        label={name}
        lang={lang}
        actions={actions}
        clear={(value) =>
          value === null || value === "" ? (
            EMPTY
          ) : (
            <Clear panel={panel} record={record} field={{ ...field, masked: false }} place={place} value={value} name={name} />
          )
        }
      />
    );
  }
  return <Clear panel={panel} record={record} field={field} place={place} value={raw} name={name} />;
}

function Clear(props: ValueProps & { value: string; name: string }) {
  const { lang, widgets } = useEnv();
  const { field, value, name } = props;
  const Widget = widgets.fieldWidget(field.type) ?? UnknownField;
  const shown = <Widget field={field} value={value} record={props.record} panel={props.panel} lang={lang} place={props.place} />;
  if (!copyable(field)) return shown;
  return (
    <span class="with-copy">
      {shown}
      <CopyButton text={value} label={name} />
    </span>
  );
}
