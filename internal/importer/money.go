package importer

import (
	"errors"
	"strings"
)

// CurrencyExponent returns how many decimal places the minor unit of an ISO
// 4217 currency has: 0 for JPY, KRW, VND, CLP, ISK and the other currencies
// without a minor unit, 3 for BHD, IQD, JOD, KWD, LYD, OMR and TND, 4 for the
// units of account CLF and UYW, and 2 for every other code.
func CurrencyExponent(code string) int {
	switch code {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
		"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	default:
		return 2
	}
}

// validCurrency reports whether code is three ASCII uppercase letters.
func validCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// Errors of MinorUnits; their text follows "amount " in a line error.
var (
	errAmountSyntax    = errors.New("must be a plain decimal number such as 199.50 (digits, at most one '.', an optional leading '-'; no exponent, currency sign or thousands separator)")
	errAmountRange     = errors.New("is too large")
	errAmountPrecision = errors.New("has more decimal places than the currency allows")
)

// MinorUnits converts a decimal amount written as text ("199.50", "-3",
// "1500") to whole minor units of currency (fen, cents; yen have none)
// without going through floating point: "199.5" CNY is 19950, "1500" JPY is
// 1500, "1.234" KWD is 1234. Decimal places beyond the currency's exponent are
// accepted only when they are zeros ("1500.00" JPY is 1500); "1.234" CNY is an
// error.
func MinorUnits(amount, currency string) (int64, error) {
	s := amount
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, errAmountSyntax
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, errAmountSyntax
	}
	exp := CurrencyExponent(currency)
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, errAmountPrecision
		}
		frac = frac[:exp]
	}
	digits := intPart + frac + strings.Repeat("0", exp-len(frac))
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 18 { // 10^18 < MaxInt64 < 10^19
		return 0, errAmountRange
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		v = v*10 + int64(digits[i]-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
