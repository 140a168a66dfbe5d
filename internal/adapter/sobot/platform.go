package sobot

import (
	"time"

	"github.com/crmlens/crmlens/internal/adapter"
)

// Platform is Sobot's iFrame docking as the registry knows it
// (internal/platforms).
type Platform struct{}

// Kind is the integration kind of Sobot's iFrame docking.
const Kind = "sobot"

// Spec is what is fixed of Sobot.
func (Platform) Spec() adapter.Spec {
	return adapter.Spec{
		Kind:            Kind,
		Title:           "Sobot iFrame docking (智齿 iFrame 接入)",
		Key:             adapter.KeyOptional,
		KeyHelp:         "Sobot's security key (安全密钥)",
		KeyFromPlatform: true,
		Options:         []string{"sobotSysNum"},
		Required:        []string{"sobotSysNum"},
		// Sobot's "iFrame 接入" docs: the page is shown to the right of
		// the agent workbench, its URL followed by partnerId, email, sign...
		Connect: "dock it in Sobot as an iFrame page of the agent workbench (Sobot's developer docs, \"iFrame 接入\"),\n" +
			"with the security key (安全密钥) turned on and the same key here.",
		ConnectNoKey: "dock it in Sobot as an iFrame page of the agent workbench (Sobot's developer docs, \"iFrame 接入\").\n" +
			"Without the security key nothing is authenticated: turn it on in Sobot and set it here (crmlens integration rotate-key).",
		// A keyed sign covers a millisecond timestamp and no nonce.
		Replay: adapter.Replay{Window: DefaultWindow},
		// email is not signed in either mode (the package doc).
		LayoutsTrustAgent: false,
		VouchedBy:         adapter.Sentence{Code: "prot.vouched.sobot", Text: "Sobot signs the visitor but not the agent"},
		HowToVouch:        adapter.Sentence{Code: "prot.how.signed", Text: "use the signed adapter"},
		DecryptAdvice: adapter.Sentence{Code: "sim.advice.decrypt.sobot",
			Text: "the link's sign does not match this integration's sysNum and security key: copy both from Sobot, and check that the server's clock is right"},
		ProtectionCodes: []string{"prot.summary.sobot", "prot.summary.sobot_nokey", "prot.how.signed",
			"prot.exposed.replay_window", "prot.exposed.agent_identity", "prot.exposed.any_visitor", "prot.advice.sobot_key"},
	}
}

// Defaults leave matching to the visitor id: Sobot signs no claim.
func (Platform) Defaults(o adapter.Options) adapter.Options { return o }

// Validate requires the sysNum, checked as New does.
func (Platform) Validate(o adapter.Options, _ bool) error {
	if o.SobotSysNum == "" {
		return adapter.ErrOption("a Sobot integration needs the company's sysNum (企业标识), which Sobot's console shows")
	}
	_, err := New(nil, Options{SysNum: o.SobotSysNum})
	return err
}

// ValidateKey accepts Sobot's security key as New does, or none (keyless
// mode: protection low).
func (Platform) ValidateKey(key string) error {
	if key == "" {
		return nil
	}
	_, err := New([]string{key}, Options{SysNum: "validate", KeyRequired: true})
	return err
}

// New returns the Sobot decoder: keyed when the integration has a key.
func (Platform) New(keys []string, o adapter.Options, now func() time.Time) (adapter.Decoder, error) {
	list, _ := adapter.NonEmptyKeys(keys)
	s, err := New(keys, Options{SysNum: o.SobotSysNum, KeyRequired: len(list) > 0, Now: now})
	if err != nil {
		return nil, err
	}
	return adapter.DecoderFunc(func(p adapter.Params) (adapter.Claims, error) { return s.Decode(p.Values) }), nil
}

// AgentsVouched never holds: email is not signed.
func (Platform) AgentsVouched(adapter.Setup) bool { return false }

// Protect words a Sobot integration's protection.
func (Platform) Protect(p *adapter.Protection, s adapter.Setup) {
	if !s.HasKey {
		p.Level = adapter.LevelLow
		p.AddSummary("prot.summary.sobot_nokey", "no security key: Sobot's sign md5(sysNum+email) involves no secret, so it authenticates nothing: anyone who has this URL, or knows the company's sysNum, can open any visitor by partnerId and name any agent; turn on Sobot's security key (安全密钥) and set it here", nil)
		p.AddExposed("prot.exposed.any_visitor", "any visitor, by visitor id")
		p.AddExposed("prot.exposed.agent_identity", "agent identity")
		p.AddAdvice("prot.advice.sobot_key", "turn on Sobot's security key (安全密钥) and set it here (crmlens integration rotate-key --key KEY)", nil)
		return
	}
	p.Level = adapter.LevelMedium
	p.AddSummary("prot.summary.sobot", "each link is signed by Sobot with the security key, but only partnerId and timestamp are signed: the agent's e-mail and the custom params are not, so whoever holds a URL can name another agent, and a signature is replayable within its 5-minute window", nil)
	p.AddExposed("prot.exposed.replay_window", "replay of a leaked URL within its 5-minute window")
	p.AddExposed("prot.exposed.agent_identity", "agent identity")
}

// Views shows params as received: Sobot signs some but sends all in clear.
func (Platform) Views(_ []string, _ adapter.Options, p adapter.Params) []adapter.ParamView {
	return adapter.PlainViews(p)
}
