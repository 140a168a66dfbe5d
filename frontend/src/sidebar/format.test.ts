import { describe, expect, it } from "vitest";
import type { FieldDef } from "../api/types";
import { displayValue, EMPTY, formatValue } from "./format";

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
