package importer

import (
	"slices"
	"time"
)

// owned holds the kept records of an object that belongs to a contact
// (leads, tickets, orders) and what they share: each row's line and
// contact_external_id, and how the contacts are resolved.
type owned[T any] struct {
	now     time.Time
	ids     externalIDs
	rows    []T
	lines   []int
	contact []string
	// dated[i] says rows[i]'s record gave created_at (leads and tickets).
	dated   []bool
	updated int
}

func newOwned[T any](now time.Time) owned[T] { return owned[T]{now: now, ids: externalIDs{}} }

func (o *owned[T]) rowsToWrite() int { return len(o.rows) }

// keep reads the record's contact_external_id, claims its external_id and
// keeps row when the record has no problem; dated says the record gave
// created_at.
func (o *owned[T]) keep(c *checker, ext string, row T, dated bool) {
	contact := c.text("contact_external_id")
	o.ids.claim(c, ext)
	if !c.ok {
		return
	}
	o.rows = append(o.rows, row)
	o.lines = append(o.lines, c.rec.line)
	o.contact = append(o.contact, contact)
	o.dated = append(o.dated, dated)
}

// resolveIn sets each row's contact (with setContact) and counts the rows
// of table already there (by ext, their external_id).
func (o *owned[T]) resolveIn(w *writer, errs *collector, table string, setContact func(*T, *int64), ext func(T) string) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", o.contact, o.lines)
	if err != nil {
		return err
	}
	for i := range o.rows {
		setContact(&o.rows[i], ids[i])
	}
	o.updated, err = countExisting(w, table, extsOf(o.rows, ext))
	return err
}

// upsertDated upserts the rows, overwriting the columns cols (and custom,
// see customUpdate) and updated_at of existing ones, and created_at too for
// the rows whose record gave it: a record without created_at keeps the one
// it has when it is updated.
func (o *owned[T]) upsertDated(w *writer, batch int, custom func(T) *string, cols ...string) error {
	dated, undated := partition(o.rows, o.dated)
	if err := upsert(w, dated, batch, slices.Concat(customUpdate(dated, custom), cols, []string{"created_at", "updated_at"})...); err != nil {
		return err
	}
	return upsert(w, undated, batch, slices.Concat(customUpdate(undated, custom), cols, []string{"updated_at"})...)
}
