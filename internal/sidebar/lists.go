package sidebar

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/layout"
)

// listPart is one member of the lists statement: a list panel of the
// layout, or the order an extra param pins.
type listPart struct {
	table  string
	cols   []string // the columns read, "id" first
	where  string   // after "contact_id = ?", e.g. " AND status IN ?"
	args   []any    // for where
	order  string   // the ORDER BY column, newest or largest first
	byTime bool     // order is a date or time (else a number)
	limit  int
	pinned bool
}

// listColumns are the columns a panel reads: the record id, the fields it
// shows, the currency of a money field it shows, and the custom-field column
// when it shows custom fields.
func listColumns(p layout.Panel) []string {
	cols := []string{"id"}
	custom := false
	for _, f := range p.Defs {
		if f.Custom {
			if !custom {
				cols = append(cols, layout.CustomColumn)
				custom = true
			}
			continue
		}
		if !slices.Contains(cols, f.Column) {
			cols = append(cols, f.Column)
		}
		// A money value is formatted by its currency's exponent, so the
		// currency is read even when the panel does not show it.
		if cf, ok := layout.Lookup(p.Object, f.CurrencyField); ok && !slices.Contains(cols, cf.Column) {
			cols = append(cols, cf.Column)
		}
	}
	return cols
}

// listParts turns the layout's list panels (and a pinned order) into the
// members of the lists statement, in panel order, the pinned order last.
func listParts(panels []layout.Panel, extra map[string]string) []listPart {
	parts := make([]listPart, 0, len(panels)+1)
	var ordersCols []string
	for _, p := range panels {
		part := listPart{table: p.Object.Table(), cols: listColumns(p), order: "id", limit: max(p.Limit, 1)}
		for _, flt := range p.Filters {
			f, _ := layout.Lookup(p.Object, flt.Field)
			part.where += " AND " + f.Column + " IN ?" // GORM expands the slice
			part.args = append(part.args, flt.Values)
		}
		if p.Sort != "" {
			f, _ := layout.Lookup(p.Object, p.Sort)
			part.order = f.Column
			part.byTime = f.Type == layout.Date || f.Type == layout.DateTime
		}
		if p.Object == layout.Orders {
			// The pinned order serves every orders panel: read what any shows.
			if ordersCols == nil {
				ordersCols = []string{"id"}
			}
			for _, c := range part.cols {
				if !slices.Contains(ordersCols, c) {
					ordersCols = append(ordersCols, c)
				}
			}
		}
		parts = append(parts, part)
	}
	if orderNo := pinnedOrderNo(extra); orderNo != "" && ordersCols != nil {
		parts = append(parts, listPart{table: layout.Orders.Table(), cols: ordersCols, where: " AND order_no = ?",
			args: []any{orderNo}, order: "id", limit: 1, pinned: true})
	}
	return parts
}

// listsSQL is one statement reading every part for one contact: each part
// a SELECT with its own ORDER BY and LIMIT, so that each reads only its
// first records off its index, padded with NULLs to the widest part and
// joined with UNION ALL. Columns are aliased by position: k is the part, c0
// (the id), c1, ... its columns, s its sort key.
//
// MySQL takes the parts as parenthesized SELECTs; SQLite, which does not,
// as subqueries. The statement has no outer ORDER BY: sorting the union
// would make MySQL write it to a temporary table, which costs more than the
// reads (measured: about 15% more of mariadbd's CPU per context), so lists
// sorts the few rows itself.
func listsSQL(parts []listPart, contactID int64, mysql bool) (string, []any) {
	width := 0
	for _, p := range parts {
		width = max(width, len(p.cols))
	}
	var b strings.Builder
	var args []any
	for k, p := range parts {
		if k > 0 {
			b.WriteString(" UNION ALL ")
		}
		if mysql {
			b.WriteString("(")
		} else {
			b.WriteString("SELECT * FROM (")
		}
		fmt.Fprintf(&b, "SELECT %d AS k", k)
		for i := range width {
			if i < len(p.cols) {
				fmt.Fprintf(&b, ", %s AS c%d", p.cols[i], i)
			} else {
				fmt.Fprintf(&b, ", NULL AS c%d", i)
			}
		}
		fmt.Fprintf(&b, ", %s AS s FROM %s WHERE contact_id = ?%s ORDER BY %s DESC, id DESC LIMIT %d)",
			p.order, p.table, p.where, p.order, p.limit)
		args = append(args, contactID)
		args = append(args, p.args...)
	}
	return b.String(), args
}

// listRow is a row of the lists statement with its sort key.
type listRow struct {
	vals map[string]any
	id   int64
	key  string // s, as text; "" for NULL
}

// lists reads the records of every part in one statement; out[k] are part
// k's rows keyed by column name, in the part's order.
func (s *Service) lists(ctx context.Context, parts []listPart, contactID int64) ([][]map[string]any, error) {
	out := make([][]map[string]any, len(parts))
	if len(parts) == 0 {
		return out, nil
	}
	query, args := listsSQL(parts, contactID, s.db.Dialector.Name() == "mysql")
	rows, err := database.FromReplica(s.reads.WithContext(ctx)).Raw(query, args...).Rows()
	if s.replicaFailed(ctx, err) {
		rows, err = s.db.WithContext(ctx).Raw(query, args...).Rows()
	}
	if err != nil {
		return nil, fmt.Errorf("read list panels: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("read list panels: %w", err)
	}
	// k, c0, c1, ..., s: every value as text, as scanRows reads them.
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	byPart := make([][]listRow, len(parts))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read list panels: %w", err)
		}
		k, err := strconv.Atoi(vals[0].String)
		if err != nil || k < 0 || k >= len(parts) {
			return nil, fmt.Errorf("read list panels: a row of unknown part %q", vals[0].String)
		}
		names := parts[k].cols
		m := make(map[string]any, len(names))
		for i, name := range names {
			if v := vals[1+i]; v.Valid {
				m[name] = v.String
			} else {
				m[name] = nil
			}
		}
		id, _ := strconv.ParseInt(vals[1].String, 10, 64)
		byPart[k] = append(byPart[k], listRow{vals: m, id: id, key: vals[len(vals)-1].String})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read list panels: %w", err)
	}
	for k, rs := range byPart {
		byTime := parts[k].byTime
		slices.SortStableFunc(rs, func(a, b listRow) int {
			if c := compareKeys(b.key, a.key, byTime); c != 0 { // descending
				return c
			}
			return cmp.Compare(b.id, a.id)
		})
		out[k] = make([]map[string]any, len(rs))
		for i, r := range rs {
			out[k][i] = r.vals
		}
	}
	return out, nil
}

// compareKeys compares two sort keys as the database orders them: times
// or numbers by value, NULL ("") below any value.
func compareKeys(a, b string, byTime bool) int {
	switch {
	case a == "" || b == "":
		return cmp.Compare(len(a), len(b))
	case byTime:
		ta, okA := asTime(a)
		tb, okB := asTime(b)
		if okA && okB {
			return ta.Compare(tb)
		}
	default:
		na, errA := strconv.ParseFloat(a, 64)
		nb, errB := strconv.ParseFloat(b, 64)
		if errA == nil && errB == nil {
			return cmp.Compare(na, nb)
		}
	}
	return strings.Compare(a, b)
}

// pinnedOrderNo is the order number an extra param names, if any.
func pinnedOrderNo(extra map[string]string) string {
	for _, k := range pinnedOrderParams {
		if v := extra[k]; v != "" {
			return v
		}
	}
	return ""
}
