package adapter

import (
	"strconv"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/apperr"
)

func TestNormalizeClaim(t *testing.T) {
	tests := []struct{ field, in, want string }{
		{"phone", " +86 159-1234-5678 ", "+8615912345678"},
		{"phone", "(021) 555 0100", "0215550100"},
		{"phone", "１５９１２３４", "1591234"},
		{"phone", "159+1234", "1591234"},
		{"phone", "+", ""},
		{"phone", "n/a", ""},
		{"email", " Li.Si@Example.CN ", "li.si@example.cn"},
		{"full_name", " Zhang \t\n San ", "Zhang San"},
		{"name", "", ""},
		{"identifier", "a\nb", "a b"},
	}
	for _, tt := range tests {
		if got := NormalizeClaim(tt.field, tt.in); got != tt.want {
			t.Errorf("NormalizeClaim(%s, %q) = %q, want %q", tt.field, tt.in, got, tt.want)
		}
	}
}

// FuzzParams checks the shared size limits: CheckSize accepts exactly the
// params within MaxParams, MaxParamName and MaxParamValue, and refuses the
// rest with a params_too_large client error that does not show the value.
func FuzzParams(f *testing.F) {
	f.Add(uint8(3), "visitorImId", "v-1", uint16(0))
	f.Add(uint8(64), "n", "", uint16(MaxParamValue))
	f.Add(uint8(65), "n", "x", uint16(1))
	f.Add(uint8(1), strings.Repeat("n", MaxParamName+1), "x", uint16(0))
	f.Add(uint8(1), "n", "secret-value", uint16(MaxParamValue+1))
	f.Fuzz(func(t *testing.T, count uint8, name, value string, pad uint16) {
		value += strings.Repeat("v", int(pad)%(MaxParamValue+64))
		params := map[string]string{}
		for i := 1; i < int(count); i++ {
			params["p"+strconv.Itoa(i)] = "1"
		}
		params[name] = value
		want := len(params) <= MaxParams && len(name) <= MaxParamName && len(value) <= MaxParamValue
		err := CheckSize(params)
		if want != (err == nil) {
			t.Fatalf("CheckSize(%d params, name %d, value %d) = %v, want ok=%v", len(params), len(name), len(value), err, want)
		}
		if err == nil {
			return
		}
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.TooLarge || e.Code != CodeTooLarge {
			t.Fatalf("CheckSize error = %v, want a %s client error", err, CodeTooLarge)
		}
		if len(value) >= 8 && strings.Contains(e.Message, value) {
			t.Fatalf("message shows the value: %q", e.Message)
		}
	})
}
