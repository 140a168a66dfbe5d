import { describe, expect, it } from "vitest";
import { COLLAPSED_KEY, MAX_REMEMBERED, memoryOnly, parse, storedPanelMemory } from "./prefs";

/** A Storage-like map that records writes. */
function fakeStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe("storedPanelMemory", () => {
  it("remembers collapsed panels across pages, by panel key only", () => {
    const storage = fakeStorage();
    const first = storedPanelMemory(() => storage);
    expect(first.isCollapsed("orders")).toBe(false);
    first.setCollapsed("orders", true);
    first.setCollapsed("leads", true);
    first.setCollapsed("leads", false);
    expect(JSON.parse(storage.data.get(COLLAPSED_KEY)!)).toEqual(["orders"]);

    const next = storedPanelMemory(() => storage);
    expect(next.isCollapsed("orders")).toBe(true);
    expect(next.isCollapsed("leads")).toBe(false);
  });

  it.each([
    ["not JSON", "{orders"],
    ["not a list", '{"orders":true}'],
    ["a list of other things", '[1, null, {"k":"orders"}]'],
    ["absurdly long", JSON.stringify(Array.from({ length: 10_000 }, (_, i) => `panel-${i}`))],
  ])("ignores a stored value that is %s", (_, raw) => {
    const m = storedPanelMemory(() => fakeStorage({ [COLLAPSED_KEY]: raw }));
    expect(m.isCollapsed("orders")).toBe(false);
    expect(m.isCollapsed("panel-1")).toBe(false);
  });

  it("keeps the good entries of a list and at most the newest MAX_REMEMBERED", () => {
    expect(parse(JSON.stringify(["orders", 3, "", "x".repeat(101), "leads"]))).toEqual(["orders", "leads"]);
    const many = Array.from({ length: MAX_REMEMBERED + 5 }, (_, i) => `p${i}`);
    expect(parse(JSON.stringify(many))).toEqual(many.slice(5));
  });

  it("works for the page when the browser refuses storage", () => {
    const refused = () => {
      throw new DOMException("The operation is insecure.", "SecurityError");
    };
    for (const m of [
      storedPanelMemory(refused),
      storedPanelMemory(() => ({ getItem: refused, setItem: refused })),
      storedPanelMemory(() => ({ getItem: () => null, setItem: refused })), // full
      storedPanelMemory(() => null),
    ]) {
      expect(() => m.setCollapsed("orders", true)).not.toThrow();
      expect(m.isCollapsed("orders")).toBe(true);
    }
  });

  it("stores nothing for keys it would not keep", () => {
    const storage = fakeStorage();
    storedPanelMemory(() => storage).setCollapsed("k".repeat(101), true);
    expect(storage.data.size).toBe(0);
  });
});

describe("memoryOnly", () => {
  it("remembers for the page only", () => {
    const m = memoryOnly();
    m.setCollapsed("orders", true);
    expect(m.isCollapsed("orders")).toBe(true);
    expect(memoryOnly().isCollapsed("orders")).toBe(false);
  });
});
