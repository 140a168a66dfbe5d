// Package sobot verifies what Sobot (智齿) puts on the URL of a page docked
// as an iFrame in its agent workbench, and turns it into adapter.Claims.
//
// Facts, from Sobot's developer docs "iFrame 接入"
// (https://www.sobot.com/developerdocs/service/iframe.html, also
// https://developer.zhichi.com/pages/ac114e and, in English,
// https://developer.sobot.io/en/pages/ac114e):
//
//   - The workbench appends partnerId ("对接 ID,咨询者在第三方系统的 ID": the
//     visitor's id in the company's own system, passed to Sobot when the
//     company integrated its chat page), email (the agent's login e-mail),
//     sign, timestamp ("长整型,毫秒级时间戳": milliseconds), createChatTime
//     (milliseconds), uid (the visitor's id in Sobot), cid (the
//     conversation's id), params (custom profile fields, "自定义资料字段",
//     a JSON object: the docs' URL example is
//     url?&params={"key":"value"}&partnerid=zc&uid=xxx, with partnerid in
//     lower case), groupId and groupName (the agent's skill group).
//   - sign = md5(sysNum+email) without the security key (安全密钥);
//     with it, sign = MD5(sysNum+密钥+timestamp+partnerId), "若 partnerId
//     为空,则不用加到 sign 中" (an empty partnerId is left out).
//   - "当您切换工作台左侧用户列表时,我们会更新 iFrame 的 src 属性,但 iFrame 的
//     src 属性更新不会自动刷新嵌入的对接页面,这时我们会抛出一个 postMessage,
//     您在对接页面监听一下即可,postMessage 监听 name:selected": on a switch of
//     conversation the src changes without a reload, and a message named
//     selected is posted. Neither that page nor any Sobot SDK code we could
//     find shows the message's payload, so only the src path is supported:
//     on selected, the sidebar page must read its params again from its new
//     URL (reload), and Decode verifies them as it does the first ones. A
//     payload whose shape is not documented is never read as a claim.
//
// What a sign authenticates, and so what Claims may be trusted for:
//
//   - With the security key (keyed mode), only sysNum, timestamp and
//     partnerId are signed. partnerId is the visitor id on channel "sobot",
//     vouched for within the window. email (the agent), uid, cid, the group
//     and params are not signed: anyone holding a signed URL can change
//     them. So Agent.Email is set but is not vouched for (adapter.Agent has
//     no field to say so: the registry must treat a Sobot agent as
//     unvouched, as it does Chatwoot's), and params go to Extra, never to
//     Verified, which Decode always leaves empty.
//   - A signed URL with an empty partnerId names no visitor: the visitor is
//     then uid on channel "sobot_uid" (Sobot's own user id, a namespace apart
//     from the company's ids), which the sign does not cover.
//   - Without the key (keyless mode, Options.KeyRequired false and no key),
//     md5(sysNum+email) involves no secret: sysNum is the company's
//     identifier (企业标识), not a key, and email is in the URL, so anyone
//     who learns the sysNum can compute it. Nothing is authenticated, the
//     visitor id is a bare claim (protection "low"), and no time window
//     applies since the timestamp is not signed either.
//
// A keyed sign is replayable within its window: Sobot signs no nonce.
package sobot

import (
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
)

// Channels of the visitor id Decode returns.
const (
	// Channel is partnerId's: the visitor's id in the company's system.
	Channel = "sobot"
	// ChannelUID is uid's, when partnerId is empty: the visitor's id in
	// Sobot, never signed.
	ChannelUID = "sobot_uid"
)

// Params of Sobot's iFrame docking.
const (
	ParamPartnerID      = "partnerId"
	ParamPartnerIDLower = "partnerid"
	ParamEmail          = "email"
	ParamSign           = "sign"
	ParamTimestamp      = "timestamp"
	ParamUID            = "uid"
	ParamCID            = "cid"
	ParamGroupID        = "groupId"
	ParamGroupName      = "groupName"
	ParamParams         = "params"
	// ExtraParamsPrefix names a params field in Claims.Extra: params.<name>.
	ExtraParamsPrefix = "params."
)

// DefaultWindow is how far a keyed timestamp may be from the server's clock,
// either way.
const DefaultWindow = 5 * time.Minute

// maxWindow bounds Options.Window: a longer one only widens replay.
const maxWindow = time.Hour

// maxTimestampDigits bounds timestamp (milliseconds since 1970: 13 digits
// until the year 2286).
const maxTimestampDigits = 15

// maxSysNum bounds a sysNum (Sobot's are 32 hex digits).
const maxSysNum = 64

// Options are a Sobot integration's settings.
type Options struct {
	// SysNum is the company's Sobot sysNum (企业标识), required.
	SysNum string
	// KeyRequired says the security key (安全密钥) is on in Sobot. With a
	// key given the key is always required, whatever KeyRequired says: a
	// keyless sign beside the keyed one would make the key useless.
	KeyRequired bool
	// Window is how far a keyed timestamp may be from the server's clock;
	// default DefaultWindow, at most an hour.
	Window time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// WithDefaults returns o with Window and Now at their defaults when unset.
// KeyRequired has no default of its own: a key given always requires it.
func (o Options) WithDefaults() Options {
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Sobot verifies one integration's iFrame docking URLs.
type Sobot struct {
	sysNum string
	keys   []string // current first; none in keyless mode
	window time.Duration
	now    func() time.Time
}

// New returns the Sobot decoder for an integration's security keys, current
// first. keys may be empty only with KeyRequired false (keyless mode, which
// authenticates nothing).
func New(keys []string, opts Options) (*Sobot, error) {
	opts = opts.WithDefaults()
	s := &Sobot{sysNum: opts.SysNum, window: opts.Window, now: opts.Now}
	if s.sysNum == "" {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
			"this integration has no Sobot sysNum; copy the company's sysNum (企业标识) from Sobot's console")
	}
	if len(s.sysNum) > maxSysNum || strings.IndexFunc(s.sysNum, notPrintable) >= 0 {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
			"the Sobot sysNum must be 1 to %d characters without spaces, as Sobot's console shows it", maxSysNum)
	}
	if s.window < 0 || s.window > maxWindow {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
			"the time window must be between 1 second and 1 hour (Sobot's links are checked within 5 minutes)")
	}
	list, pos := adapter.NonEmptyKeys(keys)
	for i, k := range list {
		if strings.IndexFunc(k, notPrintable) >= 0 {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
				"%s contains spaces or control characters; copy Sobot's security key (安全密钥) exactly", adapter.KeyName(pos[i]))
		}
		s.keys = append(s.keys, k)
	}
	if len(s.keys) == 0 && opts.KeyRequired {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
			"this integration requires Sobot's security key (安全密钥) but has none; copy it from Sobot, or turn the requirement off (which authenticates nothing)")
	}
	return s, nil
}

func notPrintable(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }

// Keyed reports whether signs are checked with the security key; false in
// keyless mode, where nothing is authenticated.
func (s *Sobot) Keyed() bool { return len(s.keys) > 0 }

// sobotKnown are the params Decode maps to a Claims field or drops.
var sobotKnown = map[string]bool{
	ParamPartnerID: true, ParamPartnerIDLower: true, ParamEmail: true,
	ParamSign: true, ParamTimestamp: true, ParamParams: true,
}

// Decode verifies params and turns them into Claims: Channel "sobot" with
// VisitorID partnerId (or partnerid), else "sobot_uid" with uid; Agent.Email
// email (never vouched for: see the package doc); Verified empty; Extra uid,
// cid, groupId, groupName, createChatTime and any other param, and each
// field of the params object as params.<name>.
func (s *Sobot) Decode(params map[string]string) (adapter.Claims, error) {
	if err := adapter.CheckSize(params); err != nil {
		return adapter.Claims{}, err
	}
	rawPartner, err := partnerID(params)
	if err != nil {
		return adapter.Claims{}, err
	}
	sign := params[ParamSign]
	if sign == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no sign; open the page from Sobot's agent workbench, which signs its URL")
	}
	want, err := hex.DecodeString(sign)
	if err != nil || len(want) != md5.Size {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"sign is not an MD5 digest (32 hexadecimal digits)")
	}
	custom, err := customFields(params[ParamParams])
	if err != nil {
		return adapter.Claims{}, err
	}
	if s.Keyed() {
		ts := params[ParamTimestamp]
		if ts == "" {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
				"the URL has no timestamp; with the security key on, Sobot signs the timestamp and adds it to the URL")
		}
		if !adapter.IsDigits(ts, maxTimestampDigits) {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"timestamp is not a whole number of milliseconds since 1970")
		}
		if !s.verifyKeyed(want, ts, rawPartner) {
			return adapter.Claims{}, errSignature()
		}
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			// 15 digits always parse.
			return adapter.Claims{}, apperr.Wrap(err, apperr.Invalid, adapter.CodeInvalidParam, "timestamp is out of range")
		}
		if err := s.checkTime(time.UnixMilli(ms)); err != nil {
			return adapter.Claims{}, err
		}
	} else if !matches(want, s.sysNum+params[ParamEmail]) {
		return adapter.Claims{}, errSignature()
	}

	partner := strings.TrimSpace(rawPartner)
	c := adapter.Claims{
		Channel:   Channel,
		VisitorID: partner,
		Agent:     adapter.Agent{Email: strings.TrimSpace(params[ParamEmail])},
		Verified:  map[string]string{},
		Extra:     map[string]string{},
	}
	if partner == "" {
		uid := strings.TrimSpace(params[ParamUID])
		if uid == "" {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
				"the URL has neither partnerId nor uid, so it names no visitor; pass the visitor's partnerId to Sobot where the chat page is integrated")
		}
		c.Channel, c.VisitorID = ChannelUID, uid
	}
	if err := adapter.CheckVisitorID(c.VisitorID, "the visitor id"); err != nil {
		return adapter.Claims{}, err
	}
	for k, v := range params {
		if !sobotKnown[k] && !(k == ParamUID && c.Channel == ChannelUID) {
			c.Extra[k] = v
		}
	}
	// The params object's fields win over URL params of the same name;
	// neither is signed.
	for k, v := range custom {
		c.Extra[ExtraParamsPrefix+k] = v
	}
	return c, nil
}

// partnerID reads partnerId, also spelled partnerid (the docs' URL example);
// both with different values is refused. The value is returned as received.
func partnerID(params map[string]string) (string, error) {
	a, okA := params[ParamPartnerID]
	b, okB := params[ParamPartnerIDLower]
	if okA && okB && a != b {
		return "", apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"the URL has both partnerId and partnerid with different values; Sobot sends one of them")
	}
	if !okA {
		a = b
	}
	return a, nil
}

// verifyKeyed checks want against MD5(sysNum+key+timestamp+partnerId) for
// every key, all of them tried whichever matches. partner is the value as
// received: Sobot signs what it sends. The string has no separators, so
// digits can move between the end of timestamp and the start of partnerId
// without changing it; each digit moved multiplies or divides the timestamp
// by ten, far outside the window, which is checked after the sign.
func (s *Sobot) verifyKeyed(want []byte, ts, partner string) bool {
	ok := false
	for _, k := range s.keys {
		if matches(want, s.sysNum+k+ts+partner) {
			ok = true
		}
	}
	return ok
}

func matches(want []byte, text string) bool {
	sum := md5.Sum([]byte(text))
	return subtle.ConstantTimeCompare(sum[:], want) == 1
}

// errSignature is the one answer for a sign that matches nothing: it does
// not say which part (sysNum, key, timestamp, partnerId) is wrong.
func errSignature() *apperr.Error {
	return apperr.New(apperr.Unauthorized, adapter.CodeInvalidToken,
		"the Sobot sign does not match this link; check that this integration's sysNum and security key are the ones set in Sobot, and open the page from Sobot's workbench again")
}

// checkTime refuses a timestamp outside the window, saying which side.
func (s *Sobot) checkTime(at time.Time) error {
	now := s.now()
	switch {
	case now.Sub(at) > s.window:
		return apperr.New(apperr.Unauthorized, adapter.CodeTokenExpired,
			"this Sobot link expired: it was signed at %s and is valid %s, and the server's clock reads %s; reopen the conversation in Sobot (if it keeps happening, check the clocks)",
			at.UTC().Format(time.RFC3339), s.window, now.UTC().Format(time.RFC3339))
	case at.Sub(now) > s.window:
		return apperr.New(apperr.Unauthorized, adapter.CodeTokenLifetime,
			"this Sobot link is signed %s in the future: its timestamp is %s and the server's clock reads %s; check the clock of the crmlens server",
			at.Sub(now).Round(time.Second), at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// customFields reads the params object: strings as they are, numbers as
// written, booleans as "true"/"false", arrays and objects as compact JSON,
// null fields left out. Empty means none; anything but one JSON object is
// refused.
func customFields(text string) (map[string]string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if len(text) > adapter.MaxParamValue {
		return nil, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
			"params is longer than %d characters", adapter.MaxParamValue)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	err := dec.Decode(&raw)
	if err == nil && raw == nil {
		err = errors.New("null")
	}
	if err == nil {
		if _, e := dec.Token(); !errors.Is(e, io.EOF) {
			err = errors.New("text after the object")
		}
	}
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, adapter.CodeInvalidParam,
			`params is not a JSON object; Sobot sends the custom fields as params={"name":"value",...}`)
	}
	if len(raw) > adapter.MaxParams {
		return nil, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
			"params has %d fields, at most %d", len(raw), adapter.MaxParams)
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]string, len(raw))
	for _, k := range names {
		if k == "" || len(ExtraParamsPrefix+k) > adapter.MaxParamName {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"params has a field name that is empty or longer than %d characters", adapter.MaxParamName-len(ExtraParamsPrefix))
		}
		v, ok := valueText(raw[k])
		if !ok {
			continue // null
		}
		out[k] = v
	}
	return out, nil
}

// valueText returns a JSON value as text; false for null. The value was
// decoded once already, so it is valid JSON.
func valueText(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || v[0] == 'n':
		return "", false
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case v[0] == '[' || v[0] == '{':
		var b bytes.Buffer
		if json.Compact(&b, v) != nil {
			return "", false
		}
		return b.String(), true
	default:
		return string(v), true // a number as written, true or false
	}
}
