// Views of the sidebar: they render what they are given. Given Actions, they
// also offer the agent's actions (see actions.tsx); without, they are
// read-only (the admin console's layout preview renders SidebarView so).
// Panels and field values are drawn by the widgets of a registry
// (registry.ts, widgets/index.ts).
import { useEffect, useErrorBoundary, useMemo, useState } from "preact/hooks";
import type { Candidate, CrmRecord, Panel, SidebarContext, Visitor } from "../api/types";
import { catalogues, errorText, layoutReasonText, matchedFieldWord, t, type Catalogue, type Lang, type MessageKey } from "../shared/i18n";
import { LinkPicker, NotThisPerson, Relink, type Actions } from "./actions";
import { Env, useEnv, type SidebarEnv } from "./env";
import { clockTime } from "./format";
import { reasonText } from "./reason";
import { memoryOnly, type PanelMemory } from "./prefs";
import type { Registry } from "./registry";
import { label } from "./widgets/fields";
import { defaultWidgets } from "./widgets/index";
import { PlainPanel, UnknownKindPanel } from "./widgets/panels";
import { CopyButton, StatusBadge } from "./widgets/parts";

export { badgeField } from "./widgets/panels";

/** The refresh the App offers while data is shown, and how the last one went. */
export interface RefreshState {
  /** When the data shown was loaded, in ms since the epoch. */
  loadedAt: number;
  busy: boolean;
  /** The last refresh failed: the data shown is older than the agent asked for. */
  failed?: { code: string; message: string } | null;
  run(): void;
}

export interface SidebarViewProps {
  ctx: SidebarContext;
  lang: Lang;
  actions?: Actions;
  /** The widgets to draw panels and values with; the standard ones by default. */
  widgets?: Registry;
  /** What relative dates count from (ms); the time of the render by default. */
  now?: number;
  /** Which panels are collapsed; remembered for this view only by default. */
  panels?: PanelMemory;
  refresh?: RefreshState;
}

export function SidebarView({ ctx, lang, actions, widgets = defaultWidgets, now, panels, refresh }: SidebarViewProps) {
  const ownMemory = useMemo(memoryOnly, []);
  const env: SidebarEnv = { lang, actions, widgets, now: now ?? Date.now(), panels: panels ?? ownMemory };
  const linked = ctx.match?.status === "linked" && !!ctx.contact;
  const all = Array.isArray(ctx.panels) ? ctx.panels : [];
  // Without a contact, panels that came back empty would only repeat "nothing here".
  const shown = linked ? all : all.filter((p) => Array.isArray(p.records) && p.records.length > 0);
  return (
    <Env.Provider value={env}>
      <main class="sidebar" data-testid="sidebar" data-state={linked ? "linked" : "not-linked"}>
        {refresh?.failed && <StaleBanner lang={lang} refresh={refresh} failed={refresh.failed} />}
        <HeaderCard ctx={ctx} lang={lang} actions={actions} refresh={refresh} />
        {!linked && actions && (
          <LinkPicker
            key={ctx.visitor?.id}
            candidates={ctx.match?.status === "not_linked" ? (ctx.match.candidates ?? []) : []}
            lang={lang}
            actions={actions}
            initial={searchSeed(ctx.visitor)}
          />
        )}
        {shown.map((p, i) => (
          <PanelView key={`${p.key}|${i}`} panel={p} index={i} />
        ))}
        <footer class="foot muted">
          <span class="layout" title={layoutReasonText(lang, ctx.layout)}>
            {t(lang, "layout")}: {ctx.layout?.name}
          </span>
          {refresh && (
            <span class="updated" data-testid="updated">
              {t(lang, "updated", { time: clockTime(refresh.loadedAt, lang) })}
            </span>
          )}
        </footer>
      </main>
    </Env.Provider>
  );
}

function StaleBanner({ lang, refresh, failed }: { lang: Lang; refresh: RefreshState; failed: { code: string; message: string } }) {
  const words = errorText(lang, failed.code, "context") ?? (failed.message || t(lang, "err.unknown"));
  return (
    <section class="card stale-hint" role="status" data-testid="stale" data-code={failed.code}>
      <p class="stale-title">{t(lang, "stale.title")}</p>
      <p>{t(lang, "stale.body", { time: clockTime(refresh.loadedAt, lang) })}</p>
      <p class="stale-why">{words}</p>
      <button type="button" class="btn" data-testid="stale-retry" disabled={refresh.busy} aria-busy={refresh.busy} onClick={refresh.run}>
        {refresh.busy ? t(lang, "refreshing") : t(lang, "retry")}
      </button>
    </section>
  );
}

function RefreshButton({ lang, refresh }: { lang: Lang; refresh: RefreshState }) {
  return (
    <button
      type="button"
      class="icon-btn refresh"
      data-testid="refresh"
      aria-label={refresh.busy ? t(lang, "refreshing") : t(lang, "refresh")}
      title={t(lang, "refresh")}
      aria-busy={refresh.busy}
      disabled={refresh.busy}
      onClick={refresh.run}
    >
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
        <path d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9M13.5 2v3.5H10" />
      </svg>
    </button>
  );
}

function VisitorLine({ visitor, lang }: { visitor: Visitor; lang: Lang }) {
  return (
    <p class="visitor" data-testid="visitor">
      <span title={t(lang, "channel")}>{visitor?.channel}</span>
      <span class="sep" aria-hidden="true">
        ·
      </span>
      <span title={t(lang, "visitorId")} class="mono">
        {visitor?.externalId}
      </span>
      {visitor?.externalId && <CopyButton text={visitor.externalId} label={t(lang, "visitorId")} />}
    </p>
  );
}

/**
 * What the platform sent about a not-linked visitor: the name it gave
 * (Easemob's nickname) and what it verified (ShareCRM's name and phone),
 * masked by the server as the layout says.
 */
function VisitorSent({ visitor, lang }: { visitor: Visitor; lang: Lang }) {
  const v = visitor?.verified ?? {};
  const rows: [MessageKey, string | undefined][] = [
    ["visitor.displayName", visitor?.displayName && visitor.displayName !== v.name ? visitor.displayName : undefined],
    ["visitor.name", v.name],
    ["visitor.phone", v.phone],
    ["visitor.email", v.email],
  ];
  const shown = rows.filter((r): r is [MessageKey, string] => !!r[1]);
  if (shown.length === 0) return null;
  return (
    <dl class="visitor-sent" data-testid="visitor-sent" aria-label={t(lang, "visitor.sent")}>
      {shown.map(([k, value]) => (
        <div class="kv" key={k} data-field={k.slice("visitor.".length)}>
          <dt>{t(lang, k)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What the search starts with for a not-linked visitor: the name the platform sent, else a phone or e-mail in clear. */
export function searchSeed(visitor: Visitor | undefined): string {
  const v = visitor?.verified ?? {};
  const clear = (s: string | undefined) => (s && !s.includes("*") ? s : "");
  return (v.name || visitor?.displayName || clear(v.phone) || clear(v.email) || "").trim().slice(0, 100);
}

function MatchedOn({ fields, lang }: { fields: string[] | undefined; lang: Lang }) {
  if (!fields || fields.length === 0) return null;
  return (
    <span class="matched-on" data-testid="matched-on">
      <span class="label">{t(lang, "matchedOn")}</span> {fields.map((f) => matchedFieldWord(lang, f)).join(lang === "zh" ? "、" : ", ")}
    </span>
  );
}

/** The candidates, read-only (without Actions, LinkPicker lists them with Link buttons). */
function Candidates({ candidates, lang }: { candidates: Candidate[]; lang: Lang }) {
  return (
    <section class="candidates" data-testid="candidates">
      <h2>{t(lang, "candidates.title")}</h2>
      <ul>
        {candidates.map((c) => (
          <li key={c.id} data-testid={`candidate-${c.id}`}>
            <span class="candidate-name">{c.name}</span>
            {c.hint && <span class="candidate-hint muted">{c.hint}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What the header says about the contact besides the name, taken from the contact and account panels. */
export interface HeaderFacts {
  /** The contact's job title. */
  title?: string;
  company?: string;
  owner?: string;
  /** The contact's (then the account's) `tags` field, split. */
  tags: string[];
  /** Enum values of the contact and account (an account's tier): shown as badges. */
  badges: { value: string; label: string }[];
}

/**
 * The header's facts. Only fields the layout sends and does not mask are
 * used (a masked value stays in its panel, behind Show): the contact
 * panel's title, company, owner and tags, then the account panel's name (as
 * the company), owner and tags; enum fields of both as badges.
 */
export function headerFacts(ctx: SidebarContext, lang: Lang): HeaderFacts {
  const panels = Array.isArray(ctx.panels) ? ctx.panels : [];
  const first = (object: string) => {
    const panel = panels.find((p) => p.object === object && Array.isArray(p.records) && Array.isArray(p.fields));
    const rec = panel?.records[0];
    return panel && rec ? { panel, rec } : null;
  };
  const contact = first("contact");
  const account = first("account");
  const value = (src: { panel: Panel; rec: CrmRecord } | null, key: string) => {
    const f = src?.panel.fields.find((x) => x.key === key);
    const v = f && !f.masked ? src?.rec.values?.[key]?.trim() : undefined;
    return v || undefined;
  };
  const tags = (value(contact, "tags") ?? value(account, "tags") ?? "")
    .split(/[,，、;；|]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const badges: HeaderFacts["badges"] = [];
  for (const src of [contact, account]) {
    for (const f of src?.panel.fields ?? []) {
      const v = f.type === "enum" && !f.masked ? src?.rec.values?.[f.key]?.trim() : "";
      if (v) badges.push({ value: v, label: label(f.label, lang, f.key) });
    }
  }
  return {
    title: value(contact, "title"),
    company: value(contact, "company") ?? value(account, "name"),
    owner: value(contact, "owner") ?? value(account, "owner"),
    tags: [...new Set(tags)].slice(0, 12),
    badges,
  };
}

/** One or two letters for the avatar: the first character of a Chinese name, the initials of a Latin one. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const firstChar = (w: string | undefined) => [...(w ?? "")][0] ?? "";
  if (words.length === 0) return "?";
  const a = firstChar(words[0]);
  if (/\p{Script=Han}/u.test(a) || words.length === 1) return a.toUpperCase();
  return (a + firstChar(words[words.length - 1])).toUpperCase();
}

// Element Timing: the browser reports when the name was painted (the e2e
// performance test reads it). Spread, as Preact's JSX types do not list it.
const paintTimed = { elementtiming: "crmlens-header" } as Record<string, string>;

export function HeaderCard({ ctx, lang, actions, refresh }: { ctx: SidebarContext; lang: Lang; actions?: Actions; refresh?: RefreshState }) {
  const { match } = ctx;
  const refreshButton = refresh && <RefreshButton lang={lang} refresh={refresh} />;
  if (match?.status !== "linked" || !ctx.contact) {
    const candidates = match?.status === "not_linked" ? (match.candidates ?? []) : [];
    return (
      <header class="card head not-linked" data-testid="state-not-linked">
        <div class="head-top">
          <h1 class="name" {...paintTimed}>
            {t(lang, "notLinked.title")}
          </h1>
          {refreshButton}
        </div>
        <p>{t(lang, "notLinked.body")}</p>
        <VisitorLine visitor={ctx.visitor} lang={lang} />
        <VisitorSent visitor={ctx.visitor} lang={lang} />
        {(!!match?.reason || !!match?.matchedOn?.length) && (
          <p class="reason muted" data-testid="match-reason">
            {reasonText(ctx, lang)}
            <MatchedOn fields={match.matchedOn} lang={lang} />
          </p>
        )}
        {actions && match?.status === "not_linked" && match.rejected && (
          <Relink key={match.rejected.id} contact={match.rejected} lang={lang} actions={actions} />
        )}
        {!actions && candidates.length > 0 && <Candidates candidates={candidates} lang={lang} />}
      </header>
    );
  }
  const facts = headerFacts(ctx, lang);
  const org = [facts.title, facts.company].filter(Boolean).join(" · ");
  // A method a newer server may add has no words here: then only the reason is shown.
  const method = match.method ? (catalogues[lang][`method.${match.method}` as keyof Catalogue] as string | undefined) : undefined;
  return (
    <header class="card head" data-testid="header">
      <div class="head-top">
        <span class="avatar" aria-hidden="true">
          {initials(ctx.contact.name)}
        </span>
        <div class="head-who">
          <h1 class="name" data-testid="contact-name" {...paintTimed}>
            {ctx.contact.name}
          </h1>
          {org && (
            <p class="org" data-testid="contact-org">
              {org}
            </p>
          )}
        </div>
        {refreshButton}
      </div>
      {(facts.badges.length > 0 || facts.tags.length > 0) && (
        <ul class="tags" aria-label={t(lang, "header.tags")} data-testid="contact-tags">
          {facts.badges.map((b) => (
            <li key={`b|${b.value}`}>
              <StatusBadge value={b.value} label={b.label} />
            </li>
          ))}
          {facts.tags.map((tag) => (
            <li key={`t|${tag}`} class="contact-tag">
              {tag}
            </li>
          ))}
        </ul>
      )}
      {facts.owner && (
        <p class="owner" data-testid="contact-owner">
          <span class="k">{t(lang, "header.owner")}</span> {facts.owner}
        </p>
      )}
      <div class="reason" data-testid="match-reason">
        <p>
          <span class="label">{t(lang, "whyMatched")}</span>
          {method && (
            <span class="method" data-testid="match-method">
              {method}
            </span>
          )}
        </p>
        <p class="reason-text">{reasonText(ctx, lang)}</p>
        <MatchedOn fields={match.matchedOn} lang={lang} />
      </div>
      <VisitorLine visitor={ctx.visitor} lang={lang} />
      {actions && <NotThisPerson lang={lang} actions={actions} />}
    </header>
  );
}

/** One panel in a card whose title collapses it (remembered per panel key), drawn by its widget. */
export function PanelView({ panel, index }: { panel: Panel; index: number }) {
  const { lang, panels } = useEnv();
  const [open, setOpen] = useState(() => !panels.isCollapsed(panel.key));
  const id = `crmlens-panel-${index}`;
  const toggle = () => {
    setOpen(!open);
    panels.setCollapsed(panel.key, open);
  };
  const count = Array.isArray(panel.records) ? panel.records.length : 0;
  return (
    <section class="card panel" data-testid={`panel-${panel.key}`} data-kind={panel.kind} data-object={panel.object}>
      <h2 class="panel-h">
        <button type="button" class="toggle" aria-expanded={open} aria-controls={`${id}-body`} data-testid="collapse-toggle" onClick={toggle}>
          <span class="chev" aria-hidden="true" />
          <span class="panel-title">{label(panel.title, lang, panel.key)}</span>
          {panel.kind === "list" && <span class="count">{count}</span>}
        </button>
      </h2>
      <div class="panel-body" id={`${id}-body`} hidden={!open}>
        <PanelBody panel={panel} lang={lang} />
      </div>
    </section>
  );
}

/**
 * The panel's widget, inside an error boundary: a widget that throws (or a
 * panel it cannot read) leaves its values as plain text, never a blank
 * sidebar. New data for the panel tries the widget again.
 */
function PanelBody({ panel, lang }: { panel: Panel; lang: Lang }) {
  const { widgets } = useEnv();
  const [error, reset] = useErrorBoundary((e: unknown) => console.error(`crmlens: the widget for panel "${panel.key}" failed`, e));
  useEffect(() => {
    if (error) reset();
  }, [panel]);
  if (error || !Array.isArray(panel.fields) || !Array.isArray(panel.records)) {
    return <PlainPanel panel={panel} lang={lang} reason="failed" />;
  }
  const Widget = widgets.panelWidget(panel) ?? UnknownKindPanel;
  return <Widget panel={panel} lang={lang} />;
}

/** Where the flow failed: before asking the server, opening the session, or loading the context. */
export type ErrorStage = "page" | "session" | "context";

export function ErrorState(props: { lang: Lang; code: string; message: string; stage?: ErrorStage; onRetry?: () => void }) {
  const { lang, code, message, stage, onRetry } = props;
  const words = errorText(lang, code, stage);
  return (
    <main class="sidebar" data-state="error">
      <section class="card error" role="alert" data-testid="state-error" data-code={code}>
        <h1>{t(lang, "error.title")}</h1>
        <p data-testid="error-message">{words ?? (message || t(lang, "err.unknown"))}</p>
        {words && message && message !== words && (
          <p class="detail">
            {t(lang, "error.details")} {message} <code>{code}</code>
          </p>
        )}
        {onRetry && (
          <button type="button" class="btn" data-testid="retry" onClick={onRetry}>
            {t(lang, "retry")}
          </button>
        )}
      </section>
    </main>
  );
}

/** Chatwoot mode when no context came: most likely the page is not set up as a dashboard app. */
export function Waiting({ lang, onRetry }: { lang: Lang; onRetry: () => void }) {
  return (
    <main class="sidebar" data-state="waiting">
      <section class="card waiting" role="status" data-testid="state-waiting">
        <p data-testid="waiting-message">{t(lang, "chatwoot.waiting")}</p>
        <button type="button" class="btn" data-testid="retry" onClick={onRetry}>
          {t(lang, "retry")}
        </button>
      </section>
    </main>
  );
}

/** The loading state; sidebar.html has the same markup, so the page is never blank before the script runs. */
export function Skeleton({ lang }: { lang: Lang }) {
  return (
    <main class="sidebar" aria-busy="true" data-testid="state-loading" data-state="loading">
      <h1 class="sr-only">{t(lang, "loading")}</h1>
      <div class="card sk-card">
        <div class="sk-head">
          <div class="sk sk-avatar" />
          <div class="sk sk-title" />
        </div>
        <div class="sk sk-line" />
        <div class="sk sk-line short" />
      </div>
      <div class="card sk-card">
        <div class="sk sk-line" />
        <div class="sk sk-line" />
        <div class="sk sk-line short" />
      </div>
      <div class="card sk-card">
        <div class="sk sk-line short" />
      </div>
    </main>
  );
}
