// Package matchkey turns the identifiers crmlens matches and searches on
// (phones and e-mails) into one comparable form, the same on every path:
// the importer and every later write path store it beside the value as
// written (contacts.phone_match, contacts.email_match), the adapters' claims
// are compared in it, and search looks it up.
//
//   - A phone becomes E.164 (+8613900139000) when libphonenumber (the
//     github.com/nyaruka/phonenumbers port) parses it, with the deployment's
//     default region for numbers written without a country code; 0086, +86,
//     spaces, dashes, dots, brackets and full-width digits all normalize. A
//     number that does not parse (an unknown country code, too short, too
//     long) is kept as its digits (with its leading '+', if any), so it only
//     ever equals itself.
//   - An e-mail is trimmed and lower-cased.
//
// Channel identities' external ids are opaque and are never normalized.
package matchkey

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
	r *region // nil: DefaultRegion's
}

// region is what Phone needs of a region's libphonenumber metadata.
type region struct {
	code string
	cc   string // the country calling code, e.g. "86"
	// idd and nationalPrefix are the region's international prefix and its
	// national prefix for parsing (trunk prefix, carrier codes), anchored:
	// a number they match goes the whole way through phonenumbers.Parse.
	idd, nationalPrefix *regexp.Regexp
}

var defaultRegion = sync.OnceValue(func() *region {
	r, err := loadRegion(DefaultRegion)
	if err != nil {
		panic(err) // libphonenumber always knows CN
	}
	return r
})

func loadRegion(code string) (*region, error) {
	cc := phonenumbers.GetCountryCodeForRegion(code)
	if cc == 0 {
		return nil, fmt.Errorf("region %q is not a region phone numbers are known for (use an ISO 3166 code such as CN, HK, US)", code)
	}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, fmt.Errorf("read libphonenumber's metadata: %w", err)
	}
	r := &region{code: code, cc: strconv.Itoa(cc)}
	for _, m := range coll.GetMetadata() {
		if m.GetId() != code {
			continue
		}
		// An empty pattern matches nothing: nothing to strip.
		if p := m.GetInternationalPrefix(); p != "" {
			if r.idd, err = regexp.Compile("^(?:" + p + ")"); err != nil {
				return nil, fmt.Errorf("region %s: international prefix: %w", code, err)
			}
		}
		if p := m.GetNationalPrefixForParsing(); p != "" {
			if r.nationalPrefix, err = regexp.Compile("^(?:" + p + ")"); err != nil {
				return nil, fmt.Errorf("region %s: national prefix: %w", code, err)
			}
		}
		return r, nil
	}
	return nil, fmt.Errorf("region %q has no libphonenumber metadata", code)
}

// New returns the Normalizer for region, an ISO 3166-1 alpha-2 code that
// libphonenumber knows ("" is DefaultRegion).
func New(code string) (Normalizer, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || code == DefaultRegion {
		return Normalizer{r: defaultRegion()}, nil
	}
	r, err := loadRegion(code)
	if err != nil {
		return Normalizer{}, err
	}
	return Normalizer{r: r}, nil
}

// Must is New for a region known to be good (tests, the default).
func Must(region string) Normalizer {
	n, err := New(region)
	if err != nil {
		panic(err)
	}
	return n
}

func (n Normalizer) region() *region {
	if n.r == nil {
		return defaultRegion()
	}
	return n.r
}

// Region is the default region, e.g. "CN".
func (n Normalizer) Region() string { return n.region().code }

// Phone returns the comparable form of a phone number as written, "" when it
// holds no digit: its E.164 form when libphonenumber parses it, else its
// digits.
func (n Normalizer) Phone(raw string) string {
	digits := Digits(raw)
	if strings.Trim(digits, "+") == "" {
		return ""
	}
	if e164, ok := n.region().fastE164(digits); ok {
		return e164
	}
	return slowPhone(digits, n.region().code)
}

// slowPhone is libphonenumber's own answer for digits.
func slowPhone(digits, region string) string {
	// Parsing the digits rather than raw keeps libphonenumber from reading
	// letters as vanity digits or text after the number as an extension.
	if num, err := phonenumbers.Parse(digits, region); err == nil {
		return phonenumbers.Format(num, phonenumbers.E164)
	}
	if len(digits) > MaxPhone {
		digits = digits[:MaxPhone]
	}
	return digits
}

// fastE164 is phonenumbers.Parse and Format for the shapes most CRM data is
// in, a national number of the region or one with its country code
// ("13900139000", "+8613900139000", "008613900139000"), without Parse's
// regular expressions (about 10 µs a number, as long as the rest of a
// contact's import). ok is false for every other shape, which slowPhone
// then parses: a number the region's international or national prefix
// could apply to (a trunk 0, a carrier code, 00 other than as the region's
// whole international prefix), one starting with the country code but no
// '+', another country's, or a length Parse refuses. Written here because
// libphonenumber has no cheaper entry point; TestFastE164MatchesParse and
// FuzzPhone hold it to Parse's answers.
func (r *region) fastE164(d string) (string, bool) {
	if strings.HasPrefix(d, "00") && r.idd != nil {
		if loc := r.idd.FindStringIndex(d); loc != nil && loc[1] == 2 {
			d = "+" + d[2:]
		}
	}
	var national string
	if rest, ok := strings.CutPrefix(d, "+"); ok {
		national, ok = strings.CutPrefix(rest, r.cc)
		if !ok {
			return "", false
		}
	} else {
		if strings.HasPrefix(d, r.cc) || r.idd != nil && r.idd.MatchString(d) {
			return "", false
		}
		national = d
	}
	// libphonenumber's bounds on a national significant number (2 to 17
	// digits); a leading 0 is a trunk prefix or an Italian leading zero.
	if len(national) < 2 || len(national) > 17 || national[0] == '0' || strings.Contains(national, "+") {
		return "", false
	}
	if r.nationalPrefix != nil && r.nationalPrefix.MatchString(national) {
		return "", false
	}
	return "+" + r.cc + national, true
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

// PhoneSearch reads a search term as the start of a phone number, typed
// however an agent types it ("139-0013", "+86 139 0013", "0086 139 0013",
// "(0755) 8888"), and returns the prefixes of the normalized column that
// match it: with a country code, the start of the E.164 form; without one,
// the start of the default region's E.164 form and, for numbers that did not
// parse (kept as their digits), the digits as typed. ok is false when the
// term holds fewer than minDigits digits.
func (n Normalizer) PhoneSearch(term string, minDigits int) (prefixes []string, ok bool) {
	d := Digits(term)
	if len(strings.TrimPrefix(d, "+")) < minDigits {
		return nil, false
	}
	// 00 is the international prefix in most regions (CN, HK, EU...): 0086 is +86.
	if strings.HasPrefix(d, "00") {
		d = "+" + d[2:]
	}
	if strings.HasPrefix(d, "+") {
		return []string{d}, true
	}
	// A national number's trunk 0 ((0755) 8888) is not part of its E.164 form.
	cc := n.region().cc
	return []string{"+" + cc + strings.TrimPrefix(d, "0"), d}, true
}
