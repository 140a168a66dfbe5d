// Reading what the platform put in the sidebar URL.

export type Theme = "light" | "dark";

export interface PageParams {
  /** The integration's slug: the last path segment of /sidebar/{slug}. */
  slug: string;
  /**
   * Every query parameter as received (the first value of a repeated key),
   * except the page's own `theme`: these go to the server.
   */
  params: Record<string, string>;
  /** The colours the URL asks for (`theme=light|dark`); null follows the system (prefers-color-scheme). */
  theme: Theme | null;
}

/**
 * The page's own display param: `theme=light`, `dark` or `auto` (any case).
 * It is read here and never sent to the server: with an Easemob key set, a
 * clear param that is not on the adapter's short list would be refused as
 * not encrypted. Any other value (an encrypted one, say) is the platform's
 * and is passed on untouched.
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
  const params = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(loc.search)) {
    if (!(k in params)) params[k] = v;
  }
  const theme = pageTheme(params.theme);
  if (theme) delete params.theme;
  return { slug, params, theme: theme === "light" || theme === "dark" ? theme : null };
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
  if (mode === "url" && Object.keys(p.params).length === 0) return "missing_visitor";
  return null;
}
