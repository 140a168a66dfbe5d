package sidebar_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// countStatements counts every statement GORM sends through db.
func countStatements(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", count),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", count),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", count),
		"create": cb.Create().After("gorm:create").Register("test:count_create", count),
	} {
		if err != nil {
			t.Fatalf("register %s counter: %v", name, err)
		}
	}
	return &n
}

// TestContextQueriesDoNotGrowWithRecords: the context of a contact with one
// record per list costs as many statements as one with fifty (no N+1), and
// an order pinned by an extra param costs none more.
func TestContextQueriesDoNotGrowWithRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		f := newFixture(t, db)
		svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations})
		now := time.Now().UTC()
		var last sidebar.ContextView
		statements := func(records int, extra map[string]string) int64 {
			acct := model.Account{ExternalID: fmt.Sprintf("A-%d", records), Name: "Acme", CreatedAt: now, UpdatedAt: now}
			if err := db.Create(&acct).Error; err != nil {
				t.Fatal(err)
			}
			c := model.Contact{ExternalID: fmt.Sprintf("C-%d", records), Name: "Ann", AccountID: &acct.ID, CreatedAt: now, UpdatedAt: now}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
			for i := 0; i < records; i++ {
				ext := fmt.Sprintf("%d-%d", records, i)
				db.Create(&model.Order{ExternalID: "O-" + ext, ContactID: &c.ID, OrderNo: "SO-" + ext, Currency: "CNY", Status: "paid", PlacedAt: now, CreatedAt: now, UpdatedAt: now})
				db.Create(&model.Ticket{ExternalID: "T-" + ext, ContactID: &c.ID, Subject: "s", Status: "open", CreatedAt: now, UpdatedAt: now})
				db.Create(&model.Lead{ExternalID: "L-" + ext, ContactID: &c.ID, Title: "l", Status: "open", CreatedAt: now, UpdatedAt: now})
			}
			v := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: fmt.Sprintf("v-%d", records), ContactID: &c.ID, LinkMethod: "identity", CreatedAt: now, LastSeenAt: now}
			if err := db.Create(&v).Error; err != nil {
				t.Fatal(err)
			}
			claims := sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: v.ID, Extra: extra}
			if _, err := svc.Context(ctx, claims, "warm"); err != nil { // warms the layout cache
				t.Fatal(err)
			}
			n := countStatements(t, db)
			out, err := svc.Context(ctx, claims, "r")
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Panels) != 5 {
				t.Fatalf("panels = %d", len(out.Panels))
			}
			last = out
			got := n.Load()
			db.Callback().Query().Remove("test:count_query")
			db.Callback().Row().Remove("test:count_row")
			db.Callback().Raw().Remove("test:count_raw")
			db.Callback().Create().Remove("test:count_create")
			return got
		}
		one := statements(1, nil)
		fifty := statements(50, nil)
		if one != fifty {
			t.Fatalf("statements with 1 record per list: %d, with 50: %d", one, fifty)
		}
		// The fifty-record contact's lists hold each panel's newest records,
		// up to its limit (all placed at the same time: larger id first).
		for _, p := range last.Panels[2:] {
			limit := map[string]int{"tickets": 10, "orders": 5, "leads": 10}[string(p.Object)]
			if len(p.Records) != limit {
				t.Errorf("panel %s: %d records, want %d", p.Key, len(p.Records), limit)
			}
			for i := 1; i < len(p.Records); i++ {
				prev, _ := strconv.Atoi(p.Records[i-1].ID)
				cur, _ := strconv.Atoi(p.Records[i].ID)
				if prev <= cur {
					t.Errorf("panel %s: record %d (id %d) after id %d, want newest first", p.Key, i, cur, prev)
				}
			}
		}
		// head (1) + every list panel together (1) + the audit insert (1).
		if one != 3 {
			t.Errorf("a context costs %d statements, want 3", one)
		}
		pinned := statements(51, map[string]string{"orderNo": "SO-51-7"})
		if pinned != one {
			t.Errorf("with a pinned order a context costs %d statements, want %d", pinned, one)
		}
		if orders := last.Panels[3]; len(orders.Records) != 5 || orders.Records[0].Values["order_no"] == nil || *orders.Records[0].Values["order_no"] != "SO-51-7" {
			t.Errorf("orders panel with SO-51-7 pinned: %+v", orders.Records)
		}
	})
}
