package importer

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/matchkey"
)

// column describes one column of an object's import file.
type column struct {
	name string
	// max is the longest value in characters, as the migration sizes the
	// column; 0 for values that are parsed (dates, amounts, identities).
	max        int
	required   bool
	identities bool
	// customType is set for an admin-defined field, stored in the record's
	// custom JSON object.
	customType string
	// allowed are a custom enum field's allowed values (none: any value).
	allowed []string
}

// objectSpec is one importable object: its columns and how to check and
// write its records.
type objectSpec struct {
	name    string
	columns []column
	// tables are the tables the import writes rows to (not those it only
	// reads), for the bulk-load path; none for objects that never take it.
	tables     []string
	newHandler func(now time.Time, norm matchkey.Normalizer) handler
}

func (s *objectSpec) column(name string) *column {
	if i := s.index(name); i >= 0 {
		return &s.columns[i]
	}
	return nil
}

// index is the position of the column name in s.columns (and in a
// record's vals), -1 if s has none.
func (s *objectSpec) index(name string) int {
	for i := range s.columns {
		if s.columns[i].name == name {
			return i
		}
	}
	return -1
}

func (s *objectSpec) columnList() string {
	names := make([]string, len(s.columns))
	for i, c := range s.columns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// checker checks the columns of one record, reporting each problem to errs
// with the record's line; ok stays true while none is found.
type checker struct {
	rec  *record
	spec *objectSpec
	errs *collector
	ok   bool
}

func (c *checker) fail(col, format string, args ...any) {
	c.ok = false
	c.errs.add(c.rec.line, col, format, args...)
}

// text returns a column's value after checking presence, UTF-8 and length.
// Messages never quote the value: it may be a phone or an email.
func (c *checker) text(name string) string {
	i := c.spec.index(name)
	if i < 0 {
		panic(fmt.Sprintf("importer: %s has no column %s", c.spec.name, name))
	}
	col, v := &c.spec.columns[i], c.rec.vals[i].v
	if v == "" {
		if col.required {
			c.fail(name, "%s is required", name)
		}
		return ""
	}
	if !utf8.ValidString(v) {
		c.fail(name, "%s is not valid UTF-8 text (save the file as UTF-8)", name)
		return ""
	}
	if col.max > 0 {
		if n := utf8.RuneCountInString(v); n > col.max {
			c.fail(name, "%s is %d characters long, at most %d are allowed", name, n, col.max)
			return ""
		}
	}
	return v
}

// lower is text in lower case, for statuses and other keywords.
func (c *checker) lower(name string) string {
	return strings.ToLower(c.text(name))
}

// oneOf is lower restricted to allowed values; an empty optional value
// becomes def.
func (c *checker) oneOf(name, def string, allowed ...string) string {
	v := c.lower(name)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	c.fail(name, "%s must be one of %s", name, strings.Join(allowed, ", "))
	return ""
}

func (c *checker) email(name string) string {
	v := c.text(name)
	if v != "" && !looksLikeEmail(v) {
		c.fail(name, "%s does not look like an email address (name@example.com)", name)
		return ""
	}
	return v
}

// looksLikeEmail accepts a bare addr-spec with a dotted domain: no display
// name, no angle brackets, no spaces.
func looksLikeEmail(s string) bool {
	if strings.ContainsAny(s, " <>\t\r\n") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 || strings.Contains(domain, "..") {
		return false
	}
	// Most addresses are plain: letters, digits and . _ % + - in a
	// dot-atom. net/mail decides the rest (quoted local parts, other
	// characters), at about ten times the cost.
	if plainAtom(local) && plainAtom(domain) {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// plainAtom says s is a dot-atom of letters, digits and . _ % + - (no dot
// first, last or twice in a row): an addr-spec part net/mail accepts as
// it is.
func plainAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// timeAt parses a time column (RFC 3339 or YYYY-MM-DD, which means midnight
// UTC). It returns the zero time when the column is absent.
func (c *checker) timeAt(name string) time.Time {
	v := c.text(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t, err = time.Parse(time.DateOnly, v)
	}
	if err != nil {
		c.fail(name, "%s must be an RFC 3339 time (2026-03-01T09:30:00Z, 2026-03-01T17:30:00+08:00) or a date (2026-03-01)", name)
		return time.Time{}
	}
	t = t.UTC().Truncate(time.Millisecond) // DATETIME(3) on MySQL
	if t.Year() < 1000 || t.Year() > 9999 {
		c.fail(name, "%s must be between the years 1000 and 9999", name)
		return time.Time{}
	}
	return t
}

// identities checks a contact's identities: the NDJSON list, or the CSV
// form "channel:external_id;channel:external_id". Duplicates within the
// record are dropped.
func (c *checker) identities() []identity {
	list := c.rec.identities
	if raw, ok := c.rec.get(c.spec, "identities"); ok && list == nil {
		for part := range strings.SplitSeq(raw, ";") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			ch, ext, found := strings.Cut(part, ":")
			if !found {
				c.fail("identities", "identities entry #%d must be channel:external_id", len(list)+1)
				ch, ext = badEntry, ""
			}
			list = append(list, identity{Channel: ch, ExternalID: ext})
		}
	}
	out := make([]identity, 0, len(list))
	seen := make(map[identity]bool, len(list))
	for i, id := range list {
		if id.Channel == badEntry {
			continue // reported above
		}
		id.Channel = strings.ToLower(strings.TrimSpace(id.Channel))
		id.ExternalID = strings.TrimSpace(id.ExternalID)
		good := true
		if !validChannel(id.Channel) {
			c.fail("identities", "identities entry #%d: channel must be 1 to 32 characters a-z, 0-9 or _ (e.g. easemob, wechat)", i+1)
			good = false
		}
		switch n := utf8.RuneCountInString(id.ExternalID); {
		case id.ExternalID == "":
			c.fail("identities", "identities entry #%d: external_id is required", i+1)
			good = false
		case !utf8.ValidString(id.ExternalID):
			c.fail("identities", "identities entry #%d: external_id is not valid UTF-8 text", i+1)
			good = false
		case n > 191:
			c.fail("identities", "identities entry #%d: external_id is %d characters long, at most 191 are allowed", i+1, n)
			good = false
		}
		if good && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// badEntry marks a CSV identities entry that could not be split.
const badEntry = "\x00"

func validChannel(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// fold is the key under which external ids are compared: MySQL's collation
// of external_id ignores case, so "C1" and "c1" are one record there.
func fold(s string) string { return strings.ToLower(s) }

// externalIDs finds external ids repeated within one file.
type externalIDs map[string]int

func (k externalIDs) claim(c *checker, ext string) {
	if ext == "" {
		return
	}
	key := fold(ext)
	if prev, ok := k[key]; ok {
		c.fail("external_id", "external_id %q is also on line %d; a record may appear once per file (external ids compare ignoring case)", ext, prev)
		return
	}
	k[key] = c.rec.line
}

// custom returns the record's admin-defined field values as the JSON object
// the custom column holds, checking each value against its field's type;
// nil when the file has no custom columns.
func (c *checker) custom() *string {
	var vals map[string]any
	has := false
	for _, col := range c.spec.columns {
		if col.customType == "" {
			continue
		}
		if !has {
			has, vals = true, map[string]any{}
		}
		v := c.text(col.name)
		if v == "" {
			continue
		}
		switch col.customType {
		case "number", "money":
			if _, err := strconv.ParseFloat(v, 64); err != nil || strings.ContainsAny(v, "eE") {
				c.fail(col.name, "%s must be a plain number such as 12.5", col.name)
				continue
			}
			vals[col.name] = v
		case "bool":
			b, err := strconv.ParseBool(v)
			if err != nil {
				c.fail(col.name, "%s must be true or false", col.name)
				continue
			}
			vals[col.name] = strconv.FormatBool(b)
		case "date":
			if _, err := time.Parse("2006-01-02", v); err != nil {
				c.fail(col.name, "%s must be a date like 2026-11-23", col.name)
				continue
			}
			vals[col.name] = v
		case "datetime":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				c.fail(col.name, "%s must be an RFC 3339 time like 2026-11-23T10:00:00Z", col.name)
				continue
			}
			vals[col.name] = t.UTC().Format(time.RFC3339)
		case "email":
			if !looksLikeEmail(v) {
				c.fail(col.name, "%s does not look like an email address (name@example.com)", col.name)
				continue
			}
			vals[col.name] = v
		case "url":
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				c.fail(col.name, "%s must be an http(s) URL", col.name)
				continue
			}
			vals[col.name] = v
		case "enum":
			if len(col.allowed) > 0 && !slices.Contains(col.allowed, v) {
				c.fail(col.name, "%s must be one of its allowed values: %s", col.name, strings.Join(col.allowed, ", "))
				continue
			}
			vals[col.name] = v
		default:
			vals[col.name] = v
		}
	}
	if !has {
		return nil
	}
	b, _ := json.Marshal(vals)
	out := string(b)
	return &out
}

// updatedAt is the record's updated_at when its object takes that column
// (tickets always; every object in a sync request, see Sync), else now.
func (c *checker) updatedAt(now time.Time) time.Time {
	if c.spec.index("updated_at") < 0 {
		return now
	}
	if t := c.timeAt("updated_at"); !t.IsZero() {
		return t
	}
	return now
}
