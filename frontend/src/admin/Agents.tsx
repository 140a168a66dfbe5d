// Agents and groups: the list with each agent's groups (editable) and the
// layout that applies and why; import from CSV or NDJSON.
import { useEffect, useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { layoutReasonText, t, type Lang } from "../shared/i18n";
import "./messages";
import type { AdminAgent, AgentList } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, splitList, type Failure } from "./ui";

function GroupsCell({ client, lang, a, onSaved }: { client: AdminClient; lang: Lang; a: AdminAgent; onSaved: () => void }) {
  const [text, setText] = useState(a.groups.join(", "));
  const [failure, setFailure] = useState<Failure>(null);
  const dirty = text !== a.groups.join(", ");
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await client.setAgentGroups(a.id, splitList(text));
          setFailure(null);
          onSaved();
        } catch (err) {
          setFailure(asFailure(err));
        }
      }}
    >
      <input aria-label={t(lang, "agt.groups")} value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid={`groups-${a.id}`} />
      {dirty && (
        <button type="submit" class="small">
          {t(lang, "save")}
        </button>
      )}
      {failure && <span class="field-error">{fieldError(failure, "groups") ?? failure.message}</span>}
    </form>
  );
}

export function Agents({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [data, setData] = useState<AgentList | null>(null);
  const [failure, setFailure] = useState<Failure>(null);
  const [format, setFormat] = useState<"csv" | "ndjson">("csv");
  const [content, setContent] = useState("platform,platform_id,email,name,groups\n");
  const [importFailure, setImportFailure] = useState<Failure>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = () =>
    client
      .listAgents()
      .then(setData)
      .catch((e) => setFailure(asFailure(e)));
  useEffect(() => {
    void load();
  }, []);
  return (
    <section>
      <h1>{t(lang, "agt.title")}</h1>
      <p class="muted">{t(lang, "agt.intro")}</p>
      <ErrorBanner failure={failure} lang={lang} />
      {data && data.groups.length > 0 && (
        <p data-testid="groups-summary">
          <strong>{t(lang, "agt.groupsSummary")}:</strong>{" "}
          {data.groups.map((g) => (
            <span class="tag" key={g.name}>
              {g.name} · {t(lang, g.members === 1 ? "agt.members.one" : "agt.members", { n: g.members })}
            </span>
          ))}
        </p>
      )}
      {!data ? (
        <p class="loading">{t(lang, "admin.loading")}</p>
      ) : data.agents.length === 0 ? (
        <p class="none">{t(lang, "agt.none")}</p>
      ) : (
        <div class="box">
          <table data-testid="agents">
            <thead>
              <tr>
                <th>{t(lang, "agt.name")}</th>
                <th>{t(lang, "agt.platformId")}</th>
                <th>{t(lang, "agt.origin")}</th>
                <th>{t(lang, "agt.groups")}</th>
                <th>{t(lang, "agt.layout")}</th>
              </tr>
            </thead>
            <tbody>
              {data.agents.map((a) => (
                <tr key={a.id} data-testid={`agent-${a.platformId}`}>
                  <td>
                    {a.name || "—"}
                    <br />
                    <span class="muted">{a.email}</span>
                  </td>
                  <td>
                    <code>
                      {a.platform}/{a.platformId}
                    </code>
                  </td>
                  <td>{t(lang, a.origin === "import" ? "agt.origin.import" : "agt.origin.seen")}</td>
                  <td>
                    <GroupsCell key={a.groups.join(",")} client={client} lang={lang} a={a} onSaved={load} />
                  </td>
                  <td>
                    <strong data-testid="agent-layout">{a.layout.name}</strong>
                    <br />
                    <span class="muted small">{layoutReasonText(lang, a.layout)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        class="box form"
        data-testid="agents-import"
        onSubmit={async (e) => {
          e.preventDefault();
          setImportFailure(null);
          setDone(null);
          try {
            const r = await client.importAgents(format, content);
            setDone(t(lang, "agt.import.done", { records: r.records, created: r.created, updated: r.updated }));
            void load();
          } catch (err) {
            setImportFailure(asFailure(err));
          }
        }}
      >
        <h2>{t(lang, "agt.import")}</h2>
        <FieldRow label={t(lang, "agt.import.format")} error={fieldError(importFailure, "format")}>
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value as "csv" | "ndjson")}>
            <option value="csv">CSV</option>
            <option value="ndjson">NDJSON</option>
          </select>
        </FieldRow>
        <FieldRow label={t(lang, "agt.import.content")} hint={t(lang, "agt.import.hint")} error={fieldError(importFailure, "content")} id="content">
          <textarea rows={5} class="mono" value={content} onInput={(e) => setContent(e.currentTarget.value)} />
        </FieldRow>
        <ErrorBanner failure={importFailure} lang={lang} shown={["format", "content"]} />
        {done && <p class="banner ok">{done}</p>}
        <button type="submit">{t(lang, "agt.import")}</button>
      </form>
    </section>
  );
}
