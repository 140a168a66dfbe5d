package sidebar_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
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
