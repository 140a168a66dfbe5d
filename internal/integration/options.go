package integration

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

// Options are an integration's settings, stored as JSON
// (adapter.Options: each platform owns its fields).
type Options = adapter.Options

// Agent actions (Options.AgentActions).
const (
	AgentActionsAll  = adapter.AgentActionsAll
	AgentActionsRead = adapter.AgentActionsRead
)

// Integration is a stored integration with its options parsed, its
// platform's defaults filled in, and its platform (nil when this build of
// crmlens does not know its kind).
type Integration struct {
	model.Integration
	// Options shadows the stored JSON (model.Integration.Options).
	Options  Options
	Platform adapter.Platform
}

// Setup is what in's protection depends on.
func (in Integration) Setup() adapter.Setup {
	return adapter.Setup{HasKey: in.Key != "", HasAPIToken: in.APIToken != "", Options: in.Options}
}

// Open reads row's options, finds its platform in the Service's registry
// and fills in the platform's defaults. Options that do not parse are an
// error, returned with the row opened as if it had none.
func (s *Service) Open(row model.Integration) (Integration, error) {
	o, err := adapter.ParseOptions(row.Options)
	if err != nil {
		o, err = Options{}, fmt.Errorf("integration %s options: %w", row.Slug, err)
	}
	out := Integration{Integration: row, Options: o}
	if p, ok := s.platforms.Get(row.Kind); ok {
		out.Platform = p
		out.Options = p.Defaults(o)
	}
	return out, err
}

// AgentsVouched says whether something other than the URL vouches for the
// session and the agent it names (Platform.AgentsVouched): a signed token;
// Easemob with a key and only agents an admin declared; ShareCRM's
// AES-encrypted customParams. Never Chatwoot, even with an API token.
func AgentsVouched(in Integration) bool {
	return in.Platform != nil && in.Platform.AgentsVouched(in.Setup())
}

// AgentsMaySearch says whether agents of in's sessions may search contacts
// and link (or unlink) the visitor: always where AgentsVouched, else as the
// admin chose in AgentActions.
func AgentsMaySearch(in Integration) bool {
	return AgentsVouched(in) || in.Options.AgentActions != AgentActionsRead
}

// MatchableFields are the visitor fields a matching rule may name, and the
// contact column each is compared with: phones and e-mails in their
// normalized columns (internal/matchkey), so a rule compares the visitor's
// claim, normalized the same way, with every contact however its CRM wrote it.
var MatchableFields = map[string]string{"phone": "phone_match", "email": "email_match", "full_name": "name", "name": "name"}

// lenientOptions are platform options other kinds ignore rather than
// refuse, as integrations stored them before options were the platforms'.
var lenientOptions = map[string]bool{"verificationFields": true, "chatwootUrl": true}

// validateOptions checks o for an integration of platform p (hasKey: it
// has a key): the rules every platform shares, the options p owns, and no
// option of another platform.
func validateOptions(p adapter.Platform, o Options, hasKey bool) error {
	for _, rule := range o.MatchingFields {
		if len(rule) == 0 {
			return adapter.ErrOption("a matching rule must name at least one field")
		}
		for _, f := range rule {
			if _, ok := MatchableFields[f]; !ok {
				return adapter.ErrOption("matching field %q is not one of phone, email, full_name", truncate(f, 40))
			}
		}
	}
	switch o.AgentActions {
	case "", AgentActionsAll, AgentActionsRead:
	default:
		return adapter.ErrOption("agent actions must be %q or %q", AgentActionsAll, AgentActionsRead)
	}
	spec := p.Spec()
	for _, name := range o.Set() {
		if !slices.Contains(spec.Options, name) && !lenientOptions[name] {
			return adapter.ErrOption("%s is not an option of %s integrations (their options: %s)", name, spec.Kind, optionList(spec.Options))
		}
	}
	return p.Validate(o, hasKey)
}

func optionList(names []string) string {
	if len(names) == 0 {
		return "none but matchingFields and agentActions"
	}
	return strings.Join(names, ", ")
}

// Protection is an integration's protection level in words and codes.
type Protection = adapter.Protection

// Coded is a sentence as a code and its parameters.
type Coded = adapter.Coded

// sharedProtectionCodes are the codes ProtectionOf emits for every
// platform: agent actions and origins.
var sharedProtectionCodes = []string{
	"prot.summary.actions_vouched", "prot.summary.actions_read", "prot.summary.actions_open",
	"prot.exposed.search", "prot.advice.read_only", "prot.advice.no_origin", "prot.advice.no_origin_eg",
}

// ProtectionCodes are every code ProtectionOf may emit with the platforms
// of reg (the console's catalogue words each one:
// frontend/src/admin/codes.json).
func ProtectionCodes(reg *platforms.Registry) []string {
	out := reg.ProtectionCodes()
	for _, c := range sharedProtectionCodes {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// ProtectionOf describes what keeps outsiders out of in, following the trust
// model: only cryptography and secrets count, never the browser.
func ProtectionOf(in Integration, origins []string) Protection {
	p := adapter.NewProtection()
	if in.Platform == nil {
		p.Level = adapter.LevelLow
		return p
	}
	in.Platform.Protect(&p, in.Setup())
	agentActionsProtection(&p, in)
	if len(origins) == 0 {
		advice := "no origin is set, so no platform can frame the sidebar (only crmlens's own pages can): add the origin of the page that shows it"
		if o := in.Platform.Spec().UsualOrigin; o != "" {
			p.AddAdvice("prot.advice.no_origin_eg", advice+", e.g. "+o, map[string]string{"origin": o})
		} else {
			p.AddAdvice("prot.advice.no_origin", advice, nil)
		}
	}
	return p
}

// agentActionsProtection says in p which agent actions in's sessions allow,
// and what that exposes to an outsider holding the URL.
func agentActionsProtection(p *Protection, in Integration) {
	spec := in.Platform.Spec()
	switch {
	case AgentsVouched(in):
		p.AddSummary("prot.summary.actions_vouched", ". Agent actions: search, link and reveal, within the per-session and per-agent limits; "+spec.VouchedBy.Text,
			map[string]string{"byCode": spec.VouchedBy.Code})
	case in.Options.AgentActions == AgentActionsRead:
		p.AddSummary("prot.summary.actions_read", ". Agent actions: read only. Nothing vouches for the agent, so sessions show the contact crmlens matched (and reveal its masked fields) but cannot search, link or unlink: the URL reaches no other contact through them", nil)
	default:
		p.AddSummary("prot.summary.actions_open", ". Agent actions: search and link, though nothing vouches for the agent: anyone with the URL can search contacts (by name, or by a whole phone number or e-mail the layout masks) and link the visitor to one found, then read it as the layout shows it, within the per-session and per-agent limits; such links are marked unverified to the next agent", nil)
		p.AddExposed("prot.exposed.search", "contacts found by search (search and link are open to agents nothing vouches for)")
		p.AddAdvice("prot.advice.read_only", "allow agents only to read (crmlens integration update --agent-actions read), or make the agent verifiable ("+spec.HowToVouch.Text+")",
			map[string]string{"howCode": spec.HowToVouch.Code})
	}
}
