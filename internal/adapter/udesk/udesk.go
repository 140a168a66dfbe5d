// Package udesk verifies what Udesk puts on the URL of an external page shown
// as an assist component (辅助组件) beside a conversation, and turns it into
// adapter.Claims.
//
// Facts, from Udesk's doc "辅助组件鉴权说明"
// (http://www-cdn-source.udesk.cn/doc/sercive/assist-component):
//
//   - The URL is "[embed_link]?[params]&timestamp=[timestamp]&sign=[signature]".
//     params are agent_email (the logged-in agent's e-mail, "用户标识") and
//     the fields the admin picked for the page (系统 - 辅助组件 - 外部网页),
//     each keyed by its api_name with the value of the linked record's field.
//   - timestamp is Unix seconds; "如无特别说明,默认过期时间五分钟": valid
//     five minutes.
//   - sign is a lowercase hex MD5. The doc's prose says
//     sign=md5Hex([email]&timestamp=[timestamp]&[secretKey]) and gives
//     md5Hex("demo@test.cn&timestamp=1496631984&957a542817ebcda1cccacd9a7c1fc711")
//     -> cfecf8262c1203fc9aa6ac03f5e16c5a, but that string hashes to
//     9cdbd43a559793748577d27dfcb4f9ae. The final URL of the same example,
//     "?a=1&b=2&c=test&agent_email=1@test.cn&timestamp=1496631984&sign=cfecf826...",
//     is what reproduces it: md5 of its query without sign, then "&", then
//     the key: "a=1&b=2&c=test&agent_email=1@test.cn&timestamp=1496631984&957a5428...".
//     So the doc's own example is signed over the whole query (FormQuery):
//     every field, the agent and the time are authenticated.
//
// Which strings a sign may be the MD5 of (each followed by "&" and a key):
//
//   - FormQuery: the params in the URL's order, sign left out, joined as
//     name=value with '&', values decoded. The example's "1@test.cn" is
//     signed with a bare '@', which url.QueryEscape would have written %40:
//     Udesk signs decoded values (or an encoding that keeps '@'), so the
//     decoded join is the first candidate.
//   - FormQueryEncoded: the same join with names and values re-encoded, as
//     url.QueryEscape writes them (space as '+') or as RFC 3986 writes them
//     (space as %20). The doc does not show a value that decoding changes
//     (a Chinese name, a space, an e-mail with '+'), so a Udesk that signs
//     the query "as sent" still verifies. Each join is unambiguous.
//   - FormEmailOnly: the prose form read literally,
//     agent_email + "&timestamp=" + timestamp + "&" + key. It is accepted
//     because the doc states it, but it signs only the agent and the time:
//     with it, no field is authenticated, so the fields go to Extra and none
//     to Verified, and the identity param is a claim nobody vouched for.
//     DecodeForm says which form verified; Options.QueryFormOnly refuses it.
//
// The decoded join is ambiguous where a value contains "&name=": Udesk's
// "a=x&b=y" reads as two params or as one param a with value "x&b=y", and
// whoever holds a signed URL may send either reading. Only the decoded
// candidate has this fault (and only if Udesk signs decoded values); the
// registry should not let a field a visitor can edit (a free-text name)
// come before the identity or matching fields in Udesk's field list.
//
// A signature is replayable within its window: Udesk signs no nonce, so a
// URL copied out of the workbench opens the sidebar again until its
// timestamp is five minutes old.
package udesk

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
)

// Channel is the identity channel of the visitor id Udesk passes.
const Channel = "udesk"

// Params Udesk itself adds to the page's URL.
const (
	ParamSign       = "sign"
	ParamTimestamp  = "timestamp"
	ParamAgentEmail = "agent_email"
)

// DefaultWindow is how long a sign is valid either side of the server's
// clock: Udesk's "默认过期时间五分钟".
const DefaultWindow = 5 * time.Minute

// maxWindow bounds Options.Window: a longer one only widens replay.
const maxWindow = time.Hour

// maxTimestampDigits bounds the timestamp param (Unix seconds).
const maxTimestampDigits = 12

// DefaultIdentityParam is the Udesk field carrying the visitor's id: the
// customer's customer_token (Udesk's own name for a customer identifier set
// by the company, as in its ticket SDK's "token(类型) customer_token").
const DefaultIdentityParam = "customer_token"

// DefaultFieldParams maps matching fields to the Udesk field api_names
// carrying them: a customer's cellphone and email.
func DefaultFieldParams() map[string]string {
	return map[string]string{"phone": "cellphone", "email": "email"}
}

// Options are a Udesk integration's settings.
type Options struct {
	// IdentityParam is the param carrying the visitor's id on channel
	// "udesk"; default DefaultIdentityParam.
	IdentityParam string
	// FieldParams maps matching fields to Udesk params; nil means
	// DefaultFieldParams, an empty map none.
	FieldParams map[string]string
	// Window is how far the timestamp may be from the server's clock,
	// either way; default DefaultWindow, at most an hour.
	Window time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// QueryFormOnly refuses FormEmailOnly, the doc's prose form, which signs
	// only agent_email and timestamp: with it set, the identity param and
	// the matching fields are always authenticated.
	QueryFormOnly bool
}

// WithDefaults returns o with every unset option at its default.
func (o Options) WithDefaults() Options {
	if o.IdentityParam == "" {
		o.IdentityParam = DefaultIdentityParam
	}
	if o.FieldParams == nil {
		o.FieldParams = DefaultFieldParams()
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Form is which signed string a sign was the MD5 of.
type Form int

const (
	// FormQuery: the whole query with decoded values (the doc's example).
	FormQuery Form = iota + 1
	// FormQueryEncoded: the whole query re-encoded (url.QueryEscape or RFC 3986).
	FormQueryEncoded
	// FormEmailOnly: agent_email and timestamp only (the doc's prose); no
	// field is authenticated.
	FormEmailOnly
)

func (f Form) String() string {
	switch f {
	case FormQuery:
		return "query"
	case FormQueryEncoded:
		return "query_encoded"
	case FormEmailOnly:
		return "email_only"
	default:
		return "none"
	}
}

// FieldsSigned reports whether the form authenticates the page's fields
// (the identity param and the matching fields), not only the agent and time.
func (f Form) FieldsSigned() bool { return f == FormQuery || f == FormQueryEncoded }

// Udesk verifies one integration's assist-component URLs.
type Udesk struct {
	keys   [][]byte // current first
	opts   Options
	fields []fieldParam // sorted by field
	known  map[string]bool
}

type fieldParam struct{ field, param string }

// New returns the Udesk decoder for an integration's secret keys (Udesk's
// 系统设置 - 密钥), current first: the old key keeps working while Udesk
// switches. No key is an error: an unsigned URL authenticates nothing.
func New(keys []string, opts Options) (*Udesk, error) {
	opts = opts.WithDefaults()
	u := &Udesk{opts: opts, known: map[string]bool{ParamSign: true, ParamTimestamp: true, ParamAgentEmail: true}}
	list, pos := adapter.NonEmptyKeys(keys)
	for i, k := range list {
		if strings.IndexFunc(k, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
				"%s contains spaces or control characters; copy the secret key from Udesk (系统设置 - 密钥) exactly", adapter.KeyName(pos[i]))
		}
		u.keys = append(u.keys, []byte(k))
	}
	if len(u.keys) == 0 {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
			"this integration has no key set; copy the secret key Udesk signs assist-component links with (系统设置 - 密钥)")
	}
	if opts.Window < 0 || opts.Window > maxWindow {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
			"the time window must be between 1 second and 1 hour (Udesk's links are valid 5 minutes)")
	}
	if !adapter.ValidFieldName(opts.IdentityParam) || u.known[opts.IdentityParam] {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
			"the identity parameter must be a Udesk field api_name of 1 to %d characters without spaces or '=', other than sign, timestamp and agent_email", adapter.MaxParamName)
	}
	if len(opts.FieldParams) > adapter.MaxVerifiedFields {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption, "at most %d matching fields", adapter.MaxVerifiedFields)
	}
	taken := map[string]string{opts.IdentityParam: "the identity"}
	for field, param := range opts.FieldParams {
		if !adapter.ValidFieldName(field) || !adapter.ValidFieldName(param) || u.known[param] || strings.Contains(param, "&") {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
				"matching field %q must map to a Udesk field api_name of 1 to %d characters without spaces, '=' or '&', other than sign, timestamp and agent_email",
				field, adapter.MaxParamName)
		}
		if other, ok := taken[param]; ok {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
				"Udesk field %s is mapped twice (to %s and to %s); map each field once", param, other, field)
		}
		taken[param] = field
		u.fields = append(u.fields, fieldParam{field, param})
	}
	sort.Slice(u.fields, func(i, j int) bool { return u.fields[i].field < u.fields[j].field })
	u.known[opts.IdentityParam] = true
	for _, f := range u.fields {
		u.known[f.param] = true
	}
	return u, nil
}

// Decode verifies params and turns them into Claims; order is the params'
// names in the URL's order (sign included or not). See DecodeForm.
func (u *Udesk) Decode(params map[string]string, order []string) (adapter.Claims, error) {
	c, _, err := u.DecodeForm(params, order)
	return c, err
}

// DecodeForm is Decode that also says which signed string verified.
//
// Claims: Channel "udesk"; VisitorID the identity param, or, when the URL
// has none, adapter.ShareCRMVisitorID of the matching fields present (the
// same person gets the same id); Agent.Email agent_email; Verified the
// matching fields present, normalized as adapter.NormalizeClaim does (empty
// with FormEmailOnly, which does not sign them); Extra every other param but
// sign and timestamp.
//
// A sign is replayable within its window (see the package doc): the caller
// that needs single use must add it.
func (u *Udesk) DecodeForm(params map[string]string, order []string) (adapter.Claims, Form, error) {
	if err := adapter.CheckSize(params); err != nil {
		return adapter.Claims{}, 0, err
	}
	sign, ok := params[ParamSign]
	if !ok || sign == "" {
		return adapter.Claims{}, 0, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no sign; open the page from Udesk's assist component (辅助组件), which signs its URL")
	}
	ts, ok := params[ParamTimestamp]
	if !ok || ts == "" {
		return adapter.Claims{}, 0, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no timestamp; open the page from Udesk's assist component (辅助组件), which adds it")
	}
	want, err := hex.DecodeString(sign)
	if err != nil || len(want) != md5.Size {
		return adapter.Claims{}, 0, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"sign is not an MD5 digest (32 hexadecimal digits)")
	}
	if !adapter.IsDigits(ts, maxTimestampDigits) {
		return adapter.Claims{}, 0, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"timestamp is not a whole number of seconds since 1970 (Unix time)")
	}
	pairs, err := orderedPairs(params, order)
	if err != nil {
		return adapter.Claims{}, 0, err
	}
	form := u.verify(want, pairs, params[ParamAgentEmail], ts)
	if form == 0 {
		return adapter.Claims{}, 0, errSignature()
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		// IsDigits allows 12 digits, which always parse.
		return adapter.Claims{}, 0, apperr.Wrap(err, apperr.Invalid, adapter.CodeInvalidParam, "timestamp is out of range")
	}
	if err := u.checkTime(time.Unix(sec, 0)); err != nil {
		return adapter.Claims{}, 0, err
	}
	c, err := u.claims(params, form)
	if err != nil {
		return adapter.Claims{}, 0, err
	}
	return c, form, nil
}

// pair is one param in the URL's order.
type pair struct{ name, value string }

// orderedPairs checks order against params and returns the params other
// than sign in that order. order must name every param but sign, once.
func orderedPairs(params map[string]string, order []string) ([]pair, error) {
	if len(order) > adapter.MaxParams+1 {
		return nil, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
			"too many parameter names in the order (%d, at most %d)", len(order), adapter.MaxParams)
	}
	seen := make(map[string]bool, len(order))
	pairs := make([]pair, 0, len(order))
	for _, name := range order {
		if seen[name] {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"parameter %s appears twice in the URL; Udesk sends each parameter once", safeName(name))
		}
		seen[name] = true
		v, ok := params[name]
		if !ok {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"the order names parameter %s, which is not among the parameters", safeName(name))
		}
		if name != ParamSign {
			pairs = append(pairs, pair{name, v})
		}
	}
	for name := range params {
		if !seen[name] && name != ParamSign {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"parameter %s is missing from the order; the page must send the URL's parameter names in their order, as Udesk signs them in that order", safeName(name))
		}
	}
	return pairs, nil
}

// safeName is a param name fit for a message: CheckSize bounded its length;
// anything not printable is quoted.
func safeName(name string) string {
	if len(name) > adapter.MaxParamName {
		name = name[:adapter.MaxParamName]
	}
	if adapter.ValidFieldName(name) {
		return name
	}
	return strconv.QuoteToASCII(name)
}

// verify returns the form whose string, followed by "&" and one of the keys,
// has want as MD5; 0 when none has. Every candidate is tried under every key
// so that the time taken does not depend on which one matched.
func (u *Udesk) verify(want []byte, pairs []pair, email, ts string) Form {
	type candidate struct {
		form Form
		text string
	}
	cands := []candidate{
		{FormQuery, join(pairs, func(s string) string { return s })},
		{FormQueryEncoded, join(pairs, url.QueryEscape)},
		{FormQueryEncoded, join(pairs, escapeRFC3986)},
	}
	if email != "" && !u.opts.QueryFormOnly {
		cands = append(cands, candidate{FormEmailOnly, email + "&" + ParamTimestamp + "=" + ts})
	}
	found := Form(0)
	for _, key := range u.keys {
		for _, c := range cands {
			h := md5.New()
			h.Write([]byte(c.text))
			h.Write([]byte{'&'})
			h.Write(key)
			if subtle.ConstantTimeCompare(h.Sum(nil), want) == 1 && found == 0 {
				found = c.form
			}
		}
	}
	return found
}

// join writes pairs as name=value joined by '&', each part passed through
// enc.
func join(pairs []pair, enc func(string) string) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(enc(p.name))
		b.WriteByte('=')
		b.WriteString(enc(p.value))
	}
	return b.String()
}

// escapeRFC3986 percent-encodes everything but RFC 3986's unreserved
// characters (ALPHA DIGIT - . _ ~), a space as %20.
func escapeRFC3986(s string) string {
	// url.QueryEscape keeps exactly the unreserved set and writes a space
	// as '+' (a literal '+' as %2B), so every '+' left is a space.
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// errSignature is the one answer for a sign that matches nothing: it does
// not say which part (key, value, order, form) is wrong.
func errSignature() *apperr.Error {
	return apperr.New(apperr.Unauthorized, adapter.CodeInvalidToken,
		"the Udesk sign does not match this link; check that the secret key set in crmlens is Udesk's (系统设置 - 密钥) and open the page from Udesk again")
}

// checkTime refuses a timestamp outside the window, saying which side.
func (u *Udesk) checkTime(at time.Time) error {
	now := u.opts.Now()
	switch {
	case now.Sub(at) > u.opts.Window:
		return apperr.New(apperr.Unauthorized, adapter.CodeTokenExpired,
			"this Udesk link expired: it was signed at %s and is valid %s, and the server's clock reads %s; reopen the conversation in Udesk (if it keeps happening, check the clocks)",
			at.UTC().Format(time.RFC3339), u.opts.Window, now.UTC().Format(time.RFC3339))
	case at.Sub(now) > u.opts.Window:
		return apperr.New(apperr.Unauthorized, adapter.CodeTokenLifetime,
			"this Udesk link is signed %s in the future: its timestamp is %s and the server's clock reads %s; check the clock of the crmlens server",
			at.Sub(now).Round(time.Second), at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// claims builds the Claims of verified params.
func (u *Udesk) claims(params map[string]string, form Form) (adapter.Claims, error) {
	c := adapter.Claims{
		Channel:  Channel,
		Agent:    adapter.Agent{Email: strings.TrimSpace(params[ParamAgentEmail])},
		Verified: map[string]string{},
		Extra:    map[string]string{},
	}
	var present []string
	for _, f := range u.fields {
		raw, ok := params[f.param]
		if !ok {
			continue
		}
		if !form.FieldsSigned() {
			c.Extra[f.param] = raw
			continue
		}
		v := adapter.NormalizeClaim(f.field, raw)
		if utf8.RuneCountInString(v) > adapter.MaxVerifiedValue {
			return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
				"%s is longer than %d characters", f.param, adapter.MaxVerifiedValue)
		}
		if v != "" {
			c.Verified[f.field] = v
			present = append(present, f.field)
		}
	}
	id := strings.TrimSpace(params[u.opts.IdentityParam])
	switch {
	case id != "":
		if err := adapter.CheckVisitorID(id, u.opts.IdentityParam); err != nil {
			return adapter.Claims{}, err
		}
		c.VisitorID = id
	case len(present) > 0:
		c.VisitorID = adapter.VerifiedVisitorID(c.Verified, present)
	default:
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam, "%s", missingVisitor(u, form))
	}
	for k, v := range params {
		if !u.known[k] {
			c.Extra[k] = v
		}
	}
	return c, nil
}

func missingVisitor(u *Udesk, form Form) string {
	if !form.FieldsSigned() {
		return fmt.Sprintf("the URL has no %s, and its sign covers only agent_email and timestamp, so no other field can identify the visitor; add %s to the assist component's fields in Udesk",
			u.opts.IdentityParam, u.opts.IdentityParam)
	}
	names := []string{u.opts.IdentityParam}
	for _, f := range u.fields {
		names = append(names, f.param)
	}
	return fmt.Sprintf("the URL names no visitor: it has none of %s; add one of them to the assist component's fields in Udesk",
		strings.Join(names, ", "))
}
