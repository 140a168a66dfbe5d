package adapter

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// Easemob decodes the params Easemob Kefu appends to its "custom information"
// (自定义信息接口) URL. With a key set, Easemob DES-encrypts every param
// except the system params easemobId and visitorImId.
type Easemob struct {
	cipher *paramcrypt.Cipher // nil when the integration has no key
}

// easemobSystemParams are never encrypted by Easemob's default settings.
var easemobSystemParams = map[string]bool{"easemobId": true, "visitorImId": true}

// EasemobPlainAllowed lists the params accepted in clear although a key is
// set: harmless ones the workbench may add itself. Identity and agent params
// never are.
var EasemobPlainAllowed = map[string]func(string) bool{
	"lang": func(v string) bool { return v == "zh" || v == "en" || v == "zh-CN" || v == "en-US" },
}

// NewEasemob returns the Easemob adapter for an integration's key ("" for
// none). A key must be longer than 8 characters, as Easemob requires.
func NewEasemob(key string) (*Easemob, error) {
	if key == "" {
		return &Easemob{}, nil
	}
	c, err := paramcrypt.NewDES(key)
	if err != nil {
		return nil, err
	}
	return &Easemob{cipher: c}, nil
}

// Decode turns Easemob's query params into Claims.
func (e *Easemob) Decode(params map[string]string) (Claims, error) {
	if err := checkSize(params); err != nil {
		return Claims{}, err
	}
	plain := make(map[string]string, len(params))
	// Decode structural faults first, naming the param: these need no key.
	// Failures after decryption are collected and answered identically.
	decryptFailed := false
	for name, v := range params {
		if e.cipher == nil || easemobSystemParams[name] {
			plain[name] = v
			continue
		}
		if ok := EasemobPlainAllowed[name]; ok != nil && ok(v) {
			plain[name] = v
			continue
		}
		out, err := e.cipher.Decrypt(v)
		switch {
		case errors.Is(err, paramcrypt.ErrDecrypt):
			decryptFailed = true
		case errors.Is(err, paramcrypt.ErrTooLong):
			return Claims{}, apperr.New(apperr.TooLarge, CodeTooLarge, "parameter %s is too long", name)
		case err != nil:
			return Claims{}, apperr.New(apperr.Invalid, CodeInvalidParam,
				"parameter %s is not an Easemob ciphertext (%v); with a key set, Easemob sends every parameter except easemobId and visitorImId DES-encrypted as hex", name, err)
		case !utf8.ValidString(out):
			decryptFailed = true
		default:
			plain[name] = out
		}
	}
	if decryptFailed {
		return Claims{}, errDecrypt()
	}
	visitor := strings.TrimSpace(plain["visitorImId"])
	if visitor == "" {
		return Claims{}, apperr.New(apperr.Invalid, CodeMissingParam,
			"the URL has no visitorImId; Easemob adds it when it opens the page beside a conversation, so open the page from the agent workbench")
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
	if to := plain["to"]; to != "" {
		// WeChat: visitorImId is an openid, scoped by the official account.
		c.Channel = "wechat"
		c.Scope = to
	}
	for k, v := range plain {
		switch k {
		case "easemobId", "visitorImId", "to", "tenantId", "agentId", "email", "agentName", "userId", "lang":
		default:
			c.Extra[k] = v
		}
	}
	return c, nil
}

func normalizeLang(v string) string {
	v = strings.ToLower(v)
	switch {
	case strings.HasPrefix(v, "zh"):
		return "zh"
	case strings.HasPrefix(v, "en"):
		return "en"
	default:
		return ""
	}
}
