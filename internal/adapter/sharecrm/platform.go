package sharecrm

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Platform is ShareCRM-style identity verification as the registry knows
// it (internal/platforms).
type Platform struct{}

// Kind is the integration kind of ShareCRM-style identity verification.
const Kind = "sharecrm"

// Spec is what is fixed of ShareCRM.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:    Kind,
		Title:   "ShareCRM-style identity verification",
		Key:     adapter.KeyRequired,
		KeyHelp: `the identity verification key ShareCRM generates ("Generate Key": base64 of 16, 24 or 32 bytes)`,
		NewKey:  base64.StdEncoding.EncodeToString,
		Options: []string{"verificationFields"},
		// A customParams value is the same ciphertext every time.
		Replay:            adapter.Replay{},
		LayoutsTrustAgent: true,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.sharecrm", Text: "the platform encrypts each customParams with the key"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.signed", Text: "use the signed adapter"},
		DecryptAdvice: adapter.Sentence{Code: "sim.advice.decrypt.sharecrm",
			Text: "customParams was not encrypted with this integration's key: the website must use the key shown here (base64, AES/ECB/PKCS5Padding)"},
		ProtectionCodes: []string{"prot.summary.sharecrm", "prot.vouched.sharecrm", "prot.exposed.replay_custom_params", "prot.advice.rotate_custom_params"},
	}
}

// Defaults are ShareCRM's usual verification fields, matched by phone,
// then by name and phone together.
func (Platform) Defaults(o adapter.Options) adapter.Options {
	if len(o.VerificationFields) == 0 {
		o.VerificationFields = append([]string(nil), DefaultFields...)
	}
	if len(o.MatchingFields) == 0 {
		o.MatchingFields = [][]string{{"phone"}, {"full_name", "phone"}}
	}
	return o
}

// Validate checks the verification field names.
func (Platform) Validate(o adapter.Options, _ bool) error {
	for _, f := range o.VerificationFields {
		if f == "" || len(f) > 64 || strings.ContainsAny(f, " \t\n\"") {
			return adapter.ErrOption("verification field %q is not a field name", adapter.Truncate(f, 40))
		}
	}
	return nil
}

// ValidateKey accepts base64 of 16, 24 or 32 bytes.
func (Platform) ValidateKey(key string) error {
	if _, err := paramcrypt.NewAES(key); err != nil {
		return adapter.ErrInvalidKey("a ShareCRM key must be base64 of 16, 24 or 32 bytes, as ShareCRM's \"Generate Key\" gives")
	}
	return nil
}

// New returns the ShareCRM decoder.
func (Platform) New(keys []string, o adapter.Options, _ func() time.Time) (adapter.Decoder, error) {
	s, err := New(keys, Options{VerificationFields: o.VerificationFields})
	if err != nil {
		return nil, err
	}
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return s.Decode(p.Values) }), nil
}

// AgentsVouched always holds: the platform encrypts each customParams.
func (Platform) AgentsVouched(adapter.Setup) bool { return true }

// Protect words a ShareCRM integration's protection.
func (Platform) Protect(p *adapter.Protection, _ adapter.Setup) {
	p.Level = adapter.LevelMedium
	p.AddSummary("prot.summary.sharecrm", "visitors are identified by AES-encrypted customParams; a leaked customParams value can be replayed to open that one visitor", nil)
	p.AddExposed("prot.exposed.replay_custom_params", "replay of a leaked customParams")
	p.AddAdvice("prot.advice.rotate_custom_params", "rotate the key if customParams leaked", nil)
}

// Views shows params as received, customParams sealed until decoded.
func (Platform) Views(_ []string, _ adapter.Options, p adapter.Params) []adapter.ParamView {
	return adapter.PlainViews(p, "customParams")
}
