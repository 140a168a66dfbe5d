// Small building blocks shared by the console's screens: labelled inputs
// that show the API's field-level errors, an error banner, a copy button.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { errorText, t, type Lang } from "../shared/i18n";
import "./messages";

/** The error of a failed call, as the screens keep it. */
export type Failure = ApiError | null;

export function asFailure(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("internal", e instanceof Error ? e.message : String(e));
}

/** The message the API gave for field (or a field under it), if any. */
export function fieldError(f: Failure, field: string): string | undefined {
  return f?.fieldMessage(field);
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

/** A failure that names no field (or fields the form does not show). */
/**
 * The error codes whose shared (sidebar) words also fit the console; the
 * others speak of the sidebar's URL, session or page and would mislead an
 * admin, so the server's own message is shown for them.
 */
const consoleWorded = new Set(["internal", "network", "rate_limited", "bad_response", "integration_disabled"]);

/** The words for failure in lang: errorText's when it knows the code, else the server's message. */
export function failureText(lang: Lang, failure: ApiError): string {
  return (consoleWorded.has(failure.code) && errorText(lang, failure.code)) || failure.message;
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
