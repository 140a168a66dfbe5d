package importer

import (
	"net/mail"
	"strings"
	"testing"
)

func TestFormatFromName(t *testing.T) {
	tests := []struct {
		name    string
		want    Format
		wantErr bool
	}{
		{"contacts.csv", CSV, false},
		{"/tmp/Contacts.CSV", CSV, false},
		{"orders.ndjson", NDJSON, false},
		{"orders.jsonl", NDJSON, false},
		{"orders.json", 0, true},
		{"orders.xlsx", 0, true},
		{"orders", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatFromName(tt.name)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("FormatFromName(%q) = %v, want an error", tt.name, got)
				}
				for _, ext := range []string{".csv", ".ndjson", ".jsonl"} {
					if !strings.Contains(err.Error(), ext) {
						t.Errorf("error %q does not name %s", err, ext)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FormatFromName(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestLooksLikeEmail(t *testing.T) {
	tests := map[string]bool{
		"a@example.com":          true,
		"wei.zhang+crm@corp.cn":  true,
		"a@b":                    false,
		"a@@b.com":               false,
		"Wei <a@example.com>":    false,
		"a example@example.com":  false,
		"@example.com":           false,
		"a@example.":             false,
		"a@.example.com":         false,
		"13800000000":            false,
		"a@example..com":         false,
		"\"quoted\"@example.com": false,
		".a@example.com":         false,
		"a.@example.com":         false,
		"a_b%c-d@ex-ample.com":   true,
		"张伟@example.com":         true, // net/mail's path: UTF-8 in the local part
	}
	for in, want := range tests {
		if got := looksLikeEmail(in); got != want {
			t.Errorf("looksLikeEmail(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestPlainEmailAgreesWithNetMail: every address the fast path accepts,
// net/mail accepts as it is (checked on all strings of up to 5 characters
// over the characters the fast path knows, with a fixed domain).
func TestPlainEmailAgreesWithNetMail(t *testing.T) {
	const alphabet = "a.Z9_%+-@"
	var walk func(prefix string)
	checked := 0
	walk = func(prefix string) {
		if s := prefix + "@x.example.com"; plainAtom(prefix) {
			checked++
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s || a.Name != "" {
				t.Errorf("plainAtom(%q) accepts a local part net/mail refuses: %v", prefix, err)
			}
		}
		if len(prefix) == 5 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(prefix + alphabet[i:i+1])
		}
	}
	walk("")
	if checked < 1000 {
		t.Fatalf("only %d local parts checked", checked)
	}
}
