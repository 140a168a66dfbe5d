package sharecrm

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/adapter"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// ShareCRM decodes ShareCRM's web channel identity verification: the page
// that embeds the chat plug-in puts the visitor's verification fields, a JSON
// object such as {"full_name":"Zhang San","phone":"15912345678"}, into
// customParams as uppercase hex of AES/ECB/PKCS5Padding under the key the
// admin generated in ShareCRM.
type ShareCRM struct {
	ciphers []*paramcrypt.Cipher // current key first
	fields  []string             // verification fields, sorted
}

// Options are a ShareCRM integration's settings.
type Options struct {
	// VerificationFields are the customParams fields that identify a
	// visitor, as configured in ShareCRM; each must be present and
	// non-empty. Default DefaultFields.
	VerificationFields []string
}

// DefaultFields are ShareCRM's usual verification fields: name and
// mobile phone number.
var DefaultFields = []string{"full_name", "phone"}

// shareCRMKnown are the params Decode maps to a adapter.Claims field.
var shareCRMKnown = map[string]bool{"customParams": true, "lang": true}

// New returns the ShareCRM adapter for an integration's keys, current
// first: base64 AES keys of 16, 24 or 32 bytes. Identity verification cannot
// work without a key, so none is an error.
func New(keys []string, opts Options) (*ShareCRM, error) {
	s := &ShareCRM{}
	list, pos := adapter.NonEmptyKeys(keys)
	for i, k := range list {
		c, err := paramcrypt.NewAES(k)
		if err != nil {
			return nil, adapter.ErrKey(err, "%s is unusable: a ShareCRM key is base64 of 16, 24 or 32 bytes, as ShareCRM generates it", adapter.KeyName(pos[i]))
		}
		s.ciphers = append(s.ciphers, c)
	}
	if len(s.ciphers) == 0 {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
			"this integration has no key set; copy the identity verification key generated in ShareCRM")
	}
	fields := opts.VerificationFields
	if len(fields) == 0 {
		fields = DefaultFields
	}
	seen := map[string]bool{}
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if !adapter.ValidFieldName(f) {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption,
				"a verification field name must be 1 to %d characters without spaces or '='", adapter.MaxParamName)
		}
		if !seen[f] {
			seen[f] = true
			s.fields = append(s.fields, f)
		}
	}
	if len(s.fields) > adapter.MaxVerifiedFields {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidOption, "at most %d verification fields", adapter.MaxVerifiedFields)
	}
	sort.Strings(s.fields)
	return s, nil
}

// VerificationFields returns the fields that identify a visitor, sorted.
func (s *ShareCRM) VerificationFields() []string {
	return append([]string(nil), s.fields...)
}

// Decode turns the params of a ShareCRM-verified page into adapter.Claims. Verified
// holds every decoded string, number (its JSON text exactly, 15800001111
// and not 1.58e10) and boolean ("true", "false") field, trimmed, empty and
// null ones left out: Java pages serialize with Jackson, which writes unset
// fields as null. Arrays and objects go to Extra as compact JSON and are
// never matched on. A leading UTF-8 byte order mark is skipped. VisitorID is
// VisitorID of the verification fields. Params other than
// customParams and lang are not verified and go to Extra.
//
// Only a plaintext that is not a JSON object (bad padding, not UTF-8, not
// JSON, an array...) gets the one adapter.ErrDecrypt answer; an object that lacks a
// verification field is named (missing_claim), never called a key error.
func (s *ShareCRM) Decode(params map[string]string) (adapter.Claims, error) {
	if err := adapter.CheckSize(params); err != nil {
		return adapter.Claims{}, err
	}
	text := strings.TrimSpace(params["customParams"])
	if text == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no customParams; with identity verification on, the page embedding the ShareCRM plug-in must pass the encrypted visitor fields in customParams")
	}
	if err := checkAESHex(text); err != nil {
		return adapter.Claims{}, err
	}
	var fields *customFields
	for _, c := range s.ciphers {
		plain, err := c.Decrypt(text)
		if err != nil {
			if !errors.Is(err, paramcrypt.ErrDecrypt) {
				// Structure was checked above; keep this answer uniform anyway.
				return adapter.Claims{}, apperr.Wrap(err, apperr.Invalid, adapter.CodeInvalidParam, "customParams is not an AES ciphertext")
			}
			continue
		}
		if f, ok := parseFields(plain); ok {
			fields = f
			break
		}
	}
	if fields == nil {
		return adapter.Claims{}, adapter.ErrDecrypt()
	}
	// From here on customParams decrypted to a JSON object: the key is
	// right, and every answer names what is wrong with the object.
	if n := len(fields.scalars) + len(fields.nested); n > adapter.MaxVerifiedFields {
		return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
			"customParams has %d fields, at most %d", n, adapter.MaxVerifiedFields)
	}
	verified := make(map[string]string, len(fields.scalars))
	for _, name := range sortedKeys(fields.scalars) {
		if len(name) > adapter.MaxParamName {
			return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
				"customParams has a field name longer than %d characters", adapter.MaxParamName)
		}
		v := strings.TrimSpace(fields.scalars[name])
		if utf8.RuneCountInString(v) > adapter.MaxVerifiedValue {
			return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
				"customParams field %s is longer than %d characters", name, adapter.MaxVerifiedValue)
		}
		if name != "" && v != "" {
			verified[name] = v
		}
	}
	for _, name := range sortedKeys(fields.nested) {
		if len(name) > adapter.MaxParamName {
			return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge,
				"customParams has a field name longer than %d characters", adapter.MaxParamName)
		}
	}
	for _, f := range s.fields {
		if _, ok := fields.nested[f]; ok {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidClaim,
				"customParams field %s is an array or object; a verification field must be a string, number or boolean", f)
		}
		if adapter.NormalizeClaim(f, verified[f]) == "" {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingClaim,
				"customParams has no %s; this integration verifies visitors by %s, so the page must pass each of them",
				f, strings.Join(s.fields, ", "))
		}
	}
	c := adapter.Claims{
		Channel:     "sharecrm",
		VisitorID:   adapter.VerifiedVisitorID(verified, s.fields),
		Verified:    verified,
		DisplayName: adapter.NormalizeClaim("full_name", verified["full_name"]),
		Lang:        adapter.NormalizeLang(params["lang"]),
		Extra:       map[string]string{},
	}
	for k, v := range params {
		if !shareCRMKnown[k] {
			c.Extra[k] = v
		}
	}
	// Arrays and objects inside customParams are kept for the session as
	// compact JSON, never matched on; they come from the encrypted
	// object, so they win over a URL param of the same name.
	for k, v := range fields.nested {
		if k != "" {
			c.Extra[k] = v
		}
	}
	return c, nil
}

// checkAESHex refuses customParams that cannot be an AES ciphertext, naming
// the fault: it needs no key to see.
func checkAESHex(text string) error {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"customParams is not valid hex; ShareCRM sends the AES ciphertext as hexadecimal digits")
		}
	}
	if len(text)%2 != 0 {
		return apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"customParams is not valid hex: it has an odd number of digits")
	}
	if len(text)%32 != 0 {
		return apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
			"customParams is not a whole number of 16-byte AES blocks; it may have been cut short")
	}
	return nil
}

// customFields is a decrypted customParams object: strings, numbers (their
// JSON text exactly) and booleans ("true", "false") in scalars; arrays and
// objects as compact JSON text in nested. Null fields are absent, as Jackson
// writes every unset field of a Java object as null.
type customFields struct {
	scalars map[string]string
	nested  map[string]string
}

// utf8BOM is what some Java and .NET writers put before the JSON text.
const utf8BOM = "\ufeff"

// parseFields reads a decrypted customParams: UTF-8 (a leading byte order
// mark is skipped), one JSON object. Anything else is not ok, and the caller
// gives the one decryption answer.
func parseFields(plain string) (*customFields, bool) {
	if !utf8.ValidString(plain) {
		return nil, false
	}
	plain = strings.TrimPrefix(plain, utf8BOM)
	dec := json.NewDecoder(strings.NewReader(plain))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	out := &customFields{scalars: make(map[string]string, len(raw)), nested: map[string]string{}}
	for k, v := range raw {
		text, kind := jsonValueText(v)
		switch kind {
		case jsonScalar:
			out.scalars[k] = text
		case jsonNested:
			out.nested[k] = text
		case jsonNull:
		default:
			return nil, false
		}
	}
	return out, true
}

type jsonKind int

const (
	jsonInvalid jsonKind = iota
	jsonNull
	jsonScalar
	jsonNested
)

// jsonValueText returns a JSON value as text: a string's value, a number's
// text as written, "true" or "false"; an array or object compacted.
func jsonValueText(v json.RawMessage) (string, jsonKind) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", jsonInvalid
	}
	switch c := v[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", jsonInvalid
		}
		return s, jsonScalar
	case c == '-' || '0' <= c && c <= '9':
		var n json.Number
		if json.Unmarshal(v, &n) != nil {
			return "", jsonInvalid
		}
		return n.String(), jsonScalar
	case c == 't' || c == 'f':
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return "", jsonInvalid
		}
		return strconv.FormatBool(b), jsonScalar
	case c == 'n':
		return "", jsonNull
	case c == '[' || c == '{':
		var buf bytes.Buffer
		if json.Compact(&buf, v) != nil {
			return "", jsonInvalid
		}
		return buf.String(), jsonNested
	default:
		return "", jsonInvalid
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
