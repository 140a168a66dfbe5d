// Package money converts between decimal amount strings and the exact minor
// units crmlens stores (fen, cents; yen have none), by ISO 4217 exponent.
// No floating point is involved in either direction.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Exponent returns how many decimal places the minor unit of an ISO
// 4217 currency has: 0 for JPY, KRW, VND, CLP, ISK and the other currencies
// without a minor unit, 3 for BHD, IQD, JOD, KWD, LYD, OMR and TND, 4 for the
// units of account CLF and UYW, and 2 for every other code.
func Exponent(code string) int {
	switch strings.ToUpper(code) {
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

// ValidCurrency reports whether code is three ASCII uppercase letters.
func ValidCurrency(code string) bool {
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

// Errors of Parse; their text reads after "amount ".
var (
	ErrSyntax    = errors.New("must be a plain decimal number such as 199.50 (digits, at most one '.', an optional leading '-'; no exponent, currency sign or thousands separator)")
	ErrRange     = errors.New("is too large")
	ErrPrecision = errors.New("has more decimal places than the currency allows")
)

// Parse converts a decimal amount written as text ("199.50", "-3",
// "1500") to whole minor units of currency (fen, cents; yen have none)
// without going through floating point: "199.5" CNY is 19950, "1500" JPY is
// 1500, "1.234" KWD is 1234. Decimal places beyond the currency's exponent are
// accepted only when they are zeros ("1500.00" JPY is 1500); "1.234" CNY is an
// error.
func Parse(amount, currency string) (int64, error) {
	s := amount
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, ErrSyntax
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, ErrSyntax
	}
	exp := Exponent(currency)
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, ErrPrecision
		}
		frac = frac[:exp]
	}
	digits := intPart + frac + strings.Repeat("0", exp-len(frac))
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 18 { // 10^18 < MaxInt64 < 10^19
		return 0, ErrRange
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

// Format renders minor units of currency as a decimal string: 19950 CNY is
// "199.50", 1500 JPY is "1500", -5 USD is "-0.05".
func Format(minor int64, currency string) string {
	exp := Exponent(currency)
	if exp == 0 {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign = "-"
		u = uint64(-(minor + 1)) + 1
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}
