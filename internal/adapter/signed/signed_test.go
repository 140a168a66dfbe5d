package signed_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/signed"
)

const (
	secret      = "current-secret-of-at-least-32-bytes!"
	prevSecret  = "previous-secret-of-at-least-32-bytes"
	otherSecret = "another-secret-of-at-least-32-bytes!"
)

var signedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func sign(t testing.TB, key string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signRaw signs a payload given as JSON text, as a platform would.
func signRaw(t testing.TB, key, payload string) string {
	t.Helper()
	in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(in, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// claims returns valid minimal claims with overrides applied; a nil
// override deletes the claim.
func claims(over map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub": "user-1",
		"jti": "j-1",
		"exp": signedNow.Add(4 * time.Minute).Unix(),
		"iat": signedNow.Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func TestSignedDecode(t *testing.T) {
	exp := signedNow.Add(4 * time.Minute)
	rotation := []string{secret, prevSecret}
	tests := []struct {
		name     string
		secrets  []string
		token    string
		extra    map[string]string
		want     adapter.Claims
		wantCode string
	}{
		{
			name:    "full token",
			secrets: []string{secret},
			token: sign(t, secret, claims(map[string]any{
				"channel": "wechat", "name": " Zhang  San ", "email": "Zhang@Example.COM", "phone": "+86 159-1234-5678",
				"agent": map[string]any{"id": 12, "email": "amy@example.com", "name": "Amy"},
				"lang":  "en-US", "params": map[string]any{"orderNo": "SO-1", "count": 5},
			})),
			extra: map[string]string{"ignored": "x"},
			want: adapter.Claims{
				Channel: "wechat", VisitorID: "user-1", DisplayName: "Zhang San", Lang: "en", TokenID: "j-1", TokenExpiry: exp,
				Agent:    adapter.Agent{ID: "12", Email: "amy@example.com", Name: "Amy"},
				Verified: map[string]string{"name": "Zhang San", "email": "zhang@example.com", "phone": "+8615912345678"},
				Extra:    map[string]string{"orderNo": "SO-1", "count": "5"},
			},
		},
		{
			name:    "minimal token, default channel",
			secrets: []string{secret},
			token:   sign(t, secret, claims(map[string]any{"iat": nil})),
			want:    adapter.Claims{Channel: "signed", VisitorID: "user-1", TokenID: "j-1", TokenExpiry: exp, Verified: map[string]string{}, Extra: map[string]string{}},
		},
		{
			name:    "exp exactly 5 minutes and leeway ahead",
			secrets: []string{secret},
			token:   sign(t, secret, claims(map[string]any{"exp": signedNow.Add(5*time.Minute + 5*time.Second).Unix()})),
			want:    adapter.Claims{Channel: "signed", VisitorID: "user-1", TokenID: "j-1", TokenExpiry: signedNow.Add(5*time.Minute + 5*time.Second), Verified: map[string]string{}, Extra: map[string]string{}},
		},
		{
			name:    "just expired, within leeway",
			secrets: []string{secret},
			token:   sign(t, secret, claims(map[string]any{"exp": signedNow.Add(-3 * time.Second).Unix(), "iat": signedNow.Add(4 * time.Second).Unix()})),
			want:    adapter.Claims{Channel: "signed", VisitorID: "user-1", TokenID: "j-1", TokenExpiry: signedNow.Add(-3 * time.Second), Verified: map[string]string{}, Extra: map[string]string{}},
		},
		{
			name:    "rotation: previous secret",
			secrets: rotation,
			token:   sign(t, prevSecret, claims(nil)),
			want:    adapter.Claims{Channel: "signed", VisitorID: "user-1", TokenID: "j-1", TokenExpiry: exp, Verified: map[string]string{}, Extra: map[string]string{}},
		},
		{
			name:    "rotation: current secret",
			secrets: rotation,
			token:   sign(t, secret, claims(nil)),
			want:    adapter.Claims{Channel: "signed", VisitorID: "user-1", TokenID: "j-1", TokenExpiry: exp, Verified: map[string]string{}, Extra: map[string]string{}},
		},

		{name: "no token", secrets: []string{secret}, wantCode: adapter.CodeMissingParam},
		{name: "rotation: a third secret fails", secrets: rotation, token: sign(t, otherSecret, claims(nil)), wantCode: adapter.CodeInvalidToken},
		{name: "wrong secret", secrets: []string{secret}, token: sign(t, otherSecret, claims(nil)), wantCode: adapter.CodeInvalidToken},
		{name: "wrong secret and expired: signature first", secrets: []string{secret}, token: sign(t, otherSecret, claims(map[string]any{"exp": 1})), wantCode: adapter.CodeInvalidToken},
		{name: "malformed", secrets: []string{secret}, token: "not.a.jwt", wantCode: adapter.CodeInvalidToken},
		{name: "HS512", secrets: []string{secret}, token: signWith(t, jwt.SigningMethodHS512, secret, claims(nil)), wantCode: adapter.CodeInvalidToken},
		{name: "alg none", secrets: []string{secret}, token: signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), wantCode: adapter.CodeInvalidToken},
		{name: "payload not an object", secrets: []string{secret}, token: signRaw(t, secret, `["sub"]`), wantCode: adapter.CodeInvalidToken},
		{name: "expired", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": signedNow.Add(-5 * time.Second).Unix()})), wantCode: adapter.CodeTokenExpired},
		{name: "expired long ago", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": signedNow.Add(-time.Hour).Unix()})), wantCode: adapter.CodeTokenExpired},
		{name: "no exp", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": nil})), wantCode: adapter.CodeTokenLifetime},
		{name: "exp too far ahead", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": signedNow.Add(5*time.Minute + 6*time.Second).Unix()})), wantCode: adapter.CodeTokenLifetime},
		{name: "exp a day ahead", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": signedNow.Add(24 * time.Hour).Unix()})), wantCode: adapter.CodeTokenLifetime},
		{name: "exp not a number", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": "soon"})), wantCode: adapter.CodeInvalidClaim},
		{name: "exp negative", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"exp": -1})), wantCode: adapter.CodeInvalidClaim},
		{name: "iat in the future", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"iat": signedNow.Add(6 * time.Second).Unix()})), wantCode: adapter.CodeTokenLifetime},
		{name: "nbf in the future", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"nbf": signedNow.Add(time.Minute).Unix()})), wantCode: adapter.CodeTokenLifetime},
		{name: "no jti", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"jti": nil})), wantCode: adapter.CodeMissingClaim},
		{name: "empty jti", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"jti": ""})), wantCode: adapter.CodeMissingClaim},
		{name: "jti too long", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"jti": strings.Repeat("j", signed.MaxTokenID+1)})), wantCode: adapter.CodeInvalidClaim},
		{name: "jti a number", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"jti": 7})), wantCode: adapter.CodeInvalidClaim},
		{name: "no sub", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"sub": nil})), wantCode: adapter.CodeMissingClaim},
		{name: "blank sub", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"sub": " "})), wantCode: adapter.CodeMissingClaim},
		{name: "sub a number", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"sub": 12})), wantCode: adapter.CodeInvalidClaim},
		{name: "sub too long", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"sub": strings.Repeat("s", adapter.MaxVisitorID+1)})), wantCode: adapter.CodeTooLarge},
		{name: "bad channel", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"channel": "We Chat"})), wantCode: adapter.CodeInvalidClaim},
		{name: "name not a string", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"name": []string{"a"}})), wantCode: adapter.CodeInvalidClaim},
		{name: "email too long", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"email": strings.Repeat("e", adapter.MaxVerifiedValue+1)})), wantCode: adapter.CodeTooLarge},
		{name: "agent not an object", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"agent": "amy"})), wantCode: adapter.CodeInvalidClaim},
		{name: "agent id a boolean", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"agent": map[string]any{"id": true}})), wantCode: adapter.CodeInvalidClaim},
		{name: "params not an object", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"params": []string{"a"}})), wantCode: adapter.CodeInvalidClaim},
		{name: "params value an object", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"params": map[string]any{"a": map[string]any{}}})), wantCode: adapter.CodeInvalidClaim},
		{name: "too many params in the token", secrets: []string{secret}, token: sign(t, secret, claims(map[string]any{"params": manyAny(adapter.MaxParams + 1)})), wantCode: adapter.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := signed.New(tt.secrets, func() time.Time { return signedNow })
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]string{}
			for k, v := range tt.extra {
				params[k] = v
			}
			if tt.token != "" {
				params["token"] = tt.token
			}
			got, err := a.Decode(params)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, append([]string{tt.token, "Zhang@Example.COM", "15912345678"}, tt.secrets...)...)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Channel != tt.want.Channel || got.VisitorID != tt.want.VisitorID || got.DisplayName != tt.want.DisplayName ||
				got.Lang != tt.want.Lang || got.Agent != tt.want.Agent || got.TokenID != tt.want.TokenID ||
				!got.TokenExpiry.Equal(tt.want.TokenExpiry) || got.Chatwoot != nil {
				t.Errorf("Decode = %+v\nwant     %+v", got, tt.want)
			}
			sameMap(t, "Verified", got.Verified, tt.want.Verified)
			sameMap(t, "Extra", got.Extra, tt.want.Extra)
		})
	}
}

// TestSignedOneAnswer: every token that fails verification gets the same
// answer, whatever was wrong with it.
func TestSignedOneAnswer(t *testing.T) {
	a, err := signed.New([]string{secret, prevSecret}, func() time.Time { return signedNow })
	if err != nil {
		t.Fatal(err)
	}
	good := sign(t, secret, claims(nil))
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","jti":"j-1","exp":1740830640}`)) + "." + parts[2]
	var errs []error
	for _, tok := range []string{
		sign(t, otherSecret, claims(nil)),
		tampered,
		good[:len(good)-2],
		"not-a-jwt",
		signWith(t, jwt.SigningMethodHS384, secret, claims(nil)),
		signRaw(t, secret, `{"sub":`),
	} {
		_, err := a.Decode(map[string]string{"token": tok})
		errs = append(errs, err)
	}
	sameAnswers(t, adapter.CodeInvalidToken, errs...)
}

func TestNewSigned(t *testing.T) {
	tests := []struct {
		name     string
		secrets  []string
		wantCode string
	}{
		{name: "one secret", secrets: []string{secret}},
		{name: "rotation", secrets: []string{secret, prevSecret}},
		{name: "empty current, previous set", secrets: []string{"", prevSecret}},
		{name: "none", wantCode: adapter.CodeInvalidKey},
		{name: "only empty", secrets: []string{""}, wantCode: adapter.CodeInvalidKey},
		{name: "31 bytes", secrets: []string{strings.Repeat("s", 31)}, wantCode: adapter.CodeInvalidKey},
		{name: "short previous", secrets: []string{secret, "short-previous-secret"}, wantCode: adapter.CodeInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signed.New(tt.secrets, nil)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, tt.secrets...)
				return
			}
			if err != nil {
				t.Fatalf("NewSigned: %v", err)
			}
		})
	}
}

func FuzzSignedDecode(f *testing.F) {
	a, err := signed.New([]string{secret, prevSecret}, func() time.Time { return signedNow })
	if err != nil {
		f.Fatal(err)
	}
	now := signedNow.Unix()
	f.Add(sign(f, secret, claims(nil)), "")
	f.Add(sign(f, prevSecret, claims(map[string]any{"channel": "web", "agent": map[string]any{"id": 1}})), "")
	f.Add("", `{"sub":"u","jti":"j","exp":`+itoa(now+60)+`,"params":{"a":"b"},"phone":"+1 (555) 0100"}`)
	f.Add("", `{"sub":"u","jti":"j","exp":`+itoa(now+600)+`}`)
	f.Add("", `{"sub":"u","jti":"j","exp":1e3}`)
	f.Add("x.y.z", "")
	f.Fuzz(func(t *testing.T, token, payload string) {
		if payload != "" {
			// Sign the fuzzed payload so that claims checks are reached.
			token = signRaw(t, secret, payload)
		}
		c, err := a.Decode(map[string]string{"token": token})
		checkFuzzResult(t, c, err)
		if err != nil {
			// A token (24+ characters without spaces) never appears in a message.
			if e := wantAnyCode(t, err); len(token) >= 24 && !strings.Contains(token, " ") && strings.Contains(e.Message, token) {
				t.Fatalf("message shows the token: %q", e.Message)
			}
			return
		}
		if c.TokenID == "" || len([]rune(c.TokenID)) > signed.MaxTokenID {
			t.Fatalf("Decode accepted jti %q", c.TokenID)
		}
		if !c.TokenExpiry.After(signedNow.Add(-signed.Leeway)) || c.TokenExpiry.After(signedNow.Add(signed.MaxLifetime+signed.Leeway)) {
			t.Fatalf("Decode accepted exp %v at %v", c.TokenExpiry, signedNow)
		}
		if len(c.Extra) > adapter.MaxParams {
			t.Fatalf("Decode accepted %d params", len(c.Extra))
		}
	})
}

func signWith(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	if k, ok := key.(string); ok {
		key = []byte(k)
	}
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func manyAny(n int) map[string]any {
	m := map[string]any{}
	for i := 0; i < n; i++ {
		m["p"+itoa(int64(i))] = "1"
	}
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
