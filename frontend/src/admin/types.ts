// Names for the generated OpenAPI types the console uses (schema.d.ts is
// generated from ../../../openapi.yaml; never edit it by hand).
import type { components } from "../api/schema";

type S = components["schemas"];
export type AdminSession = S["AdminSession"];
export type AdminSessionInfo = S["AdminSessionInfo"];
export type AdminUser = S["AdminUser"];
export type AdminUserList = S["AdminUserList"];
export type Integration = S["Integration"];
export type DeletedIntegration = S["DeletedIntegration"];
export type IntegrationKind = S["IntegrationKind"];
export type IntegrationInput = S["IntegrationInput"];
export type IntegrationUpdate = S["IntegrationUpdate"];
export type IntegrationOptions = S["IntegrationOptions"];
export type CreatedIntegration = S["CreatedIntegration"];
export type FieldCatalog = S["FieldCatalog"];
export type CatalogObject = S["CatalogObject"];
export type CatalogField = S["CatalogField"];
export type FieldType = S["FieldType"];
export type ObjectName = S["ObjectName"];
export type Label = S["Label"];
export type LayoutDoc = S["LayoutDoc"];
export type LayoutPanel = S["LayoutPanel"];
export type LayoutScope = S["LayoutScope"];
export type AdminAgent = S["AdminAgent"];
export type AgentList = S["AgentList"];
export type ImportResult = S["ImportResult"];
export type Candidate = S["Candidate"];
export type SidebarContext = S["SidebarContext"];
export type Simulation = S["Simulation"];
export type SimulationStep = S["SimulationStep"];
export type AuditEvent = S["AuditEvent"];
export type AuditList = S["AuditList"];
export type FieldError = S["FieldError"];
