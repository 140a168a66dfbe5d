// Small building blocks shared by the console's screens: labelled inputs
// that show the API's field-level errors, an error banner, a copy button.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { errorText, langFromTag, t, type Lang } from "../shared/i18n";
import { errorWords } from "./codes";
import "./messages";

/** The error of a failed call, as the screens keep it. */
export type Failure = ApiError | null;

export function asFailure(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("internal", e instanceof Error ? e.message : String(e));
}

/**
 * The console's language when a caller does not pass one: the page's, which
 * Console sets on <html lang> (zh-CN or en).
 */
function pageLang(): Lang {
  return langFromTag(typeof document === "undefined" ? null : document.documentElement.lang) ?? "en";
}

/**
 * The error for field (or a field under it) in lang, if the API named it:
 * in zh worded from the error's code, params and field (errorWords), in en
 * (or for a code the catalogue cannot word) the server's English message.
 */
export function fieldError(f: Failure, field: string, lang: Lang = pageLang()): string | undefined {
  const fe = f?.fields.find((x) => x.field === field || x.field.startsWith(field + "."));
  if (!f || !fe) return undefined;
  if (lang === "en" && fe.message) return fe.message;
  return errorWords(lang, f.code, f.params, fe.field) ?? fe.message;
}

export function FieldRow(props: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <div class={props.error ? "form-row has-error" : "form-row"}>
      <label>
        <span class="form-label">{props.label}</span>
        {props.children}
      </label>
      {props.hint && <p class="hint">{props.hint}</p>}
      {props.error && (
        <p class="field-error" role="alert" data-testid={props.id ? `error-${props.id}` : undefined}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * The error codes whose shared (sidebar) words also fit the console; the
 * others speak of the sidebar's URL, session or page and would mislead an
 * admin, so the server's own message is shown for them.
 */
const consoleWorded = new Set(["internal", "network", "rate_limited", "bad_response", "integration_disabled"]);

/**
 * The words for failure in lang: errorText's for the codes whose sidebar
 * words fit the console; else, in en, the server's message (the most
 * precise English); in zh the code worded from the catalogue (codes.ts,
 * errorWords) with its params; the server's message for a code the
 * catalogue does not know (a newer server).
 */
export function failureText(lang: Lang, failure: ApiError): string {
  const shared = consoleWorded.has(failure.code) && errorText(lang, failure.code);
  if (shared) return shared;
  if (lang === "en" && failure.message) return failure.message;
  return errorWords(lang, failure.code, failure.params, failure.params.field) ?? failure.message;
}

export function ErrorBanner({ failure, lang, shown = [] }: { failure: Failure; lang: Lang; shown?: string[] }) {
  if (!failure) return null;
  const covered = failure.fields.length > 0 && failure.fields.every((f) => shown.some((s) => f.field === s || f.field.startsWith(s + ".")));
  if (covered) return null;
  return (
    <div class="banner bad" role="alert" data-testid="error-banner" data-code={failure.code}>
      <strong>{t(lang, "error.generic")}:</strong> <span title={failure.message}>{failureText(lang, failure)}</span> <code>{failure.code}</code>
    </div>
  );
}

export function CopyButton({ text, lang, testId }: { text: string; lang: Lang; testId?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="secondary small"
      data-testid={testId}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Without clipboard access the text stays selectable beside the button.
        }
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? t(lang, "copied") : t(lang, "copy")}
    </button>
  );
}

/** Splits "a, b,c" into ["a","b","c"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,，\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}
