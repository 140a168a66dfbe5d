package importer

import (
	"fmt"
	"time"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// ticketsSpec is the tickets' columns (docs/import.md).
func ticketsSpec() *objectSpec {
	return &objectSpec{name: "tickets", tables: []string{"tickets"}, columns: []column{
		externalIDColumn(), contactRefColumn(),
		{name: "subject", max: 255, required: true},
		{name: "status", max: 32, required: true},
		{name: "priority", max: 16},
		{name: "created_at"},
		{name: "updated_at"},
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &tickets{now: now, ids: externalIDs{}} }}
}

type tickets struct {
	now        time.Time
	ids        externalIDs
	rows       []model.Ticket
	lines      []int
	contact    []string
	hasCreated []bool
	updated    int
}

func (h *tickets) rowsToWrite() int { return len(h.rows) }

func (h *tickets) add(c *checker) {
	t := model.Ticket{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Subject:    c.text("subject"),
		Status:     c.oneOf("status", "", "open", "pending", "solved", "closed"),
		Priority:   c.oneOf("priority", "normal", "low", "normal", "high", "urgent"),
		CreatedAt:  c.timeAt("created_at"),
		UpdatedAt:  c.timeAt("updated_at"),
	}
	contact := c.text("contact_external_id")
	h.ids.claim(c, t.ExternalID)
	if !c.ok {
		return
	}
	h.hasCreated = append(h.hasCreated, !t.CreatedAt.IsZero())
	if t.CreatedAt.IsZero() {
		t.CreatedAt = h.now
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = h.now
	}
	h.rows = append(h.rows, t)
	h.lines = append(h.lines, c.rec.line)
	h.contact = append(h.contact, contact)
}

func (h *tickets) resolve(w *writer, errs *collector) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", h.contact, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].ContactID = ids[i]
	}
	h.updated, err = countExisting(w, "tickets", extsOf(h.rows, func(t model.Ticket) string { return t.ExternalID }))
	return err
}

func (h *tickets) write(w *writer, batch int) (Result, error) {
	dated, undated := partition(h.rows, h.hasCreated)
	if err := upsert(w, dated, batch, append(customUpdate(dated, func(t model.Ticket) *string { return t.Custom }), "contact_id", "subject", "status", "priority", "created_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write tickets: %w", err)
	}
	if err := upsert(w, undated, batch, append(customUpdate(undated, func(t model.Ticket) *string { return t.Custom }), "contact_id", "subject", "status", "priority", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write tickets: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
