// The sidebar's flow: get the params (from the URL, or from a Chatwoot
// dashboard's message), open a session, load the context, render.
import type { ComponentChildren } from "preact";
import { useEffect, useErrorBoundary, useRef, useState } from "preact/hooks";
import { asApiError, retryHelps, sessionGone, type SidebarClient } from "../api/client";
import type { SidebarContext } from "../api/types";
import { langFromTag, locale, pickLang, t, type Lang } from "../shared/i18n";
import {
  MAX_CONTEXT_CHARS,
  sameParams,
  sameVisitor,
  type ChatwootContext,
  type ChatwootHost,
  type ChatwootParams,
  type Rejection,
} from "./chatwoot";
import { localProblem, pageMode, type PageParams } from "./params";
import type { Actions } from "./actions";
import { warmFormatters } from "./format";
import { memoryOnly, type PanelMemory } from "./prefs";
import type { Registry } from "./registry";
import { keepNothing, type SessionKeeper } from "./resume";
import { ErrorState, SidebarView, Skeleton, Waiting, type ErrorStage } from "./views";

type Failure = { code: string; message: string };

type Ready = {
  k: "ready";
  ctx: SidebarContext;
  token: string;
  /** The params the session was opened with: a refresh after the token expired opens another. */
  params: Record<string, string>;
  /** Which visitor's load this is: answers for an earlier one change nothing. */
  view: number;
  loadedAt: number;
  busy: boolean;
  /** The last refresh failed while this data stayed on screen. */
  failed: Failure | null;
};

type State =
  | { k: "loading" }
  | { k: "waiting" }
  /** Chatwoot mode: the only contexts so far were refused; the last one's reason. */
  | { k: "rejected"; why: Rejection }
  | { k: "error"; code: string; message: string; retry: boolean; stage: ErrorStage }
  | Ready;

/** Performance marks of a load (read by the e2e performance test). */
export const MARK_CONTEXT = "crmlens:context-received";
export const MARK_DATA = "crmlens:data-rendered";
export const MEASURE = "crmlens:context-to-data";

/** How often relative dates ("3 minutes ago") are brought up to date, in ms. */
const TICK_MS = 60_000;

export interface AppProps {
  page: PageParams;
  client: SidebarClient;
  navigatorLang?: string;
  /** Given when the page is framed: the Chatwoot dashboard that may be framing it. */
  chatwoot?: ChatwootHost;
  /**
   * How long to wait for Chatwoot's first context before saying what to
   * check, in ms (UX only: Chatwoot posts on the frame's load event, so a
   * real context comes within a moment or not at all).
   */
  chatwootWaitMs?: number;
  /** Which panels the agent collapsed (main.tsx keeps them in localStorage). */
  panels?: PanelMemory;
  /** The widgets to draw with; the standard ones by default. */
  widgets?: Registry;
  /**
   * Where a URL-mode session is kept for a reload of this page (main.tsx:
   * sessionStorage); nothing is kept by default.
   */
  sessions?: SessionKeeper;
}

export function App(props: AppProps) {
  const { page, client, navigatorLang, chatwoot, chatwootWaitMs = 5000, widgets } = props;
  // Chatwoot sends its context anew on every load: only URL sessions are kept.
  const kept: SessionKeeper = (!chatwoot || pageMode(page, true) === "url") && props.sessions ? props.sessions : keepNothing;
  const [panels] = useState(() => props.panels ?? memoryOnly());
  const mode = chatwoot ? pageMode(page, true) : "url";
  const problem = localProblem(page, mode);
  const [lang, setLang] = useState<Lang>(() => pickLang(page.params.lang, navigatorLang));
  const [state, setState] = useState<State>(() =>
    problem ? { k: "error", code: problem, message: "", retry: false, stage: "page" } : { k: "loading" },
  );
  // The session's params: the URL's, or (Chatwoot) null until a context arrives.
  const [params, setParams] = useState<Record<string, string> | null>(() => (mode === "url" ? page.params : null));
  const [attempt, setAttempt] = useState(0);
  const [waitRound, setWaitRound] = useState(0);
  const lastContext = useRef<ChatwootParams | null>(null);
  const keepView = useRef(false);
  const viewSeq = useRef(0);
  const [, setTick] = useState(0);

  useEffect(() => {
    document.documentElement.lang = locale(lang);
  }, [lang]);

  // Chatwoot: listen for the context, then ask for it.
  useEffect(() => {
    if (mode !== "chatwoot" || problem || !chatwoot) return;
    const onContext = ({ params: next, theme }: ChatwootContext) => {
      // Chatwoot's own colours (v4 sends them) win over the URL's and the system's.
      if (theme) document.documentElement.dataset.theme = theme;
      const prev = lastContext.current;
      if (prev && sameParams(prev, next)) return; // the same context sent again
      // Another conversation or contact replaces the view at once; new
      // details of the person already shown refresh it in place.
      keepView.current = !!prev && sameVisitor(prev, next);
      lastContext.current = next;
      const pageLang = page.params.lang;
      setParams(pageLang === undefined ? { ...next } : { ...next, lang: pageLang });
    };
    const onRejected = (why: Rejection) => {
      // Said on screen only while no context was taken: a refused message never replaces a contact shown.
      if (lastContext.current) return;
      setState((s) => (s.k === "loading" || s.k === "waiting" || s.k === "rejected" ? { k: "rejected", why } : s));
    };
    const unsubscribe = chatwoot.subscribe(onContext, onRejected);
    // The load post (kept since the script started) came first if it came at
    // all; asking is the fallback (up to Chatwoot v3.14 the answer may go to
    // another dashboard app's frame).
    chatwoot.requestInfo();
    return unsubscribe;
  }, []);

  // Chatwoot: say so when no context comes.
  useEffect(() => {
    if (mode !== "chatwoot" || problem || params) return;
    const timer = setTimeout(() => setState((s) => (s.k === "loading" ? { k: "waiting" } : s)), chatwootWaitMs);
    return () => clearTimeout(timer);
  }, [params, waitRound]);

  useEffect(() => {
    if (problem || !params) return;
    let cancelled = false;
    const keep = keepView.current;
    keepView.current = false;
    const view = keep ? viewSeq.current : ++viewSeq.current;
    if (!keep && view > 1) forgetPreviousVisitor();
    // Never show one visitor's data while another's loads: the previous
    // context is dropped here, the skeleton stands in until the new one
    // comes. New details of the person shown refresh it in place.
    setState((s) => (keep && s.k === "ready" ? { ...s, busy: true } : { k: "loading" }));
    let stage: ErrorStage = "session";
    // While the network answers: the formatters' start-up is paid now, not after the context comes.
    const warm = setTimeout(() => warmFormatters(lang), 0);
    (async () => {
      try {
        // This page opened a session with these params before (a reload):
        // it is used while it lasts, as a signed link's token opens one only once.
        const prior = kept.get(page.slug, params);
        let token = "";
        let ctx: SidebarContext | null = null;
        if (prior) {
          stage = "context";
          try {
            ctx = await client.getContext(prior.token);
            token = prior.token;
            const l = langFromTag(prior.lang);
            if ("lang" in params && !langFromTag(params.lang) && l) setLang(l);
          } catch (e) {
            if (!sessionGone(asApiError(e))) throw e;
            kept.drop(page.slug, params);
          }
          if (cancelled) return;
        }
        if (!ctx) {
          stage = "session";
          const session = await client.createSession({ integration: page.slug, params });
          if (cancelled) return;
          kept.put(page.slug, params, { token: session.token, expiresAt: Date.parse(session.expiresAt), lang: session.lang });
          // An encrypted lang param is only readable by the server.
          if ("lang" in params && !langFromTag(params.lang) && session.lang) setLang(session.lang);
          stage = "context";
          token = session.token;
          ctx = await client.getContext(token);
          if (cancelled) return;
        }
        mark(MARK_CONTEXT);
        setState({ k: "ready", ctx, token, params, view, loadedAt: Date.now(), busy: false, failed: null });
      } catch (e) {
        if (cancelled) return;
        const err = asApiError(e);
        // Data of this same person stays, said to be stale; anything else is an error.
        setState((s) =>
          keep && s.k === "ready" && s.view === view
            ? { ...s, busy: false, failed: { code: err.code, message: err.message } }
            : { k: "error", code: err.code, message: err.message, retry: retryHelps(err, stage), stage },
        );
      }
    })();
    return () => {
      cancelled = true;
      clearTimeout(warm);
    };
  }, [params, attempt]);

  // The data is on screen: mark it once per load.
  const loadedAt = state.k === "ready" ? state.loadedAt : 0;
  useEffect(() => {
    if (!loadedAt) return;
    mark(MARK_DATA);
    try {
      performance.measure(MEASURE, MARK_CONTEXT, MARK_DATA);
    } catch {
      // no context mark (a refresh in place): nothing to measure
    }
  }, [loadedAt]);

  // Relative dates move on while the data stays.
  const ready = state.k === "ready";
  useEffect(() => {
    if (!ready) return;
    const id = setInterval(() => setTick((n) => n + 1), TICK_MS);
    return () => clearInterval(id);
  }, [ready]);

  /**
   * Loads the context of the visitor shown again, in place. When the session
   * has expired it opens another with the same params (a signed link's token
   * is single-use, so that one then says so). On failure the data stays, with
   * the stale-data hint.
   */
  const refresh = (shown: Ready) => async () => {
    const same = (s: State): s is Ready => s.k === "ready" && s.view === shown.view;
    setState((s) => (same(s) ? { ...s, busy: true } : s));
    try {
      let token = shown.token;
      let ctx: SidebarContext;
      try {
        ctx = await client.getContext(token);
      } catch (e) {
        if (!sessionGone(asApiError(e))) throw e;
        kept.drop(page.slug, shown.params);
        const session = await client.createSession({ integration: page.slug, params: shown.params });
        kept.put(page.slug, shown.params, { token: session.token, expiresAt: Date.parse(session.expiresAt), lang: session.lang });
        token = session.token;
        ctx = await client.getContext(token);
      }
      mark(MARK_CONTEXT);
      setState((s) => (same(s) ? { ...s, ctx, token, loadedAt: Date.now(), busy: false, failed: null } : s));
    } catch (e) {
      const err = asApiError(e);
      setState((s) => (same(s) ? { ...s, busy: false, failed: { code: err.code, message: err.message } } : s));
    }
  };

  // The agent's actions, bound to the session shown. An answer for a session
  // no longer shown (another conversation came meanwhile) changes nothing.
  const actionsFor = (token: string): Actions => {
    const current = (s: State) => s.k === "ready" && s.token === token;
    const call = async <T,>(p: Promise<T>): Promise<T> => {
      try {
        return await p;
      } catch (e) {
        const err = asApiError(e);
        // The session is gone: say so as loading would, with a retry that opens a new one.
        if (sessionGone(err)) {
          setState((s) => {
            if (s.k !== "ready" || s.token !== token) return s;
            kept.drop(page.slug, s.params);
            return { k: "error", code: err.code, message: err.message, retry: true, stage: "context" };
          });
        }
        throw err;
      }
    };
    // After a link or an unlink the context is loaded again; the old view
    // stays until the new one is there.
    const reload = async () => {
      const ctx = await call(client.getContext(token));
      setState((s) => (current(s) ? { ...s, ctx, loadedAt: Date.now(), failed: null } : s));
    };
    return {
      search: (q) => call(client.searchContacts(token, q)),
      link: async (contactId) => {
        await call(client.linkVisitor(token, { contactId }));
        await reload();
      },
      unlink: async (notThisPerson) => {
        await call(client.unlinkVisitor(token, { notThisPerson }));
        await reload();
      },
      reveal: async (req) => (await call(client.revealField(token, req))).value,
    };
  };

  const retry = () => {
    // A fresh context may differ (Chatwoot checks fail on a stale one); an
    // identical one is ignored and the same params are tried again.
    if (mode === "chatwoot") chatwoot?.requestInfo();
    setAttempt((n) => n + 1);
  };

  const askAgain = () => {
    setState({ k: "loading" });
    chatwoot?.requestInfo();
    setWaitRound((n) => n + 1);
  };

  switch (state.k) {
    case "loading":
      return <Skeleton lang={lang} />;
    case "waiting":
      return <Waiting lang={lang} onRetry={askAgain} />;
    case "rejected":
      return <Rejected lang={lang} why={state.why} onRetry={askAgain} />;
    case "error":
      return (
        <ErrorState
          lang={lang}
          code={state.code}
          message={state.message}
          stage={state.stage}
          onRetry={state.retry ? retry : undefined}
        />
      );
    case "ready":
      return (
        <Guard lang={lang} ctx={state.ctx} onRetry={retry}>
          <SidebarView
            ctx={state.ctx}
            lang={lang}
            actions={actionsFor(state.token)}
            widgets={widgets}
            panels={panels}
            refresh={{ loadedAt: state.loadedAt, busy: state.busy, failed: state.failed, run: refresh(state) }}
          />
        </Guard>
      );
  }
}

/** Chatwoot mode: a context came and was refused; why, in words, with a way to ask again. */
function Rejected({ lang, why, onRetry }: { lang: Lang; why: Rejection; onRetry: () => void }) {
  return (
    <main class="sidebar" data-state="rejected">
      <section class="card waiting rejected" role="alert" data-testid="state-rejected">
        <p data-testid="rejected-message">{t(lang, "chatwoot.rejected", { why: rejectionText(lang, why) })}</p>
        <button type="button" class="btn" data-testid="retry" onClick={onRetry}>
          {t(lang, "retry")}
        </button>
      </section>
    </main>
  );
}

function rejectionText(lang: Lang, why: Rejection): string {
  switch (why.kind) {
    case "origin":
      return t(lang, "chatwoot.why.origin", { origin: why.origin || "?" });
    case "too_large":
      return t(lang, "chatwoot.why.too_large", { mb: MAX_CONTEXT_CHARS / (1024 * 1024) });
    case "field":
      return t(lang, `chatwoot.why.${why.expected}`, { field: why.field });
    case "json":
    case "other":
      return t(lang, "chatwoot.why.json");
  }
}

/**
 * A context the views cannot draw (a malformed answer that got past the
 * panels' own fallbacks) is said in words with a retry, never left blank.
 */
function Guard(props: { lang: Lang; ctx: SidebarContext; onRetry: () => void; children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((e: unknown) => console.error("crmlens: the context could not be shown", e));
  useEffect(() => {
    if (error) reset();
  }, [props.ctx]);
  if (error) {
    return <ErrorState lang={props.lang} code="bad_response" message="" stage="context" onRetry={props.onRetry} />;
  }
  return <>{props.children}</>;
}

function mark(name: string) {
  try {
    performance.mark(name);
  } catch {
    // no Performance API: nothing to measure
  }
}

/**
 * Another visitor is about to be shown: drop what this page still keeps of
 * the previous one outside the view. The views themselves are unmounted by
 * the skeleton; the resource timings would keep the URLs of the agent's
 * searches (/contacts?q=...), the marks the previous load's times.
 */
function forgetPreviousVisitor() {
  try {
    performance.clearResourceTimings();
    performance.clearMarks();
    performance.clearMeasures();
  } catch {
    // no Performance API: nothing kept
  }
}
