// The admin console: sign-in, then one screen per task, chosen by the URL's
// hash (#integrations, #layouts, ...) so a reload stays where it was.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "../api/client";
import type { AdminClient } from "./api";
import { t, type Lang, type MessageKey } from "../shared/i18n";
import "./messages";
import { Integrations } from "./Integrations";
import { LayoutDesigner } from "./LayoutDesigner";
import { Fields } from "./Fields";
import { Agents } from "./Agents";
import { Simulator } from "./Simulator";
import { Audit } from "./Audit";
import { Account, SignIn } from "./SignIn";
import { Admins } from "./Admins";
import { LanguagePicker } from "../shared/LanguagePicker";

export const screens = ["integrations", "layouts", "fields", "agents", "simulator", "audit", "admins", "account"] as const;
export type Screen = (typeof screens)[number];

export function screenOf(hash: string): Screen {
  const h = hash.replace(/^#/, "");
  return (screens as readonly string[]).includes(h) ? (h as Screen) : "integrations";
}

/** What the sign-in form says about the session before it. */
export type Notice = "ended" | "signedOut" | null;

/**
 * The notice for the session check on load failing with e: "ended" only
 * when the server says a session it knew ended (signed out elsewhere, the
 * password changed, removed, expired); nothing for a first visit.
 */
export function noticeOnLoad(e: unknown): Notice {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "session_ended" || code === "token_expired" ? "ended" : null;
}

export interface ConsoleProps {
  client: AdminClient;
  initialLang: Lang;
  onLang?: (l: Lang) => void;
}

export function Console({ client, initialLang, onLang }: ConsoleProps) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [email, setEmail] = useState<string | null>(null);
  const [checking, setChecking] = useState(true);
  const [notice, setNotice] = useState<Notice>(null);
  const [screen, setScreen] = useState<Screen>(screenOf(location.hash));
  // Whether this page holds a session: a 401 then means it ended. A first
  // visit (no cookie) is no ended session.
  const hadSession = useRef(false);

  useEffect(() => {
    client.setOnUnauthorized((_e: ApiError) => {
      if (!hadSession.current) return;
      hadSession.current = false;
      setEmail(null);
      setNotice("ended");
    });
    client
      .current()
      .then((s) => {
        hadSession.current = true;
        setEmail(s.email);
      })
      .catch((e: unknown) => {
        setEmail(null);
        // A cookie the server no longer accepts (signed out elsewhere, the
        // password changed, expired): that session did end.
        setNotice(noticeOnLoad(e));
      })
      .finally(() => setChecking(false));
    const onHash = () => setScreen(screenOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, [client]);

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t(lang, "admin.title");
  }, [lang]);

  const switchLang = (next: Lang) => {
    setLang(next);
    onLang?.(next);
  };

  if (checking) return <p class="loading">{t(lang, "admin.loading")}</p>;
  if (!email) {
    return (
      <SignIn
        client={client}
        lang={lang}
        notice={notice === "ended" ? t(lang, "signIn.expired") : notice === "signedOut" ? t(lang, "signIn.signedOut") : undefined}
        onLang={switchLang}
        onSignedIn={(e) => {
          hadSession.current = true;
          setNotice(null);
          setEmail(e);
        }}
      />
    );
  }
  const nav: Array<[Screen, MessageKey]> = [
    ["integrations", "nav.integrations"],
    ["layouts", "nav.layouts"],
    ["fields", "nav.fields"],
    ["agents", "nav.agents"],
    ["simulator", "nav.simulator"],
    ["audit", "nav.audit"],
    ["admins", "nav.admins"],
    ["account", "nav.account"],
  ];
  return (
    <div class="console">
      <header class="topbar">
        <span class="brand">{t(lang, "admin.title")}</span>
        <nav>
          {nav.map(([s, k]) => (
            <a key={s} href={`#${s}`} aria-current={s === screen ? "page" : undefined} data-testid={`nav-${s}`}>
              {t(lang, k)}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="signed-in-as">
          {email}
        </span>
        <LanguagePicker lang={lang} onChange={switchLang} />
        <button
          type="button"
          class="secondary small"
          data-testid="sign-out"
          onClick={async () => {
            hadSession.current = false;
            await client.signOut().catch(() => {});
            setNotice("signedOut");
            setEmail(null);
          }}
        >
          {t(lang, "signOut")}
        </button>
      </header>
      <main class="screen">
        {screen === "integrations" && <Integrations client={client} lang={lang} />}
        {screen === "layouts" && <LayoutDesigner client={client} lang={lang} />}
        {screen === "fields" && <Fields client={client} lang={lang} />}
        {screen === "agents" && <Agents client={client} lang={lang} />}
        {screen === "simulator" && <Simulator client={client} lang={lang} />}
        {screen === "audit" && <Audit client={client} lang={lang} />}
        {screen === "admins" && <Admins client={client} lang={lang} />}
        {screen === "account" && <Account client={client} lang={lang} />}
      </main>
    </div>
  );
}
