// Integrations: connect a platform, copy the URL and see where to paste it,
// edit origins and options, reveal and rotate keys (both ask for the
// password again; the server audits them).
import { useEffect, useRef, useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { protectionText } from "./codes";
import { t, type Lang, type MessageKey } from "../shared/i18n";
import "./messages";
import type { CreatedIntegration, DeletedIntegration, Integration, IntegrationKind, IntegrationOptions } from "../api/types";
import { asFailure, CopyButton, ErrorBanner, FieldRow, fieldError, splitList, type Failure } from "./ui";

const kinds: IntegrationKind[] = ["easemob", "sharecrm", "chatwoot", "signed", "udesk", "sobot"];

/**
 * The origin a kind's platform usually frames the sidebar from (as the
 * server's integration.UsualOrigin): Easemob's agent workbench, Chatwoot
 * Cloud; none known for ShareCRM-style pages and signed links.
 */
export function usualOrigin(kind: IntegrationKind): string {
  switch (kind) {
    case "easemob":
      return "https://kefu.easemob.com";
    case "chatwoot":
      return "https://app.chatwoot.com";
    default:
      return "";
  }
}

/**
 * The options a new integration of kind gets when the form leaves them
 * empty (as the server's integration.Options.Defaults), shown in the form
 * so that what is stored is what the admin saw.
 */
export function defaultOptions(kind: IntegrationKind): IntegrationOptions {
  switch (kind) {
    case "sharecrm":
      return { verificationFields: ["full_name", "phone"], matchingFields: [["phone"], ["full_name", "phone"]] };
    case "chatwoot":
    case "signed":
      return { matchingFields: [["email"], ["phone"]] };
    case "udesk":
      return { identityParam: "customer_token", fieldParams: { phone: "cellphone", email: "email" }, matchingFields: [["phone"], ["email"]] };
    default:
      return {};
  }
}

/** Integrations by name (then slug), as people look for them. */
export function byName(list: Integration[]): Integration[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) || a.slug.localeCompare(b.slug));
}

/** The form's state: text inputs as the admin types them. */
interface Draft {
  kind: IntegrationKind;
  name: string;
  slug: string;
  key: string;
  /** Easemob's mode without an encryption key: every param in clear. */
  noKey: boolean;
  origins: string;
  encryptedSystemParams: boolean;
  tenantId: string;
  requireKnownAgent: boolean;
  verificationFields: string;
  matchingFields: string;
  chatwootUrl: string;
  /** Udesk: the field naming the customer, and claim=api_name lines. */
  identityParam: string;
  fieldParams: string;
  /** Sobot: the company's sysNum. */
  sobotSysNum: string;
  apiToken: string;
  regenerateSlug: boolean;
  /** What agents nothing vouches for may do: "read" only, or "all" (search and link). */
  agentActions: "all" | "read";
}

function draftOf(kind: IntegrationKind, it?: Integration): Draft {
  const o = (it?.options ?? defaultOptions(kind)) as IntegrationOptions;
  return {
    kind,
    name: it?.name ?? "",
    slug: it?.slug ?? "",
    key: "",
    noKey: false,
    origins: (it?.origins ?? [usualOrigin(kind)].filter(Boolean)).join("\n"),
    encryptedSystemParams: !!o.encryptedSystemParams,
    tenantId: o.tenantId ?? "",
    requireKnownAgent: !!o.requireKnownAgent,
    verificationFields: (o.verificationFields ?? []).join(", "),
    matchingFields: (o.matchingFields ?? []).map((r) => r.join("+")).join("\n"),
    chatwootUrl: o.chatwootUrl ?? "",
    identityParam: o.identityParam ?? "",
    fieldParams: Object.entries(o.fieldParams ?? {})
      .map(([claim, param]) => `${claim}=${param}`)
      .join("\n"),
    sobotSysNum: o.sobotSysNum ?? "",
    apiToken: "",
    regenerateSlug: false,
    // New integrations start read-only; one stored before the option has "all".
    agentActions: o.agentActions ?? (it ? "all" : "read"),
  };
}

/** The options the kind takes, from the draft. */
export function optionsOf(d: Draft): IntegrationOptions {
  return { ...kindOptionsOf(d), agentActions: d.agentActions };
}

function kindOptionsOf(d: Draft): IntegrationOptions {
  const rules = d.matchingFields
    .split("\n")
    .map((l) => l.split("+").map((f) => f.trim()).filter(Boolean))
    .filter((r) => r.length > 0);
  switch (d.kind) {
    case "easemob":
      return { encryptedSystemParams: d.encryptedSystemParams, tenantId: d.tenantId.trim(), requireKnownAgent: d.requireKnownAgent };
    case "sharecrm":
      return { verificationFields: splitList(d.verificationFields), matchingFields: rules };
    case "chatwoot":
      return { chatwootUrl: d.chatwootUrl.trim(), matchingFields: rules };
    case "signed":
      return { requireKnownAgent: d.requireKnownAgent, matchingFields: rules };
    case "udesk":
      return { identityParam: d.identityParam.trim(), fieldParams: pairsOf(d.fieldParams), matchingFields: rules };
    case "sobot":
      return { sobotSysNum: d.sobotSysNum.trim(), matchingFields: rules };
  }
}

/** claim=param lines as an object; blank lines dropped, a line without "=" kept whole (the server names it). */
export function pairsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (!l) continue;
    const i = l.indexOf("=");
    out[(i < 0 ? l : l.slice(0, i)).trim()] = i < 0 ? "" : l.slice(i + 1).trim();
  }
  return out;
}

/** Kinds that have a mode without a key: Easemob without encryption, Sobot with its security key off. */
const keyless = (k: IntegrationKind) => k === "easemob" || k === "sobot";

export function originsOf(d: Pick<Draft, "origins">): string[] {
  return d.origins
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

function IntegrationForm(props: {
  client: AdminClient;
  lang: Lang;
  editing?: Integration;
  onDone: (created: CreatedIntegration | null, updated: Integration | null) => void;
  onCancel: () => void;
}) {
  const { client, lang, editing } = props;
  const [d, setD] = useState<Draft>(draftOf(editing?.kind ?? "easemob", editing));
  const [failure, setFailure] = useState<Failure>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD({ ...d, [k]: v });
  const text = (k: keyof Draft, label: MessageKey, opts: { hint?: string; field?: string; type?: string } = {}) => (
    <FieldRow label={t(lang, label)} hint={opts.hint} error={fieldError(failure, opts.field ?? k)} id={opts.field ?? k}>
      <input
        name={k}
        type={opts.type ?? "text"}
        value={d[k] as string}
        onInput={(e) => set(k, e.currentTarget.value as never)}
      />
    </FieldRow>
  );
  const check = (k: "encryptedSystemParams" | "requireKnownAgent" | "regenerateSlug" | "noKey", label: MessageKey) => (
    <label class="check">
      <input type="checkbox" name={k} checked={d[k]} onChange={(e) => set(k, e.currentTarget.checked)} /> {t(lang, label)}
    </label>
  );
  const shown = ["kind", "name", "slug", "newSlug", "key", "origins", "options", "apiToken"];
  // The form opens where the admin clicked (in place of the card, or at the
  // top for a new one): bring it into view and put the cursor in it.
  const self = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const f = self.current;
    if (!f) return;
    f.scrollIntoView?.({ block: "start", behavior: "instant" as ScrollBehavior });
    f.querySelector<HTMLElement>("input, select, textarea")?.focus({ preventScroll: true });
  }, []);
  return (
    <form
      ref={self}
      class="box form"
      data-testid="integration-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setFailure(null);
        try {
          if (editing) {
            const u = await client.updateIntegration(editing.slug, {
              name: d.name.trim() || editing.name,
              origins: originsOf(d),
              options: optionsOf(d),
              ...(d.regenerateSlug ? { regenerateSlug: true } : d.slug.trim() !== editing.slug ? { newSlug: d.slug.trim() } : {}),
              ...(d.apiToken ? { apiToken: d.apiToken } : {}),
            });
            props.onDone(null, u);
          } else {
            const c = await client.createIntegration({
              kind: d.kind,
              name: d.name.trim() || undefined,
              slug: d.slug.trim() || undefined,
              ...(keyless(d.kind) && d.noKey ? { noKey: true } : { key: d.key || undefined }),
              origins: originsOf(d),
              options: optionsOf(d),
              ...(d.apiToken ? { apiToken: d.apiToken } : {}),
            });
            props.onDone(c, null);
          }
        } catch (err) {
          setFailure(asFailure(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{editing ? `${t(lang, "edit")}: ${editing.name}` : t(lang, "int.new")}</h2>
      {!editing && (
        <FieldRow label={t(lang, "int.kind")} error={fieldError(failure, "kind")} id="kind">
          <select name="kind" value={d.kind} onChange={(e) => setD(draftOf(e.currentTarget.value as IntegrationKind))}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(lang, `int.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </FieldRow>
      )}
      {text("name", "int.name")}
      {editing ? (
        <>
          {text("slug", "int.newSlug", { field: "newSlug" })}
          {check("regenerateSlug", "int.regenerateSlug")}
        </>
      ) : (
        text("slug", "int.slug", { hint: t(lang, "int.slug.hint") })
      )}
      {!editing && keyless(d.kind) && check("noKey", d.kind === "sobot" ? "int.noKeyMode.sobot" : "int.noKeyMode")}
      {!editing && keyless(d.kind) && d.noKey && (
        <p class="banner warn" data-testid="no-key-warning">
          {t(lang, d.kind === "sobot" ? "int.noKeyMode.sobot.warn" : "int.noKeyMode.warn")}
        </p>
      )}
      {!editing && d.kind !== "chatwoot" && !(keyless(d.kind) && d.noKey) && text("key", "int.key", { hint: t(lang, `int.key.hint.${d.kind}` as MessageKey) })}
      <FieldRow label={t(lang, "int.origins")} hint={t(lang, `int.origins.hint.${d.kind}` as MessageKey)} error={fieldError(failure, "origins")} id="origins">
        <textarea name="origins" rows={2} value={d.origins} onInput={(e) => set("origins", e.currentTarget.value)} />
      </FieldRow>
      {!editing && usualOrigin(d.kind) !== "" && originsOf(d).join() === usualOrigin(d.kind) && (
        <p class="hint" data-testid="origins-usual">
          {t(lang, "int.origins.usual", { origin: usualOrigin(d.kind) })}
        </p>
      )}
      {originsOf(d).length === 0 && (
        <p class="banner warn" data-testid="origins-none">
          {t(lang, "int.origins.none")}
        </p>
      )}
      <fieldset class={fieldError(failure, "options") ? "has-error" : ""}>
        <legend>{t(lang, "int.options")}</legend>
        {d.kind === "easemob" && (
          <>
            {check("encryptedSystemParams", "int.opt.encryptedSystemParams")}
            {text("tenantId", "int.opt.tenantId", { field: "options.tenantId" })}
            {check("requireKnownAgent", "int.opt.requireKnownAgent")}
          </>
        )}
        {d.kind === "sharecrm" && text("verificationFields", "int.opt.verificationFields", { field: "options.verificationFields" })}
        {d.kind !== "easemob" && (
          <FieldRow label={t(lang, "int.opt.matchingFields")}>
            <textarea name="matchingFields" rows={2} value={d.matchingFields} onInput={(e) => set("matchingFields", e.currentTarget.value)} />
          </FieldRow>
        )}
        {d.kind === "signed" && check("requireKnownAgent", "int.opt.requireKnownAgent")}
        {d.kind === "udesk" && (
          <>
            {text("identityParam", "int.opt.identityParam", { field: "options.identityParam" })}
            <FieldRow label={t(lang, "int.opt.fieldParams")} error={fieldError(failure, "options.fieldParams")} id="options.fieldParams">
              <textarea name="fieldParams" rows={2} value={d.fieldParams} onInput={(e) => set("fieldParams", e.currentTarget.value)} />
            </FieldRow>
          </>
        )}
        {d.kind === "sobot" && text("sobotSysNum", "int.opt.sobotSysNum", { field: "options.sobotSysNum" })}
        {d.kind === "chatwoot" && (
          <>
            {text("chatwootUrl", "int.opt.chatwootUrl", { field: "options.chatwootUrl" })}
            {text("apiToken", "int.opt.apiToken", { type: "password", hint: editing ? t(lang, "int.opt.apiToken.keep") : undefined })}
          </>
        )}
        <FieldRow label={t(lang, "int.opt.agentActions")} hint={t(lang, "int.opt.agentActions.hint")} id="agentActions">
          <select
            name="agentActions"
            value={d.agentActions}
            onChange={(e) => set("agentActions", e.currentTarget.value as Draft["agentActions"])}
          >
            <option value="read">{t(lang, "int.opt.agentActions.read")}</option>
            <option value="all">{t(lang, "int.opt.agentActions.all")}</option>
          </select>
        </FieldRow>
        {fieldError(failure, "options") && (
          <p class="field-error" role="alert" data-testid="error-options">
            {fieldError(failure, "options")}
          </p>
        )}
      </fieldset>
      <ErrorBanner failure={failure} lang={lang} shown={shown} />
      <div class="btns">
        <button type="submit" disabled={busy} data-testid="integration-save">
          {busy ? t(lang, "saving") : t(lang, "save")}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t(lang, "cancel")}
        </button>
      </div>
    </form>
  );
}

/** Reveal or rotate a key: both ask for the admin's password again. */
function KeyPanel(props: { client: AdminClient; lang: Lang; it: Integration; mode: "reveal" | "rotate"; onRotated: (i: Integration) => void; onClose: () => void }) {
  const { client, lang, it, mode } = props;
  const [password, setPassword] = useState("");
  const [key, setKey] = useState("");
  const [grace, setGrace] = useState("24");
  const [shownKey, setShownKey] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  return (
    <form
      class="key-panel"
      data-testid={`key-${mode}`}
      onSubmit={async (e) => {
        e.preventDefault();
        setFailure(null);
        try {
          if (mode === "reveal") {
            setShownKey(await client.revealKey(it.slug, password));
          } else {
            const g = grace.trim() === "" ? undefined : Number(grace);
            const r = await client.rotateKey(it.slug, password, key, g !== undefined && Number.isFinite(g) ? g : undefined);
            setShownKey(r.key ?? "");
            props.onRotated(r.integration);
          }
          setPassword("");
        } catch (err) {
          setFailure(asFailure(err));
        }
      }}
    >
      {shownKey === null ? (
        <>
          <FieldRow label={t(lang, "int.confirmPassword")} error={fieldError(failure, "password")} id="confirm-password">
            <input type="password" name="password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </FieldRow>
          {mode === "rotate" && (
            <>
              <FieldRow label={t(lang, "int.rotate.key")} hint={t(lang, "int.rotate.key.hint")} error={fieldError(failure, "key")} id="rotate-key">
                <input name="key" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
              </FieldRow>
              <FieldRow label={t(lang, "int.rotate.grace")} error={fieldError(failure, "graceHours")} id="graceHours">
                <input name="graceHours" type="number" min={0} max={720} value={grace} onInput={(e) => setGrace(e.currentTarget.value)} />
              </FieldRow>
            </>
          )}
          <ErrorBanner failure={failure} lang={lang} shown={["password", "key", "graceHours"]} />
          <div class="btns">
            <button type="submit" data-testid={`key-${mode}-submit`}>
              {t(lang, mode === "reveal" ? "int.reveal" : "int.rotate")}
            </button>
            <button type="button" class="secondary" onClick={props.onClose}>
              {t(lang, "cancel")}
            </button>
          </div>
        </>
      ) : (
        <div>
          <p class="hint">{t(lang, mode === "reveal" ? "int.revealed" : "int.rotated")}</p>
          <p>
            <code class="secret" data-testid="key-clear">
              {shownKey}
            </code>{" "}
            <CopyButton text={shownKey} lang={lang} />
          </p>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t(lang, "close")}
          </button>
        </div>
      )}
    </form>
  );
}

function IntegrationCard(props: {
  client: AdminClient;
  lang: Lang;
  it: Integration;
  onEdit: () => void;
  onChanged: (i: Integration) => void;
  onDeleted: (d: DeletedIntegration) => void;
}) {
  const { client, lang, it } = props;
  const [keyMode, setKeyMode] = useState<"reveal" | "rotate" | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure>(null);
  const act = async (run: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await run();
    } catch (e) {
      setFailure(asFailure(e));
    }
    setBusy(false);
  };
  const p = it.protection;
  const pw = protectionText(lang, p);
  return (
    <article class="box integration" data-testid={`integration-${it.slug}`} data-kind={it.kind}>
      <div class="row-between">
        <h2>
          {it.name} <span class="tag">{t(lang, `int.kind.${it.kind}` as MessageKey)}</span>
          {it.disabledAt && (
            <>
              {" "}
              <span class="tag bad" data-testid="integration-disabled">
                {t(lang, "int.disabled")}
              </span>
            </>
          )}
        </h2>
        <div class="btns">
          <button type="button" class="secondary small" onClick={props.onEdit} data-testid="integration-edit">
            {t(lang, "edit")}
          </button>
          {it.disabledAt ? (
            <button
              type="button"
              class="secondary small"
              disabled={busy}
              data-testid="integration-enable"
              onClick={() => act(async () => props.onChanged(await client.enableIntegration(it.slug)))}
            >
              {t(lang, "int.enable")}
            </button>
          ) : (
            <button
              type="button"
              class="secondary small"
              disabled={busy}
              data-testid="integration-disable"
              onClick={() => act(async () => props.onChanged(await client.disableIntegration(it.slug)))}
            >
              {t(lang, "int.disable")}
            </button>
          )}
          <button type="button" class="secondary small danger" disabled={busy} data-testid="integration-delete" onClick={() => setDeleting(true)}>
            {t(lang, "int.delete")}
          </button>
        </div>
      </div>
      {it.disabledAt && (
        <p class="banner warn" data-testid="integration-disabled-note">
          {t(lang, "int.disabled.since", { time: new Date(it.disabledAt).toLocaleString(lang === "zh" ? "zh-CN" : "en") })}
        </p>
      )}
      {deleting && (
        <div class="banner warn" role="alertdialog" data-testid="integration-delete-box">
          <p data-testid="integration-delete-words">{t(lang, "int.delete.confirm", { name: it.name, slug: it.slug })}</p>
          <div class="btns">
            <button
              type="button"
              class="small danger"
              disabled={busy}
              data-testid="integration-delete-confirm"
              onClick={() => act(async () => props.onDeleted(await client.deleteIntegration(it.slug)))}
            >
              {t(lang, "int.delete.yes", { name: it.name })}
            </button>
            <button type="button" class="secondary small" onClick={() => setDeleting(false)} data-testid="integration-delete-cancel">
              {t(lang, "cancel")}
            </button>
          </div>
        </div>
      )}
      <ErrorBanner failure={failure} lang={lang} />
      <div class="url-row">
        <span class="form-label">{t(lang, "int.url")}</span>
        <code class="url" data-testid="sidebar-url">
          {it.sidebarUrl}
        </code>
        <CopyButton text={it.sidebarUrl} lang={lang} testId="copy-url" />
        <a class="button secondary small" href={it.sidebarUrl} target="_blank" rel="noopener noreferrer" data-testid="open-url">
          {t(lang, "int.open")}
        </a>
      </div>
      <p class="where" data-testid="where-to-paste">
        <strong>{t(lang, "int.where")}:</strong> {t(lang, `int.where.${it.kind}` as MessageKey)}
      </p>
      <dl class="facts">
        <dt>{t(lang, "int.origins")}</dt>
        <dd data-testid="origins">
          {it.origins.length ? (
            it.origins.join(", ")
          ) : (
            <span class="field-error" data-testid="origins-none">
              {t(lang, "int.origins.none")}
            </span>
          )}
        </dd>
        <dt>{t(lang, "int.keyMasked")}</dt>
        <dd>
          <code data-testid="key-masked">{it.keySet ? it.keyMasked : t(lang, "int.noKey")}</code>
          {it.previousKeyExpiresAt && (
            <span class="muted">
              {" "}
              · {t(lang, "int.previousKey")} {new Date(it.previousKeyExpiresAt).toLocaleString(lang === "zh" ? "zh-CN" : "en")}
            </span>
          )}
        </dd>
        <dt>{t(lang, "int.protection")}</dt>
        <dd>
          <span class={`level level-${p.level}`} data-testid="protection-level">
            {t(lang, `int.level.${p.level}` as MessageKey)}
          </span>{" "}
          <span data-testid="protection-summary">{pw.summary}</span>
          {pw.advice.length > 0 && (
            <ul class="advice" data-testid="protection-advice">
              {pw.advice.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {it.kind !== "chatwoot" && (
        <div class="btns">
          <button type="button" class="secondary small" data-testid="key-reveal-open" onClick={() => setKeyMode("reveal")} disabled={!it.keySet}>
            {t(lang, "int.reveal")}
          </button>
          <button type="button" class="secondary small" data-testid="key-rotate-open" onClick={() => setKeyMode("rotate")}>
            {t(lang, "int.rotate")}
          </button>
        </div>
      )}
      {keyMode && (
        <KeyPanel key={keyMode} client={client} lang={lang} it={it} mode={keyMode} onRotated={props.onChanged} onClose={() => setKeyMode(null)} />
      )}
    </article>
  );
}

export function Integrations({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [list, setList] = useState<Integration[] | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  const [form, setForm] = useState<"new" | Integration | null>(null);
  const [created, setCreated] = useState<CreatedIntegration | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const load = () =>
    client
      .listIntegrations()
      .then((l) => setList(byName(l)))
      .catch((e) => setFailure(asFailure(e)));
  useEffect(() => {
    void load();
  }, []);
  const done = (c: CreatedIntegration | null) => {
    setForm(null);
    setCreated(c);
    void load();
  };
  return (
    <section>
      <div class="row-between">
        <div>
          <h1>{t(lang, "int.title")}</h1>
          <p class="muted">{t(lang, "int.intro")}</p>
        </div>
        {!form && (
          <button type="button" data-testid="integration-new" onClick={() => setForm("new")}>
            {t(lang, "int.new")}
          </button>
        )}
      </div>
      <ErrorBanner failure={failure} lang={lang} />
      {deleted && (
        <p class="banner ok" role="status" data-testid="integration-deleted">
          {deleted}
        </p>
      )}
      {form === "new" && (
        <IntegrationForm key="new" client={client} lang={lang} onCancel={() => setForm(null)} onDone={(c) => done(c)} />
      )}
      {created && (
        <div class="banner ok created" data-testid="integration-created">
          <p>{t(lang, "int.created")}</p>
          <p>
            <span class="form-label">{t(lang, "int.url")}</span> <code data-testid="created-url">{created.integration.sidebarUrl}</code>{" "}
            <CopyButton text={created.integration.sidebarUrl} lang={lang} />
          </p>
          {created.key && (
            <p>
              <span class="form-label">{t(lang, "int.createdKey")}</span> <code class="secret" data-testid="created-key">{created.key}</code>{" "}
              <CopyButton text={created.key} lang={lang} />
            </p>
          )}
          {created.key && (
            <p class="hint" data-testid="created-key-hint">
              {t(lang, "int.createdKey.hint")}
            </p>
          )}
          <p>
            <strong>{t(lang, "int.where")}:</strong> {t(lang, `int.where.${created.integration.kind}` as MessageKey)}
          </p>
          <button type="button" class="secondary small" onClick={() => setCreated(null)}>
            {t(lang, "close")}
          </button>
        </div>
      )}
      {list === null ? (
        <p class="loading">{t(lang, "admin.loading")}</p>
      ) : list.length === 0 ? (
        <p class="none">{t(lang, "int.none")}</p>
      ) : (
        list.map((it) =>
          form !== null && form !== "new" && form.slug === it.slug ? (
            <IntegrationForm key={`edit-${it.slug}`} client={client} lang={lang} editing={form} onCancel={() => setForm(null)} onDone={(c) => done(c)} />
          ) : (
            <IntegrationCard
              key={it.slug}
              client={client}
              lang={lang}
              it={it}
              onEdit={() => setForm(it)}
              onChanged={(u) => setList((l) => (l ?? []).map((x) => (x.slug === it.slug ? u : x)))}
              onDeleted={(d) => {
                setDeleted(t(lang, "int.deleted", { name: it.name, n: String(d.visitorsDeleted) }));
                setList((l) => (l ?? []).filter((x) => x.slug !== it.slug));
              }}
            />
          ),
        )
      )}
    </section>
  );
}
