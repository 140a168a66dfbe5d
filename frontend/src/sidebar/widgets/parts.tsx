// Small pieces the built-in widgets are made of, for custom widgets too:
// a copy button, a relative date, a status badge.
import { useEffect, useRef, useState } from "preact/hooks";
import { statusWord, t } from "../../shared/i18n";
import { copyText } from "../clipboard";
import { useEnv } from "../env";
import { formatDate, formatDateTime, instantOf, relativeTime, toneOf } from "../format";

/** How long "Copied" stays, in ms. */
export const COPIED_MS = 1500;

type Copy = "idle" | "copied" | "failed";

/**
 * A button that copies text, then says "Copied" (announced to screen
 * readers through the status next to it). label names what is copied.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { lang } = useEnv();
  const [state, setState] = useState<Copy>("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), ok ? COPIED_MS : COPIED_MS * 3);
  };
  const name = t(lang, "copy.label", { label });
  return (
    <span class="copy-wrap">
      <button type="button" class="copy" aria-label={name} title={t(lang, "copy")} data-testid="copy" onClick={copy}>
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
          <path d="M5 1.5h7.5A1.5 1.5 0 0 1 14 3v8.5M3.5 4.5h6A1.5 1.5 0 0 1 11 6v7A1.5 1.5 0 0 1 9.5 14.5h-6A1.5 1.5 0 0 1 2 13V6a1.5 1.5 0 0 1 1.5-1.5z" />
        </svg>
      </button>
      <span class={`copy-status ${state}`} role="status" data-testid="copy-status">
        {state === "copied" ? t(lang, "copied") : state === "failed" ? t(lang, "copy.failed") : ""}
      </span>
    </span>
  );
}

/** A date or datetime as "3 days ago" / "昨天", with the exact date on hover; raw text when it is not a date. */
export function RelativeTime({ value, dateOnly = false }: { value: string; dateOnly?: boolean }) {
  const { lang, now } = useEnv();
  if (instantOf(value) === null) return <>{value}</>;
  const exact = dateOnly ? formatDate(value, lang) : formatDateTime(value, lang);
  return (
    <time dateTime={value.trim()} title={exact}>
      {relativeTime(value, now, lang, dateOnly)}
    </time>
  );
}

/** A status or enum value as a coloured badge, in words of the UI language ("paid" → "Paid", "已付款"). */
export function StatusBadge({ value, label }: { value: string; label?: string }) {
  const { lang } = useEnv();
  return (
    <span class="badge" data-tone={toneOf(value)} data-status={value} title={label}>
      {statusWord(lang, value)}
    </span>
  );
}
