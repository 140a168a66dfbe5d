package easemob

import (
	"errors"
	"github.com/crmlens/crmlens/internal/adapter"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Easemob decodes the params Easemob Kefu appends to its "custom information"
// (自定义信息接口) URL. With a key set, Easemob DES-encrypts every param
// except the system params easemobId and visitorImId, and those too when the
// platform's option to encrypt them is on.
//
// What the workbench really sends is more than its documentation lists, and
// Decode is built for that:
//
//   - `to` comes with every conversation, not only WeChat ones. Source:
//     Easemob's CRM-integration docs, "to=servicenumber(仅微信渠道有效,为微信公众号
//     的原始ID;目前是IM服务号)" and their web-visitor example
//     "?easemobId=107937&visitorImId=webim-visitor-8K2FTG9QTYWRT8EYVJ7F&to=webim-visitor-8K2FTG9QTYWRT8EYVJ7F";
//     Source: easemob/kefu-agent-ios KFiFrameView.m, getParOther: sets
//     "to = _conversation.serviceNumber" for every conversation (its comment
//     shows "to=kefuchannelimid_248171"). A visitor is a WeChat one only when
//     `to` is an official account's original id (gh_...) or originType says
//     weixin/wechat; otherwise the channel stays easemob.
//   - Params crmlens has no use for (ssid, originType, techChannelName,
//     serviceNumber, desc...), empty ones (KFiFrameView.m sends "desc=" when
//     the visitor has no description, and encrypts the empty string when a
//     key is set) and `lang` in any case. Source: KFiFrameView.m, getParOther.
//     Only the params that identify the visitor (visitorImId, and easemobId
//     when they must be encrypted), the tenant when the integration pins it,
//     and agentId/email when the integration requires a known agent can fail
//     a request; any other param that is empty, not encrypted although a key
//     is set, or does not decrypt is dropped (Dropped says which and why) and
//     never used as an identity, agent or tenant claim.
//   - Easemob's option "同时加密系统自带参数" encrypts easemobId and
//     visitorImId too. Source: KFiFrameView.m, loadWebView: "if
//     (_model.encryptAll && _model.encryptKey)" encrypts _kefuIm and
//     _visitorInfo with the same DES key. An admin may turn it on in Easemob
//     before telling crmlens (EncryptedSystemParams): a system param that
//     decrypts cleanly is then read decrypted, and the value as received is
//     kept as an alternative reading (adapter.Claims.VisitorIDAlternatives) for the
//     caller to prefer when it is the one a known visitor or identity has.
//   - Without a key Easemob sends every param in clear. Source: the seed
//     document, "在没有设置加密密钥的情况下,所有参数采用明文传输".
//   - Each param is DES/ECB on its own, so ciphertext blocks can be cut and
//     pasted between params; with a key, an identity, agent or tenant param
//     made of blocks of the request's other params fails the request
//     (checkSplice), and params that share plaintext as Easemob sends them
//     (to = visitorImId, a webim-visitor-... nickname) pass.
type Easemob struct {
	ciphers []*paramcrypt.Cipher // current key first; none when the integration has no key
	opts    Options
}

// Options are an Easemob integration's hardening settings. They need a
// key: without one every param arrives in clear and none protects anything.
type Options struct {
	// EncryptedSystemParams requires easemobId and visitorImId to arrive
	// encrypted, as they do when Easemob's option "also encrypt easemobId and
	// visitorImId" is on. A leaked URL then no longer lets anyone swap the
	// visitor id.
	EncryptedSystemParams bool
	// TenantID, when set, pins the Easemob tenant: the decrypted tenantId
	// must equal it.
	TenantID string
	// RequireKnownAgent makes agentId and email params that fail a request
	// when they arrive in clear or do not decrypt (the caller then checks the
	// agent against the ones an admin imported). Without it they are dropped.
	RequireKnownAgent bool
}

// Param is how Read took one param.
type Param struct {
	Name string
	// Value is the param in clear; empty when dropped.
	Value string
	// How is adapter.ReadPlain, adapter.ReadDecrypted or adapter.ReadDropped.
	How string
	// Reason is the Drop* reason when How is adapter.ReadDropped.
	Reason string
	// Alternative is the other reading of a system param that is plain text
	// and also decrypts cleanly: the value as received (Value is then the
	// decrypted one).
	Alternative string
}

// Reading is every param of one request as Decode takes it, sorted by
// name.
type Reading struct {
	Params []Param
}

// value returns the value of a param that was kept.
func (r Reading) value(name string) string {
	if p := r.param(name); p != nil && p.How != adapter.ReadDropped {
		return p.Value
	}
	return ""
}

func (r Reading) param(name string) *Param {
	i := sort.Search(len(r.Params), func(i int) bool { return r.Params[i].Name >= name })
	if i < len(r.Params) && r.Params[i].Name == name {
		return &r.Params[i]
	}
	return nil
}

// Dropped lists the params Read dropped, by name.
func (r Reading) Dropped() []adapter.DroppedParam {
	var out []adapter.DroppedParam
	for _, p := range r.Params {
		if p.How == adapter.ReadDropped {
			out = append(out, adapter.DroppedParam{Name: p.Name, Reason: p.Reason})
		}
	}
	return out
}

// easemobSystemParams are never encrypted by Easemob's default settings.
var easemobSystemParams = map[string]bool{"easemobId": true, "visitorImId": true}

// easemobChannelHints say which channel the visitor writes from. They are
// taken in clear although a key is set when the system params are not
// required encrypted: visitorImId is then in clear too, so a plain `to`
// grants no more than the URL already does. With EncryptedSystemParams they
// must be encrypted (they choose the channel, part of the visitor's
// identity).
var easemobChannelHints = map[string]bool{"to": true, "originType": true}

// PlainAllowed lists the params accepted in clear although a key is
// set: harmless ones the workbench may add itself. Identity and agent params
// never are.
var PlainAllowed = map[string]func(string) bool{
	"lang": isLangTag,
}

// isLangTag reports whether v looks like a language tag ("zh", "EN",
// "zh-CN", "en_US", "ja"): 2 to 35 ASCII letters, digits, '-' or '_',
// starting with 2 or 3 letters.
func isLangTag(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 2 || len(v) > 35 {
		return false
	}
	letters := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if letters == i {
				letters++
			}
		case c >= '0' && c <= '9' || c == '-' || c == '_':
		default:
			return false
		}
	}
	return letters >= 2 && (letters <= 3 || letters == len(v) && letters <= 8)
}

// easemobKnown are the params Decode maps to a adapter.Claims field; every other one
// goes to Extra.
var easemobKnown = map[string]bool{
	"easemobId": true, "visitorImId": true, "to": true, "tenantId": true,
	"agentId": true, "email": true, "agentName": true, "userId": true, "lang": true,
}

// New returns the Easemob adapter for an integration's keys, current
// first (none, or only empty ones, for an integration that takes params in
// clear). Each key must be longer than 8 characters, as Easemob requires.
func New(keys []string, opts Options) (*Easemob, error) {
	e := &Easemob{opts: opts}
	e.opts.TenantID = strings.TrimSpace(opts.TenantID)
	list, pos := adapter.NonEmptyKeys(keys)
	for i, k := range list {
		c, err := paramcrypt.NewDES(k)
		if err != nil {
			return nil, adapter.ErrKey(err, "%s is unusable: an Easemob key must be longer than 8 characters", adapter.KeyName(pos[i]))
		}
		e.ciphers = append(e.ciphers, c)
	}
	if len(e.ciphers) == 0 {
		if e.opts.EncryptedSystemParams {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
				"requiring encrypted easemobId and visitorImId needs a key; set the key configured in Easemob")
		}
		if e.opts.TenantID != "" {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
				"pinning the tenant needs a key: without one tenantId arrives in clear and proves nothing")
		}
	}
	return e, nil
}

// required reports whether param name fails the request when it does not
// open (rather than being dropped).
func (e *Easemob) required(name string) bool {
	switch name {
	case "easemobId", "visitorImId":
		return e.opts.EncryptedSystemParams
	case "tenantId":
		return e.opts.TenantID != ""
	case "agentId", "email":
		return e.opts.RequireKnownAgent
	}
	return false
}

// Decode turns Easemob's query params into adapter.Claims.
func (e *Easemob) Decode(params map[string]string) (adapter.Claims, error) {
	r, err := e.Read(params)
	if err != nil {
		return adapter.Claims{}, err
	}
	tenant := r.value("tenantId")
	if pin := e.opts.TenantID; pin != "" && strings.TrimSpace(tenant) != pin {
		return adapter.Claims{}, apperr.New(apperr.Forbidden, adapter.CodeTenantMismatch,
			"the Easemob tenant of this request is not the one this integration is pinned to; check the integration's URL and tenant setting")
	}
	vp := r.param("visitorImId")
	visitor := strings.TrimSpace(r.value("visitorImId"))
	if visitor == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no visitorImId; Easemob adds it when it opens the page beside a conversation, so open the page from the agent workbench")
	}
	if err := adapter.CheckVisitorID(visitor, "visitorImId"); err != nil {
		return adapter.Claims{}, err
	}
	c := adapter.Claims{
		Channel:   "easemob",
		VisitorID: visitor,
		TenantID:  tenant,
		Agent: adapter.Agent{
			ID:     r.value("agentId"),
			Email:  r.value("email"),
			Name:   r.value("agentName"),
			UserID: r.value("userId"),
		},
		Lang:    adapter.NormalizeLang(r.value("lang")),
		Extra:   map[string]string{},
		Dropped: r.Dropped(),
	}
	if vp.How == adapter.ReadDecrypted && !e.opts.EncryptedSystemParams {
		c.VisitorIDDecrypted = true
		if alt := strings.TrimSpace(vp.Alternative); alt != "" && alt != visitor && adapter.CheckVisitorID(alt, "visitorImId") == nil {
			c.VisitorIDAlternatives = []string{alt}
		}
	}
	if to, origin := strings.TrimSpace(r.value("to")), strings.ToLower(strings.TrimSpace(r.value("originType"))); strings.HasPrefix(to, "gh_") || origin == "weixin" || origin == "wechat" {
		// WeChat: visitorImId is an openid, scoped by the official account
		// (its original id, gh_...). The caller stores channel "wechat".
		// Source: Easemob's docs, "对于微信渠道客户,visitorImId是该客户在相应微信
		// 公众号上的openid" and "to(微信公众号的原始ID)"; any other `to` is the IM
		// service number (kefuchannelimid_..., or the visitor's own IM id for
		// web visitors) and says nothing of the channel.
		c.Channel = "wechat"
		c.Scope = to
	}
	if n := adapter.NormalizeClaim("name", r.value("trueName")); n != "" {
		c.DisplayName = n
	} else {
		c.DisplayName = adapter.NormalizeClaim("name", r.value("nickname"))
	}
	for _, p := range r.Params {
		if !easemobKnown[p.Name] && p.How != adapter.ReadDropped {
			c.Extra[p.Name] = p.Value
		}
	}
	return c, nil
}

// Read takes each param as Decode does: in clear, decrypted, or dropped
// with a reason. It fails only for the params that may fail a request
// (visitorImId and easemobId when they must be encrypted, a pinned tenantId,
// agentId and email when a known agent is required); every such failure
// after decryption is the one adapter.ErrDecrypt (or errPlainSystemParam) answer.
// Whatever the options, with a key set it also fails (errSpliced, decided
// before any decryption) when an identity, agent or tenant param is made of
// cipher blocks of the request's other params (checkSplice).
// The simulator calls it to show what a session would make of each param.
func (e *Easemob) Read(params map[string]string) (Reading, error) {
	if err := adapter.CheckSize(params); err != nil {
		return Reading{}, err
	}
	if err := e.checkSplice(params); err != nil {
		return Reading{}, err
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	out := Reading{Params: make([]Param, len(names))}
	var sealed []int // indexes into out.Params to decrypt
	var system []int // system params in clear that may also decrypt
	for i, name := range names {
		v := params[name]
		p := &out.Params[i]
		p.Name = name
		switch {
		case strings.TrimSpace(v) == "":
			p.How, p.Reason = adapter.ReadDropped, adapter.DropEmpty
		case len(e.ciphers) == 0:
			p.How, p.Value = adapter.ReadPlain, v
		case easemobSystemParams[name] && !e.opts.EncryptedSystemParams:
			p.How, p.Value = adapter.ReadPlain, v
			system = append(system, i)
		default:
			sealed = append(sealed, i)
		}
	}
	chosen, err := e.open(params, &out, sealed)
	if err != nil {
		return Reading{}, err
	}
	for _, i := range system {
		e.trySystem(&out.Params[i], params[out.Params[i].Name], chosen)
	}
	for i := range out.Params {
		p := &out.Params[i]
		if p.How == adapter.ReadDropped {
			p.Value = ""
			continue
		}
		if strings.TrimSpace(p.Value) == "" {
			p.How, p.Value, p.Reason = adapter.ReadDropped, "", adapter.DropEmpty
			continue
		}
		if p.Name == "lang" && adapter.NormalizeLang(p.Value) == "" {
			p.How, p.Value, p.Reason = adapter.ReadDropped, "", adapter.DropUnknown
		}
	}
	return out, nil
}

// open decrypts the sealed params with one key: the first that opens every
// required param and, among those, the most optional ones (Easemob encrypts
// one request with one key). Structural faults need no key: a required
// param's names it, an optional one is dropped (or taken in clear where that
// is allowed). Every failure after decryption gives one answer per kind of
// param, whatever the padding or plaintext was. It returns the key used (-1
// when none was needed).
func (e *Easemob) open(params map[string]string, out *Reading, sealed []int) (int, error) {
	var tryable []int
	for _, i := range sealed {
		p := &out.Params[i]
		v := params[p.Name]
		raw, serr := paramcrypt.Decode(v)
		if serr == nil && (len(raw) == 0 || len(raw)%8 != 0) {
			serr = paramcrypt.ErrBlockSize
		}
		if serr == nil {
			tryable = append(tryable, i)
			continue
		}
		// Not a ciphertext.
		switch {
		case e.required(p.Name):
			return -1, e.structural(p.Name, serr)
		case e.plainOK(p.Name, v):
			p.How, p.Value = adapter.ReadPlain, strings.TrimSpace(v)
		default:
			p.How, p.Reason = adapter.ReadDropped, adapter.DropNotEncrypted
		}
	}
	if len(tryable) == 0 {
		return -1, nil
	}
	best, bestScore := -1, -1
	var bestOut map[int]string
	openedByAny := map[int]bool{}
	for k, c := range e.ciphers {
		opened := make(map[int]string, len(tryable))
		complete := true
		for _, i := range tryable {
			v, err := c.Decrypt(params[out.Params[i].Name])
			if err == nil && utf8.ValidString(v) {
				opened[i] = v
				openedByAny[i] = true
			} else if e.required(out.Params[i].Name) {
				complete = false
			}
		}
		if complete && len(opened) > bestScore {
			best, bestScore, bestOut = k, len(opened), opened
		}
	}
	if best < 0 {
		for _, i := range tryable {
			if name := out.Params[i].Name; easemobSystemParams[name] && !openedByAny[i] {
				return -1, errPlainSystemParam(name)
			}
		}
		return -1, adapter.ErrDecrypt()
	}
	for _, i := range tryable {
		p := &out.Params[i]
		if v, ok := bestOut[i]; ok {
			p.How, p.Value = adapter.ReadDecrypted, v
		} else if v := params[p.Name]; e.plainOK(p.Name, v) {
			// Plain text that happens to read as base64 of whole blocks
			// ("kefuchannelimid_248171" does): taken as sent, whether the
			// padding or the plaintext was bad.
			p.How, p.Value = adapter.ReadPlain, strings.TrimSpace(v)
		} else {
			// Bad padding and a plaintext that is not UTF-8 alike.
			p.How, p.Reason = adapter.ReadDropped, adapter.DropNotDecryptable
		}
	}
	return best, nil
}

// plainOK reports whether an optional param may be taken in clear although
// a key is set: a language tag, or a channel hint while the system params
// themselves may arrive in clear.
func (e *Easemob) plainOK(name, v string) bool {
	if f := PlainAllowed[name]; f != nil && f(v) {
		return true
	}
	return easemobChannelHints[name] && !e.opts.EncryptedSystemParams
}

// trySystem reads a system param that arrived where plain text is accepted
// (EncryptedSystemParams off) as a ciphertext too: if it decrypts cleanly
// (hex of whole DES blocks, valid padding, printable UTF-8) under the key the
// other params used, else under any key, the decrypted reading is taken and
// the received one kept as the alternative. An IM id or openid as Easemob
// issues them is never 16+ hex characters that decrypt to clean text by
// chance, so the decrypted reading is the likely one.
func (e *Easemob) trySystem(p *Param, v string, chosen int) {
	t := strings.TrimSpace(v)
	if len(t) < 16 || len(t)%16 != 0 || !hexOnly(t) {
		return
	}
	order := make([]*paramcrypt.Cipher, 0, len(e.ciphers))
	if chosen >= 0 {
		order = append(order, e.ciphers[chosen])
	}
	for k, c := range e.ciphers {
		if k != chosen {
			order = append(order, c)
		}
	}
	for _, c := range order {
		d, err := c.Decrypt(t)
		if err != nil || !cleanText(d) {
			continue
		}
		p.How, p.Value, p.Alternative = adapter.ReadDecrypted, d, v
		return
	}
}

func hexOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// cleanText reports whether s is non-blank, valid UTF-8 and printable.
func cleanText(s string) bool {
	if strings.TrimSpace(s) == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (e *Easemob) structural(name string, err error) error {
	switch {
	case easemobSystemParams[name]:
		return errPlainSystemParam(name)
	case errors.Is(err, paramcrypt.ErrTooLong):
		return apperr.New(apperr.TooLarge, adapter.CodeTooLarge, "parameter %s is too long", name)
	default:
		return apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"parameter %s is not an Easemob ciphertext (%v); with a key set, Easemob sends every parameter except easemobId and visitorImId DES-encrypted as hex", name, err)
	}
}

// errPlainSystemParam is the one answer for a system param that does not
// open, whether it is plain text or a ciphertext that does not decrypt.
func errPlainSystemParam(name string) *apperr.Error {
	return apperr.New(apperr.Unprocessable, adapter.CodePlainSystemParam,
		"parameter %s is not encrypted with this integration's key, but this integration requires Easemob's option that encrypts easemobId and visitorImId too; turn that option on in Easemob, or turn the requirement off in crmlens", name)
}

// Block splicing (ECB cut-and-paste). Easemob encrypts every param on its
// own with one DES key in ECB mode, so each 8-byte ciphertext block stands
// for 8 bytes of plaintext wherever it is put, and visitors choose some
// plaintexts themselves (nickname, trueName, desc, what an app pushes with
// updateVisitorInfoSrc). The first block of one's own visitorImId followed
// by the ciphertext of the nickname "victim2" decrypts to "webim-vivictim2";
// a trueName ciphertext decrypts as an agentId. checkSplice refuses an
// identity or agent param built so from blocks of the other params of the
// same request, and lets through what the real platform sends:
//
//   - A block of guarded param P equal to a block of another param Q passes
//     only at the same index, with every earlier block equal too, and with
//     neither block the last of its ciphertext: P and Q then share a
//     plaintext prefix ("webim-visitor-..." of a visitorImId and a default
//     nickname), which moves nothing. The last block carries the padding: a
//     block that ends one ciphertext and not the other (or ends both at
//     different lengths) is a truncation or an extension.
//   - The block that encrypts padding alone (the whole ciphertext of an
//     empty value, and the last block of every plaintext whose length is a
//     multiple of 8) is shared by every such param and carries no plaintext:
//     it never counts.
//   - A whole ciphertext equal to another param's passes among the system
//     params Easemob itself repeats (visitorImId, easemobId, to,
//     serviceNumber: its web example sends to=visitorImId, the iOS agent SDK
//     serviceNumber=to=easemobId), for an agent's e-mail equal to the
//     agentName (an agent may be named by their e-mail; neither is the
//     visitor's choice), and for a nickname equal to visitorImId: Easemob
//     gives a new web visitor its IM user name as nickname
//     (easemob/kefu-webim src/js/app/index.js, createVisitor: userNickname =
//     the created visitor's nicename; a Kefu visitor entity reads
//     nicename=username=webim-visitor-...). That one cannot be told from a
//     nickname ciphertext moved whole into visitorImId, but neither can a
//     moved nickname whose own param was then removed: refusing it would only
//     refuse every visitor who kept the default nickname. Any other whole
//     equality (a trueName as agentId, a nickname as email or tenantId) is
//     refused.
//
// The check reads ciphertext bytes only, before and whatever the decryption:
// its answer says nothing about padding or plaintext (the padding-only block
// is the encryption of the empty string under the integration's own keys, a
// constant anyone sees in a request with an empty param). Blocks taken from
// other requests cannot be seen here: ECB ciphertexts are replayable and
// their blocks reusable across URLs, which only a signed link prevents.

// easemobGuarded are the params that name the visitor, the agent or the
// tenant: none may be spliced from other params' blocks.
var easemobGuarded = []string{"visitorImId", "easemobId", "agentId", "email", "tenantId", "userId"}

// easemobRepeated are the system params Easemob itself sends with equal
// values: their whole ciphertexts may be equal.
var easemobRepeated = map[string]bool{"visitorImId": true, "easemobId": true, "to": true, "serviceNumber": true}

// wholeEqualOK reports whether guarded param p may have the very ciphertext
// of param q.
func wholeEqualOK(p, q string) bool {
	switch {
	case easemobRepeated[p] && easemobRepeated[q]:
		return true
	case p == "email" && q == "agentName":
		return true
	case p == "visitorImId" && q == "nickname":
		return true
	}
	return false
}

// splicable returns the ciphertext bytes of a param value when it is a whole
// number of DES blocks, else nil.
func splicable(v string) []byte {
	raw, err := paramcrypt.Decode(v)
	if err != nil || len(raw) == 0 || len(raw)%8 != 0 {
		return nil
	}
	return raw
}

// checkSplice refuses a request whose guarded param is made of blocks of its
// other params (see above). Only params read as ciphertexts are guarded:
// easemobId and visitorImId when they must be encrypted, the agent and
// tenant params whenever a key is set.
// easemobChosen are params whose values Easemob chooses, never a visitor:
// the IM service number (`to`, `serviceNumber`: "kefuchannelimid_248171" in
// KFiFrameView.m's example, or a WeChat account's gh_ id), easemobId and the
// tenant id. Their blocks may reappear in the tenant and agent params: the
// service number ends with the tenant id ("kefuchannelimid_" is two whole
// blocks, so a tenantId of up to 7 digits encrypts to its last block).
// Blocks taken from them only ever spell Easemob's own values.
var easemobChosen = map[string]bool{"to": true, "serviceNumber": true, "easemobId": true, "tenantId": true}

func (e *Easemob) checkSplice(params map[string]string) error {
	if len(e.ciphers) == 0 {
		return nil
	}
	pads := make([][]byte, 0, len(e.ciphers))
	for _, c := range e.ciphers {
		pads = append(pads, splicable(c.Encrypt("")))
	}
	isPad := func(b []byte) bool {
		for _, p := range pads {
			if string(p) == string(b) {
				return true
			}
		}
		return false
	}
	raws := make(map[string][]byte, len(params))
	for name, v := range params {
		if raw := splicable(v); raw != nil {
			raws[name] = raw
		}
	}
	others := make([]string, 0, len(raws))
	for name := range raws {
		others = append(others, name)
	}
	sort.Strings(others)
	for _, p := range easemobGuarded {
		pr := raws[p]
		if pr == nil || easemobSystemParams[p] && !e.opts.EncryptedSystemParams {
			continue
		}
		for _, q := range others {
			// The visitor's own ids stay checked against them: a web
			// visitor's `to` is its visitorImId, whose blocks it could
			// rearrange.
			if q == p || easemobChosen[q] && p != "visitorImId" {
				continue
			}
			if !splicedFrom(pr, raws[q], isPad) {
				continue
			}
			if string(pr) == string(raws[q]) && wholeEqualOK(p, q) {
				continue
			}
			return errSpliced(p)
		}
	}
	return nil
}

// splicedFrom reports whether ciphertext p shares a block with ciphertext q
// other than at the same index inside a common prefix of blocks after which
// p still has plaintext of its own (padding-only blocks never count). So a
// whole ciphertext equal to q is spliced from it, and so is q cut after a
// block and closed with the padding-only block (a truncation); q's blocks
// at other indexes, and either one's padding-bearing last block, never
// pass.
func splicedFrom(p, q []byte, isPad func([]byte) bool) bool {
	const bs = 8
	n, m := len(p)/bs, len(q)/bs
	block := func(b []byte, i int) string { return string(b[i*bs : (i+1)*bs]) }
	// content: blocks before a trailing padding-only block.
	content := func(b []byte, k int) int {
		if k > 0 && isPad([]byte(block(b, k-1))) {
			return k - 1
		}
		return k
	}
	np := content(p, n)
	prefix := 0 // p and q agree on their first prefix blocks
	for prefix < n && prefix < m && block(p, prefix) == block(q, prefix) {
		prefix++
	}
	shared := prefix < np // p goes on with plaintext of its own
	qBlocks := make(map[string][]int, m)
	for j := 0; j < m; j++ {
		qBlocks[block(q, j)] = append(qBlocks[block(q, j)], j)
	}
	for i := 0; i < n; i++ {
		b := block(p, i)
		js, ok := qBlocks[b]
		if !ok || isPad([]byte(b)) {
			continue
		}
		for _, j := range js {
			if j != i || i >= prefix || !shared || j == m-1 {
				return true
			}
		}
	}
	return false
}

// errSpliced is the one answer for a guarded param made of other params'
// blocks. It names the param, which the request shows anyway, and nothing
// the decryption found.
func errSpliced(name string) *apperr.Error {
	return apperr.New(apperr.Forbidden, adapter.CodeSplicedParam,
		"parameter %s is made of encrypted blocks copied from other parameters of this request (a cut-and-paste of Easemob's DES/ECB ciphertexts), so it does not name who Easemob named; open the page from the Easemob workbench", name)
}
