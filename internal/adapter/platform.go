package adapter

import (
	"sort"
	"time"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Platform is everything crmlens knows of one customer-service platform,
// behind one interface: how to decode what it appends to the sidebar URL,
// its options (defaults and validation), its keys, its protection level in
// words, what the simulator shows of each param, and its replay rule. Each
// platform is one package (internal/adapter/easemob, ...) registered once
// in internal/platforms; the sidebar, the simulator, the integrations, the
// CLI and the console ask the registry, never a switch on the kind.
type Platform interface {
	// Spec is what is fixed of the platform.
	Spec() Spec
	// Defaults fills in the platform's defaults for unset options.
	Defaults(o Options) Options
	// Validate checks the options the platform owns (Spec.Options); hasKey
	// says whether the integration has a key. Errors are *apperr.Error with
	// CodeInvalidOption.
	Validate(o Options, hasKey bool) error
	// ValidateKey checks a key the admin gave ("" only reaches it when
	// Spec.Key is KeyOptional or KeyNone). Errors are *apperr.Error with
	// CodeInvalidKey.
	ValidateKey(key string) error
	// New returns the decoder for an integration's keys (current first) and
	// options (defaulted); now is the clock.
	New(keys []string, o Options, now func() time.Time) (Decoder, error)
	// Protect words what keeps outsiders out of an integration set up as s:
	// its level, summary, what is exposed and the advice.
	Protect(p *Protection, s Setup)
	// AgentsVouched says whether something other than the URL vouches for
	// the session and the agent it names (a signature, a key and declared
	// agents), so that agents may search and link.
	AgentsVouched(s Setup) bool
	// Views shows each param as the platform reads it, for the simulator,
	// before decoding: in clear, decrypted, dropped (and why), failed, or
	// sealed (a signed or encrypted param opened only by decoding).
	Views(keys []string, o Options, p Params) []ParamView
}

// Spec is what is fixed of a platform.
type Spec struct {
	// Kind is the integration kind (model.Kind*).
	Kind string
	// Title names the platform in help texts.
	Title string
	// Key says whether the platform needs a key, may work without one, or
	// has none.
	Key KeyUse
	// KeyHelp says what a key is, for the CLI's help.
	KeyHelp string
	// NewKey makes a key fit for the platform from 32 random bytes; nil:
	// unpadded URL-safe base64.
	NewKey func(random []byte) string
	// KeyFromPlatform: the platform makes the key and shows it to its admin
	// (Udesk's 密钥, Sobot's 安全密钥); crmlens cannot generate one, so an
	// integration created or rotated without a key is refused.
	KeyFromPlatform bool
	// Options are the JSON names of the options the platform owns; an
	// integration of another kind refuses them.
	Options []string
	// Required are the options among Options that have no default and
	// must be given (Sobot's sysNum).
	Required []string
	// Connect says where in the platform's admin to paste the sidebar URL
	// (and the key), for the CLI to print after creating an integration;
	// ConnectNoKey is the same for an integration without a key.
	Connect      string
	ConnectNoKey string
	// UsualOrigin is the origin the platform usually frames the sidebar
	// from ("" when the customer's own site does).
	UsualOrigin string
	// Replay is what stops a captured URL from opening the sidebar again.
	Replay Replay
	// LayoutsTrustAgent says whether the agent a session names may choose
	// agent and group layouts. Chatwoot's may not: its context is unsigned
	// and its API cannot say who is looking.
	LayoutsTrustAgent bool
	// VouchedBy says what vouches for agents when AgentsVouched holds.
	VouchedBy Sentence
	// HowToVouch says how to make agents verifiable when nothing does.
	HowToVouch Sentence
	// DecryptAdvice is the simulator's advice when params do not decrypt
	// or verify under the integration's key (zero when the platform has no
	// key).
	DecryptAdvice Sentence
	// ProtectionCodes are every code Protect may emit, and VouchedBy's and
	// HowToVouch's (the console words each one:
	// frontend/src/admin/codes.json).
	ProtectionCodes []string
}

// KeyUse says what a platform does with a key.
type KeyUse int

// What a platform does with a key (Spec.Key).
const (
	// KeyRequired: the platform cannot work without a key.
	KeyRequired KeyUse = iota
	// KeyOptional: a mode without a key exists (Easemob's params in clear),
	// and its protection says what it costs.
	KeyOptional
	// KeyNone: the platform has no key (Chatwoot).
	KeyNone
)

// Replay is a platform's replay rule.
type Replay struct {
	// SingleUse: each credential names an id (Claims.TokenID) the caller
	// accepts once.
	SingleUse bool
	// Window: a credential is accepted for this long after it was made, as
	// many times as it is presented; 0 when it never expires (a ciphertext
	// under an unchanged key).
	Window time.Duration
}

// Sentence is a sentence as a code for clients to word and its English.
type Sentence struct {
	Code string
	Text string
}

// Setup is what an integration's protection depends on.
type Setup struct {
	HasKey      bool
	HasAPIToken bool
	Options     Options
}

// Decoder turns the params of one request into Claims.
type Decoder interface {
	Decode(p Params) (Claims, error)
}

// DecoderFunc is a function used as a Decoder.
type DecoderFunc func(p Params) (Claims, error)

// Decode calls f.
func (f DecoderFunc) Decode(p Params) (Claims, error) { return f(p) }

// Params are the params a platform appended to the sidebar URL, and their
// order in the URL: some platforms sign the query as it was written
// (Udesk).
type Params struct {
	Values map[string]string
	// Order lists Values' names in the URL's order, each once; nil when the
	// order is unknown (Names then sorts them).
	Order []string
}

// ParamsOf is values without an order (an Easemob message, a test).
func ParamsOf(values map[string]string) Params { return Params{Values: values} }

// Names returns the params' names in the URL's order when Order names each
// of Values exactly once, else sorted.
func (p Params) Names() []string {
	if len(p.Order) == len(p.Values) {
		seen := make(map[string]bool, len(p.Order))
		ok := true
		for _, n := range p.Order {
			if _, in := p.Values[n]; !in || seen[n] {
				ok = false
				break
			}
			seen[n] = true
		}
		if ok {
			return append([]string(nil), p.Order...)
		}
	}
	names := make([]string, 0, len(p.Values))
	for n := range p.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// How the simulator shows a param (ParamView.How) beyond the Read* ways.
const (
	// ViewFailed: the param should be encrypted but opens with no key.
	ViewFailed = "failed"
	// ViewSealed: the param is signed or encrypted as a whole and opened
	// only by decoding (ShareCRM's customParams, a signed token).
	ViewSealed = "sealed"
)

// ParamView is one param as a platform reads it, for the simulator.
type ParamView struct {
	Name     string
	Received string
	// Value is the param in clear; empty when dropped, failed or sealed.
	Value string
	// How is ReadPlain, ReadDecrypted, ReadDropped, ViewFailed or
	// ViewSealed.
	How string
	// Reason is the Drop* reason when How is ReadDropped.
	Reason string
	// Alternative is another reading of the param (Easemob's visitorImId
	// as received when it also decrypts).
	Alternative string
}

// PlainViews shows params as received, in p's order, sealed ones (signed
// or encrypted as a whole) as ViewSealed.
func PlainViews(p Params, sealed ...string) []ParamView {
	out := make([]ParamView, 0, len(p.Values))
	for _, n := range p.Names() {
		v := ParamView{Name: n, Received: p.Values[n], Value: p.Values[n], How: ReadPlain}
		for _, s := range sealed {
			if n == s {
				v.How, v.Value = ViewSealed, ""
			}
		}
		out = append(out, v)
	}
	return out
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

// Protection levels.
const (
	LevelLow    = "low"
	LevelMedium = "medium"
	LevelHigh   = "high"
)

// Coded is a sentence as a code and its parameters.
type Coded struct {
	Code   string
	Params map[string]string
}

// NewProtection returns an empty Protection whose lists are not nil.
func NewProtection() Protection {
	return Protection{Exposed: []string{}, Advice: []string{}, SummaryCodes: []Coded{}, ExposedCodes: []Coded{}, AdviceCodes: []Coded{}}
}

// AddSummary appends a sentence to the summary.
func (p *Protection) AddSummary(code, text string, params map[string]string) {
	p.Summary += text
	p.SummaryCodes = append(p.SummaryCodes, Coded{Code: code, Params: params})
}

// AddExposed appends what an outsider holding the URL can reach.
func (p *Protection) AddExposed(code, text string) {
	p.Exposed = append(p.Exposed, text)
	p.ExposedCodes = append(p.ExposedCodes, Coded{Code: code})
}

// AddAdvice appends advice.
func (p *Protection) AddAdvice(code, text string, params map[string]string) {
	p.Advice = append(p.Advice, text)
	p.AdviceCodes = append(p.AdviceCodes, Coded{Code: code, Params: params})
}

// ErrOption is a constructor's or a platform's answer for options it
// refuses: an *apperr.Error with CodeInvalidOption.
func ErrOption(format string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, CodeInvalidOption, format, args...)
}

// ErrInvalidKey is a platform's answer for a key it cannot use: an
// *apperr.Error with CodeInvalidKey.
func ErrInvalidKey(format string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, CodeInvalidKey, format, args...)
}
