package chatwoot

import (
	"net/url"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
)

// Platform is a Chatwoot dashboard app as the registry knows it
// (internal/platforms).
type Platform struct{}

// Kind is the integration kind of a Chatwoot dashboard app.
const Kind = "chatwoot"

// Spec is what is fixed of Chatwoot.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:        Kind,
		Title:       "Chatwoot dashboard app",
		Key:         adapter.KeyNone,
		Options:     []string{"chatwootUrl"},
		Connect:     "add it in Chatwoot: Settings > Integrations > Dashboard apps, as the app's URL.",
		UsualOrigin: "https://app.chatwoot.com",
		// Chatwoot signs nothing: the context can be posted again at will.
		Replay: adapter.Replay{},
		// Chatwoot's API says which contact a conversation has, not who is
		// looking at it: any agent of the inbox can open it, and anyone
		// with the URL can name the assignee.
		LayoutsTrustAgent: false,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.chatwoot", Text: "each conversation is checked against Chatwoot's API"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.chatwoot", Text: "set the Chatwoot URL and an API token"},
		ProtectionCodes: []string{"prot.summary.chatwoot_unchecked", "prot.summary.chatwoot_checked", "prot.how.chatwoot",
			"prot.exposed.any_contact", "prot.exposed.known_conversations", "prot.advice.chatwoot_token"},
	}
}

// Defaults match by e-mail, then by phone.
func (Platform) Defaults(o adapter.Options) adapter.Options {
	if len(o.MatchingFields) == 0 {
		o.MatchingFields = [][]string{{"email"}, {"phone"}}
	}
	return o
}

// Validate checks the Chatwoot URL is an origin.
func (Platform) Validate(o adapter.Options, _ bool) error {
	if o.ChatwootURL == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(o.ChatwootURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o.ChatwootURL, " ;,'\"") {
		return adapter.ErrOption("the Chatwoot URL must be like https://app.chatwoot.com (scheme and host)")
	}
	return nil
}

// ValidateKey accepts anything: Chatwoot has no key.
func (Platform) ValidateKey(string) error { return nil }

// New returns the Chatwoot decoder.
func (Platform) New(_ []string, _ adapter.Options, _ func() time.Time) (adapter.Decoder, error) {
	c := New()
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return c.Decode(p.Values) }), nil
}

// AgentsVouched never holds, even with an API token: the token checks the
// conversation, not the agent (internal/sidebar).
func (Platform) AgentsVouched(adapter.Setup) bool { return false }

// Protect words a Chatwoot integration's protection.
func (Platform) Protect(p *adapter.Protection, s adapter.Setup) {
	if !s.HasAPIToken || s.Options.ChatwootURL == "" {
		p.Level = adapter.LevelLow
		p.AddSummary("prot.summary.chatwoot_unchecked", "Chatwoot does not sign its context: anyone who has this URL can claim any Chatwoot contact id, e-mail, phone or identifier and read the contact it matches: give crmlens a Chatwoot API token so it checks each conversation and matches with what Chatwoot says of its contact. The agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones", nil)
		p.AddExposed("prot.exposed.any_contact", "any contact, by contact id, e-mail, phone or identifier")
		p.AddAdvice("prot.advice.chatwoot_token", "set the Chatwoot URL and an API token", nil)
		return
	}
	p.Level = adapter.LevelMedium
	p.AddSummary("prot.summary.chatwoot_checked", "each context is checked against Chatwoot's API: the contact must be the conversation's, and the identifier, e-mail, phone and name matched with are Chatwoot's, never the context's; the URL remains a secret, and anyone holding it and a real conversation id can read that conversation's contact. Chatwoot's API cannot say which agent is looking, so the agent the context names is never trusted: agent and group layouts do not apply, only integration and default ones", nil)
	p.AddExposed("prot.exposed.known_conversations", "contacts of conversations whose ids are known")
}

// Views shows params as received: Chatwoot sends them in clear.
func (Platform) Views(_ []string, _ adapter.Options, p adapter.Params) []adapter.ParamView {
	return adapter.PlainViews(p)
}
