package importer

import (
	"fmt"
	"time"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// leadsSpec is the leads' columns (docs/import.md).
func leadsSpec() *objectSpec {
	return &objectSpec{name: "leads", tables: []string{"leads"}, columns: []column{
		externalIDColumn(), contactRefColumn(),
		{name: "title", max: 255, required: true},
		{name: "status", max: 32, required: true},
		{name: "source", max: 64},
		{name: "created_at"},
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &leads{now: now, ids: externalIDs{}} }}
}

type leads struct {
	now        time.Time
	ids        externalIDs
	rows       []model.Lead
	lines      []int
	contact    []string
	hasCreated []bool
	updated    int
}

func (h *leads) rowsToWrite() int { return len(h.rows) }

func (h *leads) add(c *checker) {
	l := model.Lead{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Title:      c.text("title"),
		Status:     c.lower("status"),
		Source:     c.text("source"),
		CreatedAt:  c.timeAt("created_at"),
		UpdatedAt:  h.now,
	}
	contact := c.text("contact_external_id")
	h.ids.claim(c, l.ExternalID)
	if !c.ok {
		return
	}
	h.hasCreated = append(h.hasCreated, !l.CreatedAt.IsZero())
	if l.CreatedAt.IsZero() {
		l.CreatedAt = h.now
	}
	h.rows = append(h.rows, l)
	h.lines = append(h.lines, c.rec.line)
	h.contact = append(h.contact, contact)
}

func (h *leads) resolve(w *writer, errs *collector) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", h.contact, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].ContactID = ids[i]
	}
	h.updated, err = countExisting(w, "leads", extsOf(h.rows, func(l model.Lead) string { return l.ExternalID }))
	return err
}

func (h *leads) write(w *writer, batch int) (Result, error) {
	// A lead without created_at keeps the one it has when it is updated.
	dated, undated := partition(h.rows, h.hasCreated)
	if err := upsert(w, dated, batch, append(customUpdate(dated, func(l model.Lead) *string { return l.Custom }), "contact_id", "title", "status", "source", "created_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write leads: %w", err)
	}
	if err := upsert(w, undated, batch, append(customUpdate(undated, func(l model.Lead) *string { return l.Custom }), "contact_id", "title", "status", "source", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write leads: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
