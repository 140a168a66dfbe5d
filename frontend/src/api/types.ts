// Names for the generated OpenAPI types (schema.d.ts is generated from
// ../../openapi.yaml by `npm run generate`; never edit it by hand).
import type { components } from "./schema";

type Schemas = components["schemas"];
export type ApiErrorBody = Schemas["Error"];
export type SessionRequest = Schemas["SessionRequest"];
export type SessionResponse = Schemas["SessionResponse"];
export type SidebarContext = Schemas["SidebarContext"];
export type Panel = Schemas["Panel"];
export type FieldDef = Schemas["FieldDef"];
export type FieldType = Schemas["FieldType"];
export type CrmRecord = Schemas["Record"];
export type Visitor = Schemas["Visitor"];
export type Match = Schemas["Match"];
export type Candidate = Schemas["Candidate"];
export type Lang = Schemas["Lang"];
export type Conversation = Schemas["Conversation"];
export type ConversationList = Schemas["ConversationList"];
export type CandidateList = Schemas["CandidateList"];
export type LinkRequest = Schemas["LinkRequest"];
export type UnlinkRequest = Schemas["UnlinkRequest"];
export type RevealRequest = Schemas["RevealRequest"];
export type RevealedValue = Schemas["RevealedValue"];
export type ObjectName = Schemas["ObjectName"];
