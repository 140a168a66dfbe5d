package signed

import (
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
)

// Platform is signed links as the registry knows them (internal/platforms).
type Platform struct{}

// Kind is the integration kind of signed links.
const Kind = "signed"

// Spec is what is fixed of signed links.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:              Kind,
		Title:             "Signed links (HS256 JWT)",
		Key:               adapter.KeyRequired,
		KeyHelp:           "the HS256 secret the page signs tokens with, at least 32 characters",
		Options:           []string{"requireKnownAgent"},
		Replay:            adapter.Replay{SingleUse: true, Window: MaxLifetime},
		LayoutsTrustAgent: true,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.signed", Text: "each signed token names the agent"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.signed", Text: "use the signed adapter"},
		DecryptAdvice:     adapter.Sentence{Code: "sim.advice.decrypt.signed", Text: "the token was not signed with this integration's secret"},
		ProtectionCodes:   []string{"prot.summary.signed", "prot.vouched.signed"},
	}
}

// Defaults match by e-mail, then by phone.
func (Platform) Defaults(o adapter.Options) adapter.Options {
	if len(o.MatchingFields) == 0 {
		o.MatchingFields = [][]string{{"email"}, {"phone"}}
	}
	return o
}

// Validate has nothing to check: requireKnownAgent is a switch.
func (Platform) Validate(adapter.Options, bool) error { return nil }

// ValidateKey accepts a secret of at least 32 characters.
func (Platform) ValidateKey(key string) error {
	if len(key) < MinSecret {
		return adapter.ErrInvalidKey("a signing secret must be at least %d characters", MinSecret)
	}
	return nil
}

// New returns the signed-link decoder.
func (Platform) New(keys []string, _ adapter.Options, now func() time.Time) (adapter.Decoder, error) {
	s, err := New(keys, now)
	if err != nil {
		return nil, err
	}
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return s.Decode(p.Values) }), nil
}

// AgentsVouched always holds: each token names the agent.
func (Platform) AgentsVouched(adapter.Setup) bool { return true }

// Protect words a signed integration's protection.
func (Platform) Protect(p *adapter.Protection, _ adapter.Setup) {
	p.Level = adapter.LevelHigh
	p.AddSummary("prot.summary.signed", "each link is a signed token that expires within 5 minutes and works once", nil)
}

// Views shows params as received, the token sealed until verified.
func (Platform) Views(_ []string, _ adapter.Options, p adapter.Params) []adapter.ParamView {
	return adapter.PlainViews(p, "token")
}
