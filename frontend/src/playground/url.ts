/**
 * sidebarUrl with its lang param set to lang, leaving every other byte of the
 * URL as the server built it (the encrypted params must arrive unchanged).
 */
export function withLang(sidebarUrl: string, lang: string): string {
  const hash = sidebarUrl.indexOf("#");
  const base = hash >= 0 ? sidebarUrl.slice(0, hash) : sidebarUrl;
  const frag = hash >= 0 ? sidebarUrl.slice(hash) : "";
  const value = encodeURIComponent(lang);
  if (/[?&]lang=[^&]*/.test(base)) return base.replace(/([?&])lang=[^&]*/, `$1lang=${value}`) + frag;
  return base + (base.includes("?") ? "&" : "?") + `lang=${value}` + frag;
}
