package server

import (
	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
)

// The answers of the admin API as the generated types of openapi.yaml:
// each handler answers an api.* value, never a map, so that what it sends
// is what the spec (and the front end's types generated from it) says.

// optionsView is an integration's options as the API shows them: a field
// at its zero value is left out, as integration.Options marshals.
func optionsView(o integration.Options) api.IntegrationOptions {
	var v api.IntegrationOptions
	if o.EncryptedSystemParams {
		v.EncryptedSystemParams = ptr(true)
	}
	if o.TenantID != "" {
		v.TenantId = ptr(o.TenantID)
	}
	if o.RequireKnownAgent {
		v.RequireKnownAgent = ptr(true)
	}
	if len(o.VerificationFields) > 0 {
		v.VerificationFields = ptr(o.VerificationFields)
	}
	if len(o.MatchingFields) > 0 {
		v.MatchingFields = ptr(o.MatchingFields)
	}
	if o.ChatwootURL != "" {
		v.ChatwootUrl = ptr(o.ChatwootURL)
	}
	if o.IdentityParam != "" {
		v.IdentityParam = ptr(o.IdentityParam)
	}
	if len(o.FieldParams) > 0 {
		v.FieldParams = ptr(o.FieldParams)
	}
	if o.SobotSysNum != "" {
		v.SobotSysNum = ptr(o.SobotSysNum)
	}
	if o.AgentActions != "" {
		v.AgentActions = ptr(api.IntegrationOptionsAgentActions(o.AgentActions))
	}
	return v
}

// layoutDocView is a stored layout as the API shows it.
func layoutDocView(d layout.Doc) api.LayoutDoc {
	v := api.LayoutDoc{Name: d.Name, Panels: make([]api.LayoutPanel, 0, len(d.Panels))}
	if d.Version != 0 {
		v.Version = ptr(d.Version)
	}
	if d.Scope.Default {
		v.Scope.Default = ptr(true)
	}
	v.Scope.Groups = nonEmpty(d.Scope.Groups)
	v.Scope.Agents = nonEmpty(d.Scope.Agents)
	v.Scope.Integrations = nonEmpty(d.Scope.Integrations)
	for _, p := range d.Panels {
		pv := api.LayoutPanel{Object: api.ObjectName(p.Object), Fields: p.Fields, Masked: nonEmpty(p.Masked)}
		if pv.Fields == nil {
			pv.Fields = []string{}
		}
		if p.Title != nil {
			pv.Title = &api.Label{Zh: p.Title.ZH, En: p.Title.EN}
		}
		if len(p.Labels) > 0 {
			labels := make(map[string]api.Label, len(p.Labels))
			for k, l := range p.Labels {
				labels[k] = api.Label{Zh: l.ZH, En: l.EN}
			}
			pv.Labels = &labels
		}
		if p.Limit != 0 {
			pv.Limit = ptr(p.Limit)
		}
		if p.Sort != "" {
			pv.Sort = ptr(p.Sort)
		}
		if len(p.Filter) > 0 {
			f := api.LayoutFilter(p.Filter)
			pv.Filter = &f
		}
		v.Panels = append(v.Panels, pv)
	}
	return v
}

// auditEventView is an audit event, with the names of what it refers to,
// as the API shows it.
func auditEventView(e audit.Named) api.AuditEvent {
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	return api.AuditEvent{
		Id: e.ID, Action: e.Action, Actor: e.Actor, RequestId: e.RequestID, At: e.At, Detail: detail,
		IntegrationId: nonZero(e.IntegrationID), VisitorId: nonZero(e.VisitorID), ContactId: nonZero(e.ContactID),
		IntegrationName: nonZero(e.IntegrationName), IntegrationSlug: nonZero(e.IntegrationSlug),
		ActorName: nonZero(e.ActorName), VisitorName: nonZero(e.VisitorName), ContactName: nonZero(e.ContactName),
	}
}

func ptr[T any](v T) *T { return &v }

// nonZero is nil for "", else a pointer to s (an omitempty field).
func nonZero(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nonEmpty is nil for an empty list, else a pointer to it.
func nonEmpty(l []string) *[]string {
	if len(l) == 0 {
		return nil
	}
	return &l
}
