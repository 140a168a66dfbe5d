// Package matchkey turns the identifiers crmlens matches and searches on
// (phones and e-mails) into one comparable form, the same on every path:
// the importer and every later write path store it beside the value as
// written (contacts.phone_match, contacts.email_match), the adapters' claims
// are compared in it, and search looks it up.
//
//   - A phone becomes E.164 (+8613900139000) when libphonenumber (the
//     github.com/nyaruka/phonenumbers port) parses it as a valid number, with
//     the deployment's default region for numbers written without a country
//     code; 0086, +86, spaces, dashes, dots, brackets and full-width digits
//     all normalize. A number that is not valid is kept as its digits (with
//     its leading '+', if any), so it only ever equals itself.
//   - An e-mail is trimmed and lower-cased.
//
// Channel identities' external ids are opaque and are never normalized.
package matchkey

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for numbers without a country code
// when CRMLENS_DEFAULT_REGION is unset.
const DefaultRegion = "CN"

// MaxPhone bounds the normalized phone (contacts.phone_match is 64 characters).
const MaxPhone = 64

// Normalizer normalizes identifiers for one default region.
type Normalizer struct {
	region string
}

// New returns the Normalizer for region, an ISO 3166-1 alpha-2 code that
// libphonenumber knows ("" is DefaultRegion).
func New(region string) (Normalizer, error) {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" {
		region = DefaultRegion
	}
	if phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return Normalizer{}, fmt.Errorf("region %q is not a region phone numbers are known for (use an ISO 3166 code such as CN, HK, US)", region)
	}
	return Normalizer{region: region}, nil
}

// Must is New for a region known to be good (tests, the default).
func Must(region string) Normalizer {
	n, err := New(region)
	if err != nil {
		panic(err)
	}
	return n
}

// Region is the default region, e.g. "CN".
func (n Normalizer) Region() string {
	if n.region == "" {
		return DefaultRegion
	}
	return n.region
}

// Phone returns the comparable form of a phone number as written, "" when it
// holds no digit.
func (n Normalizer) Phone(raw string) string {
	digits := Digits(raw)
	if strings.Trim(digits, "+") == "" {
		return ""
	}
	// Parsing the digits rather than raw keeps libphonenumber from reading
	// letters as vanity digits or text after the number as an extension.
	if num, err := phonenumbers.Parse(digits, n.Region()); err == nil && phonenumbers.IsValidNumber(num) {
		return phonenumbers.Format(num, phonenumbers.E164)
	}
	if len(digits) > MaxPhone {
		digits = digits[:MaxPhone]
	}
	return digits
}

// Digits keeps the ASCII and full-width digits of raw, and a '+' (or '＋')
// before the first digit, as '+'; everything else is dropped.
func Digits(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case (r == '+' || r == '＋') && b.Len() == 0:
			b.WriteByte('+')
		}
	}
	return b.String()
}

// Email returns the comparable form of an e-mail address: trimmed and
// lower-cased ("" for blank).
func (Normalizer) Email(raw string) string {
	return strings.ToLower(strings.TrimFunc(raw, unicode.IsSpace))
}

// PhoneQuery is what a search for part of a phone number looks for in the
// normalized column: every normalized phone that contains Digits (or, when
// Prefix is set, that starts with it). An agent types numbers however they
// like: "139-0013", "+86 139 0013", "0086 139 0013".
type PhoneQuery struct {
	// Prefix is set when the query names a country code (+86..., 0086...):
	// the start of the E.164 form.
	Prefix string
	// Digits is the national part the agent typed, matched anywhere.
	Digits string
}

// PhoneSearch reads a search term as part of a phone number; ok is false
// when it holds fewer than minDigits digits.
func (n Normalizer) PhoneSearch(term string, minDigits int) (q PhoneQuery, ok bool) {
	d := Digits(term)
	if len(strings.TrimPrefix(d, "+")) < minDigits {
		return PhoneQuery{}, false
	}
	// 00 is the international prefix in most regions (CN, HK, EU...): 0086 is +86.
	if strings.HasPrefix(d, "00") {
		d = "+" + d[2:]
	}
	if strings.HasPrefix(d, "+") {
		return PhoneQuery{Prefix: d}, true
	}
	// A national number's trunk 0 ((0755) 8888) is not part of its E.164 form.
	return PhoneQuery{Digits: strings.TrimPrefix(d, "0")}, true
}
