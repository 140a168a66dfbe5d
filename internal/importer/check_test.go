package importer

import (
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
	}
	for in, want := range tests {
		if got := looksLikeEmail(in); got != want {
			t.Errorf("looksLikeEmail(%q) = %v, want %v", in, got, want)
		}
	}
}
