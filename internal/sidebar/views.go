package sidebar

// The sidebar's answers, as the domain sees them: internal/server alone
// turns them into the API's types (internal/server/mapping_sidebar.go),
// keeping the wire format openapi.yaml describes. A zero value (an empty
// string, a nil map or pointer) is a member the API leaves out, except
// where a field says otherwise.

import (
	"github.com/crmlens/crmlens/internal/layout"
)

// Visitor is a visitor as an agent sees it.
type Visitor struct {
	ID         int64
	Channel    string
	ExternalID string
	// DisplayName is the name the platform gave ("" for none).
	DisplayName string
	// Verified is what the platform vouched for about the visitor, as the
	// layout shows contacts' fields (name, phone, email).
	Verified map[string]string
}

// ContactRef names a contact.
type ContactRef struct {
	ID   int64
	Name string
}

// Candidate is a contact offered to link: a name, a hint from its phone or
// e-mail (masked, or hiddenHint), the masked e-mail when the hint is the
// phone, and its account's name.
type Candidate struct {
	ID      int64
	Name    string
	Hint    string
	Email   string
	Company string
}

// MatchMethod is how a linked visitor was linked ("" for none).
type MatchMethod string

// Match methods (api.MatchMethod has the same values).
const (
	MethodIdentity       MatchMethod = "identity"
	MethodManual         MatchMethod = "manual"
	MethodMatchingFields MatchMethod = "matching_fields"
	MethodExistingLink   MatchMethod = "existing_link"
)

// Match says whether the visitor is linked to a contact, and why (or why
// not), in English (Reason) and as a Reason* code.
type Match struct {
	Linked    bool
	Method    MatchMethod
	MatchedOn []string
	Reason    string
	// ReasonCode is a Reason* constant ("" for none: a preview's match).
	ReasonCode string
	// Candidates are the contacts an ambiguous match offers. Not nil, even
	// empty, is a list the API shows: candidates offered when the session
	// opened whose contacts were deleted meanwhile leave an empty one.
	Candidates []Candidate
	// Rejected is the contact an agent said is not this visitor.
	Rejected *ContactRef
}

// LayoutRef is the layout that applies and why.
type LayoutRef struct {
	Name   string
	Reason layout.Reason
}

// PanelKind says whether a panel shows one record or a list.
type PanelKind string

// Panel kinds (api.PanelKind has the same values).
const (
	PanelList   PanelKind = "list"
	PanelRecord PanelKind = "record"
)

// FieldDef is a field a panel shows.
type FieldDef struct {
	Key    string
	Label  layout.Label
	Type   layout.FieldType
	Masked bool
	// CurrencyField names the field holding a money field's currency when
	// the panel shows it ("" otherwise).
	CurrencyField string
}

// Record is one record of a panel: each field's display value, nil when it
// has none, and the currency of each money value that has one.
type Record struct {
	ID         string
	Values     map[string]*string
	Currencies map[string]string
}

// Panel is one panel of the context: a layout entry with its records.
type Panel struct {
	Key     string
	Object  layout.Object
	Title   layout.Label
	Kind    PanelKind
	Fields  []FieldDef
	Records []Record
}

// ContextView is what the agent of a session sees (Service.Context), or
// what an admin previews (Service.Preview).
type ContextView struct {
	Visitor Visitor
	Contact *ContactRef
	Match   Match
	Layout  LayoutRef
	Panels  []Panel
}

// InputKind is how the simulator read what an admin pasted.
type InputKind string

// Input kinds (api.SimulationInput has the same values).
const (
	InputSidebarURL           InputKind = "sidebar_url"
	InputQuery                InputKind = "query"
	InputUpdateVisitorInfoSrc InputKind = "update_visitor_info_src"
	InputCustomParams         InputKind = "custom_params"
)

// StepName names a step of a simulation.
type StepName string

// Steps of a simulation, in their order (api.SimulationStepStep has the
// same values).
const (
	StepInput       StepName = "input"
	StepIntegration StepName = "integration"
	StepDecode      StepName = "decode"
	StepChecks      StepName = "checks"
	StepVisitor     StepName = "visitor"
	StepMatch       StepName = "match"
	StepLayout      StepName = "layout"
)

// StepStatus is how a step went.
type StepStatus string

// Step statuses (api.SimulationStepStatus has the same values).
const (
	StatusOK      StepStatus = "ok"
	StatusWarning StepStatus = "warning"
	StatusFailed  StepStatus = "failed"
)

// ParamHow is how a received param was read.
type ParamHow string

// How params are read (api.SimulationParamHow has the same values).
const (
	HowPlain     ParamHow = "plain"
	HowDecrypted ParamHow = "decrypted"
	HowDropped   ParamHow = "dropped"
	HowFailed    ParamHow = "failed"
	HowVerified  ParamHow = "verified"
)

// Readings of a visitor id that reads two ways (SimReading.Chosen).
const (
	ChosenPlain     = "plain"
	ChosenDecrypted = "decrypted"
)

// CodedText is a sentence as a code and its params, for the console to word.
type CodedText struct {
	Code   string
	Params map[string]string
}

// SimStep is one step of a simulation: its English detail, the detail as a
// code with params, the error code of a failed step, and notes.
type SimStep struct {
	Step       StepName
	Status     StepStatus
	Detail     string
	DetailCode string
	Code       string
	Params     map[string]string
	Notes      []CodedText
}

// SimReading says which reading of a visitor id that reads two ways a
// session takes (a Chosen* constant), why (a Reading* code), and the other.
type SimReading struct {
	Chosen string
	Why    string
	Other  string
}

// SimParam is one received param: as received (shortened), its value in
// clear where it can be opened, how it was read, why it was dropped (an
// adapter.Drop* code), and its readings.
type SimParam struct {
	Name     string
	Received string
	Value    string
	How      ParamHow
	Dropped  string
	Reading  *SimReading
}

// Simulation is what a session would do with what an admin pasted.
type Simulation struct {
	Input   InputKind
	Params  []SimParam
	Steps   []SimStep
	Visitor *Visitor
	Contact *ContactRef
	Match   *Match
	Layout  *LayoutRef
}
