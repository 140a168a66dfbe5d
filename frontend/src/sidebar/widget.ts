// The API for widget authors: everything a panel or field widget needs, in
// one import. See frontend/README.md ("Widgets") and widgets/OrderTimeline.tsx,
// the worked example.
export type { CrmRecord, FieldDef, FieldType, ObjectName, Panel } from "../api/types";
// t(lang, key, vars?) fills {placeholders}; tf is the same function, kept
// for widgets written when placeholders had a function of their own.
export { statusWord, t, t as tf, type Lang, type MessageKey } from "../shared/i18n";
export { useEnv, type SidebarEnv } from "./env";
export { currencyOf, formatMoney, instantOf, relativeTime, toneOf, type Tone } from "./format";
export type { FieldProps, FieldWidget, PanelProps, PanelWidget, Place, Registry } from "./registry";
export { FieldValue, label } from "./widgets/fields";
export { badgeField, Empty, shownFields } from "./widgets/panels";
export { CopyButton, RelativeTime, StatusBadge } from "./widgets/parts";
