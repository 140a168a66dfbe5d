import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { FieldDef, Panel, SidebarContext } from "../api/types";
import { byTestId, click, mount } from "../test/dom";
import { linkedContext } from "../test/fixtures";
import type { Actions } from "./actions";
import { createRegistry, type FieldProps, type PanelProps } from "./registry";
import { SidebarView } from "./views";
import { ListPanel, RecordPanel } from "./widgets/panels";
import { OrderTimeline } from "./widgets/OrderTimeline";
import { standardWidgets } from "./widgets/index";
import { FieldValue } from "./widget";

const Hello = ({ panel }: PanelProps) => <p data-testid="hello">hello {panel.key}</p>;
const Other = () => <p data-testid="other">other</p>;

/** The FieldType enum of openapi.yaml, the types the server may send. */
function apiFieldTypes(): string[] {
  const spec = readFileSync(join(__dirname, "../../../openapi.yaml"), "utf8");
  const m = /\n {4}FieldType:\n(?: {6}.*\n)*? {6}enum: \[([^\]]+)\]/.exec(spec);
  if (!m) throw new Error("openapi.yaml: no FieldType enum");
  return m[1]!.split(",").map((s) => s.trim());
}

const panel = (over: Partial<Panel>): Panel => ({
  key: "p",
  object: "contact",
  kind: "record",
  title: { zh: "面板", en: "Panel" },
  fields: [],
  records: [],
  ...over,
});

describe("createRegistry", () => {
  it("finds a panel widget by object, else by kind, else nothing", () => {
    const r = createRegistry().registerKind("list", ListPanel).registerPanel("orders", Hello);
    expect(r.panelWidget({ object: "orders", kind: "list" })).toBe(Hello);
    expect(r.panelWidget({ object: "tickets", kind: "list" })).toBe(ListPanel);
    expect(r.panelWidget({ object: "tickets", kind: "chart" as Panel["kind"] })).toBeUndefined();
  });

  it("lets the last registration win, so a built-in can be replaced", () => {
    const r = createRegistry().registerPanel("orders", Hello).registerPanel("orders", Other);
    expect(r.panelWidget({ object: "orders", kind: "list" })).toBe(Other);
    const F = () => null;
    expect(r.registerField("text", F).fieldWidget("text")).toBe(F);
  });

  it("treats names from the API as plain keys, never as object properties", () => {
    const r = createRegistry();
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(r.fieldWidget(name)).toBeUndefined();
      expect(r.panelWidget({ object: name as Panel["object"], kind: name as Panel["kind"] })).toBeUndefined();
    }
  });
});

describe("standardWidgets", () => {
  it("has a widget for every field type openapi.yaml names, and a panel for both kinds", () => {
    const r = standardWidgets();
    const types = apiFieldTypes();
    expect(types.length).toBeGreaterThanOrEqual(10);
    for (const type of types) expect(r.fieldWidget(type), type).toBeTypeOf("function");
    expect(r.panelWidget({ object: "contact", kind: "record" })).toBe(RecordPanel);
    expect(r.panelWidget({ object: "leads", kind: "list" })).toBe(ListPanel);
    expect(r.panelWidget({ object: "orders", kind: "list" })).toBe(OrderTimeline);
  });
});

describe("SidebarView with widgets of its own", () => {
  it("draws a panel with the widget registered for its object, the others as before", async () => {
    const widgets = standardWidgets().registerPanel("tickets", Hello);
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" widgets={widgets} />);
    expect(byTestId(byTestId(el, "panel-tickets")!, "hello")?.textContent).toBe("hello tickets");
    expect(byTestId(el, "panel-contact")?.querySelectorAll(".row")).toHaveLength(5);
  });

  it("draws values of a field type with the widget registered for it, after masking is dealt with", async () => {
    const seen: string[] = [];
    const Shout = ({ value }: FieldProps) => {
      seen.push(value);
      return <b class="shout">{value.toUpperCase()}</b>;
    };
    const widgets = standardWidgets().registerField("email", Shout).registerField("phone", Shout);
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" widgets={widgets} />);
    const contact = byTestId(el, "panel-contact")!;
    expect(contact.querySelector('[data-field="email"] .shout')?.textContent).toBe("ZHANG.WEI@EXAMPLE.COM");
    // the masked phone never reaches the phone widget: it is shown masked
    expect(contact.querySelector('[data-field="mobile"] .shout')).toBeNull();
    expect(contact.querySelector('[data-field="mobile"] .masked')?.textContent).toBe("159****5678");
    expect(seen).not.toContain("159****5678");
  });

  it("gives a revealed value to the field's widget", async () => {
    const Shout = ({ value }: FieldProps) => <b class="shout">{value}!</b>;
    const widgets = standardWidgets().registerField("phone", Shout);
    const actions: Actions = {
      search: vi.fn(),
      link: vi.fn(),
      unlink: vi.fn(),
      reveal: vi.fn(async () => "15912345678"),
    };
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" widgets={widgets} actions={actions} />);
    await click(byTestId(el, "reveal-contact-c1-mobile"));
    expect(actions.reveal).toHaveBeenCalledWith({ object: "contact", recordId: "c1", field: "mobile" });
    expect(el.querySelector('[data-field="mobile"] .shout')?.textContent).toBe("15912345678!");
  });

  it("lets a custom panel widget use FieldValue for masking, reveal and copy", async () => {
    const Compact = ({ panel }: PanelProps) => (
      <p data-testid="compact">
        {panel.fields.map((f) => (
          <FieldValue key={f.key} panel={panel} record={panel.records[0]!} field={f} place="record" />
        ))}
      </p>
    );
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" widgets={standardWidgets().registerPanel("contact", Compact)} />);
    const p = byTestId(el, "compact")!;
    expect(p.querySelector(".masked")?.textContent).toBe("159****5678");
    expect(p.querySelector('a[href="mailto:zhang.wei@example.com"]')).not.toBeNull();
    expect(p.querySelectorAll('[data-testid="copy"]')).toHaveLength(1); // the email; the masked phone has none
  });
});

describe("bad input", () => {
  const weird: FieldDef = { key: "geo", label: { zh: "位置", en: "Location" }, type: "geo" as FieldDef["type"], masked: false };

  it("shows a value of an unknown field type as text, saying why on hover", async () => {
    const ctx: SidebarContext = {
      ...linkedContext,
      panels: [panel({ fields: [weird], records: [{ id: "c1", values: { geo: "31.2,121.5" } }] })],
    };
    const el = await mount(<SidebarView ctx={ctx} lang="zh" />);
    const v = el.querySelector('[data-field="geo"] [data-unknown-type="geo"]')!;
    expect(v.textContent).toBe("31.2,121.5");
    expect(v.getAttribute("title")).toBe("按纯文本显示：此侧边栏不认识字段类型“geo”。");
  });

  it("lists a panel of an unknown kind as text, saying why", async () => {
    const ctx: SidebarContext = {
      ...linkedContext,
      panels: [
        panel({ key: "map", object: "visits" as Panel["object"], kind: "map" as Panel["kind"], fields: [weird], records: [{ id: "1", values: { geo: "31.2,121.5" } }] }),
        linkedContext.panels[0]!,
      ],
    };
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    const fb = byTestId(byTestId(el, "panel-map")!, "plain-fallback")!;
    expect(fb.dataset.reason).toBe("kind");
    expect(fb.textContent).toContain("does not know how to show a “map” panel");
    expect(fb.querySelector("dt")?.textContent).toBe("Location");
    expect(fb.querySelector("dd")?.textContent).toBe("31.2,121.5");
    // the other panels are drawn as usual
    expect(byTestId(el, "panel-contact")?.querySelectorAll(".row")).toHaveLength(5);
  });

  it("keeps the sidebar when a widget throws: that panel is listed as text", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const Broken = (): never => {
      throw new Error("widget bug");
    };
    const el = await mount(<SidebarView ctx={linkedContext} lang="en" widgets={standardWidgets().registerPanel("orders", Broken)} />);
    const fb = byTestId(byTestId(el, "panel-orders")!, "plain-fallback")!;
    expect(fb.dataset.reason).toBe("failed");
    expect(fb.textContent).toContain("This panel's widget failed");
    expect(fb.textContent).toContain("SO-1001");
    expect(byTestId(el, "contact-name")?.textContent).toBe("张伟");
    expect(errors).toHaveBeenCalled();
  });

  it("copes with a panel without fields or records, and labels without the UI language", async () => {
    const ctx = {
      ...linkedContext,
      panels: [
        { key: "odd", object: "leads", kind: "list", title: { zh: "线索" } },
        panel({ key: "half", fields: [{ ...weird, type: "text", label: { zh: "只有中文" } as FieldDef["label"] }], records: [{ id: "1", values: { geo: "x" } }] }),
      ],
    } as unknown as SidebarContext;
    const el = await mount(<SidebarView ctx={ctx} lang="en" />);
    expect(byTestId(el, "panel-odd")?.querySelector(".panel-title")?.textContent).toBe("线索");
    expect(byTestId(byTestId(el, "panel-odd")!, "plain-fallback")).not.toBeNull();
    expect(byTestId(el, "panel-half")?.querySelector("dt")?.textContent).toBe("只有中文");
  });
});
