package matchkey_test

import (
	"testing"

	"github.com/crmlens/crmlens/internal/matchkey"
)

// Phones as CRM exports and agents write them: the formats of docs/import.md,
// Chatwoot's E.164, WeChat-era exports with 0086, full-width digits.
func TestPhone(t *testing.T) {
	cn := matchkey.Must("CN")
	us := matchkey.Must("US")
	tests := []struct {
		name string
		n    matchkey.Normalizer
		in   string
		want string
	}{
		{"spaced with country code", cn, "+86 139 0000 1111", "+8613900001111"},
		{"dashed with country code", cn, "+86 139-0013-9000", "+8613900139000"},
		{"national spaced", cn, "139 0013 9000", "+8613900139000"},
		{"national bare", cn, "13900139000", "+8613900139000"},
		{"E.164", cn, "+8613900139000", "+8613900139000"},
		{"0086 prefix", cn, "008613900139000", "+8613900139000"},
		{"0086 dashed", cn, "0086-139-0013-9000", "+8613900139000"},
		{"dots", cn, "139.0013.9000", "+8613900139000"},
		{"full-width", cn, "１３９００１３９０００", "+8613900139000"},
		{"full-width plus", cn, "＋８６ １３９００１３９０００", "+8613900139000"},
		{"landline with area code in brackets", cn, "(0755) 8888-1234", "+8675588881234"},
		{"landline with trunk zero in brackets", cn, "+86 (0)755 8888 1234", "+8675588881234"},
		{"another country's number", cn, "+1 (415) 555-2671", "+14155552671"},
		{"region decides a national number", us, "(415) 555-2671", "+14155552671"},
		{"unparseable keeps digits", cn, "12345", "12345"},
		{"unparseable keeps its plus", cn, "+999 12345", "+99912345"},
		{"extension text dropped with letters", cn, "ext. 12", "12"},
		{"blank", cn, "  ", ""},
		{"no digits", cn, "n/a", ""},
		{"plus only", cn, "+", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.Phone(tt.in); got != tt.want {
				t.Errorf("Phone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// The wrong-person case of issue 14: two contacts written differently are
// one number, so matching must see them as equal (and then refuse to pick).
func TestPhoneSameNumberWrittenTwoWays(t *testing.T) {
	n := matchkey.Must("")
	a, b := n.Phone("13700000000"), n.Phone("137-0000-0000")
	if a == "" || a != b {
		t.Fatalf("13700000000 -> %q, 137-0000-0000 -> %q; want one non-empty form", a, b)
	}
	if n.Phone("12345") == n.Phone("123456") {
		t.Fatal("two different unparseable numbers normalize alike")
	}
}

func TestEmail(t *testing.T) {
	n := matchkey.Must("CN")
	for in, want := range map[string]string{
		"Wang@Example.com":      "wang@example.com",
		"  li_lei@example.com ": "li_lei@example.com",
		"\tA%B@EXAMPLE.CN\n":    "a%b@example.cn",
		"":                      "",
	} {
		if got := n.Email(in); got != want {
			t.Errorf("Email(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRegion(t *testing.T) {
	for _, r := range []string{"", "cn", "HK", " us "} {
		if _, err := matchkey.New(r); err != nil {
			t.Errorf("New(%q): %v", r, err)
		}
	}
	for _, r := range []string{"XX", "China", "86"} {
		if _, err := matchkey.New(r); err == nil {
			t.Errorf("New(%q) accepted an unknown region", r)
		}
	}
	if got := matchkey.Must("").Region(); got != "CN" {
		t.Errorf("default region %q, want CN", got)
	}
}

func TestPhoneSearch(t *testing.T) {
	n := matchkey.Must("CN")
	tests := []struct {
		term string
		want matchkey.PhoneQuery
		ok   bool
	}{
		{"139-0013", matchkey.PhoneQuery{Digits: "1390013"}, true},
		{"+86 139 0013", matchkey.PhoneQuery{Prefix: "+861390013"}, true},
		{"0086 139 0013", matchkey.PhoneQuery{Prefix: "+861390013"}, true},
		{"(0755) 8888", matchkey.PhoneQuery{Digits: "7558888"}, true},
		{"13", matchkey.PhoneQuery{}, false},
		{"li_lei", matchkey.PhoneQuery{}, false},
	}
	for _, tt := range tests {
		got, ok := n.PhoneSearch(tt.term, 4)
		if ok != tt.ok || got != tt.want {
			t.Errorf("PhoneSearch(%q) = %+v, %v; want %+v, %v", tt.term, got, ok, tt.want, tt.ok)
		}
	}
}

func BenchmarkPhone(b *testing.B) {
	n := matchkey.Must("CN")
	for b.Loop() {
		n.Phone("+86 139-0013-9000")
	}
}
