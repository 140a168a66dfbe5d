import { useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { t, type Lang } from "../shared/i18n";
import "./messages";
import { LanguagePicker } from "../shared/LanguagePicker";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

export function SignIn(props: {
  client: AdminClient;
  lang: Lang;
  notice?: string | undefined;
  onSignedIn: (email: string) => void;
  onLang: (next: Lang) => void;
}) {
  const { client, lang } = props;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure>(null);
  return (
    <main class="signin">
      <form
        class="box"
        data-testid="sign-in"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setFailure(null);
          try {
            const s = await client.signIn(email, password);
            props.onSignedIn(s.email);
          } catch (err) {
            setFailure(asFailure(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="row-between">
          <h1>{t(lang, "signIn.title")}</h1>
          <LanguagePicker lang={lang} onChange={props.onLang} />
        </div>
        {props.notice && (
          <p class="banner info" role="status" data-testid="sign-in-notice">
            {props.notice}
          </p>
        )}
        <FieldRow label={t(lang, "signIn.email")} error={fieldError(failure, "email")}>
          <input name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </FieldRow>
        <FieldRow label={t(lang, "signIn.password")} error={fieldError(failure, "password")} id="password">
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </FieldRow>
        <ErrorBanner failure={failure} lang={lang} shown={["email", "password"]} />
        <button type="submit" disabled={busy} data-testid="sign-in-submit">
          {t(lang, "signIn.submit")}
        </button>
        <p class="hint" data-testid="sign-in-hint">
          {withCode(t(lang, "signIn.hint"), "{command}", "crmlens admin create")}
        </p>
      </form>
    </main>
  );
}

/** text with placeholder shown as code (a command, a path). */
export function withCode(text: string, placeholder: string, code: string) {
  const [before, after] = text.split(placeholder);
  return after === undefined ? (
    text
  ) : (
    <>
      {before}
      <code>{code}</code>
      {after}
    </>
  );
}

export function Account({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [failure, setFailure] = useState<Failure>(null);
  const [done, setDone] = useState(false);
  return (
    <section>
      <h1>{t(lang, "account.title")}</h1>
      <form
        class="box narrow"
        data-testid="password-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setFailure(null);
          setDone(false);
          try {
            await client.changePassword(current, next);
            setDone(true);
            setCurrent("");
            setNext("");
          } catch (err) {
            setFailure(asFailure(err));
          }
        }}
      >
        <FieldRow label={t(lang, "account.current")} error={fieldError(failure, "currentPassword")} id="currentPassword">
          <input type="password" name="currentPassword" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        </FieldRow>
        <FieldRow label={t(lang, "account.new")} error={fieldError(failure, "newPassword")} id="newPassword">
          <input type="password" name="newPassword" autoComplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        </FieldRow>
        <ErrorBanner failure={failure} lang={lang} shown={["currentPassword", "newPassword"]} />
        {done && <p class="banner ok">{t(lang, "account.done")}</p>}
        <button type="submit">{t(lang, "save")}</button>
      </form>
    </section>
  );
}
