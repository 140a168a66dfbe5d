// Turning a record's raw values (strings from the API) into display text.
import type { CrmRecord, FieldDef } from "../api/types";
import { locale, t, type Lang } from "../shared/i18n";

export const EMPTY = "—";

export type Values = Record<string, string | null | undefined>;

/** How a value is shown: its text, and a link target where one makes sense. */
export interface Display {
  text: string;
  href?: string;
}

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})/;

// Intl formatters are made once per language and options: making one costs
// far more than using it (a DateTimeFormat, around a millisecond), and a
// sidebar formats dozens of values. They hold no data, only the formats.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

function numberFormat(lang: Lang, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`n|${lang}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale(lang), options));
}

function dateTimeFormat(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(`d|${lang}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale(lang), options));
}

function relativeFormat(lang: Lang): Intl.RelativeTimeFormat {
  return cached(`r|${lang}`, () => new Intl.RelativeTimeFormat(locale(lang), { numeric: "auto" }));
}

/**
 * Makes the formatters a sidebar uses most, for lang. The first Intl
 * formatter of a page starts ICU, which takes tens of milliseconds; the App
 * calls this while the network answers the session, so that cost is not
 * paid between the context's answer and the data on screen.
 */
export function warmFormatters(lang: Lang): void {
  numberFormat(lang, { maximumFractionDigits: 20 });
  numberFormat(lang, { style: "currency", currency: "CNY" });
  relativeFormat(lang);
  dateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  dateTimeFormat(lang, { timeStyle: "short" });
}

/**
 * The currency of a money field's amount in a record: the record's own
 * (the server sends it whether or not the panel shows the currency field),
 * else the shown currency field's value.
 */
export function currencyOf(field: FieldDef, record: Pick<CrmRecord, "values" | "currencies">): string | null {
  return record.currencies?.[field.key] || (field.currencyField ? (record.values?.[field.currencyField] ?? null) : null);
}

/** A money amount in its currency (an ISO code), in the UI language; raw when it is not a number. */
export function formatMoney(raw: string, currency: string | null | undefined, lang: Lang): string {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n)) return raw;
  const fractionDigits = Math.min(Math.max((raw.split(".")[1] ?? "").length, 2), 4);
  const code = currency?.trim().toUpperCase();
  if (code && /^[A-Z]{3}$/.test(code)) {
    try {
      return numberFormat(lang, { style: "currency", currency: code }).format(n);
    } catch {
      // an unknown currency code: fall through to a plain number
    }
  }
  const plain = numberFormat(lang, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(n);
  return code ? `${plain} ${code}` : plain;
}

export function formatNumber(raw: string, lang: Lang): string {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n)) return raw;
  return numberFormat(lang, { maximumFractionDigits: 20 }).format(n);
}

/** A calendar date: the Y-M-D written in the value, whatever the time zone. */
export function formatDate(raw: string, lang: Lang): string {
  const m = dateOnly.exec(raw.trim());
  if (!m) return raw;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return raw;
  return dateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** An instant, shown in the agent's time zone. */
export function formatDateTime(raw: string, lang: Lang, timeZone?: string): string {
  const d = new Date(raw.trim());
  if (!raw.trim() || Number.isNaN(d.getTime())) return raw;
  return dateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone }).format(d);
}

export function formatBool(raw: string, lang: Lang): string {
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

/** The instant a date or datetime value names, in ms since the epoch, or null. A date is its UTC midnight. */
export function instantOf(raw: string | null | undefined): number | null {
  const s = raw?.trim();
  if (!s) return null;
  const m = dateOnly.exec(s);
  if (m && s.length === 10) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const ms = new Date(s).getTime();
  return Number.isNaN(ms) ? null : ms;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago (or ahead) raw is from now, in words of the UI language:
 * "3 days ago", "昨天", "in 2 hours". A date-only value counts whole days.
 * Raw when it is not a date.
 */
export function relativeTime(raw: string, now: number, lang: Lang, dateOnlyValue = false): string {
  const at = instantOf(raw);
  if (at === null) return raw;
  const rtf = relativeFormat(lang);
  if (dateOnlyValue) {
    const today = new Date(now);
    const todayUTC = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
    const days = Math.round((at - todayUTC) / DAY);
    if (Math.abs(days) < 30) return rtf.format(days, "day");
  }
  const diff = at - now;
  const sign = diff < 0 ? -1 : 1;
  // Thresholds on the rounded count, so 29.6 days is "last month", never "30 days ago".
  const minutes = Math.round(Math.abs(diff) / MINUTE);
  const hours = Math.round(Math.abs(diff) / HOUR);
  const days = Math.round(Math.abs(diff) / DAY);
  const months = Math.round(Math.abs(diff) / (30.44 * DAY));
  if (minutes < 1) return rtf.format(0, "second");
  if (minutes < 60) return rtf.format(sign * minutes, "minute");
  if (hours < 24) return rtf.format(sign * hours, "hour");
  if (days < 30) return rtf.format(sign * days, "day");
  if (months < 12) return rtf.format(sign * Math.max(months, 1), "month");
  return rtf.format(sign * Math.max(Math.round(Math.abs(diff) / (365.25 * DAY)), 1), "year");
}

/** The colour family of a status badge. The word is always shown too: colour is never the only signal. */
export type Tone = "ok" | "info" | "warn" | "bad" | "neutral";

const tones: Record<string, Tone> = {
  delivered: "ok", solved: "ok", resolved: "ok", won: "ok", completed: "ok", done: "ok", active: "ok",
  paid: "info", shipped: "info", qualified: "info", processing: "info", in_progress: "info", new: "info",
  open: "warn", pending: "warn", high: "warn", waiting: "warn", on_hold: "warn",
  refunded: "bad", cancelled: "bad", canceled: "bad", failed: "bad", urgent: "bad", overdue: "bad", lost: "bad",
};

/** The tone of a status value ("paid", "Open", "in progress"); neutral for values it does not know. */
export function toneOf(value: string | null | undefined): Tone {
  const k = value?.trim().toLowerCase().replace(/[\s-]+/g, "_") ?? "";
  return tones[k] ?? "neutral";
}

const idKey = /(^|_)(id|no|number|code)$/i;

/** Whether a field's clear value is worth a copy button: phones, emails and ids (order numbers too). */
export function copyable(field: FieldDef): boolean {
  return field.type === "phone" || field.type === "email" || idKey.test(field.key);
}

/** A time of day in the UI language ("10:32 AM", "10:32"), for "updated at". */
export function clockTime(ms: number, lang: Lang): string {
  return dateTimeFormat(lang, { timeStyle: "short" }).format(ms);
}
