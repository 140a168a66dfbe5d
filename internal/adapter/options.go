package adapter

import (
	"encoding/json"
	"strings"
)

// Options are an integration's settings, stored as JSON. Each platform owns
// the fields its Spec.Options names, with their defaults and validation;
// MatchingFields and AgentActions are every platform's.
type Options struct {
	// Easemob hardening: require easemobId and visitorImId encrypted too
	// (Easemob's option), pin the expected tenantId, require an agent an
	// admin declared (signed links may require it too).
	EncryptedSystemParams bool   `json:"encryptedSystemParams,omitempty"`
	TenantID              string `json:"tenantId,omitempty"`
	RequireKnownAgent     bool   `json:"requireKnownAgent,omitempty"`

	// ShareCRM: the fields that identify a visitor (default full_name, phone).
	VerificationFields []string `json:"verificationFields,omitempty"`
	// MatchingFields are the rules that associate a visitor with a contact,
	// tried in order; each names fields that must all be equal. Each
	// platform has its default (Platform.Defaults).
	MatchingFields [][]string `json:"matchingFields,omitempty"`

	// Chatwoot: the API to check contexts against (with the integration's
	// sealed API token).
	ChatwootURL string `json:"chatwootUrl,omitempty"`

	// Udesk: the param naming the customer (default customer_token, read
	// as the udesk channel's visitor id), and the params read as identity
	// claims: claim field to param name (default phone from cellphone,
	// email from email).
	IdentityParam string            `json:"identityParam,omitempty"`
	FieldParams   map[string]string `json:"fieldParams,omitempty"`

	// Sobot: the company's sysNum, which the URL must name.
	SobotSysNum string `json:"sobotSysNum,omitempty"`

	// AgentActions is what agents may do in sessions nothing vouches for
	// (Platform.AgentsVouched false): AgentActionsAll search and link,
	// AgentActionsRead only read the contact crmlens matched. Unset is
	// AgentActionsAll, what integrations stored before the option did;
	// integrations are created with AgentActionsRead unless told otherwise.
	AgentActions string `json:"agentActions,omitempty"`
}

// Agent actions (Options.AgentActions).
const (
	AgentActionsAll  = "all"
	AgentActionsRead = "read"
)

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

// Encode is o as stored.
func (o Options) Encode() string {
	b, _ := json.Marshal(o)
	return string(b)
}

// Set returns the JSON names of the platform-owned fields o sets (every
// field but matchingFields and agentActions).
func (o Options) Set() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(o.EncryptedSystemParams, "encryptedSystemParams")
	add(o.TenantID != "", "tenantId")
	add(o.RequireKnownAgent, "requireKnownAgent")
	add(len(o.VerificationFields) > 0, "verificationFields")
	add(o.ChatwootURL != "", "chatwootUrl")
	add(o.IdentityParam != "", "identityParam")
	add(len(o.FieldParams) > 0, "fieldParams")
	add(o.SobotSysNum != "", "sobotSysNum")
	return out
}
