// The sidebar's widgets. The built-ins are registered here like any other
// widget; to add yours, write its file in this folder and add one line at
// the end (frontend/README.md, "Widgets"). The last registration for a name wins.
import { createRegistry, type Registry } from "../registry";
import {
  BoolField,
  DateField,
  DateTimeField,
  EmailField,
  EnumField,
  MoneyField,
  NumberField,
  PhoneField,
  TextField,
  UrlField,
} from "./fields";
import { OrderTimeline } from "./OrderTimeline";
import { ListPanel, RecordPanel } from "./panels";

/** A registry with every widget of this build. */
export function standardWidgets(): Registry {
  return (
    createRegistry()
      // Field types (openapi.yaml, FieldType). A type without a widget is shown as text (UnknownField).
      .registerField("text", TextField)
      .registerField("number", NumberField)
      .registerField("money", MoneyField)
      .registerField("date", DateField)
      .registerField("datetime", DateTimeField)
      .registerField("enum", EnumField)
      .registerField("bool", BoolField)
      .registerField("phone", PhoneField)
      .registerField("email", EmailField)
      .registerField("url", UrlField)
      // Panels by kind, for objects without a widget of their own; an unknown kind is listed as text.
      .registerKind("record", RecordPanel)
      .registerKind("list", ListPanel)
      // Panels by object.
      .registerPanel("orders", OrderTimeline)
  );
}

/** The standard widgets, made once: SidebarView uses them unless given others. */
export const defaultWidgets: Registry = standardWidgets();
