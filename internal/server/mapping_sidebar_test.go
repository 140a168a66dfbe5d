package server

import (
	"encoding/json"
	"testing"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// TestSidebarEnumsAreAPIEnums: every value of the sidebar's enumerations
// is one of the API's (the mapping converts them as they are).
func TestSidebarEnumsAreAPIEnums(t *testing.T) {
	type valid interface{ Valid() bool }
	var tests []struct {
		name string
		v    valid
	}
	add := func(name string, v valid) {
		tests = append(tests, struct {
			name string
			v    valid
		}{name, v})
	}
	for _, m := range []sidebar.MatchMethod{sidebar.MethodIdentity, sidebar.MethodManual, sidebar.MethodMatchingFields, sidebar.MethodExistingLink} {
		add("method "+string(m), api.MatchMethod(m))
	}
	for _, k := range []sidebar.PanelKind{sidebar.PanelList, sidebar.PanelRecord} {
		add("panel kind "+string(k), api.PanelKind(k))
	}
	for _, k := range []sidebar.InputKind{sidebar.InputSidebarURL, sidebar.InputQuery, sidebar.InputUpdateVisitorInfoSrc, sidebar.InputCustomParams} {
		add("input "+string(k), api.SimulationInput(k))
	}
	for _, s := range []sidebar.StepName{sidebar.StepInput, sidebar.StepIntegration, sidebar.StepDecode, sidebar.StepChecks, sidebar.StepVisitor, sidebar.StepMatch, sidebar.StepLayout} {
		add("step "+string(s), api.SimulationStepStep(s))
	}
	for _, s := range []sidebar.StepStatus{sidebar.StatusOK, sidebar.StatusWarning, sidebar.StatusFailed} {
		add("status "+string(s), api.SimulationStepStatus(s))
	}
	for _, h := range []sidebar.ParamHow{sidebar.HowPlain, sidebar.HowDecrypted, sidebar.HowDropped, sidebar.HowFailed, sidebar.HowVerified} {
		add("how "+string(h), api.SimulationParamHow(h))
	}
	for _, c := range []string{sidebar.ChosenPlain, sidebar.ChosenDecrypted} {
		add("chosen "+c, api.SimulationReadingChosen(c))
	}
	for _, w := range []string{sidebar.ReadingKnownIdentity, sidebar.ReadingKnownVisitor, sidebar.ReadingPreferredDecrypted} {
		add("why "+w, api.SimulationReadingWhy(w))
	}
	for _, d := range []string{adapter.DropEmpty, adapter.DropNotEncrypted, adapter.DropNotDecryptable, adapter.DropUnknown} {
		add("dropped "+d, api.SimulationParamDropped(d))
	}
	for _, o := range []layout.Object{layout.Contact, layout.Account, layout.Orders} {
		add("object "+string(o), api.ObjectName(o))
	}
	for _, tt := range tests {
		if !tt.v.Valid() {
			t.Errorf("%s: not a value of the API's enumeration", tt.name)
		}
	}
}

// TestMatchOut: a domain match reads on the wire as the API documents it,
// members left out when the domain has none, and an empty list of
// candidates kept when the domain has one.
func TestMatchOut(t *testing.T) {
	tests := []struct {
		name string
		in   sidebar.Match
		want string
	}{
		{"linked by identity", sidebar.Match{Linked: true, Method: sidebar.MethodIdentity, MatchedOn: []string{"easemob id"}, Reason: "r", ReasonCode: sidebar.ReasonIdentity},
			`{"matchedOn":["easemob id"],"method":"identity","reason":"r","reasonCode":"identity","status":"linked"}`},
		{"preview", sidebar.Match{Linked: true, Method: sidebar.MethodManual, Reason: "p"},
			`{"method":"manual","reason":"p","status":"linked"}`},
		{"candidates", sidebar.Match{Reason: "c", ReasonCode: sidebar.ReasonCandidates, Candidates: []sidebar.Candidate{{ID: 7, Name: "Ann", Hint: "h", Company: "Acme"}}},
			`{"candidates":[{"company":"Acme","hint":"h","id":"7","name":"Ann"}],"reason":"c","reasonCode":"candidates","status":"not_linked"}`},
		{"candidates gone meanwhile", sidebar.Match{Reason: "c", ReasonCode: sidebar.ReasonCandidates, Candidates: []sidebar.Candidate{}},
			`{"candidates":[],"reason":"c","reasonCode":"candidates","status":"not_linked"}`},
		{"rejected", sidebar.Match{Reason: "x", ReasonCode: sidebar.ReasonRejected, Rejected: &sidebar.ContactRef{ID: 3, Name: "Bo"}},
			`{"reason":"x","reasonCode":"rejected","rejected":{"id":"3","name":"Bo"},"status":"not_linked"}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(matchOut(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, b, tt.want)
		}
	}
}
