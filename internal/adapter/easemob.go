package adapter

import (
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Easemob decodes the params Easemob Kefu appends to its "custom information"
// (自定义信息接口) URL. With a key set, Easemob DES-encrypts every param
// except the system params easemobId and visitorImId, and those too when the
// platform's option to encrypt them is on.
type Easemob struct {
	ciphers []*paramcrypt.Cipher // current key first; none when the integration has no key
	opts    EasemobOptions
}

// EasemobOptions are an Easemob integration's hardening settings. Both need a
// key: without one every param arrives in clear and neither protects anything.
type EasemobOptions struct {
	// EncryptedSystemParams requires easemobId and visitorImId to arrive
	// encrypted, as they do when Easemob's option "also encrypt easemobId and
	// visitorImId" is on. A leaked URL then no longer lets anyone swap the
	// visitor id.
	EncryptedSystemParams bool
	// TenantID, when set, pins the Easemob tenant: the decrypted tenantId
	// must equal it.
	TenantID string
}

// easemobSystemParams are never encrypted by Easemob's default settings.
var easemobSystemParams = map[string]bool{"easemobId": true, "visitorImId": true}

// EasemobPlainAllowed lists the params accepted in clear although a key is
// set: harmless ones the workbench may add itself. Identity and agent params
// never are.
var EasemobPlainAllowed = map[string]func(string) bool{
	"lang": func(v string) bool { return v == "zh" || v == "en" || v == "zh-CN" || v == "en-US" },
}

// easemobKnown are the params Decode maps to a Claims field; every other one
// goes to Extra.
var easemobKnown = map[string]bool{
	"easemobId": true, "visitorImId": true, "to": true, "tenantId": true,
	"agentId": true, "email": true, "agentName": true, "userId": true, "lang": true,
}

// NewEasemob returns the Easemob adapter for an integration's keys, current
// first (none, or only empty ones, for an integration that takes params in
// clear). Each key must be longer than 8 characters, as Easemob requires.
func NewEasemob(keys []string, opts EasemobOptions) (*Easemob, error) {
	e := &Easemob{opts: opts}
	e.opts.TenantID = strings.TrimSpace(opts.TenantID)
	list, pos := nonEmptyKeys(keys)
	for i, k := range list {
		c, err := paramcrypt.NewDES(k)
		if err != nil {
			return nil, errKey(err, "%s is unusable: an Easemob key must be longer than 8 characters", keyName(pos[i]))
		}
		e.ciphers = append(e.ciphers, c)
	}
	if len(e.ciphers) == 0 {
		if e.opts.EncryptedSystemParams {
			return nil, apperr.New(apperr.Invalid, CodeInvalidOption,
				"requiring encrypted easemobId and visitorImId needs a key; set the key configured in Easemob")
		}
		if e.opts.TenantID != "" {
			return nil, apperr.New(apperr.Invalid, CodeInvalidOption,
				"pinning the tenant needs a key: without one tenantId arrives in clear and proves nothing")
		}
	}
	return e, nil
}

// Decode turns Easemob's query params into Claims.
func (e *Easemob) Decode(params map[string]string) (Claims, error) {
	if err := checkSize(params); err != nil {
		return Claims{}, err
	}
	plain := make(map[string]string, len(params))
	var sealed []string // params to decrypt, sorted so errors name them deterministically
	for name, v := range params {
		switch {
		case len(e.ciphers) == 0:
			plain[name] = v
		case easemobSystemParams[name]:
			if e.opts.EncryptedSystemParams {
				sealed = append(sealed, name)
			} else {
				plain[name] = v
			}
		case EasemobPlainAllowed[name] != nil && EasemobPlainAllowed[name](v):
			plain[name] = v
		default:
			sealed = append(sealed, name)
		}
	}
	sort.Strings(sealed)
	opened, err := e.open(params, sealed)
	if err != nil {
		return Claims{}, err
	}
	for k, v := range opened {
		plain[k] = v
	}

	if pin := e.opts.TenantID; pin != "" && strings.TrimSpace(plain["tenantId"]) != pin {
		return Claims{}, apperr.New(apperr.Forbidden, CodeTenantMismatch,
			"the Easemob tenant of this request is not the one this integration is pinned to; check the integration's URL and tenant setting")
	}
	visitor := strings.TrimSpace(plain["visitorImId"])
	if visitor == "" {
		return Claims{}, apperr.New(apperr.Invalid, CodeMissingParam,
			"the URL has no visitorImId; Easemob adds it when it opens the page beside a conversation, so open the page from the agent workbench")
	}
	if err := checkVisitorID(visitor, "visitorImId"); err != nil {
		return Claims{}, err
	}
	c := Claims{
		Channel:   "easemob",
		VisitorID: visitor,
		TenantID:  plain["tenantId"],
		Agent: Agent{
			ID:     plain["agentId"],
			Email:  plain["email"],
			Name:   plain["agentName"],
			UserID: plain["userId"],
		},
		Lang:  normalizeLang(plain["lang"]),
		Extra: map[string]string{},
	}
	if to := strings.TrimSpace(plain["to"]); to != "" {
		// WeChat: visitorImId is an openid, scoped by the official account
		// (its original id, gh_...). The caller stores channel "wechat".
		c.Channel = "wechat"
		c.Scope = to
	}
	if n := NormalizeClaim("name", plain["trueName"]); n != "" {
		c.DisplayName = n
	} else {
		c.DisplayName = NormalizeClaim("name", plain["nickname"])
	}
	for k, v := range plain {
		if !easemobKnown[k] {
			c.Extra[k] = v
		}
	}
	return c, nil
}

// open decrypts the sealed params with the first key that opens all of them
// (Easemob encrypts one request with one key). Structural faults need no key
// and name the param; every failure after decryption gives one answer per
// kind of param, whatever the padding or plaintext was.
func (e *Easemob) open(params map[string]string, sealed []string) (map[string]string, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	openedByAny := make(map[string]bool, len(sealed))
	for _, c := range e.ciphers {
		out := make(map[string]string, len(sealed))
		for _, name := range sealed {
			v, err := c.Decrypt(params[name])
			switch {
			case errors.Is(err, paramcrypt.ErrDecrypt):
			case err != nil:
				return nil, e.structural(name, err)
			case utf8.ValidString(v):
				out[name] = v
				openedByAny[name] = true
			}
		}
		if len(out) == len(sealed) {
			return out, nil
		}
	}
	for _, name := range sealed {
		if easemobSystemParams[name] && !openedByAny[name] {
			return nil, errPlainSystemParam(name)
		}
	}
	return nil, errDecrypt()
}

func (e *Easemob) structural(name string, err error) error {
	switch {
	case easemobSystemParams[name]:
		return errPlainSystemParam(name)
	case errors.Is(err, paramcrypt.ErrTooLong):
		return apperr.New(apperr.TooLarge, CodeTooLarge, "parameter %s is too long", name)
	default:
		return apperr.New(apperr.Invalid, CodeInvalidParam,
			"parameter %s is not an Easemob ciphertext (%v); with a key set, Easemob sends every parameter except easemobId and visitorImId DES-encrypted as hex", name, err)
	}
}

// errPlainSystemParam is the one answer for a system param that does not
// open, whether it is plain text or a ciphertext that does not decrypt.
func errPlainSystemParam(name string) *apperr.Error {
	return apperr.New(apperr.Unprocessable, CodePlainSystemParam,
		"parameter %s is not encrypted with this integration's key, but this integration requires Easemob's option that encrypts easemobId and visitorImId too; turn that option on in Easemob, or turn the requirement off in crmlens", name)
}

func normalizeLang(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case strings.HasPrefix(v, "zh"):
		return "zh"
	case strings.HasPrefix(v, "en"):
		return "en"
	default:
		return ""
	}
}
