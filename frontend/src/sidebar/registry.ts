// The widget registry: which component renders a panel of an object, and
// which renders a value of a field type. The built-in panels and fields are
// registered on it like any other widget (widgets/index.ts); frontend/README.md
// shows how to add one.
import type { ComponentType } from "preact";
import type { CrmRecord, FieldDef, FieldType, ObjectName, Panel } from "../api/types";
import type { Lang } from "../shared/i18n";

/** What a panel widget is given. Render values with <FieldValue> (widget.ts) to get masking, reveal and copy. */
export interface PanelProps {
  panel: Panel;
  lang: Lang;
}

/** Where a field value is shown; a widget may show less in a list row than in a record. */
export type Place = "record" | "list" | "header";

/** What a field widget is given: a value that is present and not masked (masking is handled before it). */
export interface FieldProps {
  field: FieldDef;
  /** The value as the API sent it: never null, empty or masked here. */
  value: string;
  record: CrmRecord;
  panel: Panel;
  lang: Lang;
  place: Place;
}

export type PanelWidget = ComponentType<PanelProps>;
export type FieldWidget = ComponentType<FieldProps>;

// `string & {}` keeps the editor's completion of the known names while
// accepting names a newer server may send.
export type ObjectKey = ObjectName | (string & {});
export type FieldTypeKey = FieldType | (string & {});

export interface Registry {
  /** Renders every panel of object with component (the last registration wins). Returns the registry. */
  registerPanel(object: ObjectKey, component: PanelWidget): Registry;
  /** Renders every value of a field type with component (the last registration wins). Returns the registry. */
  registerField(type: FieldTypeKey, component: FieldWidget): Registry;
  /** The widget for a panel: its object's, else the one for its kind, else undefined. */
  panelWidget(panel: Pick<Panel, "object" | "kind">): PanelWidget | undefined;
  /** The widget for a field type, or undefined. */
  fieldWidget(type: string): FieldWidget | undefined;
  /** Renders panels of a kind ("record", "list") whose object has no widget of its own. */
  registerKind(kind: Panel["kind"] | (string & {}), component: PanelWidget): Registry;
}

/** An empty registry. widgets/index.ts fills one with the built-ins. */
export function createRegistry(): Registry {
  // Maps, not objects: a name like "__proto__" or "constructor" from the API is just a miss.
  const panels = new Map<string, PanelWidget>();
  const kinds = new Map<string, PanelWidget>();
  const fields = new Map<string, FieldWidget>();
  const r: Registry = {
    registerPanel(object, component) {
      panels.set(object, component);
      return r;
    },
    registerKind(kind, component) {
      kinds.set(kind, component);
      return r;
    },
    registerField(type, component) {
      fields.set(type, component);
      return r;
    },
    panelWidget: (p) => panels.get(p.object) ?? kinds.get(p.kind),
    fieldWidget: (type) => fields.get(type),
  };
  return r;
}
