import type { SidebarContext } from "../api/types";
import { catalogues, matchedFieldWord, type Lang, type MessageKey, t } from "../shared/i18n";

/**
 * Why the visitor matched (or did not), in the agent's language: the
 * server's reasonCode worded from the catalogue with the visitor's channel
 * and id, the matched fields and the number of candidates. A code this
 * sidebar does not know (a newer server) falls back to the server's words.
 */
export function reasonText(ctx: Pick<SidebarContext, "match" | "visitor">, lang: Lang): string {
  const m = ctx.match;
  if (!m) return "";
  const key = `reason.${m.reasonCode ?? ""}`;
  if (!m.reasonCode || !(key in catalogues[lang])) return m.reason;
  return t(lang, key as MessageKey, {
    channel: ctx.visitor?.channel ?? "",
    id: ctx.visitor?.externalId ?? "",
    fields: (m.matchedOn ?? []).map((f) => matchedFieldWord(lang, f)).join(lang === "zh" ? "、" : " and "),
    n: m.candidates?.length ?? 0,
    name: m.rejected?.name ?? "",
  });
}
