// Package source reads crmlens objects live from a company's own MySQL or
// MariaDB database ("live sources", issue 18 part 2): an admin maps objects
// onto tables or views through a read-only account, nothing is copied, and
// the sidebar reads a mapped object's records at view time.
//
// A Spec is the applied YAML (docs/sources.md); a Store keeps specs in
// crmlens's own database (the sources table); Open connects to one source,
// checks its mapping against information_schema and returns a *Source whose
// Read runs every query in a read-only transaction, with bound values, a
// LIMIT and a deadline. Sources are MySQL/MariaDB only: SQLite is crmlens's
// own store, never a source.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/layout"
)

// Error codes of a spec that cannot be applied.
const (
	CodeInvalidSpec   = "source_invalid"
	CodeUnknownObject = "source_unknown_object"
	CodeUnknownField  = "source_unknown_field"
	CodeMissingTable  = "source_missing_table"
	CodeMissingColumn = "source_missing_column"
	CodeObjectTaken   = "source_object_taken"
	CodeNotFound      = "source_not_found"
	// CodeNotServed refuses a mapping of contacts: the sidebar reads only
	// list objects (leads, tickets, orders) live so far.
	CodeNotServed = "source_object_not_served"
)

// Spec is one source as applied: a name, how to reach the database, and
// the objects mapped onto its tables.
type Spec struct {
	Name string `yaml:"name"`
	// URL is mysql://user:pass@host:port/db, a secret: the Store seals it
	// and never writes it back into the stored YAML.
	URL string `yaml:"url,omitempty"`
	// URLEnv names the environment variable holding the URL, read by the
	// process that opens the source (serve, source check).
	URLEnv  string                `yaml:"url_env,omitempty"`
	Objects map[string]ObjectSpec `yaml:"objects"`
}

// ObjectSpec maps one crmlens object onto a table or view.
type ObjectSpec struct {
	Table string `yaml:"table"`
	// Key is the column holding the record's external_id.
	Key string `yaml:"key"`
	// Contact is the column holding the contact's key (the contact's
	// external_id, whether contacts are live or imported). Lists only.
	Contact string `yaml:"contact,omitempty"`
	// Fields map crmlens field keys to columns.
	Fields map[string]string `yaml:"fields,omitempty"`
	// Identities map a channel (easemob, chatwoot, ...) to the column
	// holding that channel's visitor id. Contacts only.
	Identities map[string]string `yaml:"identities,omitempty"`
	// Defaults are constant values of fields the table has no column for,
	// e.g. currency: CNY.
	Defaults map[string]string `yaml:"defaults,omitempty"`
}

// objectNames are the names a spec may use for each object: crmlens's own
// (internal/layout) and the plural form of issue 18's example.
var objectNames = map[string]layout.Object{
	"contact": layout.Contact, "contacts": layout.Contact,
	"account": layout.Account, "accounts": layout.Account,
	"leads": layout.Leads, "lead": layout.Leads,
	"tickets": layout.Tickets, "ticket": layout.Tickets,
	"orders": layout.Orders, "order": layout.Orders,
}

// ObjectOf returns the crmlens object a spec's object name stands for.
func ObjectOf(name string) (layout.Object, bool) {
	o, ok := objectNames[strings.ToLower(name)]
	return o, ok
}

var (
	nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
	// identRE is what a table or column may be named in a spec: MySQL's
	// unquoted identifier characters, at most 64 (MySQL reference manual,
	// "Schema Object Names"). Names are also checked against
	// information_schema before any query uses them.
	identRE   = regexp.MustCompile(`^[A-Za-z0-9_$]{1,64}$`)
	channelRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
)

// Parse reads one spec from YAML, refusing unknown keys.
func Parse(b []byte) (Spec, error) {
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return Spec{}, apperr.New(apperr.Invalid, CodeInvalidSpec, "source file is not a valid source: %s", yamlMessage(err))
	}
	return s, nil
}

func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return err.Error()
}

// Validate checks s against the catalog (built-in and custom fields) without
// connecting: names, one way to the URL, known objects and fields, and
// identifiers a query may name.
func (s Spec) Validate(cat layout.Catalog) error {
	invalid := func(format string, a ...any) error {
		return apperr.New(apperr.Invalid, CodeInvalidSpec, "%s", fmt.Sprintf("source %q: ", s.Name)+fmt.Sprintf(format, a...))
	}
	if !nameRE.MatchString(s.Name) {
		return apperr.New(apperr.Invalid, CodeInvalidSpec, "%s", fmt.Sprintf("source name %q must be lower-case letters, digits, - or _ (at most 64), starting with a letter", s.Name))
	}
	switch {
	case s.URL != "" && s.URLEnv != "":
		return invalid("give url or url_env, not both")
	case s.URL == "" && s.URLEnv == "":
		return invalid("give url_env (the environment variable holding mysql://user:pass@host:port/db) or url")
	case s.URL != "":
		if _, err := DSN(s.URL); err != nil {
			return invalid("url: %v", err)
		}
	default:
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(s.URLEnv) {
			return invalid("url_env %q is not an environment variable name", s.URLEnv)
		}
	}
	if len(s.Objects) == 0 {
		return invalid("objects is empty: map at least one object (contacts, accounts, leads, tickets, orders)")
	}
	seen := map[layout.Object]string{}
	for _, name := range sortedKeys(s.Objects) {
		o, ok := ObjectOf(name)
		if !ok {
			return apperr.New(apperr.Invalid, CodeUnknownObject, "%s", fmt.Sprintf("source %q: unknown object %q; use one of contacts, accounts, leads, tickets, orders", s.Name, name))
		}
		if prev, dup := seen[o]; dup {
			return invalid("objects %q and %q are the same object", prev, name)
		}
		seen[o] = name
		if err := s.Objects[name].validate(s.Name, name, o, cat); err != nil {
			return err
		}
	}
	return nil
}

func (m ObjectSpec) validate(source, name string, o layout.Object, cat layout.Catalog) error {
	invalid := func(format string, a ...any) error {
		return apperr.New(apperr.Invalid, CodeInvalidSpec, "%s", fmt.Sprintf("source %q, object %s: ", source, name)+fmt.Sprintf(format, a...))
	}
	ident := func(what, v string) error {
		if !identRE.MatchString(v) {
			return invalid("%s %q is not a table or column name (letters, digits, _ and $, at most 64)", what, v)
		}
		return nil
	}
	if m.Table == "" || m.Key == "" {
		return invalid("needs table and key (the column holding the record's id)")
	}
	if err := ident("table", m.Table); err != nil {
		return err
	}
	if err := ident("key", m.Key); err != nil {
		return err
	}
	if o == layout.Account {
		return invalid("accounts cannot be live yet: a contact's account is found through the contact's account_id, which a live contact does not have")
	}
	if o == layout.Contact && m.Contact != "" {
		return invalid("contact is for lists (leads, tickets, orders): a contact is found by its key")
	}
	if !o.Single() {
		if m.Contact == "" {
			return invalid("needs contact: the column holding the contact's key (its external_id)")
		}
		if err := ident("contact", m.Contact); err != nil {
			return err
		}
	}
	known := func(field string) error {
		if _, ok := cat.Lookup(o, field); !ok {
			return apperr.New(apperr.Invalid, CodeUnknownField, "%s", fmt.Sprintf("source %q, object %s: unknown field %q; fields of %s: %s",
				source, name, field, o, strings.Join(cat.Keys(o), ", ")))
		}
		return nil
	}
	for _, f := range sortedKeys(m.Fields) {
		if err := known(f); err != nil {
			return err
		}
		if err := ident("field "+f, m.Fields[f]); err != nil {
			return err
		}
	}
	for _, f := range sortedKeys(m.Defaults) {
		if err := known(f); err != nil {
			return err
		}
		if _, both := m.Fields[f]; both {
			return invalid("field %q has both a column and a default", f)
		}
	}
	if len(m.Identities) > 0 && o != layout.Contact {
		return invalid("identities are for contacts only")
	}
	for _, ch := range sortedKeys(m.Identities) {
		if !channelRE.MatchString(ch) {
			return invalid("identity channel %q must be lower-case, e.g. easemob", ch)
		}
		if err := ident("identity "+ch, m.Identities[ch]); err != nil {
			return err
		}
	}
	return nil
}

// Served refuses a spec mapping contacts, which the sidebar does not read
// live yet: matching, search, reveal and links work on imported (or synced)
// contacts only, so such a mapping would be stored and silently unused.
// (Accounts are refused by Validate.)
func (s Spec) Served() error {
	if _, ok := s.Mapping()[layout.Contact]; ok {
		return apperr.New(apperr.Invalid, CodeNotServed,
			"source %q maps contacts, which crmlens does not read live yet (only leads, tickets and orders are): import or sync contacts (crmlens import, POST /api/v1/sync/contacts) and remove contacts from the file",
			s.Name)
	}
	return nil
}

// Mapping returns the object mapped onto each table, by crmlens object.
func (s Spec) Mapping() map[layout.Object]ObjectSpec {
	out := map[layout.Object]ObjectSpec{}
	for name, m := range s.Objects {
		if o, ok := ObjectOf(name); ok {
			out[o] = m
		}
	}
	return out
}

// Stored is s as the sources table keeps it: without its url.
func (s Spec) Stored() ([]byte, error) {
	s.URL = ""
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode source %q: %w", s.Name, err)
	}
	return b.Bytes(), enc.Close()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// columns lists the distinct columns m names, in a stable order, with what
// each is used for.
func (m ObjectSpec) columns() []string {
	cols := []string{m.Key}
	add := func(c string) {
		if c != "" && !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	add(m.Contact)
	for _, k := range sortedKeys(m.Fields) {
		add(m.Fields[k])
	}
	for _, k := range sortedKeys(m.Identities) {
		add(m.Identities[k])
	}
	return cols
}
