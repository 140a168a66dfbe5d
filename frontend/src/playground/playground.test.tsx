import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { byTestId, click, mount } from "../test/dom";
import { conversations, fakeClient } from "../test/fixtures";
import { Playground } from "./Playground";
import { withLang } from "./url";

describe("withLang", () => {
  it("replaces the lang param and leaves the encrypted ones byte for byte", () => {
    expect(withLang("/sidebar/d?easemobId=1&visitorImId=a%2Bb&agentName=9F86&lang=8a1b2c3d4e5f6071", "en")).toBe(
      "/sidebar/d?easemobId=1&visitorImId=a%2Bb&agentName=9F86&lang=en",
    );
    expect(withLang("/sidebar/d?lang=zh&x=1", "en")).toBe("/sidebar/d?lang=en&x=1");
  });
  it("adds lang when there is none", () => {
    expect(withLang("/sidebar/d?visitorImId=x", "zh")).toBe("/sidebar/d?visitorImId=x&lang=zh");
    expect(withLang("/sidebar/d", "zh")).toBe("/sidebar/d?lang=zh");
    expect(withLang("/sidebar/d?blang=1#top", "en")).toBe("/sidebar/d?blang=1&lang=en#top");
  });
});

describe("Playground", () => {
  it("lists the conversations and selects the first", async () => {
    const { client } = fakeClient({ listConversations: async () => conversations });
    const el = await mount(<Playground client={client} initialLang="en" />);
    const first = byTestId(el, "conversation-conv-1")!;
    expect(first.textContent).toContain("张伟");
    expect(first.textContent).toContain("我的订单什么时候发货？");
    expect(first.getAttribute("aria-current")).toBe("true");
    expect(byTestId(el, "chat-preview")?.textContent).toBe("我的订单什么时候发货？");
    expect(byTestId(el, "sidebar-frame")?.getAttribute("src")).toBe(
      "/sidebar/demo-easemob?easemobId=1&visitorImId=demo-visitor-0001&agentName=9f86d081884c7d65&lang=en",
    );
  });

  it("points the sidebar at the conversation clicked, in the chosen language", async () => {
    const { client } = fakeClient({ listConversations: async () => conversations });
    const el = await mount(<Playground client={client} initialLang="en" />);
    await click(byTestId(el, "conversation-conv-2"));
    expect(byTestId(el, "conversation-conv-2")?.getAttribute("aria-current")).toBe("true");
    expect(byTestId(el, "conversation-conv-1")?.getAttribute("aria-current")).toBeNull();
    expect(byTestId(el, "sidebar-frame")?.getAttribute("src")).toContain("visitorImId=demo-visitor-0002&lang=en");
    await click(byTestId(el, "lang-zh"));
    expect(byTestId(el, "sidebar-frame")?.getAttribute("src")).toContain("visitorImId=demo-visitor-0002&lang=zh");
    expect(el.querySelector("h1")?.textContent).toBe("crmlens 演示台");
  });

  it("explains how to load demo data on 404", async () => {
    const { client } = fakeClient({
      listConversations: async () => {
        throw new ApiError("not_found", "no demo integration", 404);
      },
    });
    const el = await mount(<Playground client={client} initialLang="en" />);
    expect(byTestId(el, "no-demo")?.textContent).toBe(
      "No demo data loaded: start with crmlens serve --demo or run crmlens seed --demo.",
    );
    expect(byTestId(el, "no-demo")?.querySelectorAll("code")).toHaveLength(2);
    expect(byTestId(el, "sidebar-frame")).toBeNull();
  });

  it("offers a retry on other errors", async () => {
    let n = 0;
    const { client } = fakeClient({
      listConversations: async () => {
        if (n++ === 0) throw new ApiError("internal", "boom", 500);
        return conversations;
      },
    });
    const el = await mount(<Playground client={client} initialLang="en" />);
    expect(byTestId(el, "state-error")?.dataset.code).toBe("internal");
    await click(byTestId(el, "retry"));
    expect(byTestId(el, "conversation-conv-1")).not.toBeNull();
  });
});
