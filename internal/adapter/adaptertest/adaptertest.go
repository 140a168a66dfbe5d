// Package adaptertest holds what the platform packages' tests share: error
// and leak checks, the JDK vectors, a fuzz result check.
package adaptertest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/paramcrypt/paramcrypttest"
)

// Vectors are the JDK-made test vectors (../shared).
type Vectors = paramcrypttest.Vectors

// LoadVectors reads the JDK vectors.
func LoadVectors(t testing.TB) Vectors { return paramcrypttest.Load(t) }

// WantCode fails unless err is an *apperr.Error with code, and checks that
// its message shows none of the secrets (keys, ciphertexts, tokens, phones,
// emails given to the adapter).
func WantCode(t *testing.T, err error, code string, secrets ...string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	AssertNoLeak(t, e, secrets...)
	return e
}

func AssertNoLeak(t testing.TB, e *apperr.Error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if len(s) >= 6 && strings.Contains(e.Message, s) {
			t.Fatalf("message %q shows a secret value", e.Message)
		}
	}
}

// SameAnswers fails unless every error is an *apperr.Error with code and all
// are byte-identical to a client (kind, code, message).
func SameAnswers(t *testing.T, code string, errs ...error) {
	t.Helper()
	var first string
	for i, err := range errs {
		e := apperr.As(err)
		if e == nil || e.Code != code {
			t.Fatalf("error %d = %v, want code %s", i, err, code)
		}
		s := e.Kind.String() + "\x00" + e.Code + "\x00" + e.Message
		if i == 0 {
			first = s
		} else if s != first {
			t.Fatalf("error %d differs from error 0:\n%q\n%q", i, s, first)
		}
	}
}

// SameMap fails unless got equals want.
func SameMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s[%s] = %q, want %q", what, k, g, v)
		}
	}
}

// ManyParams returns n params, first among them.
func ManyParams(first string, n int) map[string]string {
	m := map[string]string{first: "1"}
	for i := 0; len(m) < n; i++ {
		m["p"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "1"
	}
	return m
}

// CheckFuzzResult asserts what holds of every Decode: a refusal is an
// *apperr.Error with a code and a message; an acceptance has a channel and
// a visitor id within bounds.
func CheckFuzzResult(t *testing.T, c adapter.Claims, err error) {
	t.Helper()
	if err != nil {
		e := apperr.As(err)
		if e == nil {
			t.Fatalf("Decode returned a non-client error: %v", err)
		}
		if e.Code == "" || e.Message == "" || e.Kind == apperr.Internal {
			t.Fatalf("Decode returned an incomplete client error: %#v", e)
		}
		return
	}
	if c.Channel == "" || strings.TrimSpace(c.VisitorID) == "" {
		t.Fatalf("Decode accepted claims without channel or visitor: %+v", c)
	}
	if len([]rune(c.VisitorID)) > adapter.MaxVisitorID {
		t.Fatalf("Decode accepted a visitor id of %d characters", len([]rune(c.VisitorID)))
	}
}

// WantAnyCode fails unless err is an *apperr.Error.
func WantAnyCode(t *testing.T, err error) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil {
		t.Fatalf("error %v is not an *apperr.Error", err)
	}
	return e
}

// SHA256Hex is the hex SHA-256 of s.
func SHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// MustJSON marshals v or fails t.
func MustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
