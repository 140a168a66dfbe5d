package sidebar_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// TestListsOfACustomLayout reads, in the one lists statement, two orders
// panels showing different fields (one filtered, one unsorted), a tickets
// panel, and an order pinned by an extra param that both orders panels show
// first with their own fields.
func TestListsOfACustomLayout(t *testing.T) {
	const doc = `name: two order panels
scope: {default: true}
panels:
  - object: contact
    fields: [name]
  - object: orders
    fields: [order_no, amount]
    filter: {status: [paid]}
    sort: placed_at
    limit: 3
  - object: orders
    fields: [order_no, status]
    limit: 2
  - object: tickets
    fields: [subject]
    sort: created_at
    limit: 1
`
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		f := newFixture(t, db)
		layouts := layout.NewStore(db, nil)
		docs, err := layout.ParseDocs([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := layouts.Put(ctx, docs[0], false, nil); err != nil {
			t.Fatal(err)
		}
		svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations, Layouts: layouts})

		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c := model.Contact{ExternalID: "C", Name: "Ann", CreatedAt: base, UpdatedAt: base}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		// SO-0 .. SO-5, placed a day apart; odd ones refunded, in USD.
		for i := range 6 {
			status, currency := "paid", "CNY"
			if i%2 == 1 {
				status, currency = "refunded", "USD"
			}
			o := model.Order{ExternalID: fmt.Sprint("O", i), ContactID: &c.ID, OrderNo: fmt.Sprint("SO-", i), AmountMinor: int64(100 * (i + 1)),
				Currency: currency, Status: status, PlacedAt: base.AddDate(0, 0, i), CreatedAt: base, UpdatedAt: base}
			if err := db.Create(&o).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i := range 2 {
			tk := model.Ticket{ExternalID: fmt.Sprint("T", i), ContactID: &c.ID, Subject: fmt.Sprint("ticket ", i), Status: "open",
				CreatedAt: base.AddDate(0, 0, i), UpdatedAt: base}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
		}
		v := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: "v", ContactID: &c.ID, LinkMethod: "identity", CreatedAt: base, LastSeenAt: base}
		if err := db.Create(&v).Error; err != nil {
			t.Fatal(err)
		}
		out, err := svc.Context(ctx, sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: v.ID,
			Extra: map[string]string{"orderNo": "SO-1"}}, "r")
		if err != nil {
			t.Fatal(err)
		}
		if out.Layout.Name != "two order panels" || len(out.Panels) != 4 {
			t.Fatalf("layout %q with %d panels", out.Layout.Name, len(out.Panels))
		}
		type cell struct{ key, want string }
		tests := []struct {
			panel int
			rows  [][]cell
		}{
			// Paid orders newest first (SO-4, SO-2, SO-0), SO-1 pinned on top
			// although refunded, within the limit of 3.
			{1, [][]cell{{{"order_no", "SO-1"}, {"amount", "2.00"}}, {{"order_no", "SO-4"}, {"amount", "5.00"}}, {{"order_no", "SO-2"}, {"amount", "3.00"}}}},
			// Unsorted: newest id first; SO-1 pinned, with this panel's fields.
			{2, [][]cell{{{"order_no", "SO-1"}, {"status", "refunded"}}, {{"order_no", "SO-5"}, {"status", "refunded"}}}},
			{3, [][]cell{{{"subject", "ticket 1"}}}},
		}
		for _, tt := range tests {
			p := out.Panels[tt.panel]
			if len(p.Records) != len(tt.rows) {
				t.Errorf("panel %d (%s): %d records, want %d", tt.panel, p.Object, len(p.Records), len(tt.rows))
				continue
			}
			for i, row := range tt.rows {
				for _, c := range row {
					got := p.Records[i].Values[c.key]
					if got == nil || *got != c.want {
						t.Errorf("panel %d record %d %s = %v, want %q", tt.panel, i, c.key, deref(got), c.want)
					}
				}
				if len(p.Records[i].Values) != len(row) {
					t.Errorf("panel %d record %d has fields %v, want only %d", tt.panel, i, p.Records[i].Values, len(row))
				}
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
