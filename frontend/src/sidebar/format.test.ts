import { describe, expect, it } from "vitest";
import type { FieldDef } from "../api/types";
import { copyable, displayValue, EMPTY, formatValue, instantOf, relativeTime, toneOf } from "./format";

const f = (type: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  key: "v",
  label: { zh: "值", en: "Value" },
  type: type as FieldDef["type"],
  masked: false,
  ...extra,
});

describe("money", () => {
  const money = f("money", { currencyField: "cur" });
  it("formats with the record's currency in the UI language", () => {
    expect(formatValue(money, { v: "199.50", cur: "CNY" }, "zh")).toBe("¥199.50");
    expect(formatValue(money, { v: "1234.5", cur: "USD" }, "en")).toBe("$1,234.50");
    expect(formatValue(money, { v: "1234.5", cur: "CNY" }, "en")).toBe("CN¥1,234.50");
  });
  it("shows a plain number without a currency, and the code when Intl does not know it", () => {
    expect(formatValue(money, { v: "1234.5" }, "en")).toBe("1,234.50");
    expect(formatValue(money, { v: "10", cur: "12" }, "en")).toBe("10.00 12");
  });
  it("keeps text that is not a number", () => {
    expect(formatValue(money, { v: "n/a", cur: "CNY" }, "en")).toBe("n/a");
  });
});

describe("dates", () => {
  it("shows a date as the calendar day written, in any time zone", () => {
    expect(formatValue(f("date"), { v: "2024-05-01" }, "en")).toBe("May 1, 2024");
    expect(formatValue(f("date"), { v: "2024-05-01" }, "zh")).toBe("2024年5月1日");
    expect(formatValue(f("date"), { v: "2024-05-01T00:00:00Z" }, "en")).toBe("May 1, 2024");
  });
  it("shows a datetime in the given time zone", () => {
    const v = { v: "2024-05-01T12:30:00Z" };
    expect(formatValue(f("datetime"), v, "en", "UTC")).toBe("May 1, 2024, 12:30 PM");
    expect(formatValue(f("datetime"), v, "zh", "Asia/Shanghai")).toBe("2024年5月1日 20:30");
  });
  it("keeps text that is not a date", () => {
    expect(formatValue(f("date"), { v: "soon" }, "en")).toBe("soon");
    expect(formatValue(f("datetime"), { v: "soon" }, "en")).toBe("soon");
  });
});

describe("other types", () => {
  it("shows empty values as a dash", () => {
    expect(formatValue(f("text"), { v: null }, "en")).toBe(EMPTY);
    expect(formatValue(f("text"), {}, "en")).toBe(EMPTY);
    expect(formatValue(f("text"), { v: "" }, "en")).toBe(EMPTY);
  });
  it("shows masked values as they arrive, without a link", () => {
    expect(displayValue(f("phone", { masked: true }), { v: "159****5678" }, "en")).toEqual({ text: "159****5678" });
  });
  it("links phones, emails and http(s) URLs only", () => {
    expect(displayValue(f("phone"), { v: "+86 159 1234 5678" }, "en").href).toBe("tel:+8615912345678");
    expect(displayValue(f("email"), { v: "a@example.com" }, "en").href).toBe("mailto:a@example.com");
    expect(displayValue(f("url"), { v: "https://example.com/x" }, "en").href).toBe("https://example.com/x");
    expect(displayValue(f("url"), { v: "javascript:alert(1)" }, "en").href).toBeUndefined();
  });
  it("formats numbers and booleans in the UI language", () => {
    expect(formatValue(f("number"), { v: "12345.678" }, "en")).toBe("12,345.678");
    expect(formatValue(f("bool"), { v: "true" }, "zh")).toBe("是");
    expect(formatValue(f("bool"), { v: "false" }, "en")).toBe("No");
  });
  it("shows the raw text of an unknown type", () => {
    expect(formatValue(f("geo"), { v: "31.2,121.5" }, "en")).toBe("31.2,121.5");
    expect(formatValue(f("enum"), { v: "shipped" }, "en")).toBe("shipped");
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-11-23T08:00:00Z");
  it.each([
    ["2026-11-23T07:59:40Z", "en", "now"],
    ["2026-11-23T07:55:00Z", "en", "5 minutes ago"],
    ["2026-11-23T05:00:00Z", "en", "3 hours ago"],
    ["2026-11-22T06:00:00Z", "en", "yesterday"],
    ["2026-11-16T08:00:00Z", "en", "7 days ago"],
    ["2026-10-24T20:00:00Z", "en", "last month"], // 29.5 days: never "30 days ago"
    ["2026-05-23T08:00:00Z", "en", "6 months ago"],
    ["2024-11-23T08:00:00Z", "en", "2 years ago"],
    ["2026-11-23T10:00:00Z", "en", "in 2 hours"],
    ["2026-11-20T08:00:00Z", "zh", "3天前"],
    ["2026-11-22T08:00:00Z", "zh", "昨天"],
  ])("%s is %s (%s)", (raw, lang, want) => {
    expect(relativeTime(raw, now, lang as "en" | "zh")).toBe(want);
  });

  it("counts calendar days for a date, in the agent's time zone", () => {
    const local = new Date(2026, 10, 23, 23, 30).getTime(); // late on the 23rd, local time
    expect(relativeTime("2026-11-23", local, "en", true)).toBe("today");
    expect(relativeTime("2026-11-22", local, "en", true)).toBe("yesterday");
    expect(relativeTime("2026-11-24", local, "en", true)).toBe("tomorrow");
    expect(relativeTime("2026-01-01", local, "en", true)).toBe("11 months ago");
  });

  it("keeps text that is not a date", () => {
    expect(relativeTime("soon", now, "en")).toBe("soon");
    expect(instantOf("")).toBeNull();
    expect(instantOf("2026-02-30x")).toBeNull();
  });
});

describe("toneOf", () => {
  it.each([
    ["delivered", "ok"],
    ["Paid", "info"],
    ["open", "warn"],
    ["in progress", "info"],
    ["refunded", "bad"],
    ["urgent", "bad"],
    ["closed", "neutral"],
    ["something new", "neutral"],
    [null, "neutral"],
  ])("%s is %s", (value, tone) => {
    expect(toneOf(value)).toBe(tone);
  });
});

describe("copyable", () => {
  it("offers copy for phones, emails and ids", () => {
    expect(copyable(f("phone"))).toBe(true);
    expect(copyable(f("email"))).toBe(true);
    for (const key of ["external_id", "order_no", "id", "tracking_number", "coupon_code"]) {
      expect(copyable(f("text", { key })), key).toBe(true);
    }
    for (const key of ["name", "idea", "notes", "vid"]) expect(copyable(f("text", { key })), key).toBe(false);
  });
});
