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
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler {
		return &tickets{owned: newOwned[model.Ticket](now)}
	}}
}

type tickets struct {
	owned[model.Ticket]
}

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
	dated := !t.CreatedAt.IsZero()
	if !dated {
		t.CreatedAt = h.now
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = h.now
	}
	h.keep(c, t.ExternalID, t, dated)
}

func (h *tickets) resolve(w *writer, errs *collector) error {
	return h.resolveIn(w, errs, "tickets", func(t *model.Ticket, id *int64) { t.ContactID = id }, func(t model.Ticket) string { return t.ExternalID })
}

func (h *tickets) write(w *writer, batch int) (Result, error) {
	if err := h.upsertDated(w, batch, func(t model.Ticket) *string { return t.Custom }, "contact_id", "subject", "status", "priority"); err != nil {
		return Result{}, fmt.Errorf("write tickets: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
