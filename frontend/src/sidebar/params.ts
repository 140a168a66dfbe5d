// Reading what the platform put in the sidebar URL.

export type Theme = "light" | "dark";

export interface PageParams {
  /** The integration's slug: the last path segment of /sidebar/{slug}. */
  slug: string;
  /**
   * Every query parameter, name by name (the first value of a repeated
   * name), for the page's own reads (lang, which platform sent it).
   * A JS object lists integer-like names ("2", "10") first, whatever the
   * URL's order: this view is never what goes to the server in URL mode
   * (see `query`).
   */
  params: Record<string, string>;
  /**
   * Every query parameter exactly as the URL carries it: in the URL's
   * order, a repeated name as many times as it comes, `theme` included.
   * This is what POST /api/v1/sidebar/sessions gets (client.ts createSession): Udesk
   * signs the query in its order and the server verifies over the members'
   * order (internal/server/sessionparams.go), and refuses a name given twice
   * with 400 duplicate_param, which says more than a param silently dropped.
   */
  query: ReadonlyArray<readonly [string, string]>;
  /** The colours the URL asks for (`theme=light|dark`); null follows the system (prefers-color-scheme). */
  theme: Theme | null;
}

/**
 * The page's display param: `theme=light`, `dark` or `auto` (any case). It
 * is read here and still sent to the server with every other param: it may
 * be part of what the platform signed (a Udesk sign covers the whole query),
 * and every adapter keeps a param it does not know as an extra (an Easemob
 * integration with a key drops one that arrives in clear, without failing;
 * see internal/adapter/*).
 */
function pageTheme(v: string | undefined): Theme | "auto" | undefined {
  const s = v?.trim().toLowerCase();
  return s === "light" || s === "dark" || s === "auto" ? s : undefined;
}

export function readPageParams(loc: { pathname: string; search: string }): PageParams {
  const segments = loc.pathname.split("/").filter(Boolean);
  let slug = segments[segments.length - 1] ?? "";
  try {
    slug = decodeURIComponent(slug);
  } catch {
    // keep it as it is; the server will say it does not know it
  }
  if (slug.endsWith(".html") || segments.length < 2) slug = "";
  const query = [...new URLSearchParams(loc.search)].map(([k, v]) => [k, v] as const);
  const params = Object.create(null) as Record<string, string>;
  for (const [k, v] of query) {
    if (!(k in params)) params[k] = v;
  }
  const theme = pageTheme(params.theme);
  return { slug, params, query, theme: theme === "light" || theme === "dark" ? theme : null };
}

/**
 * Whether the platform said a language the page cannot read itself, so that
 * the session's lang is the platform's word rather than the server's
 * default (the API answers zh when nobody said: internal/server/mapping_sidebar.go):
 * a lang param the page cannot read (Easemob encrypts it), or a signed
 * link's token with a lang claim (internal/adapter/signed: `lang "zh" or
 * "en"`). The token's payload is read, never trusted: the server verified
 * it and answers the lang; this only says whether there was one.
 */
export function platformSaysLang(params: Record<string, string>): boolean {
  if ("lang" in params) return true;
  const payload = params.token?.split(".")[1];
  if (!payload) return false;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims: unknown = JSON.parse(json);
    return typeof claims === "object" && claims !== null && typeof (claims as { lang?: unknown }).lang === "string";
  } catch {
    return false; // not a JWT the page can read: the server says what it is
  }
}

/**
 * Params that only a URL-configured platform sends: Easemob (visitorImId,
 * easemobId), ShareCRM (customParams), signed links (token).
 */
const platformParams = ["visitorImId", "easemobId", "customParams", "token"];

export function hasPlatformParams(params: Record<string, string>): boolean {
  return platformParams.some((k) => k in params);
}

/**
 * How the page gets its params: from its URL, or, when the URL has no
 * platform params and the page is framed, from a Chatwoot dashboard's
 * appContext message (Chatwoot appends nothing to a dashboard app's URL).
 */
export function pageMode(p: PageParams, framed: boolean): "url" | "chatwoot" {
  return framed && !hasPlatformParams(p.params) ? "chatwoot" : "url";
}

/**
 * A problem the page can name without asking the server: no slug, or no
 * parameters at all (so certainly no visitorImId) in URL mode. Everything
 * else is the server's to decide, since each platform passes different params.
 */
export function localProblem(p: PageParams, mode: "url" | "chatwoot" = "url"): "missing_slug" | "missing_visitor" | null {
  if (!p.slug) return "missing_slug";
  // The page's own theme param alone is not a visitor either.
  const platform = Object.keys(p.params).filter((k) => !(k === "theme" && pageTheme(p.params[k])));
  if (mode === "url" && platform.length === 0) return "missing_visitor";
  return null;
}
