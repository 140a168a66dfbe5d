package source

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/crmlens/crmlens/internal/layout"
)

// CheckedColumn is one mapped column as the source's database has it.
type CheckedColumn struct {
	Object layout.Object
	// Use is what the column is for: "key", "contact", "field name",
	// "identity easemob".
	Use    string
	Table  string
	Column string
	Type   string
}

// Report is what Check found: every mapped column and the lookups that
// would scan their whole table.
type Report struct {
	Columns  []CheckedColumn
	Warnings []string
}

// Check loads the source's schema (refusing a missing table or column) and
// EXPLAINs each lookup the sidebar makes: by key, by contact, by identity
// and, on contacts, by phone and e-mail (matching and search). A lookup
// MySQL would answer by reading the whole table (type ALL, or no key) is a
// warning, not an error: it works, slowly on a large table.
func (s *Source) Check(ctx context.Context) (Report, error) {
	tables, err := s.schema(ctx)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	objects := make([]layout.Object, 0, len(tables))
	for o := range tables {
		objects = append(objects, o)
	}
	sort.Slice(objects, func(i, j int) bool { return objects[i] < objects[j] })
	type lookup struct {
		object layout.Object
		use    string
		col    string
	}
	var lookups []lookup
	for _, o := range objects {
		t := tables[o]
		add := func(use, c string) {
			col := t.cols[strings.ToLower(c)]
			rep.Columns = append(rep.Columns, CheckedColumn{Object: o, Use: use, Table: t.name, Column: col.name, Type: col.typ})
		}
		add("key", t.spec.Key)
		lookups = append(lookups, lookup{o, "key", t.spec.Key})
		if t.spec.Contact != "" {
			add("contact", t.spec.Contact)
			lookups = append(lookups, lookup{o, "contact", t.spec.Contact})
		}
		for _, f := range sortedKeys(t.spec.Fields) {
			add("field "+f, t.spec.Fields[f])
			if o == layout.Contact && (f == "phone" || f == "email") {
				lookups = append(lookups, lookup{o, "field " + f + " (matching and search)", t.spec.Fields[f]})
			}
		}
		for _, ch := range sortedKeys(t.spec.Identities) {
			add("identity "+ch, t.spec.Identities[ch])
			lookups = append(lookups, lookup{o, "identity " + ch, t.spec.Identities[ch]})
		}
	}
	err = s.readOnly(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, l := range lookups {
			t := tables[l.object]
			full, err := scans(ctx, tx, fmt.Sprintf("EXPLAIN SELECT %s FROM %s WHERE %s = ?", t.quoted(t.spec.Key), quote(t.name), t.quoted(l.col)))
			if err != nil {
				return fmt.Errorf("explain the %s lookup of %s: %w", l.use, l.object, err)
			}
			for _, tbl := range full {
				w := fmt.Sprintf("%s: the lookup by %s (%s.%s) reads all of table %s: add an index on it", l.object, l.use, t.name, t.cols[strings.ToLower(l.col)].name, tbl)
				rep.Warnings = append(rep.Warnings, w)
			}
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// scans runs an EXPLAIN and returns the tables it reads whole: type ALL,
// or no key used.
func scans(ctx context.Context, tx *sql.Tx, explain string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, explain, "")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		get := func(name string) (sql.NullString, bool) {
			for i, c := range cols {
				if strings.EqualFold(c, name) {
					return vals[i], true
				}
			}
			return sql.NullString{}, false
		}
		typ, _ := get("type")
		key, _ := get("key")
		tbl, _ := get("table")
		extra, _ := get("Extra")
		// <derivedN>, <unionN,M>, <subqueryN> are MySQL's own temporary
		// tables (a view's subquery), not the company's.
		if !tbl.Valid || strings.HasPrefix(tbl.String, "<") || strings.Contains(extra.String, "Impossible WHERE") {
			continue
		}
		if typ.String == "ALL" || !key.Valid || key.String == "" {
			out = append(out, tbl.String)
		}
	}
	return out, rows.Err()
}
