// A session kept for the page that opened it: a frame reload (F5, the
// platform re-rendering the frame) reopens the same sidebar URL, whose
// signed link is single-use; the session it opened is reused while it lasts
// instead of failing as "already used". It lives in sessionStorage (this
// tab's page only: a new tab or window starts empty, so a link stays single
// use for a new page), keyed by a hash of the integration and params (the
// params themselves are never stored), and never goes into a URL or a log.

export interface KeptSession {
  token: string;
  /** When the session ends, in ms since the epoch. */
  expiresAt: number;
  lang?: string;
}

export interface SessionKeeper {
  /** The session kept for slug and params, while it has a minute left; else null. */
  get(slug: string, params: Record<string, string>): KeptSession | null;
  put(slug: string, params: Record<string, string>, s: KeptSession): void;
  drop(slug: string, params: Record<string, string>): void;
}

/** A keeper that keeps nothing (tests, and where storage is refused). */
export const keepNothing: SessionKeeper = { get: () => null, put: () => {}, drop: () => {} };

/** Sessions are reused only while this much of them is left, in ms. */
export const MIN_LEFT_MS = 60_000;

const PREFIX = "crmlens:session:";

/** A 53-bit string hash (cyrb53), as hex. */
function hash53(s: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** The storage key of slug and params: the same whatever the params' order. */
export function keyOf(slug: string, params: Record<string, string>): string {
  const text = JSON.stringify([slug, Object.keys(params).sort().map((k) => [k, params[k]])]);
  return PREFIX + hash53(text, 1) + hash53(text, 2);
}

/** A keeper over storage (window.sessionStorage); storage that throws keeps nothing. */
export function storedSessions(storage: () => Storage, now: () => number = Date.now): SessionKeeper {
  const attempt = <T,>(fn: (st: Storage) => T, fallback: T): T => {
    try {
      return fn(storage());
    } catch {
      return fallback;
    }
  };
  return {
    get(slug, params) {
      return attempt((st) => {
        const key = keyOf(slug, params);
        const raw = st.getItem(key);
        if (!raw) return null;
        const s = JSON.parse(raw) as Partial<KeptSession>;
        if (typeof s.token !== "string" || typeof s.expiresAt !== "number" || s.expiresAt - now() < MIN_LEFT_MS) {
          st.removeItem(key);
          return null;
        }
        return { token: s.token, expiresAt: s.expiresAt, lang: typeof s.lang === "string" ? s.lang : undefined };
      }, null);
    },
    put(slug, params, s) {
      attempt((st) => {
        // Only sessions still running are kept: drop the ended ones first.
        for (let i = st.length - 1; i >= 0; i--) {
          const k = st.key(i);
          if (!k?.startsWith(PREFIX)) continue;
          try {
            if ((JSON.parse(st.getItem(k) ?? "{}") as KeptSession).expiresAt < now()) st.removeItem(k);
          } catch {
            st.removeItem(k);
          }
        }
        st.setItem(keyOf(slug, params), JSON.stringify(s));
      }, undefined);
    },
    drop(slug, params) {
      attempt((st) => st.removeItem(keyOf(slug, params)), undefined);
    },
  };
}
