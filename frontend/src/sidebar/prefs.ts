// What the sidebar remembers from one page to the next: which panels the
// agent collapsed. Only the layout's panel keys ("orders", "tickets") are
// stored, never anything about a visitor or contact.
//
// localStorage is guarded everywhere: in a third-party iframe a browser may
// refuse it (reading window.localStorage throws a SecurityError), it may be
// full, or hold something this build did not write. Then the sidebar simply
// forgets between pages.

export const COLLAPSED_KEY = "crmlens.sidebar.collapsed";
/** At most this many panel keys are kept (the newest). */
export const MAX_REMEMBERED = 50;
const MAX_KEY_LENGTH = 100;

/** The collapsed panels, shared by every panel of the page. */
export interface PanelMemory {
  isCollapsed(panelKey: string): boolean;
  setCollapsed(panelKey: string, collapsed: boolean): void;
}

type StorageLike = Pick<Storage, "getItem" | "setItem">;

/** A PanelMemory that keeps nothing beyond the page (tests, the admin's preview). */
export function memoryOnly(): PanelMemory {
  return fromList([], () => {});
}

/**
 * A PanelMemory backed by the storage getStorage returns (usually
 * () => window.localStorage). Any failure to read or write is ignored.
 */
export function storedPanelMemory(getStorage: () => StorageLike | null | undefined): PanelMemory {
  let storage: StorageLike | null | undefined = null;
  let list: string[] = [];
  try {
    storage = getStorage();
    list = parse(storage?.getItem(COLLAPSED_KEY) ?? null);
  } catch {
    storage = null;
  }
  return fromList(list, (keys) => {
    try {
      storage?.setItem(COLLAPSED_KEY, JSON.stringify(keys));
    } catch {
      // full or refused: remembered for this page only
    }
  });
}

/** The stored list when it is what this build writes: an array of short strings. */
export function parse(raw: string | null): string[] {
  if (!raw || raw.length > MAX_REMEMBERED * (MAX_KEY_LENGTH + 3) + 2) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  return v.filter((k): k is string => typeof k === "string" && k !== "" && k.length <= MAX_KEY_LENGTH).slice(-MAX_REMEMBERED);
}

function fromList(initial: string[], save: (keys: string[]) => void): PanelMemory {
  const keys = new Set(initial);
  return {
    isCollapsed: (k) => keys.has(k),
    setCollapsed(k, collapsed) {
      if (k.length > MAX_KEY_LENGTH || keys.has(k) === collapsed) return;
      if (collapsed) keys.add(k);
      else keys.delete(k);
      save([...keys].slice(-MAX_REMEMBERED));
    },
  };
}
