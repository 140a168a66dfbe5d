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
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &leads{owned: newOwned[model.Lead](now)} }}
}

type leads struct {
	owned[model.Lead]
}

func (h *leads) add(c *checker) {
	l := model.Lead{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Title:      c.text("title"),
		Status:     c.lower("status"),
		Source:     c.text("source"),
		CreatedAt:  c.timeAt("created_at"),
		UpdatedAt:  c.updatedAt(h.now),
	}
	dated := !l.CreatedAt.IsZero()
	if !dated {
		l.CreatedAt = h.now
	}
	h.keep(c, l.ExternalID, l, dated)
}

func (h *leads) resolve(w *writer, errs *collector) error {
	return h.resolveIn(w, errs, "leads", func(l *model.Lead, id *int64) { l.ContactID = id }, func(l model.Lead) string { return l.ExternalID })
}

func (h *leads) write(w *writer, batch int) (Result, error) {
	if err := h.upsertDated(w, batch, func(l model.Lead) *string { return l.Custom }, "contact_id", "title", "status", "source"); err != nil {
		return Result{}, fmt.Errorf("write leads: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
