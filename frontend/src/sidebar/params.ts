// Reading what the platform put in the sidebar URL.

export interface PageParams {
  /** The integration's slug: the last path segment of /sidebar/{slug}. */
  slug: string;
  /** Every query parameter as received (the first value of a repeated key). */
  params: Record<string, string>;
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
  return { slug, params };
}

/**
 * A problem the page can name without asking the server: no slug, or no
 * parameters at all (so certainly no visitorImId). Everything else is the
 * server's to decide, since each platform passes different params.
 */
export function localProblem(p: PageParams): "missing_slug" | "missing_visitor" | null {
  if (!p.slug) return "missing_slug";
  if (Object.keys(p.params).length === 0) return "missing_visitor";
  return null;
}
