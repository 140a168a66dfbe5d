// Views of the sidebar: they render what they are given. Given Actions, they
// also offer the agent's actions (see actions.tsx); without, they are read-only.
import type { Candidate, CrmRecord, FieldDef, Panel, SidebarContext, Visitor } from "../api/types";
import { errorText, t, type Lang } from "../shared/i18n";
import { LinkPicker, MaskedValue, NotThisPerson, type Actions } from "./actions";
import { displayValue, EMPTY, type Display } from "./format";

const statusKey = /(^|_)(status|state|stage|priority)$/i;

/** The field shown as a badge in list rows: an enum, or a status-like key. */
export function badgeField(fields: FieldDef[]): FieldDef | undefined {
  return fields.find((f) => f.type === "enum") ?? fields.find((f) => statusKey.test(f.key));
}

function Shown({ field, d }: { field: FieldDef; d: Display }) {
  if (d.href) {
    const external = field.type === "url";
    return (
      <a href={d.href} target={external ? "_blank" : undefined} rel={external ? "noopener noreferrer" : undefined}>
        {d.text}
      </a>
    );
  }
  return <>{d.text}</>;
}

interface Cell {
  field: FieldDef;
  rec: CrmRecord;
  panel: Panel;
  lang: Lang;
  actions?: Actions;
}

function Value({ field, rec, panel, lang, actions }: Cell) {
  const d = displayValue(field, rec.values, lang);
  if (field.masked && d.text !== EMPTY) {
    if (actions) {
      // Keyed by record and value: a clear value never outlives the masked one it replaced.
      return (
        <MaskedValue
          key={`${rec.id}|${d.text}`}
          text={d.text}
          req={{ object: panel.object, recordId: rec.id, field: field.key }}
          testId={`reveal-${panel.key}-${rec.id}-${field.key}`}
          label={field.label[lang]}
          lang={lang}
          actions={actions}
          clear={(value) => (
            <Shown field={field} d={displayValue({ ...field, masked: false }, { ...rec.values, [field.key]: value }, lang)} />
          )}
        />
      );
    }
    return (
      <span class="masked" title={t(lang, "masked")}>
        {d.text}
      </span>
    );
  }
  return <Shown field={field} d={d} />;
}

function VisitorLine({ visitor, lang }: { visitor: Visitor; lang: Lang }) {
  return (
    <p class="visitor" data-testid="visitor">
      <span title={t(lang, "channel")}>{visitor.channel}</span>
      <span class="sep" aria-hidden="true">
        ·
      </span>
      <span title={t(lang, "visitorId")} class="mono">
        {visitor.externalId}
      </span>
    </p>
  );
}

function MatchedOn({ fields, lang }: { fields: string[] | undefined; lang: Lang }) {
  if (!fields || fields.length === 0) return null;
  return (
    <span class="matched-on" data-testid="matched-on">
      <span class="label">{t(lang, "matchedOn")}</span> {fields.join(lang === "zh" ? "、" : ", ")}
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

export function HeaderCard({ ctx, lang, actions }: { ctx: SidebarContext; lang: Lang; actions?: Actions }) {
  const { match } = ctx;
  if (match.status !== "linked" || !ctx.contact) {
    const candidates = match.status === "not_linked" ? (match.candidates ?? []) : [];
    return (
      <header class="card head not-linked" data-testid="state-not-linked">
        <h1 class="name">{t(lang, "notLinked.title")}</h1>
        <p>{t(lang, "notLinked.body")}</p>
        <VisitorLine visitor={ctx.visitor} lang={lang} />
        {(!!match.reason || !!match.matchedOn?.length) && (
          <p class="reason muted" data-testid="match-reason">
            {match.reason}
            <MatchedOn fields={match.matchedOn} lang={lang} />
          </p>
        )}
        {!actions && candidates.length > 0 && <Candidates candidates={candidates} lang={lang} />}
      </header>
    );
  }
  return (
    <header class="card head">
      <h1 class="name" data-testid="contact-name">
        {ctx.contact.name}
      </h1>
      <VisitorLine visitor={ctx.visitor} lang={lang} />
      <p class="reason" data-testid="match-reason">
        <span class="label">{t(lang, "whyMatched")}</span> {match.reason}
        <MatchedOn fields={match.matchedOn} lang={lang} />
      </p>
      {actions && <NotThisPerson lang={lang} actions={actions} />}
    </header>
  );
}

type PanelProps = { panel: Panel; lang: Lang; actions?: Actions };

function RecordBody({ panel, lang, actions }: PanelProps) {
  const rec = panel.records[0];
  if (!rec) return <p class="empty">{t(lang, "empty")}</p>;
  return (
    <dl class="fields">
      {panel.fields.map((f) => (
        <div class="row" key={f.key} data-field={f.key}>
          <dt>{f.label[lang]}</dt>
          <dd>
            <Value field={f} rec={rec} panel={panel} lang={lang} actions={actions} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ListBody({ panel, lang, actions }: PanelProps) {
  if (panel.records.length === 0) return <p class="empty">{t(lang, "empty")}</p>;
  const badge = badgeField(panel.fields);
  // A money field already shows its currency: its currency field would repeat it.
  const currencies = new Set(panel.fields.filter((f) => f.type === "money" && f.currencyField).map((f) => f.currencyField));
  const rest = panel.fields.filter((f) => f !== badge && !currencies.has(f.key));
  const [title, ...meta] = rest;
  return (
    <ul class="items">
      {panel.records.map((r) => (
        <li class="item" key={r.id} data-record={r.id}>
          <div class="item-top">
            <span class="item-title">{title ? <Value field={title} rec={r} panel={panel} lang={lang} actions={actions} /> : r.id}</span>
            {badge && r.values[badge.key] && (
              <span class="badge" data-status={r.values[badge.key]} title={badge.label[lang]}>
                <Value field={badge} rec={r} panel={panel} lang={lang} />
              </span>
            )}
          </div>
          {meta.length > 0 && (
            <div class="item-meta">
              {meta.map((f) => (
                <span key={f.key} data-field={f.key}>
                  <span class="k">{f.label[lang]}</span> <Value field={f} rec={r} panel={panel} lang={lang} actions={actions} />
                </span>
              ))}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

export function PanelView({ panel, lang, actions }: PanelProps) {
  return (
    <section class="card panel" data-testid={`panel-${panel.key}`} data-kind={panel.kind}>
      <details open>
        <summary>
          <h2>{panel.title[lang]}</h2>
          {panel.kind === "list" && <span class="count">{panel.records.length}</span>}
        </summary>
        {panel.kind === "list" ? (
          <ListBody panel={panel} lang={lang} actions={actions} />
        ) : (
          <RecordBody panel={panel} lang={lang} actions={actions} />
        )}
      </details>
    </section>
  );
}

export function SidebarView({ ctx, lang, actions }: { ctx: SidebarContext; lang: Lang; actions?: Actions }) {
  const linked = ctx.match.status === "linked" && !!ctx.contact;
  // Without a contact, panels that came back empty would only repeat "nothing here".
  const panels = linked ? ctx.panels : ctx.panels.filter((p) => p.records.length > 0);
  return (
    <main class="sidebar" data-testid="sidebar">
      <HeaderCard ctx={ctx} lang={lang} actions={actions} />
      {!linked && actions && (
        <LinkPicker candidates={ctx.match.status === "not_linked" ? (ctx.match.candidates ?? []) : []} lang={lang} actions={actions} />
      )}
      {panels.map((p) => (
        <PanelView key={p.key} panel={p} lang={lang} actions={actions} />
      ))}
      <footer class="layout muted" title={ctx.layout.reason}>
        {t(lang, "layout")}: {ctx.layout.name}
      </footer>
    </main>
  );
}

/** Where the flow failed: before asking the server, opening the session, or loading the context. */
export type ErrorStage = "page" | "session" | "context";

export function ErrorState(props: { lang: Lang; code: string; message: string; stage?: ErrorStage; onRetry?: () => void }) {
  const { lang, code, message, stage, onRetry } = props;
  const words = errorText(lang, code, stage);
  return (
    <main class="sidebar">
      <section class="card error" role="alert" data-testid="state-error" data-code={code}>
        <h1>{t(lang, "error.title")}</h1>
        <p data-testid="error-message">{words ?? (message || t(lang, "err.unknown"))}</p>
        {words && message && message !== words && (
          <p class="muted detail">
            {t(lang, "error.details")}: {message} <code>{code}</code>
          </p>
        )}
        {onRetry && (
          <button type="button" data-testid="retry" onClick={onRetry}>
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
    <main class="sidebar">
      <section class="card waiting" role="status" data-testid="state-waiting">
        <p data-testid="waiting-message">{t(lang, "chatwoot.waiting")}</p>
        <button type="button" data-testid="retry" onClick={onRetry}>
          {t(lang, "retry")}
        </button>
      </section>
    </main>
  );
}

export function Skeleton({ lang }: { lang: Lang }) {
  return (
    <main class="sidebar" aria-busy="true" data-testid="state-loading">
      <span class="sr-only">{t(lang, "loading")}</span>
      <div class="card sk-card">
        <div class="sk sk-title" />
        <div class="sk sk-line" />
        <div class="sk sk-line short" />
      </div>
      <div class="card sk-card">
        <div class="sk sk-line" />
        <div class="sk sk-line" />
        <div class="sk sk-line short" />
      </div>
    </main>
  );
}
