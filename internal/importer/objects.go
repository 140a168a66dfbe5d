package importer

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
)

// handler checks the records of one object, resolves what they refer to,
// and writes them.
type handler interface {
	// add checks one record and keeps it when c.ok stays true.
	add(c *checker)
	// resolve looks up, in bulk, the ids of referenced and existing records,
	// reporting missing references and conflicts to errs.
	resolve(w *writer, errs *collector) error
	// write upserts the kept records; it runs only if no line was bad.
	write(w *writer, batch int) (Result, error)
	// rowsToWrite is how many rows write will insert or update (records,
	// and identities for contacts), for progress reports.
	rowsToWrite() int
}

// Objects lists the objects Import accepts, in the order they should be
// imported (a contact refers to an account, a lead to a contact).
func Objects() []string {
	return []string{"accounts", "contacts", "leads", "tickets", "orders", "agents"}
}

// lookupObject finds an object by its plural or singular name.
func lookupObject(name string) (*objectSpec, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "accounts", "account":
		return accountsSpec(), nil
	case "contacts", "contact":
		return contactsSpec(), nil
	case "leads", "lead":
		return leadsSpec(), nil
	case "tickets", "ticket":
		return ticketsSpec(), nil
	case "orders", "order":
		return ordersSpec(), nil
	case "agents", "agent":
		return agentsSpec(), nil
	default:
		return nil, apperr.New(apperr.Invalid, "import_object",
			"cannot import %q: the objects are %s", name, strings.Join(Objects(), ", "))
	}
}

// externalIDColumn is the external_id every object but agents has.
func externalIDColumn() column { return column{name: "external_id", max: 128, required: true} }

// contactRefColumn is the contact a lead, ticket or order belongs to.
func contactRefColumn() column { return column{name: "contact_external_id", max: 128} }

// lookupChunk bounds the ids in one IN (...) list.
const lookupChunk = 1000

// idsByExternalID returns the ids of table's rows whose external_id is one
// of exts, keyed by fold(external_id).
func idsByExternalID(w *writer, table string, exts []string) (map[string]int64, error) {
	if w.empty[table] {
		return map[string]int64{}, nil
	}
	return lookupIDs(w, table, exts, "")
}

// lookupIDs is idsByExternalID with a locking clause (e.g. " LOCK IN SHARE
// MODE") after each query.
func lookupIDs(w *writer, table string, exts []string, locking string) (map[string]int64, error) {
	return lookupIDsWith(w.query, table, exts, locking)
}

// queryFunc runs a SELECT and calls scan for each row (writer.query,
// branch.query).
type queryFunc func(query string, args []any, scan func(*sql.Rows) error) error

// lookupIDsWith is lookupIDs through query.
func lookupIDsWith(query queryFunc, table string, exts []string, locking string) (map[string]int64, error) {
	out := make(map[string]int64, len(exts))
	for chunk := range slices.Chunk(exts, lookupChunk) {
		q := "SELECT id, external_id FROM " + table + " WHERE external_id IN (" + placeholders(len(chunk)) + ")" + locking
		err := query(q, anys(chunk), func(rows *sql.Rows) error {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				return err
			}
			out[fold(ext)] = id
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("look up %s by external_id: %w", table, err)
		}
	}
	return out, nil
}

// refs resolves the references of kept rows (refs[i] of the row on
// lines[i], "" for none) to ids of table, reporting each missing one.
func refs(w *writer, errs *collector, table, singular, col string, refs []string, lines []int) ([]*int64, error) {
	uniq := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if r != "" && !seen[fold(r)] {
			seen[fold(r)] = true
			uniq = append(uniq, r)
		}
	}
	// With foreign key checks off (a bulk load), lock the referenced rows
	// until the commit: the check the database skips is made here.
	locking := ""
	if w.shareLocks {
		locking = " LOCK IN SHARE MODE"
	}
	ids, err := lookupIDs(w, table, uniq, locking)
	if err != nil {
		return nil, err
	}
	out := make([]*int64, len(refs))
	for i, r := range refs {
		if r == "" {
			continue
		}
		id, ok := ids[fold(r)]
		if !ok {
			errs.add(lines[i], col, "%s %q not found; import %s first", singular, r, table)
			continue
		}
		out[i] = &id
	}
	return out, nil
}

// countExisting returns how many of exts already are rows of table.
func countExisting(w *writer, table string, exts []string) (int, error) {
	ids, err := idsByExternalID(w, table, exts)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range exts {
		if _, ok := ids[fold(e)]; ok {
			n++
		}
	}
	return n, nil
}

// upsert inserts rows batch at a time; a row whose external_id exists gets
// the columns in updates overwritten instead.
func upsert[T any](w *writer, rows []T, batch int, updates ...string) error {
	return create(w, rows, batch, &clause.OnConflict{
		Columns:   []clause.Column{{Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns(updates),
	})
}

func result(records, updated int) Result {
	return Result{Records: records, Created: records - updated, Updated: updated}
}

// partition splits rows by keep, preserving order.
func partition[T any](rows []T, keep []bool) (yes, no []T) {
	for i, r := range rows {
		if keep[i] {
			yes = append(yes, r)
		} else {
			no = append(no, r)
		}
	}
	return yes, no
}

func extsOf[T any](rows []T, ext func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = ext(r)
	}
	return out
}

func mapKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// customUpdate is ["custom"] when the file carried custom field columns, so
// a re-import replaces custom values only when it has them.
func customUpdate[T any](rows []T, custom func(T) *string) []string {
	for _, r := range rows {
		if custom(r) != nil {
			return []string{"custom"}
		}
	}
	return nil
}
