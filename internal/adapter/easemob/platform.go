package easemob

import (
	"encoding/base32"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Platform is Easemob Kefu as the registry knows it (internal/platforms).
type Platform struct{}

// Kind is the integration kind of Easemob Kefu.
const Kind = "easemob"

// Spec is what is fixed of Easemob Kefu.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:  Kind,
		Title: "Easemob Kefu (环信移动客服)",
		Key:   adapter.KeyOptional,
		KeyHelp: "the encryption key set in Easemob (管理员模式 > 设置 > 自定义信息接口), more than 8 characters; " +
			"--no-key for Easemob's mode without one",
		// Easemob's settings page takes printable keys; DES uses the first
		// 8 bytes, so 24 characters of base32 are plenty.
		NewKey: func(b []byte) string {
			return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:24]
		},
		Options: []string{"encryptedSystemParams", "tenantId", "requireKnownAgent"},
		Connect: "paste the URL in Easemob Kefu: 管理员模式 > 设置 > 自定义信息接口 (Admin mode > Settings > Custom information API),\n" +
			"with the same encryption key. Treat the URL as a secret.",
		ConnectNoKey: "paste the URL in Easemob Kefu: 管理员模式 > 设置 > 自定义信息接口 (Admin mode > Settings > Custom information API),\n" +
			"leaving its encryption key empty. Treat the URL as a secret.",
		UsualOrigin: "https://kefu.easemob.com",
		// Each param is DES/ECB on its own: the same URL decrypts the same
		// way for as long as the key is unchanged.
		Replay:            adapter.Replay{},
		LayoutsTrustAgent: true,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.easemob", Text: "the agent must be one an admin declared, named in encrypted params"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.easemob", Text: "set a key and require known agents"},
		DecryptAdvice: adapter.Sentence{Code: "sim.advice.decrypt.easemob",
			Text: "The encryption key set in Easemob (管理员模式 > 设置 > 自定义信息接口) is not this integration's key: reveal the key here and set the same one there, or rotate it and paste the new one"},
		ProtectionCodes: []string{
			"prot.summary.easemob_nokey", "prot.summary.easemob_plain_ids", "prot.summary.easemob_des",
			"prot.vouched.easemob", "prot.how.easemob",
			"prot.exposed.all_params", "prot.exposed.any_visitor", "prot.exposed.agent_identity", "prot.exposed.tenant_id",
			"prot.exposed.visitor_id_clear", "prot.exposed.replay_url", "prot.exposed.des_blocks",
			"prot.advice.set_key", "prot.advice.encrypt_params_then", "prot.advice.encrypt_params", "prot.advice.rotate_url",
			"prot.advice.use_signed", "prot.advice.pin_tenant", "prot.advice.known_agent",
		},
	}
}

// Defaults changes nothing: Easemob passes ids, no claims to match with.
func (Platform) Defaults(o adapter.Options) adapter.Options { return o }

// Validate checks the tenant pin and what needs a key.
func (Platform) Validate(o adapter.Options, hasKey bool) error {
	switch {
	case len(o.TenantID) > 64:
		return adapter.ErrOption("the tenant id is too long")
	case !hasKey && o.EncryptedSystemParams:
		return adapter.ErrOption("requiring encrypted easemobId and visitorImId needs a key")
	case !hasKey && o.TenantID != "":
		return adapter.ErrOption("pinning the tenant needs a key: without one tenantId arrives in clear and proves nothing")
	}
	return nil
}

// ValidateKey accepts no key (Easemob then sends params in clear) or one
// longer than 8 characters.
func (Platform) ValidateKey(key string) error {
	if key == "" {
		return nil
	}
	if _, err := paramcrypt.NewDES(key); err != nil {
		return adapter.ErrInvalidKey("an Easemob key must be longer than 8 characters (Easemob requires it, and DES uses its first 8 bytes)")
	}
	return nil
}

// New returns the Easemob decoder.
func (Platform) New(keys []string, o adapter.Options, _ func() time.Time) (adapter.Decoder, error) {
	e, err := New(keys, optionsOf(o))
	if err != nil {
		return nil, err
	}
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return e.Decode(p.Values) }), nil
}

func optionsOf(o adapter.Options) Options {
	return Options{EncryptedSystemParams: o.EncryptedSystemParams, TenantID: o.TenantID, RequireKnownAgent: o.RequireKnownAgent}
}

// AgentsVouched holds with a key and only agents an admin declared.
func (Platform) AgentsVouched(s adapter.Setup) bool {
	return s.HasKey && s.Options.RequireKnownAgent
}

// Protect words an Easemob integration's protection.
func (Platform) Protect(p *adapter.Protection, s adapter.Setup) {
	o := s.Options
	switch {
	case !s.HasKey:
		p.Level = adapter.LevelLow
		p.AddSummary("prot.summary.easemob_nokey", "no key: every parameter travels in clear in the URL (visitor, agent, tenant, nickname), and anyone who has this URL can open any visitor by putting another visitor id in it; set an encryption key in Easemob and here", nil)
		p.AddExposed("prot.exposed.all_params", "every parameter, in clear")
		p.AddExposed("prot.exposed.any_visitor", "any visitor, by visitor id")
		p.AddExposed("prot.exposed.agent_identity", "agent identity")
		p.AddExposed("prot.exposed.tenant_id", "tenant id")
		p.AddAdvice("prot.advice.set_key", "set an encryption key (more than 8 characters) in Easemob and here (crmlens integration rotate-key)", nil)
		p.AddAdvice("prot.advice.encrypt_params_then", "then turn on encrypted system params", nil)
	case !o.EncryptedSystemParams:
		p.Level = adapter.LevelLow
		p.AddSummary("prot.summary.easemob_plain_ids", "anyone who has this URL can read any visitor whose IM id they know: turn on encrypted system params", nil)
		p.AddExposed("prot.exposed.visitor_id_clear", "visitor id (visitorImId is in clear and can be swapped)")
		p.AddAdvice("prot.advice.encrypt_params", "turn on Easemob's option to encrypt easemobId and visitorImId, then require it here", nil)
	default:
		p.Level = adapter.LevelMedium
		p.AddSummary("prot.summary.easemob_des", "the visitor id is encrypted, but Easemob encrypts each parameter on its own with DES/ECB: a ciphertext is the same every time, so a leaked URL can be replayed for as long as the key is unchanged, and its 8-byte blocks can be reused: blocks of other URLs, or of a nickname, trueName or pushed parameter a visitor chose, can be put together into another visitor id or agent id. crmlens refuses a visitor, agent or tenant parameter made of blocks of the same URL's other parameters, but cannot see blocks taken from other URLs; only a signed link prevents both", nil)
		p.AddExposed("prot.exposed.replay_url", "replay of a leaked URL")
		p.AddExposed("prot.exposed.des_blocks", "visitor and agent ids put together from blocks of other URLs' ciphertexts")
		p.AddAdvice("prot.advice.rotate_url", "rotate the key if a URL leaked", nil)
	}
	if s.HasKey {
		p.AddAdvice("prot.advice.use_signed", "where the page that opens crmlens can sign, use a signed link instead (kind signed): it expires, works once and cannot be cut and pasted", nil)
	}
	if o.TenantID == "" {
		p.AddAdvice("prot.advice.pin_tenant", "pin the expected tenantId", nil)
	}
	if !o.RequireKnownAgent {
		p.AddAdvice("prot.advice.known_agent", "require an agent crmlens knows (import agents first)", nil)
	}
}

// Views shows each param as Read takes it (in clear, decrypted, or dropped
// and why). When Read refuses the request, each param is tried alone with
// each key, so that the admin sees which ones open.
func (Platform) Views(keys []string, o adapter.Options, p adapter.Params) []adapter.ParamView {
	if e, err := New(keys, optionsOf(o)); err == nil {
		if r, err := e.Read(p.Values); err == nil {
			out := make([]adapter.ParamView, 0, len(r.Params))
			for _, x := range r.Params {
				out = append(out, adapter.ParamView{Name: x.Name, Received: p.Values[x.Name], Value: x.Value, How: x.How,
					Reason: x.Reason, Alternative: x.Alternative})
			}
			return out
		}
	}
	var ciphers []*paramcrypt.Cipher
	for _, k := range keys {
		if c, err := paramcrypt.NewDES(k); err == nil {
			ciphers = append(ciphers, c)
		}
	}
	out := adapter.PlainViews(p)
	for i := range out {
		v := &out[i]
		plain := len(ciphers) == 0 || easemobSystemParams[v.Name] && !o.EncryptedSystemParams ||
			PlainAllowed[v.Name] != nil && PlainAllowed[v.Name](v.Received)
		if plain {
			continue
		}
		v.How, v.Value = adapter.ViewFailed, ""
		for _, c := range ciphers {
			if clear, err := c.Decrypt(v.Received); err == nil {
				v.How, v.Value = adapter.ReadDecrypted, clear
				break
			}
		}
	}
	return out
}
