package source

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/money"
)

// By is how a Query finds records.
type By int

const (
	// ByKey finds the record whose key column is Value.
	ByKey By = iota
	// ByContact finds the records (of a list object) whose contact column
	// is Value: the contact's key, or an imported contact's external_id.
	ByContact
	// ByIdentity finds the contact whose identity column of Channel is
	// Value (a channel's visitor id).
	ByIdentity
	// ByPhone finds contacts by a phone as typed. A source's phones are
	// stored raw, as the company wrote them, so this compares the column
	// with the common forms of the number (PhoneForms), not a normalized
	// key: a number stored in another form is not found.
	ByPhone
	// ByEmail finds contacts whose e-mail column equals Value, trimmed
	// (MySQL's default collations compare case-insensitively).
	ByEmail
	// ByName finds contacts whose name column starts with Value ('%' and
	// '_' matched literally): a prefix, which an index on the column serves,
	// where an imported contact's search also matches inside the name.
	ByName
	// ByField finds records whose column of field Field equals Value, e.g.
	// the order an extra param pins (order_no).
	ByField
)

// Query is one read of a mapped object.
type Query struct {
	Object layout.Object
	// Fields are the fields the layout's panel shows (its Defs): only their
	// columns are selected, with a money field's currency and the key.
	Fields  []layout.Field
	By      By
	Value   string
	Channel string // ByIdentity
	Field   string // ByField
	// Limit bounds the records read (at most MaxLimit); 0 means 1 for
	// contacts and MaxLimit for lists.
	Limit int
	// Sort is a field key, largest or newest first; "" sorts by key.
	Sort string
	// Filters keep records whose field is among the values.
	Filters []layout.Filter
}

// Record is one record read from a source.
type Record struct {
	// Key is the record's external_id (its key column).
	Key string
	// Row is the record in the sidebar's shape for imported ones: values by
	// catalog column ("id" the key, "amount_minor" in minor units, custom
	// fields in a JSON object under "custom"), each a string or nil, so
	// that panelView renders it like an imported row.
	Row map[string]any
}

// Read runs q in a read-only transaction within the source's timeout. A
// source that is down or slow returns an error that errors.Is
// ErrUnavailable; an object the source does not map, or a lookup it cannot
// serve (an identity channel it has no column for, a contact search on a
// field it does not map), returns no record and no error.
func (s *Source) Read(ctx context.Context, q Query) ([]Record, error) {
	out, err := s.ReadAll(ctx, []Query{q})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ReadAll runs qs in one read-only transaction (one BEGIN and COMMIT for
// all the panels of a context this source serves) and returns their records
// in order; errors are Read's.
func (s *Source) ReadAll(ctx context.Context, qs []Query) ([][]Record, error) {
	tables, err := s.schema(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]Record, len(qs))
	sts := make([]*statement, len(qs))
	for i, q := range qs {
		if t, ok := tables[q.Object]; ok {
			if st, ok := t.statement(q, s.norm); ok {
				sts[i] = &st
			}
		}
	}
	stmts := make([]*sql.Stmt, len(qs))
	prepare := func(ctx context.Context) error {
		for i, st := range sts {
			if st != nil {
				var err error
				if stmts[i], err = s.prepared(ctx, st.sql); err != nil {
					return fmt.Errorf("prepare the read of %s: %w", qs[i].Object, err)
				}
			}
		}
		return nil
	}
	err = s.readOnlyAfter(ctx, prepare, func(ctx context.Context, tx *sql.Tx) error {
		for i, st := range sts {
			if st == nil {
				continue
			}
			recs, err := s.query(ctx, tx, qs[i], *st, stmts[i])
			if err != nil {
				return err
			}
			out[i] = recs
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// query runs st in tx, through stmt when it was prepared.
func (s *Source) query(ctx context.Context, tx *sql.Tx, q Query, st statement, stmt *sql.Stmt) ([]Record, error) {
	var rows *sql.Rows
	var err error
	if stmt != nil {
		rows, err = tx.StmtContext(ctx, stmt).QueryContext(ctx, st.args...)
	} else {
		rows, err = tx.QueryContext(ctx, st.sql, st.args...)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Object, err)
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(st.cols))
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var out []Record
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read %s: %w", q.Object, err)
		}
		out = append(out, st.record(q, vals))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", q.Object, err)
	}
	return out, nil
}

// statement is a SELECT built for a query: cols[i] is the field key (or
// "" for the key) of the i-th selected column.
type statement struct {
	sql      string
	args     []any
	cols     []string
	defaults map[string]string
	object   layout.Object
}

// Statement is the SQL and arguments q runs, for tests and the docs.
func (s *Source) Statement(ctx context.Context, q Query) (string, []any, error) {
	tables, err := s.schema(ctx)
	if err != nil {
		return "", nil, err
	}
	t, ok := tables[q.Object]
	if !ok {
		return "", nil, nil
	}
	st, _ := t.statement(q, s.norm)
	return st.sql, st.args, nil
}

func (t *table) statement(q Query, norm matchkey.Normalizer) (statement, bool) {
	st := statement{cols: []string{""}, defaults: map[string]string{}, object: q.Object}
	sel := []string{t.quoted(t.spec.Key)}
	want := func(key string) {
		if slices.Contains(st.cols, key) {
			return
		}
		if c, ok := t.spec.Fields[key]; ok {
			st.cols = append(st.cols, key)
			sel = append(sel, t.quoted(c))
		} else if v, ok := t.spec.Defaults[key]; ok {
			st.defaults[key] = v
		}
	}
	for _, f := range q.Fields {
		want(f.Key)
		// A money value is formatted by its currency's exponent, so the
		// currency is read even when the panel does not show it.
		if f.CurrencyField != "" {
			want(f.CurrencyField)
		}
	}
	var where []string
	switch q.By {
	case ByKey:
		where = append(where, t.quoted(t.spec.Key)+" = ?")
		st.args = append(st.args, q.Value)
	case ByContact:
		if t.spec.Contact == "" {
			return st, false
		}
		where = append(where, t.quoted(t.spec.Contact)+" = ?")
		st.args = append(st.args, q.Value)
	case ByIdentity:
		c, ok := t.spec.Identities[q.Channel]
		if !ok {
			return st, false
		}
		where = append(where, t.quoted(c)+" = ?")
		st.args = append(st.args, q.Value)
	case ByName, ByField:
		field := q.Field
		if q.By == ByName {
			field = "name"
		}
		c, ok := t.spec.Fields[field]
		if !ok || strings.TrimSpace(q.Value) == "" {
			return st, false
		}
		if q.By == ByName {
			where = append(where, t.quoted(c)+" LIKE ? ESCAPE '!'")
			st.args = append(st.args, likeEscaper.Replace(strings.TrimSpace(q.Value))+"%")
		} else {
			where = append(where, t.quoted(c)+" = ?")
			st.args = append(st.args, q.Value)
		}
	case ByPhone, ByEmail:
		field := "phone"
		forms := PhoneForms(q.Value, norm)
		if q.By == ByEmail {
			field = "email"
			forms = []string{strings.TrimSpace(q.Value)}
		}
		c, ok := t.spec.Fields[field]
		if !ok || len(forms) == 0 || forms[0] == "" {
			return st, false
		}
		where = append(where, t.quoted(c)+" IN ("+placeholders(len(forms))+")")
		for _, f := range forms {
			st.args = append(st.args, f)
		}
	default:
		return st, false
	}
	for _, flt := range q.Filters {
		c, ok := t.spec.Fields[flt.Field]
		if !ok {
			// A default either passes the filter for every record or for none.
			if v, ok := t.spec.Defaults[flt.Field]; ok && slices.Contains(flt.Values, v) {
				continue
			}
			return st, false
		}
		if len(flt.Values) == 0 {
			return st, false
		}
		where = append(where, t.quoted(c)+" IN ("+placeholders(len(flt.Values))+")")
		for _, v := range flt.Values {
			st.args = append(st.args, v)
		}
	}
	order := t.quoted(t.spec.Key)
	if c, ok := t.spec.Fields[q.Sort]; ok {
		order = t.quoted(c) + " DESC, " + order
	}
	limit := q.Limit
	if limit <= 0 {
		limit = MaxLimit
		if q.Object.Single() {
			limit = 1
		}
	}
	limit = min(limit, MaxLimit)
	st.sql = t.boundSelect(fmt.Sprintf("%s FROM %s WHERE %s ORDER BY %s DESC LIMIT %d",
		strings.Join(sel, ", "), quote(t.name), strings.Join(where, " AND "), order, limit))
	return st, true
}

// likeEscaper escapes a LIKE pattern for ESCAPE '!'.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// record turns scanned values into a Record in the sidebar's row shape.
func (st statement) record(q Query, vals []sql.NullString) Record {
	byKey := map[string]*string{}
	for i, key := range st.cols {
		if i > 0 && vals[i].Valid {
			v := vals[i].String
			byKey[key] = &v
		}
	}
	for k, v := range st.defaults {
		byKey[k] = &v
	}
	rec := Record{Key: vals[0].String, Row: map[string]any{"id": vals[0].String}}
	custom := map[string]any{}
	for _, f := range q.Fields {
		v := byKey[f.Key]
		if v == nil && f.Key == "external_id" && !f.Custom {
			// A record's external_id is its key unless a column is mapped.
			v = &rec.Key
		}
		if f.Custom {
			if v != nil {
				custom[f.Key] = *v
			}
			continue
		}
		if v == nil {
			rec.Row[f.Column] = nil
			continue
		}
		val := *v
		if f.Type == layout.Money {
			// A source keeps amounts in major units (199.50); crmlens's
			// rows hold minor units (amount_minor).
			cur := ""
			if c := byKey[f.CurrencyField]; c != nil {
				cur = *c
			}
			minor, err := money.Parse(val, cur)
			if err != nil {
				rec.Row[f.Column] = nil
				continue
			}
			val = fmt.Sprint(minor)
		}
		rec.Row[f.Column] = val
		if f.CurrencyField != "" {
			if cf, ok := layout.Lookup(q.Object, f.CurrencyField); ok {
				if c := byKey[f.CurrencyField]; c != nil {
					rec.Row[cf.Column] = *c
				}
			}
		}
	}
	if len(custom) > 0 {
		b, _ := json.Marshal(custom)
		rec.Row[layout.CustomColumn] = string(b)
	}
	return rec
}

// PhoneForms are the forms of a typed phone number a live source's raw
// phone column is compared with: as typed (trimmed), its digits, its E.164
// form with and without "+", and the national number alone and after
// "+CC " (for a Chinese mobile also spaced 3-4-4, with and without "+86 ",
// and dashed 3-4-4: the forms people write it in). A
// number stored any other way is not found: map a normalized column, or
// import contacts, to match every form (docs/sources.md).
func PhoneForms(raw string, norm matchkey.Normalizer) []string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	forms := []string{raw}
	add := func(f string) {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	add(matchkey.Digits(raw))
	e164 := norm.Phone(raw)
	if strings.HasPrefix(e164, "+") {
		add(e164)
		add(strings.TrimPrefix(e164, "+"))
		if n, err := phonenumbers.Parse(e164, ""); err == nil {
			national := phonenumbers.GetNationalSignificantNumber(n)
			add(national)
			cc := fmt.Sprintf("+%d ", n.GetCountryCode())
			add(cc + national)
			if n.GetCountryCode() == 86 && len(national) == 11 {
				spaced := national[:3] + " " + national[3:7] + " " + national[7:]
				add(spaced)
				add(cc + spaced)
				add(national[:3] + "-" + national[3:7] + "-" + national[7:])
			}
		}
	}
	return forms
}

// maxPrepared bounds the statements a source keeps prepared: one per
// distinct panel shape (fields, lookup, filters, limit), few per layout.
const maxPrepared = 256

// prepared returns the pool's prepared statement of text, preparing it
// once: database/sql then prepares it once per connection and reuses it,
// saving a prepare and a close per read. Past maxPrepared distinct texts it
// returns nil, and the caller runs the text unprepared.
func (s *Source) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.stmts[text]
	full := len(s.stmts) >= maxPrepared
	s.mu.Unlock()
	if ok || full {
		return st, nil
	}
	// Prepared without the lock held, for the caller's deadline alone to
	// bound it; a statement two callers prepared at once is kept once.
	st, err := s.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.stmts[text]; ok {
		_ = st.Close()
		return prev, nil
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[text] = st
	return st, nil
}

// ListQuery is the read of list panel p (leads, tickets, orders) for the
// contact whose key is contactKey: the panel's fields, filters, sort and
// limit, as the sidebar applies them to imported records.
func ListQuery(p layout.Panel, contactKey string) Query {
	return Query{Object: p.Object, Fields: p.Defs, By: ByContact, Value: contactKey,
		Limit: max(p.Limit, 1), Sort: p.Sort, Filters: p.Filters}
}

// ContactQuery is the read of contact panel p for the contact found by
// (by, value): ByKey with the contact's key, or ByIdentity with channel.
func ContactQuery(p layout.Panel, by By, channel, value string) Query {
	return Query{Object: layout.Contact, Fields: p.Defs, By: by, Channel: channel, Value: value, Limit: 1}
}
