package importer

import (
	"fmt"
	"time"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// accountsSpec is the accounts' columns (docs/import.md).
func accountsSpec() *objectSpec {
	return &objectSpec{name: "accounts", tables: []string{"accounts"}, columns: []column{
		externalIDColumn(),
		{name: "name", max: 255, required: true},
		{name: "industry", max: 128},
		{name: "tier", max: 32},
		{name: "owner", max: 128},
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &accounts{now: now, ids: externalIDs{}} }}
}

type accounts struct {
	now     time.Time
	ids     externalIDs
	rows    []model.Account
	updated int
}

func (h *accounts) rowsToWrite() int { return len(h.rows) }

func (h *accounts) add(c *checker) {
	a := model.Account{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Name:       c.text("name"),
		Industry:   c.text("industry"),
		Tier:       c.text("tier"),
		Owner:      c.text("owner"),
		CreatedAt:  h.now,
		UpdatedAt:  c.updatedAt(h.now),
	}
	h.ids.claim(c, a.ExternalID)
	if c.ok {
		h.rows = append(h.rows, a)
	}
}

func (h *accounts) resolve(w *writer, _ *collector) (err error) {
	h.updated, err = countExisting(w, "accounts", extsOf(h.rows, func(a model.Account) string { return a.ExternalID }))
	return err
}

func (h *accounts) write(w *writer, batch int) (Result, error) {
	if err := upsert(w, h.rows, batch, append(customUpdate(h.rows, func(a model.Account) *string { return a.Custom }), "name", "industry", "tier", "owner", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write accounts: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
