// What every widget of one rendered sidebar shares, passed down by
// <SidebarView> through a Preact context: the language, the agent's actions,
// the widget registry, the clock relative dates count from, and the
// collapsed-panel memory.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Lang } from "../shared/i18n";
import type { Actions } from "./actions";
import type { PanelMemory } from "./prefs";
import type { Registry } from "./registry";

export interface SidebarEnv {
  lang: Lang;
  /** Absent in a read-only rendering (the admin's preview): no reveal, link or unlink. */
  actions?: Actions;
  widgets: Registry;
  /** The time relative dates are counted from, in ms since the epoch. */
  now: number;
  panels: PanelMemory;
}

export const Env = createContext<SidebarEnv | null>(null);

/** The sidebar's shared environment; only inside <SidebarView> (or an <Env.Provider> in tests). */
export function useEnv(): SidebarEnv {
  const env = useContext(Env);
  if (!env) throw new Error("crmlens widgets render inside <SidebarView> (or an <Env.Provider>)");
  return env;
}
