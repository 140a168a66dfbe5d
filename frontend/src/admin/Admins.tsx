// Admins: who can sign in to this console. Add one (with a first password to
// hand them), set another admin's password, remove another admin. Adding and
// setting a password ask for your own password again; the server refuses to
// remove you or the last admin, and audits every change.
import { useEffect, useRef, useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { t, type Lang } from "../shared/i18n";
import "./messages";
import type { AdminUser } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

function ResetPassword(props: { client: AdminClient; lang: Lang; a: AdminUser; onDone: (msg: string) => void; onCancel: () => void }) {
  const { client, lang, a } = props;
  const [password, setPassword] = useState("");
  const [current, setCurrent] = useState("");
  const [failure, setFailure] = useState<Failure>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="box form"
      data-testid={`admin-reset-${a.id}`}
      onSubmit={async (e) => {
        e.preventDefault();
        setFailure(null);
        try {
          await client.resetAdminPassword(a.id, password, current);
          props.onDone(t(lang, "adm.resetDone", { email: a.email }));
        } catch (err) {
          setFailure(asFailure(err));
        }
      }}
    >
      <h3>{t(lang, "adm.resetTitle", { email: a.email })}</h3>
      <FieldRow label={t(lang, "adm.newPassword")} hint={t(lang, "adm.resetHint")} error={fieldError(failure, "password")} id="reset-password">
        <input ref={first} type="password" name="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </FieldRow>
      <FieldRow label={t(lang, "adm.yourPassword")} error={fieldError(failure, "currentPassword")} id="reset-current">
        <input type="password" name="currentPassword" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </FieldRow>
      <ErrorBanner failure={failure} lang={lang} shown={["password", "currentPassword"]} />
      <div class="btns">
        <button type="submit" data-testid="admin-reset-submit">
          {t(lang, "adm.reset")}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t(lang, "cancel")}
        </button>
      </div>
    </form>
  );
}

export function Admins({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [list, setList] = useState<AdminUser[] | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  const [addFailure, setAddFailure] = useState<Failure>(null);
  const [form, setForm] = useState({ email: "", password: "", current: "" });
  const [done, setDone] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const load = () =>
    client
      .listAdmins()
      .then(setList)
      .catch((e) => setFailure(asFailure(e)));
  useEffect(() => {
    void load();
  }, []);
  return (
    <section>
      <h1>{t(lang, "adm.title")}</h1>
      <p class="muted">{t(lang, "adm.intro")}</p>
      <ErrorBanner failure={failure} lang={lang} />
      <div aria-live="polite">
        {done && (
          <p class="banner ok" data-testid="admins-done">
            {done}
          </p>
        )}
      </div>
      {list === null ? (
        <p class="loading">{t(lang, "admin.loading")}</p>
      ) : (
        <div class="box">
          <table data-testid="admins">
            <thead>
              <tr>
                <th>{t(lang, "adm.email")}</th>
                <th>{t(lang, "adm.since")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} data-testid={`admin-${a.email}`}>
                  <td>
                    {a.email} {a.you && <span class="tag">{t(lang, "adm.you")}</span>}
                  </td>
                  <td>{new Date(a.createdAt).toLocaleDateString(lang === "zh" ? "zh-CN" : "en")}</td>
                  <td class="btns">
                    {a.you ? (
                      <a href="#account" class="button secondary small">
                        {t(lang, "adm.changeYours")}
                      </a>
                    ) : removing === a.id ? (
                      <>
                        <span>{t(lang, "adm.removeConfirm", { email: a.email })}</span>
                        <button
                          type="button"
                          class="small danger"
                          data-testid="admin-remove-confirm"
                          onClick={async () => {
                            setFailure(null);
                            setDone(null);
                            try {
                              await client.removeAdmin(a.id);
                              setDone(t(lang, "adm.removed", { email: a.email }));
                            } catch (err) {
                              setFailure(asFailure(err));
                            }
                            setRemoving(null);
                            void load();
                          }}
                        >
                          {t(lang, "adm.remove")}
                        </button>
                        <button type="button" class="secondary small" onClick={() => setRemoving(null)}>
                          {t(lang, "cancel")}
                        </button>
                      </>
                    ) : (
                      <>
                        <button
                          type="button"
                          class="secondary small"
                          data-testid="admin-reset-open"
                          onClick={() => {
                            setDone(null);
                            setResetting(a.id);
                          }}
                        >
                          {t(lang, "adm.reset")}
                        </button>
                        <button
                          type="button"
                          class="secondary small"
                          data-testid="admin-remove"
                          disabled={list.length <= 1}
                          onClick={() => setRemoving(a.id)}
                        >
                          {t(lang, "adm.remove")}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list
            .filter((a) => a.id === resetting)
            .map((a) => (
              <ResetPassword
                key={a.id}
                client={client}
                lang={lang}
                a={a}
                onCancel={() => setResetting(null)}
                onDone={(msg) => {
                  setResetting(null);
                  setDone(msg);
                }}
              />
            ))}
        </div>
      )}
      <form
        class="box form narrow"
        data-testid="admin-add"
        onSubmit={async (e) => {
          e.preventDefault();
          setAddFailure(null);
          setDone(null);
          try {
            const a = await client.createAdmin(form.email.trim(), form.password, form.current);
            setForm({ email: "", password: "", current: "" });
            setDone(t(lang, "adm.added", { email: a.email }));
            void load();
          } catch (err) {
            setAddFailure(asFailure(err));
          }
        }}
      >
        <h2>{t(lang, "adm.add")}</h2>
        <FieldRow label={t(lang, "adm.email")} error={fieldError(addFailure, "email")} id="admin-email">
          <input name="email" type="email" autoComplete="off" value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        </FieldRow>
        <FieldRow label={t(lang, "adm.firstPassword")} hint={t(lang, "adm.firstPassword.hint")} error={fieldError(addFailure, "password")} id="admin-password">
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
        </FieldRow>
        <FieldRow label={t(lang, "adm.yourPassword")} error={fieldError(addFailure, "currentPassword")} id="admin-current">
          <input
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={form.current}
            onInput={(e) => setForm({ ...form, current: e.currentTarget.value })}
          />
        </FieldRow>
        <ErrorBanner failure={addFailure} lang={lang} shown={["email", "password", "currentPassword"]} />
        <button type="submit" data-testid="admin-add-submit">
          {t(lang, "adm.add")}
        </button>
      </form>
    </section>
  );
}
