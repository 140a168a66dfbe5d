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

// Protection is an integration's protection level in words, and the same
// words as codes (with parameters) for a client to word in its language:
// SummaryCodes are Summary's sentences in order, ExposedCodes and
// AdviceCodes are Exposed and Advice one for one.
type Protection struct {
	Level   string // low, medium, high
	Summary string
	Exposed []string
	Advice  []string

	SummaryCodes []Coded
	ExposedCodes []Coded
	AdviceCodes  []Coded
}

// Coded is a sentence as a code and its parameters.
type Coded struct {
	Code   string
	Params map[string]string
}

// ProtectionCodes are every code ProtectionOf may emit (the console's
// catalogue words each one: frontend/src/admin/codes.json).
var ProtectionCodes = []string{
	"prot.summary.easemob_nokey", "prot.summary.easemob_plain_ids", "prot.summary.easemob_des",
	"prot.summary.sharecrm", "prot.summary.chatwoot_unchecked", "prot.summary.chatwoot_checked", "prot.summary.signed",
	"prot.summary.actions_vouched", "prot.summary.actions_read", "prot.summary.actions_open",
	"prot.vouched.signed", "prot.vouched.easemob", "prot.vouched.sharecrm",
	"prot.exposed.all_params", "prot.exposed.any_visitor", "prot.exposed.agent_identity", "prot.exposed.tenant_id",
	"prot.exposed.visitor_id_clear", "prot.exposed.replay_url", "prot.exposed.des_blocks", "prot.exposed.replay_custom_params",
	"prot.exposed.any_contact", "prot.exposed.known_conversations", "prot.exposed.search",
	"prot.advice.set_key", "prot.advice.encrypt_params_then", "prot.advice.encrypt_params", "prot.advice.rotate_url",
	"prot.advice.use_signed", "prot.advice.pin_tenant", "prot.advice.known_agent", "prot.advice.rotate_custom_params",
	"prot.advice.chatwoot_token", "prot.advice.read_only", "prot.advice.no_origin", "prot.advice.no_origin_eg",
	"prot.how.easemob", "prot.how.chatwoot",
}

func (p *Protection) summary(code, text string, params map[string]string) {
	p.Summary += text
	p.SummaryCodes = append(p.SummaryCodes, Coded{Code: code, Params: params})
}

func (p *Protection) exposed(code, text string) {
	p.Exposed = append(p.Exposed, text)
	p.ExposedCodes = append(p.ExposedCodes, Coded{Code: code})
}

func (p *Protection) advice(code, text string, params map[string]string) {
	p.Advice = append(p.Advice, text)
	p.AdviceCodes = append(p.AdviceCodes, Coded{Code: code, Params: params})
}

// ProtectionOf describes what keeps outsiders out of in, following the trust
// model: only cryptography and secrets count, never the browser.
func ProtectionOf(in model.Integration, o Options, origins []string) Protection {
	p := Protection{Exposed: []string{}, Advice: []string{}, SummaryCodes: []Coded{}, ExposedCodes: []Coded{}, AdviceCodes: []Coded{}}
	switch in.Kind {
	case model.KindEasemob:
		switch {
		case in.Key == "":
			p.Level = "low"
			p.summary("prot.summary.easemob_nokey", "no key: every parameter travels in clear in the URL (visitor, agent, tenant, nickname), and anyone who has this URL can open any visitor by putting another visitor id in it; set an encryption key in Easemob and here", nil)
			p.exposed("prot.exposed.all_params", "every parameter, in clear")
			p.exposed("prot.exposed.any_visitor", "any visitor, by visitor id")
			p.exposed("prot.exposed.agent_identity", "agent identity")
			p.exposed("prot.exposed.tenant_id", "tenant id")
			p.advice("prot.advice.set_key", "set an encryption key (more than 8 characters) in Easemob and here (crmlens integration rotate-key)", nil)
			p.advice("prot.advice.encrypt_params_then", "then turn on encrypted system params", nil)
		case !o.EncryptedSystemParams:
			p.Level = "low"
			p.summary("prot.summary.easemob_plain_ids", "anyone who has this URL can read any visitor whose IM id they know: turn on encrypted system params", nil)
			p.exposed("prot.exposed.visitor_id_clear", "visitor id (visitorImId is in clear and can be swapped)")
			p.advice("prot.advice.encrypt_params", "turn on Easemob's option to encrypt easemobId and visitorImId, then require it here", nil)
		default:
			p.Level = "medium"
			p.summary("prot.summary.easemob_des", "the visitor id is encrypted, but Easemob encrypts each parameter on its own with DES/ECB: a ciphertext is the same every time, so a leaked URL can be replayed for as long as the key is unchanged, and its 8-byte blocks can be reused: blocks of other URLs, or of a nickname, trueName or pushed parameter a visitor chose, can be put together into another visitor id or agent id. crmlens refuses a visitor, agent or tenant parameter made of blocks of the same URL's other parameters, but cannot see blocks taken from other URLs; only a signed link prevents both", nil)
			p.exposed("prot.exposed.replay_url", "replay of a leaked URL")
			p.exposed("prot.exposed.des_blocks", "visitor and agent ids put together from blocks of other URLs' ciphertexts")
			p.advice("prot.advice.rotate_url", "rotate the key if a URL leaked", nil)
		}
		if in.Key != "" {
			p.advice("prot.advice.use_signed", "where the page that opens crmlens can sign, use a signed link instead (kind signed): it expires, works once and cannot be cut and pasted", nil)
		}
		if o.TenantID == "" {
			p.advice("prot.advice.pin_tenant", "pin the expected tenantId", nil)
		}
		if !o.RequireKnownAgent {
			p.advice("prot.advice.known_agent", "require an agent crmlens knows (import agents first)", nil)
		}
	case model.KindShareCRM:
		p.Level = "medium"
		p.summary("prot.summary.sharecrm", "visitors are identified by AES-encrypted customParams; a leaked customParams value can be replayed to open that one visitor", nil)
		p.exposed("prot.exposed.replay_custom_params", "replay of a leaked customParams")
		p.advice("prot.advice.rotate_custom_params", "rotate the key if customParams leaked", nil)
	case model.KindChatwoot:
		if in.APIToken == "" || o.ChatwootURL == "" {
			p.Level = "low"
			p.summary("prot.summary.chatwoot_unchecked", "Chatwoot does not sign its context: anyone who has this URL can claim any Chatwoot contact id, e-mail, phone or identifier and read the contact it matches: give crmlens a Chatwoot API token so it checks each conversation and matches with what Chatwoot says of its contact. The agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones", nil)
			p.exposed("prot.exposed.any_contact", "any contact, by contact id, e-mail, phone or identifier")
			p.advice("prot.advice.chatwoot_token", "set the Chatwoot URL and an API token", nil)
		} else {
			p.Level = "medium"
			p.summary("prot.summary.chatwoot_checked", "each context is checked against Chatwoot's API: the contact must be the conversation's, and the identifier, e-mail, phone and name matched with are Chatwoot's, never the context's; the URL remains a secret, and anyone holding it and a real conversation id can read that conversation's contact. Chatwoot's API cannot say which agent is looking, so the agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones", nil)
			p.exposed("prot.exposed.known_conversations", "contacts of conversations whose ids are known")
		}
	case model.KindSigned:
		p.Level = "high"
		p.summary("prot.summary.signed", "each link is a signed token that expires within 5 minutes and works once", nil)
	}
	agentActionsProtection(&p, in, o)
	if len(origins) == 0 {
		advice := "no origin is set, so no platform can frame the sidebar (only crmlens's own pages can): add the origin of the page that shows it"
		if o := UsualOrigin(in.Kind); o != "" {
			p.advice("prot.advice.no_origin_eg", advice+", e.g. "+o, map[string]string{"origin": o})
		} else {
			p.advice("prot.advice.no_origin", advice, nil)
		}
	}
	return p
}

// agentActionsProtection says in p which agent actions in's sessions allow,
// and what that exposes to an outsider holding the URL.
func agentActionsProtection(p *Protection, in model.Integration, o Options) {
	switch {
	case AgentsVouched(in, o):
		code, text := vouchedBy(in.Kind)
		p.summary("prot.summary.actions_vouched", ". Agent actions: search, link and reveal, within the per-session and per-agent limits; "+text, map[string]string{"byCode": code})
	case o.AgentActions == AgentActionsRead:
		p.summary("prot.summary.actions_read", ". Agent actions: read only. Nothing vouches for the agent, so sessions show the contact crmlens matched (and reveal its masked fields) but cannot search, link or unlink: the URL reaches no other contact through them", nil)
	default:
		p.summary("prot.summary.actions_open", ". Agent actions: search and link, though nothing vouches for the agent: anyone with the URL can search contacts (by name, or by a whole phone number or e-mail the layout masks) and link the visitor to one found, then read it as the layout shows it, within the per-session and per-agent limits; such links are marked unverified to the next agent", nil)
		p.exposed("prot.exposed.search", "contacts found by search (search and link are open to agents nothing vouches for)")
		code, text := howToVouch(in.Kind)
		p.advice("prot.advice.read_only", "allow agents only to read (crmlens integration update --agent-actions read), or make the agent verifiable ("+text+")", map[string]string{"howCode": code})
	}
}

func vouchedBy(kind string) (code, text string) {
	switch kind {
	case model.KindSigned:
		return "prot.vouched.signed", "each signed token names the agent"
	case model.KindEasemob:
		return "prot.vouched.easemob", "the agent must be one an admin declared, named in encrypted params"
	case model.KindShareCRM:
		return "prot.vouched.sharecrm", "the platform encrypts each customParams with the key"
	case model.KindChatwoot:
		return "prot.vouched.chatwoot", "each conversation is checked against Chatwoot's API"
	}
	return "", ""
}

func howToVouch(kind string) (code, text string) {
	switch kind {
	case model.KindEasemob:
		return "prot.how.easemob", "set a key and require known agents"
	case model.KindChatwoot:
		return "prot.how.chatwoot", "set the Chatwoot URL and an API token"
	}
	return "prot.how.signed", "use the signed adapter"
}
