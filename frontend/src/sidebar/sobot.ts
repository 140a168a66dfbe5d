// Sobot's iFrame docking (智齿 "iFrame 接入"): when the agent switches
// conversations, Sobot updates the frame's URL (the new visitor's partnerId,
// timestamp and sign) and posts a message named "selected" to the frame. Its
// docs show neither the message's payload nor whether the URL change reloads
// the page, so the page never reads the message as a claim: on "selected",
// or when the URL changes under it (hashchange, popstate), it reloads when
// its URL is no longer the one it opened a session for, and the new URL's
// signed params open the new visitor's session like any first load.

/** Whether the page's params are those Sobot appends (partnerId or uid, and a sign). */
export function looksLikeSobot(params: URLSearchParams): boolean {
  return params.has("sign") && (params.has("partnerId") || params.has("partnerid") || params.has("uid"));
}

/** Whether a posted message is Sobot's "selected", whatever shape it takes. */
export function isSelected(data: unknown): boolean {
  if (data === "selected") return true;
  if (typeof data === "string") {
    try {
      return isSelected(JSON.parse(data));
    } catch {
      return false;
    }
  }
  if (!data || typeof data !== "object") return false;
  const o = data as Record<string, unknown>;
  return ["type", "name", "event", "action", "method"].some((k) => o[k] === "selected");
}

/** The window parts the follower needs (a Window in the page, a fake in tests). */
export interface Frame extends EventTarget {
  location: { href: string };
  parent: unknown;
}

/**
 * Reloads (reload) once the frame's URL differs from the one it had when
 * called, checked on Sobot's "selected" message from the parent and on
 * hashchange and popstate. Returns a function that stops following.
 */
export function followConversationSwitch(win: Frame, reload: () => void): () => void {
  const opened = win.location.href;
  let done = false;
  const check = () => {
    if (!done && win.location.href !== opened) {
      done = true;
      reload();
    }
  };
  const onMessage = (e: Event) => {
    const m = e as MessageEvent;
    if (m.source === win.parent && isSelected(m.data)) check();
  };
  win.addEventListener("message", onMessage);
  win.addEventListener("hashchange", check);
  win.addEventListener("popstate", check);
  return () => {
    win.removeEventListener("message", onMessage);
    win.removeEventListener("hashchange", check);
    win.removeEventListener("popstate", check);
  };
}
