// Package money converts between decimal amount strings and the exact minor
// units crmlens stores (fen, cents; yen have none), by ISO 4217 exponent.
// No floating point is involved in either direction.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// exponents lists the currencies whose minor unit is not 1/100.
var exponents = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// Exponent is the number of decimals of currency (2 unless listed otherwise).
func Exponent(currency string) int {
	if e, ok := exponents[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
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

// ErrAmount is returned for text that is not a plain decimal amount.
var ErrAmount = errors.New("not a decimal amount")

// Parse reads a decimal amount ("199.5", "-3", "1500") of currency into minor
// units. More decimals than the currency has is an error, never a rounding.
func Parse(text, currency string) (int64, error) {
	s := strings.TrimSpace(text)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || hasDot && frac == "" || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q", ErrAmount, text)
	}
	exp := Exponent(currency)
	if len(frac) > exp {
		return 0, fmt.Errorf("%w: %s has %d decimals at most", ErrAmount, strings.ToUpper(currency), exp)
	}
	frac += strings.Repeat("0", exp-len(frac))
	if whole == "" {
		whole = "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v > math.MaxInt64/2 {
		return 0, fmt.Errorf("%w: %q is out of range", ErrAmount, text)
	}
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
