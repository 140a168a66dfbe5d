package money_test

import (
	"testing"

	"github.com/crmlens/crmlens/internal/money"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		text, currency string
		minor          int64
		format         string
		wantErr        bool
	}{
		{text: "199.50", currency: "CNY", minor: 19950, format: "199.50"},
		{text: "199.5", currency: "CNY", minor: 19950, format: "199.50"},
		{text: "0.05", currency: "usd", minor: 5, format: "0.05"},
		{text: "-3", currency: "USD", minor: -300, format: "-3.00"},
		{text: "1500", currency: "JPY", minor: 1500, format: "1500"},
		{text: "1.234", currency: "KWD", minor: 1234, format: "1.234"},
		{text: ".5", currency: "EUR", minor: 50, format: "0.50"},
		{text: "1.234", currency: "CNY", wantErr: true},
		{text: "1.5", currency: "JPY", wantErr: true},
		{text: "1e3", currency: "USD", wantErr: true},
		{text: "", currency: "USD", wantErr: true},
		{text: "12,00", currency: "EUR", wantErr: true},
		{text: "99999999999999999999", currency: "USD", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.text+" "+tt.currency, func(t *testing.T) {
			got, err := money.Parse(tt.text, tt.currency)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q, %s) = %d, want an error", tt.text, tt.currency, got)
				}
				return
			}
			if err != nil || got != tt.minor {
				t.Fatalf("Parse(%q, %s) = %d, %v; want %d", tt.text, tt.currency, got, err, tt.minor)
			}
			if f := money.Format(got, tt.currency); f != tt.format {
				t.Errorf("Format(%d, %s) = %q, want %q", got, tt.currency, f, tt.format)
			}
		})
	}
}
