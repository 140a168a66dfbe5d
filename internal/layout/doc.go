package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Doc is a layout as admins write it, in YAML or JSON (crmlens layout apply,
// the admin API). Example:
//
//	name: vip
//	scope:
//	  groups: [vip-team]
//	panels:
//	  - object: contact
//	    fields: [name, phone, email]
//	    masked: [phone]
//	  - object: orders
//	    fields: [order_no, amount, status, placed_at]
//	    limit: 5
//	    sort: placed_at
//	    filter: {status: [paid, shipped]}
type Doc struct {
	Name    string     `json:"name" yaml:"name"`
	Version int64      `json:"version,omitempty" yaml:"version,omitempty"`
	Scope   Scope      `json:"scope" yaml:"scope"`
	Panels  []PanelDoc `json:"panels" yaml:"panels"`
}

// Scope says whom a layout applies to. Precedence when several apply:
// integration > agent > group > default.
type Scope struct {
	Default      bool     `json:"default,omitempty" yaml:"default,omitempty"`
	Groups       []string `json:"groups,omitempty" yaml:"groups,omitempty"`
	Agents       []string `json:"agents,omitempty" yaml:"agents,omitempty"`
	Integrations []string `json:"integrations,omitempty" yaml:"integrations,omitempty"`
}

// PanelDoc is one panel of a Doc.
type PanelDoc struct {
	Object Object              `json:"object" yaml:"object"`
	Title  *Label              `json:"title,omitempty" yaml:"title,omitempty"`
	Fields []string            `json:"fields" yaml:"fields"`
	Masked []string            `json:"masked,omitempty" yaml:"masked,omitempty"`
	Labels map[string]Label    `json:"labels,omitempty" yaml:"labels,omitempty"`
	Limit  int                 `json:"limit,omitempty" yaml:"limit,omitempty"`
	Sort   string              `json:"sort,omitempty" yaml:"sort,omitempty"`
	Filter map[string][]string `json:"filter,omitempty" yaml:"filter,omitempty"`
}

// Limits on a layout.
const (
	MaxPanels = 20
	MaxLimit  = 50
)

// defaultTitles name each object's panel when the doc gives no title.
var defaultTitles = map[Object]Label{
	Contact: {"联系人", "Contact"}, Account: {"客户", "Account"}, Tickets: {"工单", "Tickets"},
	Orders: {"订单", "Orders"}, Leads: {"线索", "Leads"},
}

// Objects lists the objects a panel may show.
func Objects() []Object { return []Object{Contact, Account, Leads, Tickets, Orders} }

// ParseDocs reads one or more layouts from YAML (documents separated by
// ---) or JSON (one object or an array).
func ParseDocs(b []byte) ([]Doc, error) {
	trimmed := bytes.TrimSpace(b)
	invalid := func(err error) error {
		return apperr.New(apperr.Invalid, "invalid_layout", "the layout file is not valid YAML or JSON: %v", err)
	}
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var docs []Doc
		if err := json.Unmarshal(trimmed, &docs); err != nil {
			return nil, invalid(err)
		}
		return docs, nil
	}
	var docs []Doc
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	for {
		var d Doc
		err := dec.Decode(&d)
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, invalid(err)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, apperr.New(apperr.Invalid, "invalid_layout", "the layout file holds no layout")
	}
	return docs, nil
}

// Validate checks d against the catalog cat; the error names the panel and
// field at fault.
func (d Doc) Validate(cat Catalog) error {
	// bad names the field at fault (e.g. panels.0.fields, 0-based) for
	// forms; the message counts panels from 1 for people.
	bad := func(field, format string, args ...any) error {
		return apperr.OnField(apperr.New(apperr.Invalid, "invalid_layout", "layout %q: "+format, append([]any{d.Name}, args...)...), field)
	}
	if strings.TrimSpace(d.Name) == "" || len(d.Name) > 128 {
		return apperr.OnField(apperr.New(apperr.Invalid, "invalid_layout", "a layout needs a name of 1 to 128 characters"), "name")
	}
	if unsafeText(d.Name) {
		return apperr.OnField(apperr.New(apperr.Invalid, "invalid_layout",
			"a layout name cannot hold control or bidirectional-override characters"), "name")
	}
	if len(d.Panels) == 0 {
		return bad("panels", "it has no panels; add at least one")
	}
	if len(d.Panels) > MaxPanels {
		return bad("panels", "it has %d panels, at most %d", len(d.Panels), MaxPanels)
	}
	if !d.Scope.Default && len(d.Scope.Groups)+len(d.Scope.Agents)+len(d.Scope.Integrations) == 0 {
		return bad("scope", "its scope is empty: say default: true, or list groups, agents or integrations")
	}
	for i, p := range d.Panels {
		n := i + 1
		at := func(part string) string { return fmt.Sprintf("panels.%d.%s", i, part) }
		if _, ok := catalog[p.Object]; !ok {
			return bad(at("object"), "panel %d shows unknown object %q; the objects are contact, account, leads, tickets, orders", n, p.Object)
		}
		if len(p.Fields) == 0 {
			return bad(at("fields"), "panel %d (%s) names no fields", n, p.Object)
		}
		seen := map[string]bool{}
		for _, f := range p.Fields {
			if _, ok := cat.Lookup(p.Object, f); !ok {
				return bad(at("fields"), "panel %d (%s) names unknown field %q; %s has %s", n, p.Object, f, p.Object, strings.Join(cat.Keys(p.Object), ", "))
			}
			if seen[f] {
				return bad(at("fields"), "panel %d (%s) names field %q twice", n, p.Object, f)
			}
			seen[f] = true
		}
		for _, m := range p.Masked {
			if !seen[m] {
				return bad(at("masked"), "panel %d (%s) masks %q, which it does not show", n, p.Object, m)
			}
		}
		for k := range p.Labels {
			if !seen[k] {
				return bad(at("labels"), "panel %d (%s) relabels %q, which it does not show", n, p.Object, k)
			}
		}
		if p.Limit < 0 || p.Limit > MaxLimit {
			return bad(at("limit"), "panel %d (%s) has limit %d; use 1 to %d", n, p.Object, p.Limit, MaxLimit)
		}
		if p.Sort != "" {
			f, ok := cat.Lookup(p.Object, p.Sort)
			if !ok || !f.Sortable() {
				return bad(at("sort"), "panel %d (%s) sorts by %q, which is not a date, number or money field of %s", n, p.Object, p.Sort, p.Object)
			}
		}
		for k, vals := range p.Filter {
			f, ok := cat.Lookup(p.Object, k)
			if !ok {
				return bad(at("filter"), "panel %d (%s) filters on unknown field %q", n, p.Object, k)
			}
			if !f.Filterable() {
				return bad(at("filter"), "panel %d (%s) filters on %q, which cannot be filtered (only status-like fields can: %s)", n, p.Object, k, strings.Join(filterable(p.Object), ", "))
			}
			if len(vals) == 0 || len(vals) > 20 {
				return bad(at("filter"), "panel %d (%s) filters %q on %d values; give 1 to 20", n, p.Object, k, len(vals))
			}
		}
	}
	return nil
}

// Layout turns a valid Doc into the runtime layout, resolving its fields in
// cat; a field no longer in the catalog (a retired custom field) is left out.
func (d Doc) Layout(cat Catalog) Layout {
	l := Layout{Name: d.Name}
	for i, p := range d.Panels {
		title := defaultTitles[p.Object]
		if p.Title != nil {
			title = *p.Title
		}
		panel := Panel{Key: fmt.Sprintf("%s-%d", p.Object, i+1), Object: p.Object, Title: title,
			Masked: p.Masked, Labels: p.Labels, Limit: p.Limit, Sort: p.Sort}
		for _, k := range p.Fields {
			if f, ok := cat.Lookup(p.Object, k); ok {
				panel.Fields = append(panel.Fields, k)
				panel.Defs = append(panel.Defs, f)
			}
		}
		if !p.Object.Single() && panel.Limit == 0 {
			panel.Limit = 10
		}
		keys := make([]string, 0, len(p.Filter))
		for k := range p.Filter {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			panel.Filters = append(panel.Filters, Filter{Field: k, Values: p.Filter[k]})
		}
		l.Panels = append(l.Panels, panel)
	}
	return l
}

// FieldKeys lists the field keys of object.
func FieldKeys(o Object) []string {
	var out []string
	for _, f := range catalog[o] {
		out = append(out, f.Key)
	}
	return out
}

func filterable(o Object) []string {
	var out []string
	for _, f := range catalog[o] {
		if f.Filterable() {
			out = append(out, f.Key)
		}
	}
	return out
}

// Sortable reports whether panels may sort by f.
func (f Field) Sortable() bool {
	if f.Custom {
		return false
	}
	switch f.Type {
	case Date, DateTime, Number, Money:
		return true
	}
	return false
}

// Filterable reports whether panels may filter on f: built-in fields with a
// small set of values (status, priority, tier). Custom fields live in JSON
// and cannot be filtered or sorted by the database's indexes.
func (f Field) Filterable() bool { return !f.Custom && (f.Type == Enum || f.Type == Bool) }

// DefaultDoc is the built-in layout as a Doc.
func DefaultDoc() Doc {
	d := Doc{Name: "default", Scope: Scope{Default: true}}
	for _, p := range Default().Panels {
		pd := PanelDoc{Object: p.Object, Fields: p.Fields, Masked: p.Masked, Limit: p.Limit, Sort: p.Sort}
		title := p.Title
		pd.Title = &title
		if len(p.Filters) > 0 {
			pd.Filter = map[string][]string{}
			for _, f := range p.Filters {
				pd.Filter[f.Field] = f.Values
			}
		}
		d.Panels = append(d.Panels, pd)
	}
	return d
}

// ObjectLabel names object o in both UI languages.
func ObjectLabel(o Object) Label { return defaultTitles[o] }

// unsafeText reports whether s holds a NUL or other control character, or
// a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
// which would make a name display as something else than it is.
func unsafeText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}
