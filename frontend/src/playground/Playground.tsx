// The playground: a fake agent workbench around the real sidebar.
import { useEffect, useState } from "preact/hooks";
import { ApiError, type SidebarClient } from "../api/client";
import type { Conversation } from "../api/types";
import { errorText, locale, t, type Lang } from "../shared/i18n";
import { LanguagePicker } from "../shared/LanguagePicker";
import { withLang } from "./url";

type State =
  | { k: "loading" }
  | { k: "no-demo" }
  | { k: "error"; code: string; message: string }
  | { k: "ready"; conversations: Conversation[] };

export interface PlaygroundProps {
  client: SidebarClient;
  initialLang: Lang;
}

function initials(name: string): string {
  const s = name.trim();
  if (!s) return "?";
  const words = s.split(/\s+/);
  if (words.length > 1 && /^[\x20-\x7e]+$/.test(s)) return (words[0]![0]! + words[1]![0]!).toUpperCase();
  return Array.from(s)[0]!.toUpperCase();
}

/** Text with `backticked` parts shown as code. */
function withCode(text: string) {
  return text.split("`").map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}

export function Playground({ client, initialLang }: PlaygroundProps) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [state, setState] = useState<State>({ k: "loading" });
  const [selected, setSelected] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    document.documentElement.lang = locale(lang);
    document.title = t(lang, "pg.title");
  }, [lang]);

  useEffect(() => {
    let cancelled = false;
    setState({ k: "loading" });
    client.listConversations().then(
      (list) => {
        if (cancelled) return;
        setState({ k: "ready", conversations: list.conversations });
        setSelected((cur) => cur ?? list.conversations[0]?.id ?? null);
      },
      (e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 404) setState({ k: "no-demo" });
        else
          setState({
            k: "error",
            code: e instanceof ApiError ? e.code : "unknown",
            message: e instanceof Error ? e.message : String(e),
          });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const conversations = state.k === "ready" ? state.conversations : [];
  const current = conversations.find((c) => c.id === selected);

  return (
    <div class="pg">
      <header class="pg-head">
        <div>
          <h1>{t(lang, "pg.title")}</h1>
          <p class="muted">{t(lang, "pg.subtitle")}</p>
        </div>
        <LanguagePicker lang={lang} onChange={setLang} />
      </header>

      <nav class="pg-list" aria-label={t(lang, "pg.conversations")}>
        <h2>{t(lang, "pg.conversations")}</h2>
        {state.k === "loading" && <p class="muted pad">{t(lang, "pg.loading")}</p>}
        {state.k === "no-demo" && (
          <p class="notice" data-testid="no-demo">
            {withCode(t(lang, "pg.noDemo"))}
          </p>
        )}
        {state.k === "error" && (
          <div class="notice" data-testid="state-error" data-code={state.code}>
            <p>{t(lang, "pg.loadFailed")}</p>
            <p class="muted">{errorText(lang, state.code) ?? state.message}</p>
            <button type="button" data-testid="retry" onClick={() => setAttempt((n) => n + 1)}>
              {t(lang, "retry")}
            </button>
          </div>
        )}
        {state.k === "ready" && conversations.length === 0 && <p class="muted pad">{t(lang, "pg.none")}</p>}
        <ul>
          {conversations.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class="conv"
                data-testid={`conversation-${c.id}`}
                aria-current={c.id === selected ? "true" : undefined}
                onClick={() => setSelected(c.id)}
              >
                <span class="avatar" aria-hidden="true">
                  {initials(c.visitorName)}
                </span>
                <span class="conv-body">
                  <span class="conv-top">
                    <span class="conv-name">{c.visitorName}</span>
                    <span class="chan">{c.channel}</span>
                  </span>
                  <span class="conv-preview">{c.preview}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </nav>

      <section class="pg-chat">
        {current ? (
          <>
            <header class="chat-head">
              <strong data-testid="chat-visitor">{current.visitorName}</strong>
              <span class="chan">{current.channel}</span>
            </header>
            <div class="transcript">
              <div class="bubble" data-testid="chat-preview">
                {current.preview}
              </div>
            </div>
            <form class="composer" onSubmit={(e) => e.preventDefault()}>
              <input type="text" placeholder={t(lang, "pg.reply")} aria-label={t(lang, "pg.reply")} disabled />
              <button type="submit" disabled>
                {t(lang, "pg.send")}
              </button>
            </form>
          </>
        ) : (
          <p class="muted pad">{state.k === "ready" ? t(lang, "pg.pick") : ""}</p>
        )}
      </section>

      <aside class="pg-side">
        {current && (
          <iframe
            key={current.id + lang}
            data-testid="sidebar-frame"
            title={t(lang, "pg.sidebar")}
            src={withLang(current.sidebarUrl, lang)}
          />
        )}
      </aside>
    </div>
  );
}
