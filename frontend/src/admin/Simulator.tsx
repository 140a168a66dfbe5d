// The simulator: paste what a platform sends and see the decoded params,
// each step of visitor and contact matching, and the layout that applies.
import { useEffect, useState } from "preact/hooks";
import type { AdminClient } from "./api";
import { layoutReasonText, t, type Lang, type MessageKey } from "../shared/i18n";
import "./messages";
import { reasonText } from "../sidebar/reason";
import { stepText } from "./codes";
import type { Integration, Simulation } from "../api/types";
import { asFailure, ErrorBanner, FieldRow, fieldError, type Failure } from "./ui";

/** The visitor a simulation names, from its steps when crmlens has none yet. */
function simVisitor(result: Simulation): NonNullable<Simulation["visitor"]> {
  const p = result.steps.find((s) => (s.step === "visitor" || s.step === "match") && s.params?.channel)?.params ?? {};
  return { id: "", channel: p.channel ?? "", externalId: p.visitor ?? "" };
}

export function Simulator({ client, lang }: { client: AdminClient; lang: Lang }) {
  const [integrations, setIntegrations] = useState<Integration[]>([]);
  const [slug, setSlug] = useState("");
  const [input, setInput] = useState("");
  const [result, setResult] = useState<Simulation | null>(null);
  // Which integration the result shown is of (data-integration: a test, or a
  // person comparing two runs, tells one run's result from the next).
  const [ran, setRan] = useState("");
  const [failure, setFailure] = useState<Failure>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    client
      .listIntegrations()
      .then((l) => {
        setIntegrations(l);
        if (l[0]) setSlug(l[0].slug);
      })
      .catch((e) => setFailure(asFailure(e)));
  }, []);
  return (
    <section>
      <h1>{t(lang, "sim.title")}</h1>
      <p class="muted">{t(lang, "sim.intro")}</p>
      <form
        class="box form"
        data-testid="simulator"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setFailure(null);
          // The previous run's result goes: it is not this input's.
          setResult(null);
          try {
            setResult(await client.simulate(slug, input));
            setRan(slug);
          } catch (err) {
            setResult(null);
            setFailure(asFailure(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <FieldRow label={t(lang, "sim.integration")} error={fieldError(failure, "integration")} id="integration">
          <select name="integration" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} data-testid="sim-integration">
            {integrations.map((i) => (
              <option key={i.slug} value={i.slug}>
                {i.name} ({i.kind})
              </option>
            ))}
          </select>
        </FieldRow>
        <FieldRow label={t(lang, "sim.input")} error={fieldError(failure, "input")} id="input">
          <textarea name="input" rows={4} class="mono" value={input} onInput={(e) => setInput(e.currentTarget.value)} data-testid="sim-input" />
        </FieldRow>
        <ErrorBanner failure={failure} lang={lang} shown={["integration", "input"]} />
        <button type="submit" disabled={busy} data-testid="sim-run">
          {t(lang, "sim.run")}
        </button>
      </form>
      {result && (
        <div class="sim-result" data-testid="sim-result" data-integration={ran}>
          <div class="box">
            <h2>{t(lang, "sim.steps")}</h2>
            <ol class="steps">
              {result.steps.map((s, i) => (
                <li key={i} class={`step step-${s.status}`} data-testid={`sim-step-${s.step}`} data-status={s.status} data-code={s.code}>
                  <span class="step-name">{t(lang, `sim.step.${s.step}` as MessageKey)}</span>{" "}
                  <span class={`pill status-${s.status}`}>{t(lang, `sim.status.${s.status}` as MessageKey)}</span>
                  <p data-testid="sim-step-detail" data-detail-code={s.detailCode}>
                    {stepText(lang, s, result)}
                  </p>
                </li>
              ))}
            </ol>
          </div>
          {result.params.length > 0 && (
            <div class="box">
              <h2>{t(lang, "sim.params")}</h2>
              <table data-testid="sim-params">
                <thead>
                  <tr>
                    <th>{t(lang, "sim.param")}</th>
                    <th>{t(lang, "sim.received")}</th>
                    <th>{t(lang, "sim.value")}</th>
                    <th>{t(lang, "sim.how")}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.params.map((p) => (
                    <tr key={p.name} data-how={p.how} data-dropped={p.dropped} data-testid={`sim-param-${p.name}`}>
                      <td>
                        <code>{p.name}</code>
                      </td>
                      <td class="mono wrap">{p.received}</td>
                      <td class="wrap">
                        {p.value}
                        {p.dropped && (
                          <p class="muted" data-testid={`sim-dropped-${p.name}`}>
                            {t(lang, `sim.dropped.${p.dropped}`)}
                          </p>
                        )}
                        {p.reading && (
                          <p class="muted" data-testid={`sim-reading-${p.name}`} data-chosen={p.reading.chosen} data-why={p.reading.why}>
                            {t(lang, "sim.reading", {
                              chosen: t(lang, `sim.reading.${p.reading.chosen}`),
                              why: t(lang, `sim.why.${p.reading.why}`),
                              other: p.reading.other,
                            })}
                          </p>
                        )}
                      </td>
                      <td>
                        <span class={`pill how-${p.how}`}>{t(lang, `sim.how.${p.how}`)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {(result.match || result.layout) && (
            <div class="box">
              <h2>{t(lang, "sim.result")}</h2>
              <dl class="facts">
                <dt>{t(lang, "sim.contact")}</dt>
                <dd data-testid="sim-contact">{result.contact ? `${result.contact.name} (#${result.contact.id})` : t(lang, "sim.noContact")}</dd>
                {result.match && (
                  <>
                    <dt />
                    <dd class="muted" data-testid="sim-match-reason">
                      {reasonText({ match: result.match, visitor: result.visitor ?? simVisitor(result) }, lang)}
                    </dd>
                  </>
                )}
                {result.layout && (
                  <>
                    <dt>{t(lang, "sim.layout")}</dt>
                    <dd data-testid="sim-layout">
                      {result.layout.name} <span class="muted">— {layoutReasonText(lang, result.layout)}</span>
                    </dd>
                  </>
                )}
              </dl>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
