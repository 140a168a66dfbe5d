// Turning a record's raw values (strings from the API) into display text.
import type { FieldDef } from "../api/types";
import { locale, t, type Lang } from "../shared/i18n";

export const EMPTY = "—";

export type Values = Record<string, string | null | undefined>;

/** How a value is shown: its text, and a link target where one makes sense. */
export interface Display {
  text: string;
  href?: string;
}

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})/;

function formatMoney(raw: string, currency: string | null | undefined, lang: Lang): string {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n)) return raw;
  const fractionDigits = Math.min(Math.max((raw.split(".")[1] ?? "").length, 2), 4);
  const code = currency?.trim().toUpperCase();
  if (code && /^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat(locale(lang), { style: "currency", currency: code }).format(n);
    } catch {
      // an unknown currency code: fall through to a plain number
    }
  }
  const plain = new Intl.NumberFormat(locale(lang), {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(n);
  return code ? `${plain} ${code}` : plain;
}

function formatNumber(raw: string, lang: Lang): string {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n)) return raw;
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 20 }).format(n);
}

/** A calendar date: the Y-M-D written in the value, whatever the time zone. */
function formatDate(raw: string, lang: Lang): string {
  const m = dateOnly.exec(raw.trim());
  if (!m) return raw;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return raw;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** An instant, shown in the agent's time zone. */
function formatDateTime(raw: string, lang: Lang, timeZone?: string): string {
  const d = new Date(raw.trim());
  if (!raw.trim() || Number.isNaN(d.getTime())) return raw;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeStyle: "short", timeZone }).format(d);
}

function formatBool(raw: string, lang: Lang): string {
  const v = raw.trim().toLowerCase();
  if (v === "true" || v === "1" || v === "yes") return t(lang, "yes");
  if (v === "false" || v === "0" || v === "no") return t(lang, "no");
  return raw;
}

/**
 * The display of field's value in a record. Masked values are shown as they
 * arrive; an unknown type shows the raw text.
 */
export function displayValue(field: FieldDef, values: Values, lang: Lang, timeZone?: string): Display {
  const raw = values[field.key];
  if (raw === null || raw === undefined || raw === "") return { text: EMPTY };
  if (field.masked) return { text: raw };
  switch (field.type) {
    case "money":
      return { text: formatMoney(raw, field.currencyField ? values[field.currencyField] : null, lang) };
    case "number":
      return { text: formatNumber(raw, lang) };
    case "date":
      return { text: formatDate(raw, lang) };
    case "datetime":
      return { text: formatDateTime(raw, lang, timeZone) };
    case "bool":
      return { text: formatBool(raw, lang) };
    case "phone":
      return { text: raw, href: `tel:${raw.replace(/[^\d+]/g, "")}` };
    case "email":
      return raw.includes("@") ? { text: raw, href: `mailto:${raw}` } : { text: raw };
    case "url":
      return /^https?:\/\//i.test(raw.trim()) ? { text: raw, href: raw.trim() } : { text: raw };
    default:
      // text, enum, and any type this build does not know yet
      return { text: raw };
  }
}

/** Only the text of displayValue. */
export function formatValue(field: FieldDef, values: Values, lang: Lang, timeZone?: string): string {
  return displayValue(field, values, lang, timeZone).text;
}
