// The worked example of frontend/README.md: orders as a timeline, newest
// first, each with its number, status, amount in its own currency and how
// long ago it was placed, under the total of the orders shown.
//
// It is registered for the "orders" object by one line in widgets/index.ts.
// It finds its fields by type rather than by key (the first money field is
// the amount, the first date or datetime field the time), so it keeps working
// whatever fields an admin puts in the orders panel.
import {
  badgeField,
  currencyOf,
  Empty,
  FieldValue,
  formatMoney,
  label,
  shownFields,
  t,
  toneOf,
  type FieldDef,
  type Lang,
  type Panel,
  type PanelProps,
} from "../widget";

export function OrderTimeline({ panel, lang }: PanelProps) {
  if (panel.records.length === 0) return <Empty lang={lang} />;
  const status = badgeField(panel.fields);
  const amount = panel.fields.find((f) => f.type === "money");
  const when = panel.fields.find((f) => f.type === "datetime" || f.type === "date");
  const others = shownFields(panel.fields).filter((f) => f !== status && f !== amount && f !== when);
  // The title: the first text field (the order number, a product), else
  // the first other field; with none, the placed date (shown absolute) with
  // the amount beside it, never a bare row number.
  const title = others.find((f) => f.type === "text") ?? others[0];
  const rest = others.filter((f) => f !== title);
  const dateTitle = !title && when ? when : undefined;
  const total = orderTotal(panel, amount, lang);
  return (
    <div class="timeline-wrap">
      {total && (
        <p class="timeline-total" data-testid="orders-total">
          <span class="k">{t(lang, "timeline.total")}</span> <span class="money">{total}</span>
        </p>
      )}
      <ol class="timeline" aria-label={t(lang, "timeline.label")}>
        {panel.records.map((r) => (
          <li class="tl-item" key={r.id} data-record={r.id} data-tone={toneOf(status ? r.values[status.key] : null)}>
            <div class="item-top">
              <span class="item-title">
                {title ? (
                  <FieldValue panel={panel} record={r} field={title} place="list" />
                ) : dateTitle && r.values[dateTitle.key] ? (
                  <FieldValue panel={panel} record={r} field={dateTitle} place="record" />
                ) : (
                  t(lang, "timeline.order")
                )}
              </span>
              {status && r.values[status.key] && (
                <FieldValue panel={panel} record={r} field={{ ...status, type: "enum" }} place="list" />
              )}
            </div>
            <div class="item-meta">
              {amount && (
                <span class="tl-amount" data-field={amount.key}>
                  <FieldValue panel={panel} record={r} field={amount} place="list" />
                </span>
              )}
              {when && when !== dateTitle && (
                <span data-field={when.key}>
                  <FieldValue panel={panel} record={r} field={when} place="list" />
                </span>
              )}
              {rest.map((f) => (
                <span key={f.key} data-field={f.key}>
                  <span class="k">{label(f.label, lang, f.key)}</span> <FieldValue panel={panel} record={r} field={f} place="list" />
                </span>
              ))}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * The sum of the orders' amounts, per currency ("¥1,299.00 + $12.00"), or
 * null when there is nothing worth adding: fewer than two orders, a masked
 * amount, or an amount that is not a number. Sums in whole minor units so
 * that 0.1 + 0.2 is 0.3.
 */
export function orderTotal(panel: Panel, amount: FieldDef | undefined, lang: Lang): string | null {
  if (!amount || amount.masked || panel.records.length < 2) return null;
  const sums = new Map<string, { units: number; digits: number }>();
  for (const r of panel.records) {
    const raw = r.values[amount.key]?.trim();
    if (!raw) continue;
    if (!/^-?\d+(\.\d+)?$/.test(raw)) return null;
    const currency = currencyOf(amount, r)?.trim().toUpperCase() ?? "";
    const digits = (raw.split(".")[1] ?? "").length;
    const s = sums.get(currency) ?? { units: 0, digits: 0 };
    const scale = Math.max(s.digits, digits);
    s.units = s.units * 10 ** (scale - s.digits) + Math.round(Number(raw) * 10 ** scale);
    s.digits = scale;
    sums.set(currency, s);
  }
  if (sums.size === 0) return null;
  return [...sums]
    .map(([currency, s]) => formatMoney((s.units / 10 ** s.digits).toFixed(s.digits), currency || null, lang))
    .join(" + ");
}
