// The admin console: sign-in, then one screen per task, chosen by the URL's
// hash (#integrations, #layouts, ...) so a reload stays where it was.
import { useEffect, useState } from "preact/hooks";
import type { AdminApiError, AdminClient } from "./api";
import { t, type Lang, type MessageKey } from "./i18n";
import { Integrations } from "./Integrations";
import { LayoutDesigner } from "./LayoutDesigner";
import { Fields } from "./Fields";
import { Agents } from "./Agents";
import { Simulator } from "./Simulator";
import { Audit } from "./Audit";
import { Account, SignIn } from "./SignIn";

export const screens = ["integrations", "layouts", "fields", "agents", "simulator", "audit", "account"] as const;
export type Screen = (typeof screens)[number];

export function screenOf(hash: string): Screen {
  const h = hash.replace(/^#/, "");
  return (screens as readonly string[]).includes(h) ? (h as Screen) : "integrations";
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
  const [ended, setEnded] = useState(false);
  const [screen, setScreen] = useState<Screen>(screenOf(location.hash));

  useEffect(() => {
    client.setOnUnauthorized((_e: AdminApiError) => {
      setEmail(null);
      setEnded(true);
    });
    client
      .current()
      .then((s) => setEmail(s.email))
      .catch(() => setEmail(null))
      .finally(() => setChecking(false));
    const onHash = () => setScreen(screenOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, [client]);

  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t(lang, "app.title");
  }, [lang]);

  const switchLang = () => {
    const next = lang === "zh" ? "en" : "zh";
    setLang(next);
    onLang?.(next);
  };

  if (checking) return <p class="loading">{t(lang, "loading")}</p>;
  if (!email) {
    return (
      <SignIn
        client={client}
        lang={lang}
        notice={ended ? t(lang, "signIn.expired") : undefined}
        onLang={switchLang}
        onSignedIn={(e) => {
          setEnded(false);
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
    ["account", "nav.account"],
  ];
  return (
    <div class="console">
      <header class="topbar">
        <span class="brand">{t(lang, "app.title")}</span>
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
        <button type="button" class="secondary small" onClick={switchLang} data-testid="lang-switch">
          {t(lang, "lang.switch")}
        </button>
        <button
          type="button"
          class="secondary small"
          data-testid="sign-out"
          onClick={async () => {
            await client.signOut().catch(() => {});
            setEnded(false);
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
        {screen === "account" && <Account client={client} lang={lang} />}
      </main>
    </div>
  );
}
