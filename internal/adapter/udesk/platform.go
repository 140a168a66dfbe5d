package udesk

import (
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
)

// Platform is Udesk's assist component as the registry knows it
// (internal/platforms).
type Platform struct{}

// Kind is the integration kind of Udesk's assist component.
const Kind = "udesk"

// Spec is what is fixed of Udesk.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:            Kind,
		Title:           "Udesk assist component (辅助组件)",
		Key:             adapter.KeyRequired,
		KeyHelp:         "the secret key Udesk signs assist-component links with (系统设置 - 密钥)",
		KeyFromPlatform: true,
		Options:         []string{"identityParam", "fieldParams"},
		// The page's URL is set in 系统 - 辅助组件 - 外部网页 (the package
		// doc, from Udesk's "辅助组件鉴权说明").
		Connect: "add it in Udesk: 系统 > 辅助组件 > 外部网页 (System > Assist components > External web page) as the page's URL,\n" +
			"with the fields customer_token, cellphone and email; crmlens checks each link's sign with the key of 系统设置 > 密钥.",
		// Udesk signs no nonce: a sign is valid five minutes either side
		// of the clock ("默认过期时间五分钟").
		Replay:            adapter.Replay{Window: DefaultWindow},
		LayoutsTrustAgent: true,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.udesk", Text: "Udesk signs agent_email with the rest of the link"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.signed", Text: "use the signed adapter"},
		DecryptAdvice: adapter.Sentence{Code: "sim.advice.decrypt.udesk",
			Text: "the link's sign does not match this integration's key: copy the secret key from Udesk (系统设置 - 密钥) here, and check that the server's clock is right"},
		ProtectionCodes: []string{"prot.summary.udesk", "prot.vouched.udesk", "prot.exposed.replay_window", "prot.advice.use_signed"},
	}
}

// Defaults read the visitor from customer_token (channel udesk, matched
// first by identity), then phone from cellphone and e-mail from email, in
// that order as matching rules.
func (Platform) Defaults(o adapter.Options) adapter.Options {
	if o.IdentityParam == "" {
		o.IdentityParam = DefaultIdentityParam
	}
	if o.FieldParams == nil {
		o.FieldParams = DefaultFieldParams()
	}
	if len(o.MatchingFields) == 0 {
		o.MatchingFields = [][]string{{"phone"}, {"email"}}
	}
	return o
}

// Validate checks the identity and field params as New would.
func (Platform) Validate(o adapter.Options, _ bool) error {
	_, err := New([]string{"validate"}, optionsOf(o, nil))
	return err
}

// ValidateKey accepts Udesk's key as New does.
func (Platform) ValidateKey(key string) error {
	if key == "" {
		return adapter.ErrInvalidKey("a Udesk integration needs the secret key of 系统设置 - 密钥")
	}
	_, err := New([]string{key}, Options{})
	return err
}

// optionsOf are o as this package's Options. QueryFormOnly is always on:
// the doc's prose form signs only agent_email and timestamp, and would
// leave the identity param a claim nobody vouched for; the doc's own
// example is signed over the whole query.
func optionsOf(o adapter.Options, now func() time.Time) Options {
	return Options{IdentityParam: o.IdentityParam, FieldParams: o.FieldParams, Now: now, QueryFormOnly: true}
}

// New returns the Udesk decoder: it needs the params' order.
func (Platform) New(keys []string, o adapter.Options, now func() time.Time) (adapter.Decoder, error) {
	u, err := New(keys, optionsOf(o, now))
	if err != nil {
		return nil, err
	}
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return u.Decode(p.Values, p.Order) }), nil
}

// AgentsVouched holds: the sign covers agent_email with the whole query.
func (Platform) AgentsVouched(adapter.Setup) bool { return true }

// Protect words a Udesk integration's protection.
func (Platform) Protect(p *adapter.Protection, _ adapter.Setup) {
	p.Level = adapter.LevelMedium
	p.AddSummary("prot.summary.udesk", "each link is signed by Udesk with the key over its whole query (the agent, the customer and every field), but a signature is replayable within its 5-minute window: a leaked URL opens that customer's sidebar again until it is five minutes old", nil)
	p.AddExposed("prot.exposed.replay_window", "replay of a leaked URL within its 5-minute window")
	p.AddAdvice("prot.advice.use_signed", "where the page that opens crmlens can sign, use a signed link instead (kind signed): it expires, works once and cannot be cut and pasted", nil)
}

// Views shows params as received: Udesk signs them but sends them in clear.
func (Platform) Views(_ []string, _ adapter.Options, p adapter.Params) []adapter.ParamView {
	return adapter.PlainViews(p)
}
