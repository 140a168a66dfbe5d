package money

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             int64
		wantErr          error
	}{
		{"1500", "JPY", 1500, nil},
		{"1500.00", "JPY", 1500, nil},
		{"1500.5", "JPY", 0, ErrPrecision},
		{"199.5", "CNY", 19950, nil},
		{"199.50", "CNY", 19950, nil},
		{"0.01", "USD", 1, nil},
		{".5", "USD", 50, nil},
		{"7.", "USD", 700, nil},
		{"-3", "EUR", -300, nil},
		{"1.234", "CNY", 0, ErrPrecision},
		{"1.230", "CNY", 123, nil},
		{"1.234", "KWD", 1234, nil},
		{"12", "BHD", 12000, nil},
		{"99", "KRW", 99, nil},
		{"1.5", "CLF", 15000, nil},
		{"", "CNY", 0, ErrSyntax},
		{".", "CNY", 0, ErrSyntax},
		{"-", "CNY", 0, ErrSyntax},
		{"1e3", "CNY", 0, ErrSyntax},
		{"1,000.00", "CNY", 0, ErrSyntax},
		{"¥100", "CNY", 0, ErrSyntax},
		{"+5", "CNY", 0, ErrSyntax},
		{"1.2.3", "CNY", 0, ErrSyntax},
		{" 5", "CNY", 0, ErrSyntax},
		{"9999999999999999.99", "USD", 999999999999999999, nil},
		{"99999999999999999.99", "USD", 0, ErrRange},
		{"000000000000000000000001.00", "USD", 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.currency, func(t *testing.T) {
			got, err := Parse(tt.amount, tt.currency)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse(%q, %s) error = %v, want %v", tt.amount, tt.currency, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q, %s) = %d, want %d", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
}

func TestExponent(t *testing.T) {
	tests := map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3, "CNY": 2, "USD": 2, "EUR": 2}
	for code, want := range tests {
		if got := Exponent(code); got != want {
			t.Errorf("Exponent(%s) = %d, want %d", code, got, want)
		}
	}
}
