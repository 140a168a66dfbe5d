// The sidebar's flow: read the URL, open a session, load the context, render.
import { useEffect, useState } from "preact/hooks";
import { ApiError, type Client } from "../api/client";
import type { SidebarContext } from "../api/types";
import { langFromTag, locale, pickLang, type Lang } from "../shared/i18n";
import { localProblem, type PageParams } from "./params";
import { ErrorState, SidebarView, Skeleton } from "./views";

type State =
  | { k: "loading" }
  | { k: "error"; code: string; message: string; retry: boolean }
  | { k: "ready"; ctx: SidebarContext };

export interface AppProps {
  page: PageParams;
  client: Client;
  navigatorLang?: string;
}

export function App({ page, client, navigatorLang }: AppProps) {
  const problem = localProblem(page);
  const [lang, setLang] = useState<Lang>(() => pickLang(page.params.lang, navigatorLang));
  const [state, setState] = useState<State>(() =>
    problem ? { k: "error", code: problem, message: "", retry: false } : { k: "loading" },
  );
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    document.documentElement.lang = locale(lang);
  }, [lang]);

  useEffect(() => {
    if (problem) return;
    let cancelled = false;
    setState({ k: "loading" });
    (async () => {
      try {
        const session = await client.createSession({ integration: page.slug, params: page.params });
        if (cancelled) return;
        // An encrypted lang param is only readable by the server.
        if ("lang" in page.params && !langFromTag(page.params.lang) && session.lang) setLang(session.lang);
        const ctx = await client.getContext(session.token);
        if (!cancelled) setState({ k: "ready", ctx });
      } catch (e) {
        if (cancelled) return;
        const err = e instanceof ApiError ? e : new ApiError("unknown", e instanceof Error ? e.message : String(e));
        setState({ k: "error", code: err.code, message: err.message, retry: true });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  switch (state.k) {
    case "loading":
      return <Skeleton lang={lang} />;
    case "error":
      return (
        <ErrorState
          lang={lang}
          code={state.code}
          message={state.message}
          onRetry={state.retry ? () => setAttempt((n) => n + 1) : undefined}
        />
      );
    case "ready":
      return <SidebarView ctx={state.ctx} lang={lang} />;
  }
}
