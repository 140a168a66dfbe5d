package audit_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestAsyncWritesEverything: every queued event is written by Close, in
// batches, on both engines.
func TestAsyncWritesEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		a := audit.NewAsync(audit.New(db), nil)
		const n = 1234
		for i := 0; i < n; i++ {
			id := int64(i)
			if err := a.Record(ctx, audit.Event{Action: audit.ActionContextRead, Actor: "a-1", VisitorID: &id, RequestID: "r"}); err != nil {
				t.Fatal(err)
			}
		}
		closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := a.Close(closeCtx); err != nil {
			t.Fatal(err)
		}
		var count int64
		db.Model(&model.AuditEvent{}).Count(&count)
		if count != n {
			t.Fatalf("written %d events, want %d", count, n)
		}
	})
}

func TestListFilters(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	l := audit.New(db)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c1, c2 := int64(1), int64(2)
	for i, ev := range []audit.Event{
		{Action: "context.read", Actor: "a", ContactID: &c1, At: base},
		{Action: "field.reveal", Actor: "a", ContactID: &c1, At: base.Add(time.Hour)},
		{Action: "context.read", Actor: "b", ContactID: &c2, At: base.Add(2 * time.Hour)},
	} {
		if err := l.Record(ctx, ev); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	tests := []struct {
		f    audit.Filter
		want int
	}{
		{audit.Filter{}, 3},
		{audit.Filter{Action: "context.read"}, 2},
		{audit.Filter{Actor: "a"}, 2},
		{audit.Filter{ContactID: 2}, 1},
		{audit.Filter{Since: base.Add(30 * time.Minute)}, 2},
		{audit.Filter{Until: base.Add(30 * time.Minute)}, 1},
		{audit.Filter{Limit: 2}, 2},
	}
	for _, tt := range tests {
		rows, err := l.List(ctx, tt.f)
		if err != nil || len(rows) != tt.want {
			t.Errorf("List(%+v) = %d rows, %v; want %d", tt.f, len(rows), err, tt.want)
		}
	}
	rows, _ := l.List(ctx, audit.Filter{Limit: 2})
	rest, _ := l.List(ctx, audit.Filter{Before: rows[1].ID})
	if len(rest) != 1 || rest[0].ID >= rows[1].ID {
		t.Errorf("next page = %+v", rest)
	}
}
