package signed

import (
	"encoding/json"
	"github.com/crmlens/crmlens/internal/adapter"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Signed decodes the token of a platform or in-house app that can sign: the
// param token is a JWT, HS256 with the integration's secret, naming the
// visitor, channel and agent. It is the strongest adapter: the token expires
// within minutes and its jti may be used once (the caller enforces that with
// adapter.Claims.TokenID and internal/replay).
//
// adapter.Claims read from the token:
//
//	sub      the visitor's id (required)
//	jti      a unique id for this token (required, at most 128 characters)
//	exp      expiry (required, at most MaxLifetime ahead)
//	iat, nbf optional, not in the future
//	channel  the visitor's channel (default "signed")
//	name, email, phone  identity claims (Verified, normalized)
//	agent    {"id", "email", "name"}
//	lang     "zh" or "en"
//	params   an object of strings, to Extra
type Signed struct {
	keys jwt.VerificationKeySet // current secret first
	now  func() time.Time
}

// Limits of signed tokens.
const (
	// MaxLifetime is how far ahead a token's exp may be.
	MaxLifetime = 5 * time.Minute
	// Leeway absorbs clock differences with the signing server.
	Leeway = 5 * time.Second
	// MinSecret is the shortest HS256 secret accepted, in bytes.
	MinSecret = 32
	// MaxTokenID bounds jti (used_tokens.jti holds 128 characters).
	MaxTokenID = 128
	// maxChannel bounds a channel name (visitors.channel holds 32).
	maxChannel = 32
)

// DefaultChannel is the channel of a token that names none.
const DefaultChannel = "signed"

// New returns the signed adapter for an integration's secrets, current
// first, each at least MinSecret bytes; now is the clock (nil:
// time.Now).
func New(secrets []string, now func() time.Time) (*Signed, error) {
	list, pos := adapter.NonEmptyKeys(secrets)
	s := &Signed{now: now}
	if s.now == nil {
		s.now = time.Now
	}
	for i, k := range list {
		if len(k) < MinSecret {
			return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
				"%s is shorter than %d bytes; use a random secret of at least %d bytes", adapter.KeyName(pos[i]), MinSecret, MinSecret)
		}
		s.keys.Keys = append(s.keys.Keys, []byte(k))
	}
	if len(s.keys.Keys) == 0 {
		return nil, apperr.New(apperr.Invalid, adapter.CodeInvalidKey,
			"this integration has no secret set; signed links need the secret the platform signs them with")
	}
	return s, nil
}

// Decode verifies the token param and turns its claims into adapter.Claims,
// with TokenID and TokenExpiry set: the caller must refuse a TokenID seen
// before. The steps: the signature (verify), the lifetime (lifetime), the
// visitor and the token's id (identity), then what the token says of the
// visitor, the agent and the page (identityClaims, agentClaim,
// paramsClaim).
func (s *Signed) Decode(params map[string]string) (adapter.Claims, error) {
	if err := adapter.CheckSize(params); err != nil {
		return adapter.Claims{}, err
	}
	mc, err := s.verify(params["token"])
	if err != nil {
		return adapter.Claims{}, err
	}
	exp, err := s.lifetime(mc)
	if err != nil {
		return adapter.Claims{}, err
	}
	c, err := identity(mc)
	if err != nil {
		return adapter.Claims{}, err
	}
	c.TokenExpiry = exp
	for _, step := range []func(jwt.MapClaims, *adapter.Claims) error{identityClaims, agentClaim, paramsClaim} {
		if err := step(mc, &c); err != nil {
			return adapter.Claims{}, err
		}
	}
	return c, nil
}

// verify checks that token is an HS256 JWT signed with one of the
// integration's secrets and returns its claims, not yet checked: the one
// invalid_token answer for every other token.
func (s *Signed) verify(token string) (jwt.MapClaims, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the URL has no token; the platform must append a JWT signed with this integration's secret as token")
	}
	mc := jwt.MapClaims{}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithJSONNumber(),
		// Claims are checked after the signature, with our own errors.
		jwt.WithoutClaimsValidation(),
	)
	if _, err := parser.ParseWithClaims(token, mc, func(*jwt.Token) (any, error) { return s.keys, nil }); err != nil {
		return nil, apperr.Wrap(err, apperr.Unauthorized, adapter.CodeInvalidToken,
			"the token is not a valid HS256 JWT signed with this integration's secret; check the secret the platform signs with")
	}
	return mc, nil
}

// lifetime checks exp (required, not passed, at most MaxLifetime ahead)
// and iat and nbf (not in the future), each within Leeway, and returns exp.
func (s *Signed) lifetime(mc jwt.MapClaims) (time.Time, error) {
	now := s.now()
	exp, ok, err := numericDate(mc, "exp")
	switch {
	case err != nil:
		return exp, err
	case !ok:
		return exp, apperr.New(apperr.Unauthorized, adapter.CodeTokenLifetime,
			"the token has no exp; a signed link must expire at most 5 minutes ahead")
	case !now.Before(exp.Add(Leeway)):
		return exp, apperr.New(apperr.Unauthorized, adapter.CodeTokenExpired,
			"this signed link has expired; ask the platform for a new one")
	case exp.After(now.Add(MaxLifetime + Leeway)):
		return exp, apperr.New(apperr.Unauthorized, adapter.CodeTokenLifetime,
			"exp must be at most 5 minutes ahead; sign each link just before it is opened")
	}
	for _, name := range []string{"iat", "nbf"} {
		t, ok, err := numericDate(mc, name)
		if err != nil {
			return exp, err
		}
		if ok && t.After(now.Add(Leeway)) {
			return exp, apperr.New(apperr.Unauthorized, adapter.CodeTokenLifetime,
				"the token's %s is in the future; check the clock of the server that signs the links", name)
		}
	}
	return exp, nil
}

// identity reads jti (the token's single-use id), sub (the visitor),
// channel and lang.
func identity(mc jwt.MapClaims) (adapter.Claims, error) {
	jti, err := stringClaim(mc, "jti")
	if err != nil {
		return adapter.Claims{}, err
	}
	if jti == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingClaim,
			"the token has no jti; give each signed link a unique id so that it can be used once")
	}
	if utf8.RuneCountInString(jti) > MaxTokenID {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's jti is longer than %d characters", MaxTokenID)
	}
	sub, err := stringClaim(mc, "sub")
	if err != nil {
		return adapter.Claims{}, err
	}
	sub = strings.TrimSpace(sub)
	if sub == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingClaim, "the token has no sub; sub names the visitor")
	}
	if err := adapter.CheckVisitorID(sub, "the token's sub"); err != nil {
		return adapter.Claims{}, err
	}
	channel, err := stringClaim(mc, "channel")
	if err != nil {
		return adapter.Claims{}, err
	}
	if channel == "" {
		channel = DefaultChannel
	} else if !validChannel(channel) {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidClaim,
			"the token's channel must be 1 to %d lowercase letters, digits, '.', '_' or '-'", maxChannel)
	}
	lang, err := stringClaim(mc, "lang")
	if err != nil {
		return adapter.Claims{}, err
	}
	return adapter.Claims{Channel: channel, VisitorID: sub, Lang: adapter.NormalizeLang(lang),
		Verified: map[string]string{}, Extra: map[string]string{}, TokenID: jti}, nil
}

// identityClaims reads name, email and phone into c.Verified, normalized.
func identityClaims(mc jwt.MapClaims, c *adapter.Claims) error {
	for _, field := range []string{"name", "email", "phone"} {
		v, err := stringClaim(mc, field)
		if err != nil {
			return err
		}
		v = adapter.NormalizeClaim(field, v)
		if utf8.RuneCountInString(v) > adapter.MaxVerifiedValue {
			return apperr.New(apperr.TooLarge, adapter.CodeTooLarge, "the token's %s is longer than %d characters", field, adapter.MaxVerifiedValue)
		}
		if v != "" {
			c.Verified[field] = v
		}
	}
	c.DisplayName = c.Verified["name"]
	return nil
}

// agentClaim reads the agent object {"id", "email", "name"} into c.Agent.
func agentClaim(mc jwt.MapClaims, c *adapter.Claims) error {
	a, ok := mc["agent"]
	if !ok || a == nil {
		return nil
	}
	obj, ok := a.(map[string]any)
	if !ok {
		return apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, `the token's agent must be an object {"id", "email", "name"}`)
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"id", &c.Agent.ID}, {"email", &c.Agent.Email}, {"name", &c.Agent.Name}} {
		v, ok := scalarClaim(obj[f.name])
		if !ok {
			return apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's agent.%s must be a string", f.name)
		}
		*f.dst = strings.TrimSpace(v)
	}
	return nil
}

// paramsClaim reads the params object of strings into c.Extra.
func paramsClaim(mc jwt.MapClaims, c *adapter.Claims) error {
	p, ok := mc["params"]
	if !ok || p == nil {
		return nil
	}
	obj, ok := p.(map[string]any)
	if !ok {
		return apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's params must be an object of strings")
	}
	for k, v := range obj {
		sv, ok := scalarClaim(v)
		if !ok {
			return apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's params must be an object of strings")
		}
		c.Extra[k] = sv
	}
	return adapter.CheckSize(c.Extra)
}

// numericDate reads a NumericDate claim: absent or null is not ok; anything
// but a number of seconds between 1970 and 9999 is an invalid_claim.
func numericDate(mc jwt.MapClaims, name string) (time.Time, bool, error) {
	v, ok := mc[name]
	if !ok || v == nil {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false, errNumericDate(name)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false, errNumericDate(name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

func errNumericDate(name string) error {
	return apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's %s must be a number of seconds since 1970", name)
}

// stringClaim reads an optional string claim: absent or null is "".
func stringClaim(mc jwt.MapClaims, name string) (string, error) {
	v, ok := mc[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", apperr.New(apperr.Invalid, adapter.CodeInvalidClaim, "the token's %s must be a string", name)
	}
	return s, nil
}

// scalarClaim returns a string, a number's text, or "" for absent/null.
func scalarClaim(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	default:
		return "", false
	}
}

func validChannel(s string) bool {
	if s == "" || len(s) > maxChannel {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')) {
			return false
		}
	}
	return true
}
