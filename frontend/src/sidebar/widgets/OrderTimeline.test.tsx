import { describe, expect, it, vi } from "vitest";
import type { FieldDef, Panel, SidebarContext } from "../../api/types";
import { byTestId, click, mount } from "../../test/dom";
import { linkedContext } from "../../test/fixtures";
import { SidebarView } from "../views";
import { standardWidgets } from "./index";
import { OrderTimeline, orderTotal } from "./OrderTimeline";

const fields: FieldDef[] = [
  { key: "order_no", label: { zh: "订单号", en: "Order no." }, type: "text", masked: false },
  { key: "amount", label: { zh: "金额", en: "Amount" }, type: "money", masked: false, currencyField: "currency" },
  { key: "currency", label: { zh: "币种", en: "Currency" }, type: "text", masked: false },
  { key: "status", label: { zh: "状态", en: "Status" }, type: "enum", masked: false },
  { key: "placed_at", label: { zh: "下单时间", en: "Placed" }, type: "datetime", masked: false },
  { key: "channel", label: { zh: "渠道", en: "Channel" }, type: "text", masked: false },
];

const orders: Panel = {
  key: "orders",
  object: "orders",
  kind: "list",
  title: { zh: "最近订单", en: "Recent orders" },
  fields,
  records: [
    { id: "o3", values: { order_no: "SO-3", amount: "1299.00", currency: "CNY", status: "paid", placed_at: "2026-11-23T06:00:00Z", channel: "app" } },
    { id: "o2", values: { order_no: "SO-2", amount: "0.10", currency: "CNY", status: "refunded", placed_at: "2026-11-20T08:00:00Z", channel: null } },
    { id: "o1", values: { order_no: "SO-1", amount: "12.5", currency: "USD", status: "delivered", placed_at: "2026-09-01T08:00:00Z", channel: "web" } },
  ],
};

const now = Date.parse("2026-11-23T08:00:00Z");
const ctx = (panel: Panel): SidebarContext => ({ ...linkedContext, panels: [panel] });

describe("OrderTimeline", () => {
  it("is the widget for orders panels", () => {
    expect(standardWidgets().panelWidget(orders)).toBe(OrderTimeline);
  });

  it("shows each order, newest first as sent, with its status, amount in its currency and when", async () => {
    const el = await mount(<SidebarView ctx={ctx(orders)} lang="en" now={now} />);
    const items = [...byTestId(el, "panel-orders")!.querySelectorAll(".timeline > li")];
    expect(items.map((li) => li.getAttribute("data-record"))).toEqual(["o3", "o2", "o1"]);
    const [first, second, third] = items as [Element, Element, Element];
    expect(first.querySelector(".item-title")?.textContent).toBe("SO-3");
    expect(first.querySelector(".badge")?.textContent).toBe("Paid");
    expect(first.getAttribute("data-tone")).toBe("info");
    expect(first.querySelector('[data-field="amount"]')?.textContent).toBe("CN¥1,299.00");
    expect(first.querySelector('[data-field="placed_at"] time')?.textContent).toBe("2 hours ago");
    expect(first.querySelector('[data-field="placed_at"] time')?.getAttribute("title")).toMatch(/Nov 23, 2026/);
    expect(first.querySelector('[data-field="channel"]')?.textContent).toBe("Channel app");
    expect(second.getAttribute("data-tone")).toBe("bad");
    expect(second.querySelector('[data-field="channel"]')?.textContent).toBe("Channel —");
    expect(third.querySelector('[data-field="amount"]')?.textContent).toBe("$12.50");
    expect(third.querySelector('[data-field="placed_at"] time')?.textContent).toBe("3 months ago");
    // the currency is part of the amount, never a detail of its own
    expect(el.querySelector('[data-field="currency"]')).toBeNull();
  });

  it("says the statuses in Chinese and totals each currency", async () => {
    const el = await mount(<SidebarView ctx={ctx(orders)} lang="zh" now={now} />);
    expect([...el.querySelectorAll(".timeline .badge")].map((b) => b.textContent)).toEqual(["已付款", "已退款", "已签收"]);
    expect(byTestId(el, "orders-total")?.textContent).toBe("所示订单合计 ¥1,299.10 + US$12.50");
    expect(el.querySelector('[data-field="placed_at"] time')?.textContent).toBe("2小时前");
  });

  it("copies an order number", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const el = await mount(<SidebarView ctx={ctx(orders)} lang="en" now={now} />);
    const first = el.querySelector('.timeline > li[data-record="o3"]')!;
    const copy = first.querySelector<HTMLButtonElement>('[data-testid="copy"]')!;
    expect(copy.getAttribute("aria-label")).toBe("Copy Order no.");
    await click(copy);
    expect(writeText).toHaveBeenCalledWith("SO-3");
    expect(first.querySelector('[data-testid="copy-status"]')?.textContent).toBe("Copied");
  });

  it("says when there are no orders", async () => {
    const el = await mount(<SidebarView ctx={ctx({ ...orders, records: [] })} lang="en" now={now} />);
    expect(byTestId(el, "panel-orders")?.querySelector(".empty")?.textContent).toBe("Nothing here yet.");
    expect(el.querySelector(".timeline")).toBeNull();
  });

  it("works with whatever fields the layout names", async () => {
    const bare: Panel = { ...orders, fields: [fields[0]!], records: [{ id: "o9", values: { order_no: "SO-9" } }] };
    const el = await mount(<SidebarView ctx={ctx(bare)} lang="en" now={now} />);
    const li = el.querySelector(".timeline > li")!;
    expect(li.querySelector(".item-title")?.textContent).toBe("SO-9");
    expect(li.querySelector(".badge")).toBeNull();
    expect(li.getAttribute("data-tone")).toBe("neutral");
  });
});

describe("orderTotal", () => {
  const amount = fields[1]!;
  const panelOf = (values: Record<string, string | null>[]): Panel => ({
    ...orders,
    records: values.map((v, i) => ({ id: String(i), values: v })),
  });

  it("adds in minor units, per currency in the order met", () => {
    expect(orderTotal(panelOf([{ amount: "0.1", currency: "CNY" }, { amount: "0.2", currency: "cny" }]), amount, "en")).toBe("CN¥0.30");
    expect(
      orderTotal(panelOf([{ amount: "5", currency: "JPY" }, { amount: "1.005", currency: "KWD" }, { amount: "7", currency: "JPY" }]), amount, "en"),
    ).toBe("¥12 + KWD\u00a01.005");
    expect(orderTotal(panelOf([{ amount: "10" }, { amount: "2.50" }]), amount, "en")).toBe("12.50");
  });

  it("gives nothing when a total would mislead or say nothing", () => {
    expect(orderTotal(panelOf([{ amount: "10", currency: "CNY" }]), amount, "en")).toBeNull(); // one order
    expect(orderTotal(panelOf([{ amount: "10", currency: "CNY" }, { amount: "n/a", currency: "CNY" }]), amount, "en")).toBeNull();
    expect(orderTotal(panelOf([{ amount: "1", currency: "CNY" }, { amount: "2", currency: "CNY" }]), { ...amount, masked: true }, "en")).toBeNull();
    expect(orderTotal(panelOf([{ amount: null }, { amount: "" }]), amount, "en")).toBeNull();
    expect(orderTotal(orders, undefined, "en")).toBeNull();
  });
});
