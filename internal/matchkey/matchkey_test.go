package matchkey_test

import (
	"math/rand/v2"
	"strings"
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
		{"short but parses", cn, "12345", "+8612345"},
		{"unknown country code keeps its digits", cn, "+999 12345", "+99912345"},
		{"too long keeps its digits", cn, "99999999999999999999", "99999999999999999999"},
		{"too short keeps its digit", cn, "ext. 1", "1"},
		{"country code without plus", cn, "86 139 0013 9000", "+8613900139000"},
		{"carrier code before a mobile", cn, "17951 139 0013 9000", "+8613900139000"},
		{"US national under US", us, "415-555-2671", "+14155552671"},
		{"US with trunk 1 under US", us, "1 415 555 2671", "+14155552671"},
		{"US IDD under US", us, "011 86 139 0013 9000", "+8613900139000"},
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
	if n.Phone("+999 12345") == n.Phone("+999 123456") || n.Phone("12345") == n.Phone("123456") {
		t.Fatal("two different numbers normalize alike")
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
		want []string
	}{
		{"139-0013", []string{"+861390013", "1390013"}},
		{"139 0013", []string{"+861390013", "1390013"}},
		{"+86 139 0013", []string{"+861390013"}},
		{"0086 139 0013", []string{"+861390013"}},
		{"(0755) 8888", []string{"+867558888", "07558888"}},
		{"13", nil},
		{"li_lei", nil},
	}
	for _, tt := range tests {
		got, ok := n.PhoneSearch(tt.term, 3)
		if ok != (tt.want != nil) || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("PhoneSearch(%q) = %q, %v; want %q", tt.term, got, ok, tt.want)
		}
	}
	// Every prefix of a stored number's E.164 form is found, however typed.
	stored := n.Phone("139 0013 9000")
	for _, term := range []string{"139-0013", "+86 139 0013", "0086-1390013", "13900139000"} {
		prefixes, _ := n.PhoneSearch(term, 3)
		if !strings.HasPrefix(stored, prefixes[0]) {
			t.Errorf("%q: %q does not start with %q", term, stored, prefixes[0])
		}
	}
}

// TestFastE164MatchesParse holds Phone's fast path to libphonenumber's own
// Parse over numbers of every shape the fast path takes or refuses, in the
// regions whose prefixes differ most (CN: trunk 0 and carrier codes, US:
// trunk 1 and 011, HK: none), so that a number normalizes the same whichever
// path it takes.
func TestFastE164MatchesParse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := []string{"", "+86", "0086", "86", "0", "+1", "1", "011", "+852", "00852", "17951", "+860", "00", "+"}
	for _, region := range []string{"CN", "US", "HK", "GB", "DE"} {
		n := matchkey.Must(region)
		for range 4000 {
			var b strings.Builder
			b.WriteString(shapes[r.IntN(len(shapes))])
			for range r.IntN(18) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
			d := b.String()
			if strings.Trim(d, "+") == "" {
				continue
			}
			if got, want := n.Phone(d), matchkey.SlowPhone(d, region); got != want {
				t.Fatalf("%s: Phone(%q) = %q, Parse gives %q", region, d, got, want)
			}
		}
	}
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13900139000", "+8613900139000", "008613900139000", "0755 8888 1234", "17951139", "+1 415 555 2671", "86123"} {
		f.Add(s, "CN")
		f.Add(s, "US")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		n, err := matchkey.New(region)
		if err != nil {
			return
		}
		d := matchkey.Digits(raw)
		if strings.Trim(d, "+") == "" {
			return
		}
		if got, want := n.Phone(raw), matchkey.SlowPhone(d, n.Region()); got != want {
			t.Fatalf("%s: Phone(%q) = %q, Parse gives %q", n.Region(), raw, got, want)
		}
	})
}

func BenchmarkPhone(b *testing.B) {
	n := matchkey.Must("CN")
	for _, raw := range []string{"+86 139-0013-9000", "(0755) 8888-1234"} {
		b.Run(raw, func(b *testing.B) {
			for b.Loop() {
				n.Phone(raw)
			}
		})
	}
}
