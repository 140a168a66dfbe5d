// The field catalog: built-in and custom fields per object; add, relabel,
// retire (and restore) custom fields.
import { useEffect, useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { fieldTypeName } from "./codes";
import { t, type Lang } from "../shared/i18n";
import "./messages";
import type { CatalogField, FieldCatalog, FieldType, ObjectName } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

const types: FieldType[] = ["text", "number", "money", "date", "datetime", "enum", "bool", "phone", "email", "url"];

/** The allowed values typed in the add form: one per line or comma-separated, blanks dropped. */
export function parseValues(text: string): string[] {
  return text
    .split(/[\n,，]/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function Relabel({ client, lang, f, onDone }: { client: AdminClient; lang: Lang; f: CatalogField; onDone: () => void }) {
  const [zh, setZh] = useState(f.label.zh);
  const [en, setEn] = useState(f.label.en);
  const [failure, setFailure] = useState<Failure>(null);
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await client.putField(f.object, f.key, { zh, en }, f.type);
          onDone();
        } catch (err) {
          setFailure(asFailure(err));
        }
      }}
    >
      <input aria-label={t(lang, "fld.labelZh")} value={zh} onInput={(e) => setZh(e.currentTarget.value)} />
      <input aria-label={t(lang, "fld.labelEn")} value={en} onInput={(e) => setEn(e.currentTarget.value)} />
      <button type="submit" class="small">
        {t(lang, "save")}
      </button>
      {failure && <span class="field-error">{failure.message}</span>}
    </form>
  );
}

export function Fields({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [cat, setCat] = useState<FieldCatalog | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  const [addFailure, setAddFailure] = useState<Failure>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState({ object: "contact" as ObjectName, key: "", zh: "", en: "", type: "text" as FieldType, values: "" });
  const load = () =>
    client
      .listFields()
      .then(setCat)
      .catch((e) => setFailure(asFailure(e)));
  useEffect(() => {
    void load();
  }, []);
  if (!cat) return <p class="loading">{failure ? failure.message : t(lang, "admin.loading")}</p>;
  return (
    <section>
      <h1>{t(lang, "fld.title")}</h1>
      <p class="muted">{t(lang, "fld.intro")}</p>
      <ErrorBanner failure={failure} lang={lang} />
      <form
        class="box form"
        data-testid="field-add"
        onSubmit={async (e) => {
          e.preventDefault();
          setAddFailure(null);
          setAdded(null);
          try {
            const values = form.type === "enum" ? parseValues(form.values) : [];
            const f = await client.putField(
              form.object,
              form.key.trim(),
              { zh: form.zh.trim(), en: form.en.trim() },
              form.type,
              values.length > 0 ? values : undefined,
            );
            const obj = cat.objects.find((o) => o.object === f.object);
            setAdded(t(lang, "fld.added", { label: f.label[lang], key: f.key, object: obj ? obj.label[lang] : f.object }));
            setForm({ ...form, key: "", zh: "", en: "", values: "" });
            void load();
          } catch (err) {
            setAddFailure(asFailure(err));
          }
        }}
      >
        <h2>{t(lang, "fld.add")}</h2>
        <div class="grid5">
          <FieldRow label={t(lang, "lay.object")} error={fieldError(addFailure, "object")} id="object">
            <select value={form.object} onChange={(e) => setForm({ ...form, object: e.currentTarget.value as ObjectName })}>
              {cat.objects.map((o) => (
                <option key={o.object} value={o.object}>
                  {o.label[lang]}
                </option>
              ))}
            </select>
          </FieldRow>
          <FieldRow label={t(lang, "fld.key")} error={fieldError(addFailure, "key")} id="key">
            <input name="key" value={form.key} onInput={(e) => setForm({ ...form, key: e.currentTarget.value })} placeholder="vip_level" />
          </FieldRow>
          <FieldRow label={t(lang, "fld.labelZh")} error={fieldError(addFailure, "label")} id="label">
            <input name="zh" value={form.zh} onInput={(e) => setForm({ ...form, zh: e.currentTarget.value })} />
          </FieldRow>
          <FieldRow label={t(lang, "fld.labelEn")}>
            <input name="en" value={form.en} onInput={(e) => setForm({ ...form, en: e.currentTarget.value })} />
          </FieldRow>
          <FieldRow label={t(lang, "fld.type")} error={fieldError(addFailure, "type")} id="type">
            <select value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value as FieldType })}>
              {types.map((ty) => (
                <option key={ty} value={ty}>
                  {fieldTypeName(lang, ty)}
                </option>
              ))}
            </select>
          </FieldRow>
        </div>
        {form.type === "enum" && (
          <FieldRow label={t(lang, "fld.values")} hint={t(lang, "fld.valuesHint")} error={fieldError(addFailure, "values")} id="values">
            <textarea name="values" rows={3} value={form.values} onInput={(e) => setForm({ ...form, values: e.currentTarget.value })} />
          </FieldRow>
        )}
        <ErrorBanner failure={addFailure} lang={lang} shown={["object", "key", "label", "type", "values"]} />
        <div aria-live="polite">
          {added && (
            <p class="banner ok" data-testid="field-added">
              {added}
            </p>
          )}
        </div>
        <button type="submit" data-testid="field-add-submit">
          {t(lang, "fld.add")}
        </button>
      </form>
      {cat.objects.map((o) => (
        <div class="box" key={o.object} data-testid={`catalog-${o.object}`}>
          <h2>{o.label[lang]}</h2>
          <table>
            <thead>
              <tr>
                <th>{t(lang, "fld.key")}</th>
                <th>{t(lang, "lay.label")}</th>
                <th>{t(lang, "fld.type")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {o.fields.map((f) => {
                const id = `${o.object}.${f.key}`;
                return (
                  <tr key={f.key} class={f.retired ? "retired" : ""} data-testid={`catalog-field-${id}`}>
                    <td>
                      <code>{f.key}</code>
                    </td>
                    <td>
                      {editing === id ? (
                        <Relabel
                          client={client}
                          lang={lang}
                          f={f}
                          onDone={() => {
                            setEditing(null);
                            void load();
                          }}
                        />
                      ) : (
                        `${f.label.zh} / ${f.label.en}`
                      )}
                    </td>
                    <td data-type={f.type}>
                      {fieldTypeName(lang, f.type)}
                      {f.values && f.values.length > 0 && (
                        <span class="muted" data-testid={`catalog-values-${id}`}>
                          {" "}
                          ({f.values.join(", ")})
                        </span>
                      )}
                    </td>
                    <td class="btns">
                      <span class="tag">{t(lang, f.custom ? (f.retired ? "fld.retired" : "fld.custom") : "fld.builtin")}</span>
                      {f.custom && !f.retired && (
                        <>
                          <button type="button" class="secondary small" onClick={() => setEditing(id)}>
                            {t(lang, "fld.relabel")}
                          </button>
                          <button
                            type="button"
                            class="secondary small"
                            onClick={() =>
                              client
                                .retireField(o.object, f.key)
                                .then(load)
                                .catch((e) => setFailure(asFailure(e)))
                            }
                          >
                            {t(lang, "fld.retire")}
                          </button>
                        </>
                      )}
                      {f.retired && (
                        <button
                          type="button"
                          class="secondary small"
                          onClick={() =>
                            client
                              .putField(o.object, f.key, f.label, f.type)
                              .then(load)
                              .catch((e) => setFailure(asFailure(e)))
                          }
                        >
                          {t(lang, "fld.restore")}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
