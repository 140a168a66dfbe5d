// Copying a value for the agent. Hand-written rather than a library: the
// whole job is these two paths, and the packages that do it (clipboard-copy,
// copy-to-clipboard) are the same lines plus code for browsers the sidebar
// does not support.

type Doc = Pick<Document, "createElement" | "body" | "activeElement" | "execCommand"> & {
  defaultView: { navigator: { clipboard?: Pick<Clipboard, "writeText"> } } | null;
};

/**
 * Puts text on the clipboard; resolves whether it worked. The Clipboard API
 * first; inside a frame the platform did not grant clipboard-write it is
 * refused, so then the older selection-and-execCommand way, which works
 * within the agent's click.
 */
export async function copyText(text: string, doc: Doc = document): Promise<boolean> {
  const clipboard = doc.defaultView?.navigator.clipboard;
  if (clipboard?.writeText) {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // refused (permissions policy, no focus): fall back
    }
  }
  return execCopy(text, doc);
}

function execCopy(text: string, doc: Doc): boolean {
  const before = doc.activeElement as HTMLElement | null;
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;pointer-events:none";
  doc.body.appendChild(area);
  area.focus({ preventScroll: true });
  area.select();
  let ok = false;
  try {
    ok = doc.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  before?.focus();
  return ok;
}
