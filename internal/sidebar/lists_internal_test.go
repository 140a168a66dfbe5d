package sidebar

import "testing"

func TestCompareKeys(t *testing.T) {
	tests := []struct {
		a, b   string
		byTime bool
		want   int
	}{
		{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.5Z", true, -1}, // not by text: '.' < 'Z'
		{"2026-01-02 03:04:05", "2026-01-02T03:04:04Z", true, 1},     // MySQL's text form against RFC 3339
		{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z", true, 0},
		{"", "2026-01-02T03:04:05Z", true, -1}, // NULL below any time
		{"100", "99", false, 1},                // not by text
		{"-5", "3", false, -1},
		{"", "", false, 0},
		{"7", "", false, 1},
	}
	for _, tt := range tests {
		if got := compareKeys(tt.a, tt.b, tt.byTime); got != tt.want {
			t.Errorf("compareKeys(%q, %q, %v) = %d, want %d", tt.a, tt.b, tt.byTime, got, tt.want)
		}
	}
}
