package sidebar_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
	"github.com/crmlens/crmlens/internal/source"
)

// BenchmarkContextAudit measures the context call with its audit insert made
// in the request (sync) and batched off it (async), on each engine:
//
//	go test -run '^$' -bench BenchmarkContextAudit ./internal/sidebar
func BenchmarkContextAudit(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		db, _ := dbtest.Open(b, dialect)
		ctx := context.Background()
		f := newFixture(b, db)
		integrations, tokens := f.integrations, f.tokens
		now := time.Now().UTC()
		c := model.Contact{ExternalID: "C-1", Name: "Ann", CreatedAt: now, UpdatedAt: now}
		db.Create(&c)
		for i := 0; i < 20; i++ {
			db.Create(&model.Order{ExternalID: fmt.Sprint("O-", i), ContactID: &c.ID, OrderNo: fmt.Sprint("SO-", i), Currency: "CNY", Status: "paid", PlacedAt: now, CreatedAt: now, UpdatedAt: now})
		}
		v := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: "v", ContactID: &c.ID, LinkMethod: "identity", CreatedAt: now, LastSeenAt: now}
		db.Create(&v)
		claims := sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: v.ID}
		for _, mode := range []string{"sync", "async"} {
			b.Run(string(dialect)+"/"+mode, func(b *testing.B) {
				deps := sidebar.Deps{DB: db, Tokens: tokens, Integrations: integrations}
				var async *audit.Async
				if mode == "async" {
					async = audit.NewAsync(audit.New(db), nil)
					deps.Audit = async
				}
				svc := sidebar.New(deps)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := svc.Context(ctx, claims, "r"); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				if async != nil {
					_ = async.Close(ctx)
				}
			})
		}
	}
}

// BenchmarkContextLiveOrders measures the context of one contact on
// MariaDB with its orders panel imported (crmlens's orders table) and live
// (the company's own database, a second mariadbd, through internal/source),
// twenty orders either way, the audit batched:
//
//	go test -run '^$' -bench BenchmarkContextLiveOrders ./internal/sidebar
func BenchmarkContextLiveOrders(b *testing.B) {
	shop, set := liveShop(b, source.Options{})
	shopDB, err := sql.Open("mysql", shop.DSN("shop"))
	if err != nil {
		b.Fatal(err)
	}
	defer shopDB.Close()
	db, _ := dbtest.Open(b, database.MySQL)
	ctx := context.Background()
	f := newFixture(b, db)
	layouts := layout.NewStore(db, nil)
	docs, err := layout.ParseDocs([]byte(liveLayout))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := layouts.Put(ctx, docs[0], false, nil); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	c := model.Contact{ExternalID: "M9", Name: "Ann", Phone: "13800009999", CreatedAt: now, UpdatedAt: now}
	db.Create(&c)
	for i := 0; i < 20; i++ {
		placed := now.Add(-time.Duration(i) * time.Hour)
		db.Create(&model.Order{ExternalID: fmt.Sprint("O-", i), ContactID: &c.ID, OrderNo: fmt.Sprint("SO-", i), AmountMinor: 1999, Currency: "CNY", Status: "paid", PlacedAt: placed, CreatedAt: now, UpdatedAt: now})
		if _, err := shopDB.Exec("INSERT INTO t_trade VALUES (?, 'M9', 19.99, 'paid', ?)", fmt.Sprint("SO-", i), placed); err != nil {
			b.Fatal(err)
		}
	}
	v := model.Visitor{IntegrationID: f.integrationID, Channel: "easemob", ExternalID: "v", ContactID: &c.ID, LinkMethod: "identity", CreatedAt: now, LastSeenAt: now}
	db.Create(&v)
	claims := sessiontoken.Claims{IntegrationID: f.integrationID, IntegrationSlug: "acme", VisitorID: v.ID}
	for _, mode := range []struct {
		name    string
		sources *source.Set
	}{{"imported", nil}, {"live", set}} {
		b.Run(mode.name, func(b *testing.B) {
			async := audit.NewAsync(audit.New(db), nil)
			defer func() { _ = async.Close(ctx) }()
			svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations, Layouts: layouts, Audit: async, Sources: mode.sources})
			out, err := svc.Context(ctx, claims, "warm")
			if err != nil {
				b.Fatal(err)
			}
			if p := out.Panels[1]; p.Unavailable || len(p.Records) != 5 || (p.Source == "shop") != (mode.sources != nil) {
				b.Fatalf("orders panel: %+v", p)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := svc.Context(ctx, claims, "r"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
