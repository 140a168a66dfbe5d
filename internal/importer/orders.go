package importer

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/money"
)

// ordersSpec is the orders' columns (docs/import.md).
func ordersSpec() *objectSpec {
	return &objectSpec{name: "orders", tables: []string{"orders"}, columns: []column{
		externalIDColumn(), contactRefColumn(),
		{name: "order_no", max: 64, required: true},
		{name: "amount", required: true},
		{name: "currency", required: true},
		{name: "status", max: 32, required: true},
		{name: "created_at", required: true},
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &orders{owned: newOwned[model.Order](now)} }}
}

type orders struct {
	owned[model.Order]
}

func (h *orders) add(c *checker) {
	o := model.Order{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		OrderNo:    c.text("order_no"),
		Status:     c.lower("status"),
		PlacedAt:   c.timeAt("created_at"),
		CreatedAt:  h.now,
		UpdatedAt:  c.updatedAt(h.now),
	}
	currency := strings.ToUpper(c.text("currency"))
	if currency != "" && !money.ValidCurrency(currency) {
		c.fail("currency", "currency must be an ISO 4217 code of 3 letters, e.g. CNY or USD")
		currency = ""
	}
	o.Currency = currency
	if amount := c.text("amount"); amount != "" && currency != "" {
		minor, err := money.Parse(amount, currency)
		switch {
		case err == nil:
			o.AmountMinor = minor
		case errors.Is(err, money.ErrPrecision):
			c.fail("amount", "amount has more decimal places than %s allows (%d)", currency, money.Exponent(currency))
		default:
			c.fail("amount", "amount %v", err)
		}
	}
	h.keep(c, o.ExternalID, o, true)
}

func (h *orders) resolve(w *writer, errs *collector) error {
	return h.resolveIn(w, errs, "orders", func(o *model.Order, id *int64) { o.ContactID = id }, func(o model.Order) string { return o.ExternalID })
}

func (h *orders) write(w *writer, batch int) (Result, error) {
	if err := upsert(w, h.rows, batch, append(customUpdate(h.rows, func(o model.Order) *string { return o.Custom }), "contact_id", "order_no", "amount_minor", "currency", "status", "placed_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write orders: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}
