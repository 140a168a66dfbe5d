package integration

import (
	"encoding/json"
	"strings"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// Options are an integration's settings, stored as JSON. Each kind reads the
// fields that concern it.
type Options struct {
	// Easemob hardening: require easemobId and visitorImId encrypted too
	// (Easemob's option), pin the expected tenantId, require an agent an
	// admin declared.
	EncryptedSystemParams bool   `json:"encryptedSystemParams,omitempty"`
	TenantID              string `json:"tenantId,omitempty"`
	RequireKnownAgent     bool   `json:"requireKnownAgent,omitempty"`

	// ShareCRM: the fields that identify a visitor (default full_name, phone).
	VerificationFields []string `json:"verificationFields,omitempty"`
	// MatchingFields are the rules that associate a visitor with a contact,
	// tried in order; each names fields that must all be equal. Default for
	// sharecrm: [[phone], [full_name, phone]]; for chatwoot and signed:
	// [[email], [phone]].
	MatchingFields [][]string `json:"matchingFields,omitempty"`

	// Chatwoot: the API to check contexts against (with the integration's
	// sealed API token).
	ChatwootURL string `json:"chatwootUrl,omitempty"`

	// AgentActions is what agents may do in sessions nothing vouches for
	// (AgentsVouched false): AgentActionsAll search and link, AgentActionsRead
	// only read the contact crmlens matched. Sessions an integration vouches
	// for may always search and link. Unset is AgentActionsAll, what
	// integrations stored before the option did; Create stores
	// AgentActionsRead unless told otherwise.
	AgentActions string `json:"agentActions,omitempty"`
}

// Agent actions (Options.AgentActions).
const (
	AgentActionsAll  = "all"
	AgentActionsRead = "read"
)

// AgentsVouched says whether something other than the URL vouches for the
// session and the agent it names: a signed token; Easemob with a key and only
// agents an admin declared; ShareCRM's AES-encrypted customParams. Never
// Chatwoot, even with an API token: the token checks the conversation, not
// the agent.
func AgentsVouched(in model.Integration, o Options) bool {
	switch in.Kind {
	case model.KindSigned, model.KindShareCRM:
		return true
	case model.KindEasemob:
		return in.Key != "" && o.RequireKnownAgent
	case model.KindChatwoot:
		// Chatwoot's API says which contact a conversation has, not who is
		// looking at it: any agent of the inbox, or anyone holding the URL
		// and a real conversation id, may be (internal/sidebar agentVouched).
		return false
	}
	return false
}

// AgentsMaySearch says whether agents of in's sessions may search contacts
// and link (or unlink) the visitor: always where AgentsVouched, else as the
// admin chose in AgentActions.
func AgentsMaySearch(in model.Integration, o Options) bool {
	return AgentsVouched(in, o) || o.AgentActions != AgentActionsRead
}

// MatchableFields are the visitor fields a matching rule may name, and the
// contact column each is compared with: phones and e-mails in their
// normalized columns (internal/matchkey), so a rule compares the visitor's
// claim, normalized the same way, with every contact however its CRM wrote it.
var MatchableFields = map[string]string{"phone": "phone_match", "email": "email_match", "full_name": "name", "name": "name"}

// ParseOptions reads stored options; "" is no options.
func ParseOptions(raw string) (Options, error) {
	var o Options
	if strings.TrimSpace(raw) == "" {
		return o, nil
	}
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return o, err
	}
	return o, nil
}

// Defaults fills in the kind's defaults for unset fields.
func (o Options) Defaults(kind string) Options {
	if kind == model.KindShareCRM && len(o.VerificationFields) == 0 {
		o.VerificationFields = []string{"full_name", "phone"}
	}
	if len(o.MatchingFields) == 0 {
		switch kind {
		case model.KindShareCRM:
			o.MatchingFields = [][]string{{"phone"}, {"full_name", "phone"}}
		case model.KindChatwoot, model.KindSigned:
			o.MatchingFields = [][]string{{"email"}, {"phone"}}
		}
	}
	return o
}

// Validate checks options against kind.
func (o Options) Validate(kind string) error {
	for _, rule := range o.MatchingFields {
		if len(rule) == 0 {
			return apperr.New(apperr.Invalid, "invalid_option", "a matching rule must name at least one field")
		}
		for _, f := range rule {
			if _, ok := MatchableFields[f]; !ok {
				return apperr.New(apperr.Invalid, "invalid_option", "matching field %q is not one of phone, email, full_name", truncate(f, 40))
			}
		}
	}
	for _, f := range o.VerificationFields {
		if f == "" || len(f) > 64 || strings.ContainsAny(f, " \t\n\"") {
			return apperr.New(apperr.Invalid, "invalid_option", "verification field %q is not a field name", truncate(f, 40))
		}
	}
	if o.ChatwootURL != "" {
		if _, err := NormalizeOrigins([]string{o.ChatwootURL}); err != nil {
			return apperr.New(apperr.Invalid, "invalid_option", "the Chatwoot URL must be like https://app.chatwoot.com (scheme and host)")
		}
	}
	switch o.AgentActions {
	case "", AgentActionsAll, AgentActionsRead:
	default:
		return apperr.New(apperr.Invalid, "invalid_option", "agent actions must be %q or %q", AgentActionsAll, AgentActionsRead)
	}
	if len(o.TenantID) > 64 {
		return apperr.New(apperr.Invalid, "invalid_option", "the tenant id is too long")
	}
	if kind != model.KindEasemob && (o.EncryptedSystemParams || o.TenantID != "" || o.RequireKnownAgent) &&
		!(kind == model.KindSigned && o.RequireKnownAgent) {
		return apperr.New(apperr.Invalid, "invalid_option", "encrypted system params and the tenant pin are Easemob options")
	}
	return nil
}

func (o Options) encode() string {
	b, _ := json.Marshal(o)
	return string(b)
}

// Protection is an integration's protection level in words.
type Protection struct {
	Level   string // low, medium, high
	Summary string
	Exposed []string
	Advice  []string
}

// ProtectionOf describes what keeps outsiders out of in, following the trust
// model: only cryptography and secrets count, never the browser.
func ProtectionOf(in model.Integration, o Options, origins []string) Protection {
	var p Protection
	switch in.Kind {
	case model.KindEasemob:
		switch {
		case in.Key == "":
			p.Level = "low"
			p.Summary = "no key: every parameter travels in clear in the URL (visitor, agent, tenant, nickname), and anyone who has this URL can open any visitor by putting another visitor id in it; set an encryption key in Easemob and here"
			p.Exposed = []string{"every parameter, in clear", "any visitor, by visitor id", "agent identity", "tenant id"}
			p.Advice = []string{"set an encryption key (more than 8 characters) in Easemob and here (crmlens integration rotate-key)", "then turn on encrypted system params"}
		case !o.EncryptedSystemParams:
			p.Level = "low"
			p.Summary = "anyone who has this URL can read any visitor whose IM id they know: turn on encrypted system params"
			p.Exposed = []string{"visitor id (visitorImId is in clear and can be swapped)"}
			p.Advice = []string{"turn on Easemob's option to encrypt easemobId and visitorImId, then require it here"}
		default:
			p.Level = "medium"
			p.Summary = "the visitor id is encrypted, but Easemob encrypts each parameter on its own with DES/ECB: a ciphertext is the same every time, so a leaked URL can be replayed for as long as the key is unchanged, and its 8-byte blocks can be reused: blocks of other URLs, or of a nickname, trueName or pushed parameter a visitor chose, can be put together into another visitor id or agent id. crmlens refuses a visitor, agent or tenant parameter made of blocks of the same URL's other parameters, but cannot see blocks taken from other URLs; only a signed link prevents both"
			p.Exposed = []string{"replay of a leaked URL", "visitor and agent ids put together from blocks of other URLs' ciphertexts"}
			p.Advice = []string{"rotate the key if a URL leaked"}
		}
		if in.Key != "" {
			p.Advice = append(p.Advice, "where the page that opens crmlens can sign, use a signed link instead (kind signed): it expires, works once and cannot be cut and pasted")
		}
		if o.TenantID == "" {
			p.Advice = append(p.Advice, "pin the expected tenantId")
		}
		if !o.RequireKnownAgent {
			p.Advice = append(p.Advice, "require an agent crmlens knows (import agents first)")
		}
	case model.KindShareCRM:
		p.Level = "medium"
		p.Summary = "visitors are identified by AES-encrypted customParams; a leaked customParams value can be replayed to open that one visitor"
		p.Exposed = []string{"replay of a leaked customParams"}
		p.Advice = []string{"rotate the key if customParams leaked"}
	case model.KindChatwoot:
		if in.APIToken == "" || o.ChatwootURL == "" {
			p.Level = "low"
			p.Summary = "Chatwoot does not sign its context: anyone who has this URL can claim any Chatwoot contact id, e-mail, phone or identifier and read the contact it matches: give crmlens a Chatwoot API token so it checks each conversation and matches with what Chatwoot says of its contact. The agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones"
			p.Exposed = []string{"any contact, by contact id, e-mail, phone or identifier"}
			p.Advice = []string{"set the Chatwoot URL and an API token"}
		} else {
			p.Level = "medium"
			p.Summary = "each context is checked against Chatwoot's API: the contact must be the conversation's, and the identifier, e-mail, phone and name matched with are Chatwoot's, never the context's; the URL remains a secret, and anyone holding it and a real conversation id can read that conversation's contact. Chatwoot's API cannot say which agent is looking, so the agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones"
			p.Exposed = []string{"contacts of conversations whose ids are known"}
		}
	case model.KindSigned:
		p.Level = "high"
		p.Summary = "each link is a signed token that expires within 5 minutes and works once"
		p.Exposed = []string{}
		p.Advice = []string{}
	}
	agentActionsProtection(&p, in, o)
	if len(origins) == 0 {
		advice := "no origin is set, so no platform can frame the sidebar (only crmlens's own pages can): add the origin of the page that shows it"
		if o := UsualOrigin(in.Kind); o != "" {
			advice += ", e.g. " + o
		}
		p.Advice = append(p.Advice, advice)
	}
	if p.Exposed == nil {
		p.Exposed = []string{}
	}
	if p.Advice == nil {
		p.Advice = []string{}
	}
	return p
}

// agentActionsProtection says in p which agent actions in's sessions allow,
// and what that exposes to an outsider holding the URL.
func agentActionsProtection(p *Protection, in model.Integration, o Options) {
	switch {
	case AgentsVouched(in, o):
		p.Summary += ". Agent actions: search, link and reveal, within the per-session and per-agent limits; " + vouchedBy(in.Kind)
	case o.AgentActions == AgentActionsRead:
		p.Summary += ". Agent actions: read only. Nothing vouches for the agent, so sessions show the contact crmlens matched (and reveal its masked fields) but cannot search, link or unlink: the URL reaches no other contact through them"
	default:
		p.Summary += ". Agent actions: search and link, though nothing vouches for the agent: anyone with the URL can search contacts (by name, or by a whole phone number or e-mail the layout masks) and link the visitor to one found, then read it as the layout shows it, within the per-session and per-agent limits; such links are marked unverified to the next agent"
		p.Exposed = append(p.Exposed, "contacts found by search (search and link are open to agents nothing vouches for)")
		p.Advice = append(p.Advice, "allow agents only to read (crmlens integration update --agent-actions read), or make the agent verifiable ("+howToVouch(in.Kind)+")")
	}
}

func vouchedBy(kind string) string {
	switch kind {
	case model.KindSigned:
		return "each signed token names the agent"
	case model.KindEasemob:
		return "the agent must be one an admin declared, named in encrypted params"
	case model.KindShareCRM:
		return "the platform encrypts each customParams with the key"
	case model.KindChatwoot:
		return "each conversation is checked against Chatwoot's API"
	}
	return ""
}

func howToVouch(kind string) string {
	switch kind {
	case model.KindEasemob:
		return "set a key and require known agents"
	case model.KindChatwoot:
		return "set the Chatwoot URL and an API token"
	}
	return "use the signed adapter"
}
