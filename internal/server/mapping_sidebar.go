package server

// The sidebar's domain answers (internal/sidebar) as the API's types: the
// one place they are mapped. The wire format is openapi.yaml's; a zero
// domain value is a member left out (omitempty), as views.go in
// internal/sidebar says.

import (
	"strconv"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func sessionOut(s sidebar.Session) api.SessionResponse {
	ref := layoutRefOut(s.Layout)
	out := api.SessionResponse{
		Token: s.Token, ExpiresAt: s.ExpiresAt, Visitor: visitorOut(s.Visitor), Contact: contactRefOut(s.Contact),
		Match: matchOut(s.Match), Lang: api.Lang(s.Lang), Layout: &ref,
	}
	if out.Lang == "" {
		out.Lang = api.Zh
	}
	return out
}

func visitorOut(v sidebar.Visitor) api.Visitor {
	out := api.Visitor{Id: strconv.FormatInt(v.ID, 10), Channel: v.Channel, ExternalId: v.ExternalID}
	if v.DisplayName != "" {
		name := v.DisplayName
		out.DisplayName = &name
	}
	if len(v.Verified) > 0 {
		verified := v.Verified
		out.Verified = &verified
	}
	return out
}

func contactRefOut(c *sidebar.ContactRef) *api.ContactSummary {
	if c == nil {
		return nil
	}
	return &api.ContactSummary{Id: strconv.FormatInt(c.ID, 10), Name: c.Name}
}

func candidateOut(c sidebar.Candidate) api.Candidate {
	out := api.Candidate{Id: strconv.FormatInt(c.ID, 10), Name: c.Name, Hint: c.Hint}
	if c.Email != "" {
		email := c.Email
		out.Email = &email
	}
	if c.Company != "" {
		company := c.Company
		out.Company = &company
	}
	return out
}

// candidatesOut is never nil: a list with no contacts is [].
func candidatesOut(cs []sidebar.Candidate) []api.Candidate {
	out := make([]api.Candidate, 0, len(cs))
	for _, c := range cs {
		out = append(out, candidateOut(c))
	}
	return out
}

func matchOut(m sidebar.Match) api.Match {
	out := api.Match{Status: api.NotLinked, Reason: m.Reason, Rejected: contactRefOut(m.Rejected)}
	if m.Linked {
		out.Status = api.Linked
	}
	if m.Method != "" {
		method := api.MatchMethod(m.Method)
		out.Method = &method
	}
	if m.MatchedOn != nil {
		on := m.MatchedOn
		out.MatchedOn = &on
	}
	if m.ReasonCode != "" {
		code := m.ReasonCode
		out.ReasonCode = &code
	}
	// Not nil is shown, even empty (sidebar.Match.Candidates).
	if m.Candidates != nil {
		cs := candidatesOut(m.Candidates)
		out.Candidates = &cs
	}
	return out
}

// layoutRefOut is the layout that applies and why, in English and as a
// code with its parameters (the parameters only with a code).
func layoutRefOut(r sidebar.LayoutRef) api.LayoutRef {
	return layoutReasonOut(r.Name, r.Reason)
}

func layoutReasonOut(name string, why layout.Reason) api.LayoutRef {
	ref := api.LayoutRef{Name: name, Reason: why.Text}
	if why.Code != "" {
		code := why.Code
		ref.ReasonCode = &code
		if len(why.Params) > 0 {
			params := why.Params
			ref.ReasonParams = &params
		}
	}
	return ref
}

func contextOut(v sidebar.ContextView) api.SidebarContext {
	out := api.SidebarContext{
		Visitor: visitorOut(v.Visitor), Contact: contactRefOut(v.Contact), Match: matchOut(v.Match),
		Layout: layoutRefOut(v.Layout), Panels: make([]api.Panel, 0, len(v.Panels)),
	}
	for _, p := range v.Panels {
		out.Panels = append(out.Panels, panelOut(p))
	}
	return out
}

func labelOut(l layout.Label) api.Label { return api.Label{Zh: l.ZH, En: l.EN} }

func panelOut(p sidebar.Panel) api.Panel {
	out := api.Panel{
		Key: p.Key, Object: api.ObjectName(p.Object), Title: labelOut(p.Title), Kind: api.PanelKind(p.Kind),
		Fields: make([]api.FieldDef, 0, len(p.Fields)), Records: make([]api.Record, 0, len(p.Records)),
	}
	for _, f := range p.Fields {
		def := api.FieldDef{Key: f.Key, Label: labelOut(f.Label), Type: api.FieldType(f.Type), Masked: f.Masked}
		if f.CurrencyField != "" {
			cf := f.CurrencyField
			def.CurrencyField = &cf
		}
		out.Fields = append(out.Fields, def)
	}
	for _, r := range p.Records {
		rec := api.Record{Id: r.ID, Values: r.Values}
		if rec.Values == nil {
			rec.Values = map[string]*string{}
		}
		if len(r.Currencies) > 0 {
			currencies := r.Currencies
			rec.Currencies = &currencies
		}
		out.Records = append(out.Records, rec)
	}
	return out
}

func simulationOut(s sidebar.Simulation) api.Simulation {
	out := api.Simulation{
		Input: api.SimulationInput(s.Input), Contact: contactRefOut(s.Contact),
		Params: make([]api.SimulationParam, 0, len(s.Params)), Steps: make([]api.SimulationStep, 0, len(s.Steps)),
	}
	if s.Visitor != nil {
		v := visitorOut(*s.Visitor)
		out.Visitor = &v
	}
	if s.Match != nil {
		m := matchOut(*s.Match)
		out.Match = &m
	}
	if s.Layout != nil {
		l := layoutRefOut(*s.Layout)
		out.Layout = &l
	}
	for _, p := range s.Params {
		out.Params = append(out.Params, simParamOut(p))
	}
	for _, st := range s.Steps {
		out.Steps = append(out.Steps, simStepOut(st))
	}
	return out
}

func simParamOut(p sidebar.SimParam) api.SimulationParam {
	out := api.SimulationParam{Name: p.Name, Received: p.Received, Value: p.Value, How: api.SimulationParamHow(p.How)}
	if p.Dropped != "" {
		d := api.SimulationParamDropped(p.Dropped)
		out.Dropped = &d
	}
	if p.Reading != nil {
		out.Reading = &api.SimulationReading{Chosen: api.SimulationReadingChosen(p.Reading.Chosen),
			Why: api.SimulationReadingWhy(p.Reading.Why), Other: p.Reading.Other}
	}
	return out
}

func simStepOut(st sidebar.SimStep) api.SimulationStep {
	out := api.SimulationStep{Step: api.SimulationStepStep(st.Step), Status: api.SimulationStepStatus(st.Status), Detail: st.Detail,
		Params: stringMapOut(st.Params)}
	if st.DetailCode != "" {
		code := st.DetailCode
		out.DetailCode = &code
	}
	if st.Code != "" {
		code := st.Code
		out.Code = &code
	}
	if len(st.Notes) > 0 {
		notes := make([]api.CodedText, 0, len(st.Notes))
		for _, n := range st.Notes {
			notes = append(notes, api.CodedText{Code: n.Code, Params: stringMapOut(n.Params)})
		}
		out.Notes = &notes
	}
	return out
}

// stringMapOut is m, or nil (left out) when empty.
func stringMapOut(m map[string]string) *map[string]string {
	if len(m) == 0 {
		return nil
	}
	return &m
}
