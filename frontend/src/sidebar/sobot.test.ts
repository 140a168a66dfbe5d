import { describe, expect, it } from "vitest";
import { followConversationSwitch, isSelected, looksLikeSobot, type Frame } from "./sobot";

function frame(href: string): Frame & { parentWin: object } {
  const t = new EventTarget() as Frame & { parentWin: object };
  t.parentWin = {};
  t.parent = t.parentWin;
  t.location = { href };
  return t;
}

function post(win: Frame, data: unknown, source: unknown) {
  const e = new Event("message") as Event & { data: unknown; source: unknown };
  Object.defineProperty(e, "data", { value: data });
  Object.defineProperty(e, "source", { value: source });
  win.dispatchEvent(e);
}

describe("Sobot's conversation switch", () => {
  it("knows Sobot's params", () => {
    expect(looksLikeSobot(new URLSearchParams("partnerId=p1&email=a@x.cn&timestamp=1&sign=ab"))).toBe(true);
    expect(looksLikeSobot(new URLSearchParams("uid=u1&sign=ab"))).toBe(true);
    expect(looksLikeSobot(new URLSearchParams("visitorImId=v1&tenantId=1"))).toBe(false);
  });

  it.each([
    ["selected", true],
    [{ type: "selected" }, true],
    [JSON.stringify({ event: "selected", data: { cid: "c2" } }), true],
    [{ type: "other" }, false],
    ["{not json", false],
    [null, false],
  ])("reads %j as selected: %s", (data, want) => {
    expect(isSelected(data)).toBe(want);
  });

  it("reloads on 'selected' from the parent only once the URL changed, and once", () => {
    const win = frame("https://crm.example.com/sidebar/s?partnerId=p1&sign=a");
    let reloads = 0;
    followConversationSwitch(win, () => reloads++);
    post(win, "selected", win.parentWin);
    expect(reloads).toBe(0); // same URL: nothing to do
    win.location.href = "https://crm.example.com/sidebar/s?partnerId=p2&sign=b";
    post(win, "selected", {}); // not from the parent
    expect(reloads).toBe(0);
    post(win, { type: "selected" }, win.parentWin);
    expect(reloads).toBe(1);
    win.dispatchEvent(new Event("hashchange"));
    expect(reloads).toBe(1);
  });

  it("reloads on a hash change that moved the URL, and stops when told", () => {
    const win = frame("https://crm.example.com/sidebar/s?partnerId=p1&sign=a");
    let reloads = 0;
    const stop = followConversationSwitch(win, () => reloads++);
    win.location.href += "#c2";
    win.dispatchEvent(new Event("hashchange"));
    expect(reloads).toBe(1);
    const win2 = frame("https://crm.example.com/sidebar/s?uid=u&sign=a");
    const stop2 = followConversationSwitch(win2, () => reloads++);
    stop2();
    stop();
    win2.location.href += "#x";
    win2.dispatchEvent(new Event("popstate"));
    expect(reloads).toBe(1);
  });
});
