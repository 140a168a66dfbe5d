// Package adapter turns what a customer-service platform appends to the
// sidebar URL into one normalized Claims: the channel and the visitor's id on
// it, the agent, identity claims, the UI language and any extra params. It
// holds what every platform shares (Claims, the error codes, the limits,
// the checks) and the Platform interface (platform.go); each platform is
// one package: easemob (DES params), sharecrm (AES identity verification),
// chatwoot (dashboard app context), signed (HS256 JWT), udesk (MD5-signed
// assist-component URLs), sobot (MD5-signed iFrame URLs), registered in
// internal/platforms.
//
// Adapters only decode and verify; they never touch the database, so a
// request they refuse cannot have written anything. A signed token's single
// use is enforced by the caller (internal/replay) with Claims.TokenID.
//
// Key rotation: every constructor takes the integration's keys, current
// first. Decoding tries each in order and fails only when none works, with
// the same answer as a single wrong key.
//
// Every error Decode returns is an *apperr.Error with one of the Code
// constants below; messages never contain keys, tokens, ciphertexts, phones
// or emails. Every failure found after decryption is the one ErrDecrypt
// answer, so that no caller can be used as a padding oracle.
package adapter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Limits on what a platform may send, checked before any decryption.
const (
	MaxParams     = 64
	MaxParamName  = 64
	MaxParamValue = 4096
	// MaxVisitorID bounds a visitor id (visitors.external_id is 191 characters).
	MaxVisitorID = 191
	// MaxVerifiedFields and MaxVerifiedValue bound identity claims (a
	// ShareCRM customParams object, a signed token's name/email/phone).
	MaxVerifiedFields = 32
	MaxVerifiedValue  = 256
)

// Agent is who is looking, as far as the platform says.
type Agent struct {
	ID     string // Easemob agentId, Chatwoot currentAgent.id, a signed token's agent.id
	Email  string
	Name   string
	UserID string // Easemob userId (system customer id)
}

// Label names the agent for audit lines: the id, else the email, else the name.
func (a Agent) Label() string {
	switch {
	case a.ID != "":
		return a.ID
	case a.Email != "":
		return a.Email
	default:
		return a.Name
	}
}

// Claims is the normalized context every adapter produces.
type Claims struct {
	// Channel is where the visitor writes from: easemob (app/web IM), wechat...
	Channel string
	// VisitorID is the visitor's id on Channel.
	VisitorID string
	// Scope qualifies VisitorID where the platform scopes it (the WeChat
	// official account's original id for an openid); empty otherwise.
	Scope    string
	TenantID string
	Agent    Agent
	// Lang is "zh" or "en" when the platform said so, else empty.
	Lang string
	// Extra holds every other param, decrypted: nickname, trueName, and what
	// the app pushed with updateVisitorInfoSrc.
	Extra map[string]string
	// Verified holds identity claims the platform vouches for (ShareCRM's
	// customParams, a signed token's claims): field name to value, e.g.
	// full_name, phone, email. Chatwoot's contact fields land here too, but
	// Chatwoot signs nothing: they are as trustworthy as its secret URL.
	// Empty for platforms that only pass an id (Easemob).
	Verified map[string]string
	// DisplayName is how the platform names the visitor, if it does.
	DisplayName string
	// TokenID and TokenExpiry identify a single-use credential (a signed
	// token's jti and exp); the caller must refuse a TokenID seen before.
	TokenID     string
	TokenExpiry time.Time
	// Chatwoot carries what a Chatwoot dashboard app context names, for the
	// server to check against Chatwoot's API when it can.
	Chatwoot *ChatwootRef
	// VisitorIDDecrypted says VisitorID was decrypted from a param the
	// integration accepts in clear (Easemob's visitorImId when its option
	// "同时加密系统自带参数" is on in Easemob but not required in crmlens).
	VisitorIDDecrypted bool
	// VisitorIDAlternatives are other readings of the same visitor param,
	// best first: for Easemob, the value as received when it is plain text
	// that also decrypts cleanly (VisitorID is then the decrypted reading).
	// The caller takes the first reading (VisitorID, then these) that a
	// known channel identity or visitor has, else VisitorID.
	VisitorIDAlternatives []string
	// Dropped lists the params the adapter ignored and why (a Drop* reason:
	// empty, not encrypted although a key is set, not decryptable, a value
	// it does not know). A dropped param never fills any other field.
	Dropped []DroppedParam
}

// Reasons a param is dropped (DroppedParam.Reason): the simulator words
// each in the admin's language.
const (
	// DropEmpty: the param arrived empty (or encrypted empty).
	DropEmpty = "empty"
	// DropNotEncrypted: a key is set but the param is not a ciphertext (not
	// hex or base64 of whole blocks), or is plain where plain is not trusted.
	DropNotEncrypted = "not_encrypted"
	// DropNotDecryptable: the param looks like a ciphertext but does not
	// decrypt to text with any of the integration's keys. Bad padding and a
	// plaintext that is not UTF-8 are this one reason alike.
	DropNotDecryptable = "not_decryptable"
	// DropUnknown: the param is one crmlens reads but its value is not one it
	// knows (a language other than zh or en: the page then uses the
	// browser's).
	DropUnknown = "unknown"
)

// DroppedParam is a param an adapter ignored, and why (a Drop* reason).
type DroppedParam struct {
	Name   string
	Reason string
}

// How a param was read (EasemobParam.How).
const (
	ReadPlain     = "plain"
	ReadDecrypted = "decrypted"
	ReadDropped   = "dropped"
)

// ChatwootRef names a Chatwoot conversation and contact.
type ChatwootRef struct {
	AccountID      string
	ConversationID string
	ContactID      string
}

// Error codes adapters return.
const (
	// CodeMissingParam: a required param is absent or empty.
	CodeMissingParam = "missing_param"
	// CodeInvalidParam: a param is malformed (not hex, not a whole number of
	// blocks, not numeric...); the fault is visible without any key.
	CodeInvalidParam = "invalid_param"
	// CodeDecryptFailed: the one answer for every failure after decryption.
	CodeDecryptFailed = "decrypt_failed"
	// CodeTooLarge: too many params or fields, or one too long.
	CodeTooLarge = "params_too_large"
	// CodePlainSystemParam: Easemob's easemobId or visitorImId arrived in
	// clear although the integration requires them encrypted.
	CodePlainSystemParam = "plain_system_param"
	// CodeTenantMismatch: Easemob's tenantId is missing or is not the
	// tenant the integration is pinned to.
	CodeTenantMismatch = "tenant_mismatch"
	// CodeMissingClaim: decrypted or signed data lacks a required field
	// (a ShareCRM verification field, a token's sub or jti).
	CodeMissingClaim = "missing_claim"
	// CodeInvalidClaim: a signed token's claim has the wrong type or shape.
	CodeInvalidClaim = "invalid_claim"
	// CodeInvalidToken: the one answer for a token that is malformed, not
	// HS256 or not signed with the integration's secret.
	CodeInvalidToken = "invalid_token"
	// CodeTokenExpired: a signed token's exp has passed.
	CodeTokenExpired = "token_expired"
	// CodeTokenLifetime: a signed token has no exp, an exp too far ahead, or
	// an iat/nbf in the future.
	CodeTokenLifetime = "token_lifetime"
	// CodeInvalidKey: a constructor was given an unusable key or none.
	CodeInvalidKey = "invalid_key"
	// CodeInvalidOption: a constructor was given contradictory or malformed
	// options.
	CodeInvalidOption = "invalid_option"
	// CodeSplicedParam: an Easemob identity, agent or tenant param is made
	// of DES/ECB blocks copied from other params of the same request (a
	// cut-and-paste); decided on the ciphertexts alone, whatever they
	// decrypt to.
	CodeSplicedParam = "spliced_param"
)

// ErrDecrypt is the one answer for every failure found after decryption, so
// that no caller can tell bad padding from a plaintext that does not parse.
func ErrDecrypt() *apperr.Error {
	return apperr.New(apperr.Invalid, CodeDecryptFailed,
		"the parameters could not be decrypted with this integration's key; check that the key set in the platform matches crmlens")
}

// CheckSize refuses oversized params before any work is done on them.
func CheckSize(params map[string]string) error {
	if len(params) > MaxParams {
		return apperr.New(apperr.TooLarge, CodeTooLarge, "too many parameters (%d, at most %d)", len(params), MaxParams)
	}
	for k, v := range params {
		if len(k) > MaxParamName {
			return apperr.New(apperr.TooLarge, CodeTooLarge, "a parameter name is longer than %d characters", MaxParamName)
		}
		if len(v) > MaxParamValue {
			return apperr.New(apperr.TooLarge, CodeTooLarge, "parameter %s is longer than %d characters", k, MaxParamValue)
		}
	}
	return nil
}

// NonEmptyKeys returns keys without the empty ones, each with its position in
// keys for naming it in an error.
func NonEmptyKeys(keys []string) (out []string, pos []int) {
	for i, k := range keys {
		if k != "" {
			out = append(out, k)
			pos = append(pos, i)
		}
	}
	return out, pos
}

// KeyName names keys[i] in messages without showing it.
func KeyName(i int) string {
	switch i {
	case 0:
		return "the current key"
	case 1:
		return "the previous key"
	default:
		return fmt.Sprintf("key number %d", i+1)
	}
}

// ErrKey is a constructor's answer for an unusable key.
func ErrKey(err error, format string, args ...any) *apperr.Error {
	return apperr.Wrap(err, apperr.Invalid, CodeInvalidKey, format, args...)
}

// NormalizeClaim returns the form of an identity claim used to compare it:
// trimmed with inner runs of white space collapsed to one space; "phone"
// keeps digits only (ASCII or full-width) and a leading '+'; "email" is
// lowercased. The result never contains a line break.
func NormalizeClaim(field, value string) string {
	switch field {
	case "phone":
		return normalizePhone(value)
	case "email":
		return strings.ToLower(strings.Join(strings.Fields(value), " "))
	default:
		return strings.Join(strings.Fields(value), " ")
	}
}

func normalizePhone(v string) string {
	v = strings.TrimSpace(v)
	var b strings.Builder
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case i == 0 && (r == '+' || r == '＋'):
			b.WriteByte('+')
		}
	}
	if out := b.String(); out != "+" {
		return out
	}
	return ""
}

// IsDigits reports whether s is 1 to max ASCII digits.
func IsDigits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckVisitorID refuses a visitor id longer than the visitors table holds.
func CheckVisitorID(id, param string) error {
	if utf8.RuneCountInString(id) > MaxVisitorID {
		return apperr.New(apperr.TooLarge, CodeTooLarge, "%s is longer than %d characters", param, MaxVisitorID)
	}
	return nil
}

// ValidFieldName reports whether name can be a claim field: 1 to
// MaxParamName printable characters without white space or '='.
func ValidFieldName(name string) bool {
	if name == "" || len(name) > MaxParamName || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r == '=' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// NormalizeLang returns "zh" or "en" for a language tag naming one of them
// in any case ("zh", "ZH", "zh-CN", "zh_Hans", "EN", "en-US"), else ""
// ("ja", "fr", "english"): the front end then uses the browser's language.
func NormalizeLang(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	primary, _, _ := strings.Cut(strings.ReplaceAll(v, "_", "-"), "-")
	switch primary {
	case "zh", "en":
		return primary
	default:
		return ""
	}
}

// Truncate keeps s to n bytes for an error message, marking the cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// VerifiedVisitorID is the stable visitor id of a verified person: the
// lowercase hex SHA-256 of the canonical form of the verification fields
// (sorted by name, one "name=value" line each, values as NormalizeClaim
// returns them). The same person verified twice gets the same id; a changed
// phone makes another visitor.
func VerifiedVisitorID(verified map[string]string, fields []string) string {
	names := append([]string(nil), fields...)
	sort.Strings(names)
	var b strings.Builder
	for i, f := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f)
		b.WriteByte('=')
		b.WriteString(NormalizeClaim(f, verified[f]))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
