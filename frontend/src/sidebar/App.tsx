// The sidebar's flow: get the params (from the URL, or from a Chatwoot
// dashboard's message), open a session, load the context, render.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type Client } from "../api/client";
import type { SidebarContext } from "../api/types";
import { langFromTag, locale, pickLang, type Lang } from "../shared/i18n";
import { sameParams, sameVisitor, type ChatwootHost, type ChatwootParams } from "./chatwoot";
import { localProblem, pageMode, type PageParams } from "./params";
import type { Actions } from "./actions";
import { ErrorState, SidebarView, Skeleton, Waiting, type ErrorStage } from "./views";

type State =
  | { k: "loading" }
  | { k: "waiting" }
  | { k: "error"; code: string; message: string; retry: boolean; stage: ErrorStage }
  | { k: "ready"; ctx: SidebarContext; token: string };

export interface AppProps {
  page: PageParams;
  client: Client;
  navigatorLang?: string;
  /** Given when the page is framed: the Chatwoot dashboard that may be framing it. */
  chatwoot?: ChatwootHost;
  /** How long to wait for Chatwoot's first context before saying so, in ms. */
  chatwootWaitMs?: number;
}

export function App({ page, client, navigatorLang, chatwoot, chatwootWaitMs = 5000 }: AppProps) {
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

  useEffect(() => {
    document.documentElement.lang = locale(lang);
  }, [lang]);

  // Chatwoot: listen for the context, then ask for it.
  useEffect(() => {
    if (mode !== "chatwoot" || problem || !chatwoot) return;
    const unsubscribe = chatwoot.subscribe((next) => {
      const prev = lastContext.current;
      if (prev && sameParams(prev, next)) return; // the same context sent again
      // Another conversation or contact replaces the view at once; new
      // details of the person already shown refresh it in place.
      keepView.current = !!prev && sameVisitor(prev, next);
      lastContext.current = next;
      const pageLang = page.params.lang;
      setParams(pageLang === undefined ? { ...next } : { ...next, lang: pageLang });
    });
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
    // Never show one visitor's data while another's loads: the previous
    // context is dropped here, the skeleton stands in until the new one comes.
    setState((s) => (keep && s.k === "ready" ? s : { k: "loading" }));
    let stage: ErrorStage = "session";
    (async () => {
      try {
        const session = await client.createSession({ integration: page.slug, params });
        if (cancelled) return;
        // An encrypted lang param is only readable by the server.
        if ("lang" in params && !langFromTag(params.lang) && session.lang) setLang(session.lang);
        stage = "context";
        const ctx = await client.getContext(session.token);
        if (!cancelled) setState({ k: "ready", ctx, token: session.token });
      } catch (e) {
        if (cancelled) return;
        const err = asApiError(e);
        setState({ k: "error", code: err.code, message: err.message, retry: true, stage });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [params, attempt]);

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
        if (err.code === "unauthorized" || err.code === "token_expired") {
          setState((s) =>
            current(s) ? { k: "error", code: err.code, message: err.message, retry: true, stage: "context" } : s,
          );
        }
        throw err;
      }
    };
    // After a link or an unlink the context is loaded again; the old view
    // stays until the new one is there.
    const reload = async () => {
      const ctx = await call(client.getContext(token));
      setState((s) => (current(s) ? { k: "ready", ctx, token } : s));
    };
    return {
      search: (q) => call(client.searchContacts(token, q)),
      link: async (contactId) => {
        await call(client.linkVisitor(token, { contactId }));
        await reload();
      },
      unlink: async () => {
        await call(client.unlinkVisitor(token, { notThisPerson: true }));
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
      return <SidebarView ctx={state.ctx} lang={lang} actions={actionsFor(state.token)} />;
  }
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError("unknown", e instanceof Error ? e.message : String(e));
}
