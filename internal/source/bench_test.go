package source

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// BenchmarkContactAndOrders reads one contact and its five latest orders,
// with the fields the default layout shows, through a live source and from
// the same records imported into crmlens's own tables, on the same MariaDB
// server. Both sides have an index on the orders' contact column.
//
//	go test -run '^$' -bench ContactAndOrders ./internal/source/
func BenchmarkContactAndOrders(b *testing.B) {
	const members, tradesEach = 200, 10
	ctx := context.Background()
	src := openShop(b, shopSpec, Options{})
	shop := src.DB()
	if _, err := shop.Exec("CREATE INDEX ix_trade_member ON t_trade (member_id, created)"); err != nil {
		b.Fatal(err)
	}
	crm, _ := dbtest.Open(b, database.MySQL)
	placed := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for m := range members {
		key := fmt.Sprintf("B%d", m)
		if _, err := shop.Exec("INSERT INTO t_member VALUES (?, ?, ?, ?, ?)", key, "Member "+key, fmt.Sprintf("1380000%04d", m), key+"@example.com", "im-"+key); err != nil {
			b.Fatal(err)
		}
		c := model.Contact{ExternalID: key, Name: "Member " + key, Phone: fmt.Sprintf("1380000%04d", m), Email: key + "@example.com"}
		if err := crm.Create(&c).Error; err != nil {
			b.Fatal(err)
		}
		var orders []model.Order
		for o := range tradesEach {
			tid := fmt.Sprintf("%s-%d", key, o)
			at := placed.Add(time.Duration(m*tradesEach+o) * time.Minute)
			if _, err := shop.Exec("INSERT INTO t_trade VALUES (?, ?, ?, ?, ?)", tid, key, "99.50", "paid", at); err != nil {
				b.Fatal(err)
			}
			orders = append(orders, model.Order{ExternalID: tid, ContactID: &c.ID, OrderNo: tid, AmountMinor: 9950, Currency: "CNY", Status: "paid", PlacedAt: at})
		}
		if err := crm.Create(&orders).Error; err != nil {
			b.Fatal(err)
		}
	}
	contactFields := fields(layout.Contact, "name", "phone", "email")
	orderFields := fields(layout.Orders, "order_no", "amount", "status", "placed_at")
	b.Run("live", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprintf("B%d", i%members)
			c, err := src.Read(ctx, Query{Object: layout.Contact, Fields: contactFields, By: ByKey, Value: key})
			if err != nil || len(c) != 1 {
				b.Fatalf("contact %v %v", c, err)
			}
			o, err := src.Read(ctx, Query{Object: layout.Orders, Fields: orderFields, By: ByContact, Value: c[0].Key, Sort: "placed_at", Limit: 5})
			if err != nil || len(o) != 5 {
				b.Fatalf("orders %v %v", o, err)
			}
		}
	})
	b.Run("imported", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprintf("B%d", i%members)
			c, err := rowsOf(crm.WithContext(ctx).Raw("SELECT id, name, phone, email FROM contacts WHERE external_id = ? LIMIT 1", key))
			if err != nil || len(c) != 1 {
				b.Fatalf("contact %v %v", c, err)
			}
			o, err := rowsOf(crm.WithContext(ctx).Raw("SELECT id, order_no, amount_minor, currency, status, placed_at FROM orders WHERE contact_id = ? ORDER BY placed_at DESC, id DESC LIMIT 5", c[0][0]))
			if err != nil || len(o) != 5 {
				b.Fatalf("orders %v %v", o, err)
			}
		}
	})
}

// rowsOf scans q's rows as text, as the sidebar does for imported records.
func rowsOf(q *gorm.DB) ([][]string, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
