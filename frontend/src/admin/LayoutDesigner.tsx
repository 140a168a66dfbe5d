// The layout designer: pick objects, tick and order fields, labels, limits,
// sort, filters, masking and scope, with the sidebar beside it as a chosen
// contact's agent would see it with the layout being edited (the server
// projects and masks the preview exactly as it will for agents). A version
// conflict on save is shown and the admin's edits are kept.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { SidebarView } from "../sidebar/views";
import "../sidebar/sidebar.css";
import type { AdminClient } from "./api";
import { t, type Lang } from "../shared/i18n";
import "./messages";
import type { Candidate, CatalogField, CatalogObject, FieldCatalog, Label, LayoutDoc, LayoutPanel, ObjectName, SidebarContext } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, splitList, type Failure } from "./ui";

/** The built-in default layout (internal/layout.Default), the starting point before any layout is stored. */
export const starterLayout: LayoutDoc = {
  name: "default",
  scope: { default: true },
  panels: [
    { object: "contact", title: { zh: "联系人", en: "Contact" }, fields: ["name", "phone", "email", "title"], masked: ["phone"] },
    { object: "account", title: { zh: "客户", en: "Account" }, fields: ["name", "industry", "tier", "owner"] },
    {
      object: "tickets",
      title: { zh: "未结工单", en: "Open tickets" },
      fields: ["subject", "status", "priority", "created_at"],
      limit: 10,
      sort: "created_at",
      filter: { status: ["open", "pending"] },
    },
    { object: "orders", title: { zh: "最近订单", en: "Recent orders" }, fields: ["order_no", "amount", "currency", "status", "placed_at"], limit: 5, sort: "placed_at" },
    {
      object: "leads",
      title: { zh: "进行中的线索", en: "Open leads" },
      fields: ["title", "status", "source", "created_at"],
      limit: 10,
      sort: "created_at",
      filter: { status: ["open", "qualified"] },
    },
  ],
};

const clone = <T,>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Moves item from index from to index to. */
export function move<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x as T);
  return out;
}

/** Shows or hides field key in panel p, keeping masks, labels and sort consistent. */
export function toggleField(p: LayoutPanel, key: string, on: boolean): LayoutPanel {
  if (on) return p.fields.includes(key) ? p : { ...p, fields: [...p.fields, key] };
  const labels = { ...(p.labels ?? {}) };
  delete labels[key];
  return {
    ...p,
    fields: p.fields.filter((f) => f !== key),
    masked: (p.masked ?? []).filter((f) => f !== key),
    labels,
  };
}

/**
 * Panel p shown for another object (to): what still applies is kept (the
 * fields to also has, in their order, with their labels and masks; the
 * limit, sort and filters to can take), the rest is dropped. A title is
 * kept only when the admin wrote one that is not the old object's name.
 */
export function changeObject(p: LayoutPanel, to: CatalogObject, from?: CatalogObject): LayoutPanel {
  const has = new Map(to.fields.filter((f) => !f.retired).map((f) => [f.key, f] as const));
  const fields = p.fields.filter((k) => has.has(k));
  const out: LayoutPanel = { object: to.object, fields };
  const labels = Object.fromEntries(Object.entries(p.labels ?? {}).filter(([k]) => has.has(k)));
  if (Object.keys(labels).length) out.labels = labels;
  const masked = (p.masked ?? []).filter((k) => fields.includes(k));
  if (masked.length) out.masked = masked;
  if (!to.single) {
    if (p.limit !== undefined) out.limit = p.limit;
    if (p.sort && has.get(p.sort)?.sortable) out.sort = p.sort;
    const filter = Object.fromEntries(Object.entries(p.filter ?? {}).filter(([k]) => has.get(k)?.filterable));
    if (Object.keys(filter).length) out.filter = filter;
  }
  const own = p.title && !(from && p.title.zh === from.label.zh && p.title.en === from.label.en);
  if (own && p.title) out.title = p.title;
  return out;
}

function PanelEditor(props: {
  lang: Lang;
  index: number;
  count: number;
  panel: LayoutPanel;
  catalog: FieldCatalog;
  error?: string | undefined;
  onChange: (p: LayoutPanel) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { lang, panel: p, index: i } = props;
  const obj: CatalogObject | undefined = props.catalog.objects.find((o) => o.object === p.object);
  const fields = (obj?.fields ?? []).filter((f) => !f.retired || p.fields.includes(f.key));
  const byKey = new Map(fields.map((f) => [f.key, f] as const));
  const ticked = p.fields.map((k) => byKey.get(k)).filter((f): f is CatalogField => !!f);
  const unticked = fields.filter((f) => !p.fields.includes(f.key));
  const dragging = useRef<string | null>(null);
  const set = (patch: Partial<LayoutPanel>) => props.onChange({ ...p, ...patch });
  const setLabel = (f: CatalogField, which: keyof Label, v: string) => {
    const labels = { ...(p.labels ?? {}) };
    const cur = labels[f.key] ?? { ...f.label };
    const next = { ...cur, [which]: v };
    if (next.zh === f.label.zh && next.en === f.label.en) delete labels[f.key];
    else labels[f.key] = { zh: next.zh || f.label.zh, en: next.en || f.label.en };
    set({ labels });
  };
  return (
    <section class={props.error ? "box panel-editor has-error" : "box panel-editor"} data-testid={`panel-editor-${i}`}>
      <div class="row-between">
        <h3>
          {i + 1}. {obj ? obj.label[lang] : p.object}
        </h3>
        <div class="btns">
          <button type="button" class="icon" title={t(lang, "moveUp")} aria-label={t(lang, "moveUp")} disabled={i === 0} onClick={() => props.onMove(i - 1)}>
            ↑
          </button>
          <button type="button" class="icon" title={t(lang, "moveDown")} aria-label={t(lang, "moveDown")} disabled={i === props.count - 1} onClick={() => props.onMove(i + 1)}>
            ↓
          </button>
          <button type="button" class="icon danger" title={t(lang, "remove")} aria-label={t(lang, "remove")} onClick={props.onRemove} data-testid={`panel-remove-${i}`}>
            ×
          </button>
        </div>
      </div>
      {props.error && (
        <p class="field-error" role="alert" data-testid={`panel-error-${i}`}>
          {props.error}
        </p>
      )}
      <div class="grid2">
        <FieldRow label={t(lang, "lay.object")}>
          <select
            value={p.object}
            onChange={(e) => {
              const to = props.catalog.objects.find((o) => o.object === (e.currentTarget.value as ObjectName));
              if (to) props.onChange(changeObject(p, to, obj));
            }}
            data-testid={`panel-object-${i}`}
          >
            {props.catalog.objects.map((o) => (
              <option key={o.object} value={o.object}>
                {o.label[lang]}
              </option>
            ))}
          </select>
        </FieldRow>
        <FieldRow label={t(lang, "lay.panelTitle")}>
          <input
            value={p.title?.[lang] ?? ""}
            placeholder={obj?.label[lang]}
            onInput={(e) => {
              const v = e.currentTarget.value;
              const base = p.title ?? obj?.label ?? { zh: "", en: "" };
              set({ title: v ? { ...base, [lang]: v } : undefined });
            }}
          />
        </FieldRow>
      </div>
      <p class="form-label">{t(lang, "lay.fields")}</p>
      <ul class="field-list">
        {ticked.map((f, fi) => {
          const override = p.labels?.[f.key];
          return (
            <li
              key={f.key}
              class="field-item on"
              draggable
              data-testid={`field-${i}-${f.key}`}
              onDragStart={() => (dragging.current = f.key)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                const from = dragging.current ? p.fields.indexOf(dragging.current) : -1;
                dragging.current = null;
                set({ fields: move(p.fields, from, fi) });
              }}
            >
              <span class="grip" aria-hidden="true">
                ⋮⋮
              </span>
              <label class="check">
                <input type="checkbox" checked onChange={() => props.onChange(toggleField(p, f.key, false))} data-testid={`tick-${i}-${f.key}`} />
                <span>{f.label[lang]}</span> <code class="muted">{f.key}</code>
              </label>
              <input
                class="label-input"
                aria-label={`${t(lang, "lay.label")} ${f.key}`}
                placeholder={f.label[lang]}
                value={override ? override[lang] : ""}
                onInput={(e) => setLabel(f, lang, e.currentTarget.value)}
              />
              <label class="check small">
                <input
                  type="checkbox"
                  checked={(p.masked ?? []).includes(f.key)}
                  data-testid={`mask-${i}-${f.key}`}
                  onChange={(e) =>
                    set({ masked: e.currentTarget.checked ? [...(p.masked ?? []), f.key] : (p.masked ?? []).filter((m) => m !== f.key) })
                  }
                />{" "}
                {t(lang, "lay.masked")}
              </label>
              <button type="button" class="icon" aria-label={t(lang, "moveUp")} disabled={fi === 0} onClick={() => set({ fields: move(p.fields, fi, fi - 1) })}>
                ↑
              </button>
              <button
                type="button"
                class="icon"
                aria-label={t(lang, "moveDown")}
                disabled={fi === ticked.length - 1}
                onClick={() => set({ fields: move(p.fields, fi, fi + 1) })}
              >
                ↓
              </button>
            </li>
          );
        })}
        {unticked.map((f) => (
          <li key={f.key} class="field-item off" data-testid={`field-${i}-${f.key}`}>
            <label class="check">
              <input type="checkbox" checked={false} onChange={() => props.onChange(toggleField(p, f.key, true))} data-testid={`tick-${i}-${f.key}`} />
              <span>{f.label[lang]}</span> <code class="muted">{f.key}</code>
            </label>
          </li>
        ))}
      </ul>
      {!obj?.single && (
        <div class="grid2">
          <FieldRow label={t(lang, "lay.limit")}>
            <input
              type="number"
              min={1}
              max={50}
              value={p.limit ?? ""}
              data-testid={`panel-limit-${i}`}
              onInput={(e) => {
                const n = parseInt(e.currentTarget.value, 10);
                set({ limit: Number.isFinite(n) ? n : undefined });
              }}
            />
          </FieldRow>
          <FieldRow label={t(lang, "lay.sort")}>
            <select value={p.sort ?? ""} onChange={(e) => set({ sort: e.currentTarget.value || undefined })}>
              <option value="">{t(lang, "lay.sort.none")}</option>
              {fields
                .filter((f) => f.sortable)
                .map((f) => (
                  <option key={f.key} value={f.key}>
                    {f.label[lang]}
                  </option>
                ))}
            </select>
          </FieldRow>
          {fields
            .filter((f) => f.filterable)
            .map((f) => (
              <FieldRow key={f.key} label={t(lang, "lay.filter", { field: f.label[lang] })}>
                <input
                  value={(p.filter?.[f.key] ?? []).join(", ")}
                  onChange={(e) => {
                    const filter = { ...(p.filter ?? {}) };
                    const vals = splitList(e.currentTarget.value);
                    if (vals.length) filter[f.key] = vals;
                    else delete filter[f.key];
                    set({ filter: Object.keys(filter).length ? filter : undefined });
                  }}
                />
              </FieldRow>
            ))}
        </div>
      )}
    </section>
  );
}

function Preview({ client, lang, doc }: { client: AdminClient; lang: Lang; doc: LayoutDoc }) {
  const [q, setQ] = useState("");
  const [contacts, setContacts] = useState<Candidate[] | null>(null);
  const [contactId, setContactId] = useState("");
  const [ctx, setCtx] = useState<SidebarContext | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  useEffect(() => {
    const h = setTimeout(() => {
      client
        .contacts(q.trim())
        .then((list) => {
          setContacts(list);
          if (list.length && !list.some((c) => c.id === contactId)) setContactId(list[0]!.id);
        })
        .catch((e) => setFailure(asFailure(e)));
    }, 250);
    return () => clearTimeout(h);
  }, [q]);
  const body = JSON.stringify(doc);
  useEffect(() => {
    if (!contactId) return;
    const h = setTimeout(() => {
      client
        .previewLayout(doc, contactId)
        .then((c) => {
          setCtx(c);
          setFailure(null);
        })
        .catch((e) => setFailure(asFailure(e)));
    }, 300);
    return () => clearTimeout(h);
  }, [body, contactId]);
  return (
    <aside class="preview" data-testid="layout-preview">
      <h2>{t(lang, "lay.preview")}</h2>
      <FieldRow label={t(lang, "lay.previewAs")}>
        <input type="search" placeholder={t(lang, "lay.previewSearch")} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </FieldRow>
      {contacts && contacts.length === 0 && <p class="muted">{t(lang, "lay.previewNone")}</p>}
      {contacts && contacts.length > 0 && (
        <select value={contactId} onChange={(e) => setContactId(e.currentTarget.value)} data-testid="preview-contact">
          {contacts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} {c.hint && `(${c.hint})`}
            </option>
          ))}
        </select>
      )}
      {failure && (
        <p class="banner warn" data-testid="preview-error">
          {t(lang, "lay.previewInvalid")} {failure.message}
        </p>
      )}
      <div class={failure ? "preview-frame stale" : "preview-frame"}>{ctx && <SidebarView ctx={ctx} lang={lang} />}</div>
    </aside>
  );
}

export function LayoutDesigner({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [catalog, setCatalog] = useState<FieldCatalog | null>(null);
  const [stored, setStored] = useState<LayoutDoc[] | null>(null);
  const [doc, setDoc] = useState<LayoutDoc>(clone(starterLayout));
  const [failure, setFailure] = useState<Failure>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [conflict, setConflict] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleted, setDeleted] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([client.listFields(), client.listLayouts()])
      .then(([cat, layouts]) => {
        setCatalog(cat);
        setStored(layouts);
        const first = layouts.find((l) => l.scope.default) ?? layouts[0];
        if (first) setDoc(clone(first));
      })
      .catch((e) => setFailure(asFailure(e)));
  }, []);

  const isStored = useMemo(() => !!stored?.some((l) => l.name === doc.name && doc.version), [stored, doc]);
  if (!catalog || !stored) return <p class="loading">{failure ? failure.message : t(lang, "admin.loading")}</p>;

  const setPanel = (i: number, p: LayoutPanel) => setDoc({ ...doc, panels: doc.panels.map((x, j) => (j === i ? p : x)) });
  const save = async (d: LayoutDoc) => {
    setBusy(true);
    setFailure(null);
    setSaved(null);
    setDeleted(null);
    try {
      const out = await client.putLayout(d);
      setDoc(clone(out));
      setStored((s) => [...(s ?? []).filter((l) => l.name !== out.name), out]);
      setSaved(out.version ?? null);
      setConflict(null);
    } catch (e) {
      const f = asFailure(e);
      if (f.code === "layout_stale") setConflict(d.version ?? 0);
      else setFailure(f);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setFailure(null);
    setSaved(null);
    try {
      await client.deleteLayout(doc.name);
      const rest = (stored ?? []).filter((l) => l.name !== doc.name);
      setStored(rest);
      setDoc(clone(rest.find((l) => l.scope.default) ?? rest[0] ?? starterLayout));
      setDeleted(doc.name);
      setConflict(null);
    } catch (e) {
      setFailure(asFailure(e));
    } finally {
      setBusy(false);
      setDeleting(false);
    }
  };
  const theirs = async () => (await client.listLayouts()).find((l) => l.name === doc.name);
  const scopeList = (k: "groups" | "agents" | "integrations", label: Parameters<typeof t>[1]) => (
    <FieldRow label={t(lang, label)}>
      <input
        data-testid={`scope-${k}`}
        value={(doc.scope[k] ?? []).join(", ")}
        onChange={(e) => {
          const v = splitList(e.currentTarget.value);
          setDoc({ ...doc, scope: { ...doc.scope, [k]: v.length ? v : undefined } });
        }}
      />
    </FieldRow>
  );
  return (
    <section class="designer">
      <div class="designer-edit">
        <h1>{t(lang, "lay.title")}</h1>
        <p class="muted">{t(lang, "lay.intro")}</p>
        <div class="line">
          <FieldRow label={t(lang, "lay.pick")}>
            <select
              data-testid="layout-pick"
              value={isStored ? doc.name : ""}
              onChange={(e) => {
                const l = stored.find((x) => x.name === e.currentTarget.value);
                setDoc(clone(l ?? { ...starterLayout, name: "", scope: {} }));
                setFailure(null);
                setConflict(null);
                setSaved(null);
                setDeleting(false);
                setDeleted(null);
              }}
            >
              {stored.map((l) => (
                <option key={l.name} value={l.name}>
                  {l.name} (v{l.version})
                </option>
              ))}
              <option value="">{t(lang, "lay.new")}</option>
            </select>
          </FieldRow>
        </div>
        {stored.length === 0 && <p class="banner info">{t(lang, "lay.builtin")}</p>}
        <form
          data-testid="layout-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save(doc);
          }}
        >
          <div class="box">
            <div class="grid2">
              <FieldRow label={t(lang, "lay.name")} error={fieldError(failure, "name")} id="name">
                <input data-testid="layout-name" value={doc.name} readOnly={isStored} onInput={(e) => setDoc({ ...doc, name: e.currentTarget.value })} />
              </FieldRow>
              <p class="muted">
                {t(lang, "lay.version")}: {doc.version ?? "—"}
              </p>
            </div>
            <fieldset class={fieldError(failure, "scope") ? "has-error" : ""}>
              <legend>{t(lang, "lay.scope")}</legend>
              <label class="check">
                <input
                  type="checkbox"
                  data-testid="scope-default"
                  checked={!!doc.scope.default}
                  onChange={(e) => setDoc({ ...doc, scope: { ...doc.scope, default: e.currentTarget.checked || undefined } })}
                />{" "}
                {t(lang, "lay.scope.default")}
              </label>
              {scopeList("groups", "lay.scope.groups")}
              {scopeList("agents", "lay.scope.agents")}
              {scopeList("integrations", "lay.scope.integrations")}
              {fieldError(failure, "scope") && (
                <p class="field-error" role="alert" data-testid="error-scope">
                  {fieldError(failure, "scope")}
                </p>
              )}
            </fieldset>
          </div>
          <h2>{t(lang, "lay.panels")}</h2>
          {failure?.fields.some((f) => f.field === "panels") && (
            <p class="field-error" role="alert" data-testid="error-panels">
              {fieldError(failure, "panels")}
            </p>
          )}
          {doc.panels.map((p, i) => (
            <PanelEditor
              key={`${i}-${p.object}`}
              lang={lang}
              index={i}
              count={doc.panels.length}
              panel={p}
              catalog={catalog}
              error={fieldError(failure, `panels.${i}`)}
              onChange={(np) => setPanel(i, np)}
              onMove={(to) => setDoc({ ...doc, panels: move(doc.panels, i, to) })}
              onRemove={() => setDoc({ ...doc, panels: doc.panels.filter((_, j) => j !== i) })}
            />
          ))}
          <button
            type="button"
            class="secondary"
            data-testid="panel-add"
            onClick={() => setDoc({ ...doc, panels: [...doc.panels, { object: "orders", fields: ["order_no", "status"], limit: 5 }] })}
          >
            {t(lang, "lay.addPanel")}
          </button>
          <div class="save-bar sticky" data-testid="layout-save-bar">
            {/* Feedback beside the Save button, which stays in view: the
                result of a save is read where the click was. */}
            <div class="save-feedback" aria-live="polite">
              <ErrorBanner failure={failure} lang={lang} shown={["name", "scope", "panels"]} />
              {failure && failure.fields.length > 0 && (
                <p class="banner bad" data-testid="layout-not-saved">
                  {t(lang, "lay.notSaved")}
                </p>
              )}
              {conflict !== null && (
                <div class="banner warn" role="alert" data-testid="layout-conflict">
                  <p>{t(lang, "lay.conflict", { mine: conflict })}</p>
                  <div class="btns">
                    <button
                      type="button"
                      data-testid="conflict-overwrite"
                      onClick={async () => {
                        const th = await theirs();
                        void save({ ...doc, version: th?.version });
                      }}
                    >
                      {t(lang, "lay.conflict.overwrite")}
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      data-testid="conflict-reload"
                      onClick={async () => {
                        const th = await theirs();
                        if (th) setDoc(clone(th));
                        setConflict(null);
                      }}
                    >
                      {t(lang, "lay.conflict.reload")}
                    </button>
                  </div>
                </div>
              )}
              {saved !== null && (
                <p class="banner ok" data-testid="layout-saved">
                  {t(lang, "lay.saved", { version: saved })}
                </p>
              )}
              {deleted !== null && (
                <p class="banner ok" role="status" data-testid="layout-deleted">
                  {t(lang, "lay.deleted", { name: deleted })}
                </p>
              )}
              {deleting && isStored && (
                <div class="banner warn" role="alertdialog" data-testid="layout-delete-box">
                  <p>{t(lang, "lay.delete.confirm", { name: doc.name })}</p>
                  <div class="btns">
                    <button type="button" class="small danger" disabled={busy} data-testid="layout-delete-confirm" onClick={() => void remove()}>
                      {t(lang, "lay.delete.yes", { name: doc.name })}
                    </button>
                    <button type="button" class="secondary small" onClick={() => setDeleting(false)} data-testid="layout-delete-cancel">
                      {t(lang, "cancel")}
                    </button>
                  </div>
                </div>
              )}
            </div>
            <div class="btns">
              <button type="submit" disabled={busy} data-testid="layout-save">
                {busy ? t(lang, "saving") : t(lang, "save")}
              </button>
              {isStored && (
                <button type="button" class="secondary danger" disabled={busy} data-testid="layout-delete" onClick={() => setDeleting(true)}>
                  {t(lang, "lay.delete")}
                </button>
              )}
            </div>
          </div>
        </form>
      </div>
      <Preview client={client} lang={lang} doc={doc} />
    </section>
  );
}
