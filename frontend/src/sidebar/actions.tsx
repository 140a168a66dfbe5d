// The agent's actions in the sidebar: find and link the visitor's contact,
// say a linked contact is not this person, show a masked value in clear.
// Each widget keeps its own small state; the calls go through Actions (the
// App binds them to the session).
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type CandidateResults } from "../api/client";
import type { Candidate, RevealRequest } from "../api/types";
import { errorText, t, type Lang } from "../shared/i18n";

/** What the sidebar can do for the agent, bound to the session. */
export interface Actions {
  search(q: string): Promise<CandidateResults>;
  /** Links the visitor to the contact; resolves once the view shows it. */
  link(contactId: string): Promise<void>;
  /**
   * Unlinks the visitor; with notThisPerson the contact is never matched to
   * it automatically again (linking it by hand undoes that). Resolves once
   * the view shows it.
   */
  unlink(notThisPerson: boolean): Promise<void>;
  reveal(req: RevealRequest): Promise<string | null>;
}

/** The most contacts a search lists (the server's sidebar.MaxSearchResults). */
export const SEARCH_LIMIT = 10;

/** How long typing must pause before a search goes out, in ms. */
export const SEARCH_DELAY_MS = 250;

const han = /^\p{Script=Han}$/u;

/** Whether the server accepts q as a search: 2 to 100 bytes' worth of characters, or one Chinese character. */
export function searchable(q: string): boolean {
  const s = q.trim();
  const chars = [...s];
  if (new TextEncoder().encode(s).length > 100) return false;
  return chars.length >= 2 || (chars.length === 1 && han.test(s));
}

/** The agent's words for a failed action. */
export function actionError(lang: Lang, e: unknown): string {
  // An action past its limit, not failed sign-ins: its own words.
  if (e instanceof ApiError && e.code === "rate_limited") return t(lang, "err.action_limited");
  if (e instanceof ApiError) return errorText(lang, e.code, "context") ?? (e.message || t(lang, "err.unknown"));
  return t(lang, "err.unknown");
}

function InlineError({ text, id }: { text: string; id?: string }) {
  return (
    <p class="inline-error" role="alert" id={id} data-testid="action-error">
      {text}
    </p>
  );
}

function Result({ c, lang, busy, disabled, onLink }: { c: Candidate; lang: Lang; busy: boolean; disabled: boolean; onLink: () => void }) {
  return (
    <li class="result" data-testid={`candidate-${c.id}`}>
      <span class="result-who">
        <span class="candidate-name">{c.name}</span>
        {c.company && (
          <span class="candidate-company muted" data-testid="candidate-company">
            {c.company}
          </span>
        )}
        {c.hint && <span class="candidate-hint muted">{c.hint}</span>}
        {c.email && (
          <span class="candidate-email muted" data-testid="candidate-email">
            {c.email}
          </span>
        )}
      </span>
      <button
        type="button"
        class="btn"
        data-testid={`link-${c.id}`}
        aria-label={`${t(lang, "link")}: ${c.name}`}
        aria-busy={busy}
        disabled={disabled}
        onClick={onLink}
      >
        {busy ? t(lang, "linking") : t(lang, "link")}
      </button>
    </li>
  );
}

type Search =
  | { k: "idle" }
  | { k: "busy"; q: string; list: Candidate[] }
  | { k: "done"; q: string; list: Candidate[] }
  | { k: "error"; text: string };

/**
 * The not-linked visitor's way to a contact: the candidates automatic
 * matching found (first), then a search. Arrow keys move between the box and
 * the Link buttons; Enter in the box searches at once.
 */
export function LinkPicker(props: { candidates: Candidate[]; lang: Lang; actions: Actions; delayMs?: number; initial?: string }) {
  const { candidates, lang, actions, delayMs = SEARCH_DELAY_MS } = props;
  // Prefilled with what the platform sent (the visitor's name): searched at once.
  const [q, setQ] = useState(() => props.initial?.trim() ?? "");
  const [search, setSearch] = useState<Search>({ k: "idle" });
  const [linking, setLinking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const root = useRef<HTMLElement>(null);

  const run = (query: string) => {
    clearTimeout(timer.current);
    const n = ++seq.current;
    setSearch((s) => ({ k: "busy", q: query, list: s.k === "busy" || s.k === "done" ? s.list : [] }));
    actions.search(query).then(
      (list) => n === seq.current && setSearch({ k: "done", q: query, list }),
      (e: unknown) => n === seq.current && setSearch({ k: "error", text: actionError(lang, e) }),
    );
  };

  useEffect(() => {
    const query = q.trim();
    if (!searchable(query)) {
      seq.current++; // an answer still on its way is for an older query
      setSearch({ k: "idle" });
      return;
    }
    timer.current = setTimeout(() => run(query), delayMs);
    return () => clearTimeout(timer.current);
  }, [q]);

  const link = (id: string) => {
    if (linking) return;
    setLinking(id);
    setError(null);
    // On success the App shows the linked contact in place of this picker.
    actions.link(id).catch((e: unknown) => {
      setLinking(null);
      setError(actionError(lang, e));
    });
  };

  const onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const stops = [...(root.current?.querySelectorAll<HTMLElement>("input, .result button") ?? [])];
    const i = stops.indexOf(document.activeElement as HTMLElement);
    if (i < 0) return;
    const next = stops[ev.key === "ArrowDown" ? Math.min(i + 1, stops.length - 1) : Math.max(i - 1, 0)];
    ev.preventDefault();
    next?.focus();
  };

  const known = new Set(candidates.map((c) => c.id));
  const found = search.k === "busy" || search.k === "done" ? search.list.filter((c) => !known.has(c.id)) : [];
  // The server lists SEARCH_LIMIT at most, and says more: true when more match.
  const more = search.k === "done" && (search.list as CandidateResults).more === true;
  const tooLong = q.trim() !== "" && !searchable(q) && [...q.trim()].length > 1;
  const row = (c: Candidate) => (
    <Result key={c.id} c={c} lang={lang} busy={linking === c.id} disabled={!!linking} onLink={() => link(c.id)} />
  );

  return (
    <section class="card picker" data-testid="contact-picker" ref={root} onKeyDown={onKeyDown}>
      {candidates.length > 0 && (
        <div class="picker" data-testid="candidates">
          <h2>{t(lang, "candidates.title")}</h2>
          <ul class="results">{candidates.map(row)}</ul>
        </div>
      )}
      <label class="search-label" for="crmlens-search">
        {t(lang, "search.label")}
      </label>
      <input
        id="crmlens-search"
        class="search"
        type="search"
        data-testid="contact-search"
        value={q}
        maxLength={100}
        autoComplete="off"
        spellcheck={false}
        placeholder={t(lang, "search.placeholder")}
        aria-describedby="crmlens-search-status"
        onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            if (searchable(q)) run(q.trim());
          } else if (e.key === "Escape" && q) {
            e.preventDefault();
            setQ("");
          }
        }}
      />
      <p class="search-status muted" id="crmlens-search-status" role="status" data-testid="search-status">
        {search.k === "busy"
          ? t(lang, "search.searching")
          : search.k === "done" && search.list.length === 0
            ? t(lang, "search.none")
            : search.k === "idle"
              ? tooLong
                ? t(lang, "err.invalid_query")
                : t(lang, "search.hint")
              : ""}
      </p>
      {search.k === "error" && <InlineError text={search.text} />}
      {found.length > 0 && (
        <ul class="results" data-testid="search-results" aria-busy={search.k === "busy"}>
          {found.map(row)}
        </ul>
      )}
      {more && (
        <p class="search-more muted" data-testid="search-more">
          {t(lang, "search.more", { n: search.list.length })}
        </p>
      )}
      {error && <InlineError text={error} />}
    </section>
  );
}

/** Where the unlink is: idle, asking to confirm "not this person", or one of the two under way or failed. */
type Step =
  | { k: "idle" }
  | { k: "confirm" }
  | { k: "busy"; ntp: boolean }
  | { k: "error"; ntp: boolean; text: string };

/**
 * Unlink (at once: nobody is marked as the wrong person) beside "Not this
 * person" (with an inline confirm step: that contact is never matched to
 * this visitor automatically again).
 */
export function NotThisPerson({ lang, actions }: { lang: Lang; actions: Actions }) {
  const [step, setStep] = useState<Step>({ k: "idle" });
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    // Focus follows the step: Cancel when asked, the button again when cancelled.
    if (step.k === "confirm") cancelRef.current?.focus();
    else if (step.k === "idle" && wasOpen.current) openRef.current?.focus();
    wasOpen.current = step.k === "confirm" || (step.k !== "idle" && step.ntp);
  }, [step.k]);

  const run = (ntp: boolean) => {
    setStep({ k: "busy", ntp });
    actions.unlink(ntp).catch((e: unknown) => setStep({ k: "error", ntp, text: actionError(lang, e) }));
  };

  const confirming = step.k === "confirm" || (step.k !== "idle" && step.ntp);
  if (!confirming) {
    const busy = step.k === "busy";
    return (
      <div class="actions">
        <button type="button" class="btn quiet" data-testid="unlink" title={t(lang, "unlink.title")} disabled={busy} aria-busy={busy} onClick={() => run(false)}>
          {busy ? t(lang, "unlinking") : t(lang, "unlink")}
        </button>
        <button type="button" class="btn quiet" data-testid="not-this-person" ref={openRef} disabled={busy} onClick={() => setStep({ k: "confirm" })}>
          {t(lang, "notThisPerson")}
        </button>
        {step.k === "error" && <InlineError text={step.text} />}
      </div>
    );
  }
  const busy = step.k === "busy";
  return (
    <div
      class="confirm"
      role="group"
      aria-labelledby="crmlens-ntp"
      data-testid="not-this-person-confirm"
      onKeyDown={(e) => e.key === "Escape" && !busy && setStep({ k: "idle" })}
    >
      <p id="crmlens-ntp">{t(lang, "notThisPerson.confirm")}</p>
      <div class="actions">
        <button type="button" class="btn danger" data-testid="confirm-not-this-person" disabled={busy} aria-busy={busy} onClick={() => run(true)}>
          {busy ? t(lang, "unlinking") : t(lang, "notThisPerson.yes")}
        </button>
        <button type="button" class="btn quiet" data-testid="cancel-not-this-person" ref={cancelRef} disabled={busy} onClick={() => setStep({ k: "idle" })}>
          {t(lang, "cancel")}
        </button>
      </div>
      {step.k === "error" && <InlineError text={step.text} />}
    </div>
  );
}

type Shown = { k: "masked" } | { k: "busy" } | { k: "clear"; value: string | null } | { k: "error"; text: string };

/**
 * A masked value with a Show button; the clear value (rendered by clear)
 * replaces it for this record only. Errors are said next to it.
 */
export function MaskedValue(props: {
  text: string;
  req: RevealRequest;
  testId: string;
  label: string;
  lang: Lang;
  actions: Actions;
  clear: (value: string | null) => ComponentChildren;
}) {
  const { text, req, testId, label, lang, actions, clear } = props;
  const [shown, setShown] = useState<Shown>({ k: "masked" });
  const again = useRef<HTMLButtonElement>(null);
  const hidden = useRef(false);
  useEffect(() => {
    // Focus stays on the value's button: Show again after Hide.
    if (shown.k === "masked" && hidden.current) again.current?.focus();
  }, [shown.k]);
  if (shown.k === "clear") {
    return (
      <span class="revealed" data-revealed="true">
        {clear(shown.value)}{" "}
        <button
          type="button"
          class="reveal"
          data-testid={`hide-${testId.replace(/^reveal-/, "")}`}
          aria-label={`${t(lang, "hide.label")}: ${label}`}
          title={t(lang, "hide.label")}
          onClick={() => {
            hidden.current = true;
            setShown({ k: "masked" });
          }}
        >
          {t(lang, "hide")}
        </button>
      </span>
    );
  }
  const busy = shown.k === "busy";
  const reveal = () => {
    setShown({ k: "busy" });
    actions.reveal(req).then(
      (value) => setShown({ k: "clear", value }),
      (e: unknown) => setShown({ k: "error", text: actionError(lang, e) }),
    );
  };
  return (
    <span class="masked-value">
      <span class="masked" title={t(lang, "masked")}>
        {text}
      </span>{" "}
      <button
        type="button"
        class="reveal"
        ref={again}
        data-testid={testId}
        aria-label={`${t(lang, "reveal.label")}: ${label}`}
        title={t(lang, "reveal.label")}
        aria-busy={busy}
        disabled={busy}
        onClick={reveal}
      >
        {t(lang, "reveal")}
      </button>
      {busy && <span class="sr-only" role="status">{t(lang, "revealing")}</span>}
      {shown.k === "error" && (
        <span class="inline-error" role="alert" data-testid="action-error">
          {shown.text}
        </span>
      )}
    </span>
  );
}

/**
 * Undoes "Not this person": links the contact an agent said is not this
 * visitor again (the server then forgets the rejection).
 */
export function Relink({ contact, lang, actions }: { contact: { id: string; name: string }; lang: Lang; actions: Actions }) {
  const [step, setStep] = useState<{ k: "idle" } | { k: "busy" } | { k: "error"; text: string }>({ k: "idle" });
  const busy = step.k === "busy";
  const relink = () => {
    setStep({ k: "busy" });
    actions.link(contact.id).catch((e: unknown) => setStep({ k: "error", text: actionError(lang, e) }));
  };
  return (
    <div class="actions">
      <button type="button" class="btn" data-testid="relink" disabled={busy} aria-busy={busy} onClick={relink}>
        {busy ? t(lang, "linking") : t(lang, "relink", { name: contact.name })}
      </button>
      {step.k === "error" && <InlineError text={step.text} />}
    </div>
  );
}
