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
			p.Summary = "a leaked URL opens only the visitor it was made for, but Easemob's ciphertexts are deterministic (DES/ECB) and can be replayed for as long as the key is unchanged"
			p.Exposed = []string{"replay of a leaked URL"}
			p.Advice = []string{"rotate the key if a URL leaked"}
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
			p.Summary = "Chatwoot does not sign its context: anyone who has this URL can claim any Chatwoot contact id and read that contact: give crmlens a Chatwoot API token so it checks each conversation"
			p.Exposed = []string{"any contact, by contact id"}
			p.Advice = []string{"set the Chatwoot URL and an API token"}
		} else {
			p.Level = "medium"
			p.Summary = "each context is checked against Chatwoot's API (the contact must be in the conversation); the URL remains a secret, and anyone holding it and a real conversation id can read that conversation's contact"
			p.Exposed = []string{"contacts of conversations whose ids are known"}
		}
	case model.KindSigned:
		p.Level = "high"
		p.Summary = "each link is a signed token that expires within 5 minutes and works once"
		p.Exposed = []string{}
		p.Advice = []string{}
	}
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
