package sidebar_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
	"github.com/crmlens/crmlens/internal/source"
)

// shopSchema is a company's own database, which crmlens does not own: its
// own names, orders in t_trade seen through a view whose boom column fails
// whenever it is selected ("Subquery returns more than 1 row").
var shopSchema = []string{
	"CREATE TABLE t_trade (tid VARCHAR(32) PRIMARY KEY, member_id VARCHAR(32), payment DECIMAL(12,2), trade_status VARCHAR(16), created DATETIME, KEY ix_member (member_id))",
	"CREATE VIEW v_trade AS SELECT t.tid, t.member_id, t.payment, t.trade_status, t.created, (SELECT 1 UNION SELECT 2) AS boom FROM t_trade t",
	"INSERT INTO t_trade VALUES ('TID-0001', 'M1', 199.50, 'paid', '2026-12-01 10:00:00'), ('TID-0002', 'M1', 20.00, 'refunded', '2026-12-02 11:00:00'), ('TID-0003', 'M2', 5.00, 'paid', '2026-12-02 12:00:00'), ('TID-0009', '', 9.00, 'paid', '2026-12-02 12:00:00')",
}

// shopOrders maps orders onto the view; external_id onto boom, so that a
// layout naming external_id cannot be read, and one that does not name it
// proves boom was not selected.
const shopOrders = `
name: shop
url_env: SHOP_DATABASE_URL
objects:
  orders:
    table: v_trade
    key: tid
    contact: member_id
    fields: {order_no: tid, amount: payment, status: trade_status, placed_at: created, external_id: boom}
    defaults: {currency: CNY}
`

// liveShop starts a mariadbd of its own for the company's database (so
// that halting it leaves crmlens's database up), creates the shop schema
// and returns the server and the set serving orders from it.
func liveShop(tb testing.TB, opts source.Options) (*mariadbtest.Server, *source.Set) {
	tb.Helper()
	ctx := context.Background()
	srv, err := mariadbtest.Start(ctx, mariadbtest.Options{TempPrefix: "crmlens-shop-"})
	if err != nil {
		tb.Skipf("live-source tests need mariadbd: %v", err)
	}
	tb.Cleanup(srv.Stop)
	u, err := srv.CreateSchema(ctx, "shop")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("mysql", srv.DSN("shop")+"&charset=utf8mb4")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range shopSchema {
		if _, err := db.Exec(stmt); err != nil {
			tb.Fatalf("%s: %v", stmt, err)
		}
	}
	spec, err := source.Parse([]byte(shopOrders))
	if err != nil {
		tb.Fatal(err)
	}
	if err := spec.Validate(layout.Builtin()); err != nil {
		tb.Fatal(err)
	}
	src, err := source.Open(spec, u, opts)
	if err != nil {
		tb.Fatal(err)
	}
	set := source.NewSet()
	set.Put(src)
	tb.Cleanup(set.Close)
	return srv, set
}

// liveLayout shows the imported contact (phone masked) and the live orders
// (order number masked), newest first.
const liveLayout = `name: live orders
scope: {default: true}
panels:
  - object: contact
    fields: [name, phone]
    masked: [phone]
  - object: orders
    fields: [order_no, amount, status, placed_at]
    masked: [order_no]
    sort: placed_at
    limit: 5
`

// TestContextMixesImportedContactsAndLiveOrders: the contact comes from
// crmlens's tables, its orders from the company's database at view time,
// with the layout's projection and masking; when the company's database
// goes down only the orders panel says so, and it comes back with it.
func TestContextMixesImportedContactsAndLiveOrders(t *testing.T) {
	shop, set := liveShop(t, source.Options{Timeout: 2 * time.Second})
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		f := newFixture(t, db)
		layouts := layout.NewStore(db, nil)
		docs, err := layout.ParseDocs([]byte(liveLayout))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := layouts.Put(ctx, docs[0], false, nil); err != nil {
			t.Fatal(err)
		}
		svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations, Layouts: layouts, Sources: set})
		now := time.Now().UTC()
		c := model.Contact{ExternalID: "M1", Name: "张三", Phone: "13800001111", CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		// An imported order of the same contact: orders are live, so it is
		// not shown.
		if err := db.Create(&model.Order{ExternalID: "O-imported", ContactID: &c.ID, OrderNo: "IMPORTED-1", Currency: "CNY", Status: "paid",
			PlacedAt: now, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		v := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: "v", ContactID: &c.ID, LinkMethod: "identity", CreatedAt: now, LastSeenAt: now}
		if err := db.Create(&v).Error; err != nil {
			t.Fatal(err)
		}
		claims := sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: v.ID}
		// Each order as the panel shows it: id, then order_no (masked),
		// amount, status, placed_at.
		t1 := []string{"TID-0001", "T******1", "199.50", "paid", "2026-12-01T10:00:00Z"}
		t2 := []string{"TID-0002", "T******2", "20.00", "refunded", "2026-12-02T11:00:00Z"}
		tests := []struct {
			name  string
			extra map[string]string
			want  [][]string
		}{
			{"newest first", nil, [][]string{t2, t1}},
			{"an order pinned by the conversation", map[string]string{"orderNo": "TID-0001"}, [][]string{t1, t2}},
			{"another contact's order pins nothing", map[string]string{"orderNo": "TID-0003"}, [][]string{t2, t1}},
		}
		for _, tt := range tests {
			claims.Extra = tt.extra
			out, err := svc.Context(ctx, claims, "r-"+tt.name)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			contactPanel, orders := out.Panels[0], out.Panels[1]
			if contactPanel.Unavailable || len(contactPanel.Records) != 1 || deref(contactPanel.Records[0].Values["phone"]) != "138****1111" {
				t.Fatalf("%s: contact panel %+v", tt.name, contactPanel)
			}
			if orders.Unavailable || orders.Source != "shop" {
				t.Fatalf("%s: orders panel unavailable %v from %q", tt.name, orders.Unavailable, orders.Source)
			}
			if len(orders.Records) != len(tt.want) {
				t.Fatalf("%s: %d orders, want %d: %+v", tt.name, len(orders.Records), len(tt.want), orders.Records)
			}
			for i, w := range tt.want {
				r := orders.Records[i]
				got := []string{r.ID, deref(r.Values["order_no"]), deref(r.Values["amount"]), deref(r.Values["status"]), deref(r.Values["placed_at"])}
				if len(r.Values) != 4 || got[0] != w[0] || got[1] != w[1] || got[2] != w[2] || got[3] != w[3] || got[4] != w[4] {
					t.Errorf("%s: order %d = %v (%d fields), want %v", tt.name, i, got, len(r.Values), w)
				}
				if r.Currencies["amount"] != "CNY" {
					t.Errorf("%s: order %d currency %v, want CNY (the mapping's default)", tt.name, i, r.Currencies)
				}
			}
		}

		// A contact without an external_id reads no live orders, not the
		// company's orders of no member.
		blank := model.Contact{ExternalID: "", Name: "No key", CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&blank).Error; err != nil {
			t.Fatal(err)
		}
		vb := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: "v-blank", ContactID: &blank.ID, LinkMethod: "identity", CreatedAt: now, LastSeenAt: now}
		if err := db.Create(&vb).Error; err != nil {
			t.Fatal(err)
		}
		nokey, err := svc.Context(ctx, sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: vb.ID}, "r-blank")
		if err != nil {
			t.Fatal(err)
		}
		if p := nokey.Panels[1]; p.Unavailable || len(p.Records) != 0 {
			t.Fatalf("orders of a contact without an external_id: %+v", p)
		}

		// A draft naming external_id (mapped onto boom) must select it, and
		// boom fails: the preview takes the same path, and its orders panel
		// is unavailable while the contact shows. The layout above, which
		// does not name it, was read: boom was not selected.
		draft, err := layout.ParseDocs([]byte(liveLayout))
		if err != nil {
			t.Fatal(err)
		}
		draft[0].Panels[1].Fields = append(draft[0].Panels[1].Fields, "external_id")
		pv, err := svc.Preview(ctx, draft[0].Layout(layout.Builtin()), c.ID, nil, "admin:ann", "r-preview")
		if err != nil {
			t.Fatal(err)
		}
		if !pv.Panels[1].Unavailable || len(pv.Panels[1].Records) != 0 || len(pv.Panels[0].Records) != 1 {
			t.Fatalf("preview naming external_id (boom): orders %+v, contact %+v", pv.Panels[1], pv.Panels[0])
		}

		// The company's database goes down: the orders panel says so, the
		// contact still shows.
		shop.Halt()
		resumed := false
		t.Cleanup(func() {
			if !resumed {
				_ = shop.Resume(context.Background())
			}
		})
		claims.Extra = nil
		start := time.Now()
		down, err := svc.Context(ctx, claims, "r-down")
		if err != nil {
			t.Fatalf("a down source failed the context: %v", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("the context took %s with the source down, want under its 2 s timeout and a margin", took)
		}
		if !down.Panels[1].Unavailable || len(down.Panels[1].Records) != 0 {
			t.Fatalf("orders with the source down: %+v", down.Panels[1])
		}
		if down.Panels[0].Unavailable || len(down.Panels[0].Records) != 1 || deref(down.Panels[0].Records[0].Values["name"]) != "张三" {
			t.Fatalf("contact with the source down: %+v", down.Panels[0])
		}
		if err := shop.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		resumed = true
		back, err := svc.Context(ctx, claims, "r-back")
		if err != nil {
			t.Fatal(err)
		}
		if back.Panels[1].Unavailable || len(back.Panels[1].Records) != 2 {
			t.Fatalf("orders after the source came back: %+v", back.Panels[1])
		}

		// The reads are audited with the source they used.
		details := map[string]map[string]string{}
		var evs []model.AuditEvent
		if err := db.Where("action IN ?", []string{"context.read", sidebar.ActionPreview}).Find(&evs).Error; err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			var d map[string]string
			_ = json.Unmarshal([]byte(ev.Detail), &d)
			details[ev.RequestID] = d
		}
		for rid, want := range map[string]map[string]string{
			"r-newest first": {"sources": "shop"},
			"r-down":         {"sources": "shop", "unavailable": "shop"},
			"r-back":         {"sources": "shop"},
			"r-preview":      {"sources": "shop", "unavailable": "shop", "layout": "live orders"},
		} {
			got := details[rid]
			if len(got) != len(want) {
				t.Errorf("audit of %s: detail %v, want %v", rid, got, want)
				continue
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("audit of %s: %s = %q, want %q", rid, k, got[k], v)
				}
			}
		}
	})
}
