package audit_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := int64(i)
				errs <- a.Record(ctx, audit.Event{Action: audit.ActionContextRead, Actor: "a-1", VisitorID: &id, RequestID: "r"})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Record returned: every event is written before Close.
		var written int64
		db.Model(&model.AuditEvent{}).Count(&written)
		if written != n {
			t.Fatalf("%d events written when every Record had returned, want %d", written, n)
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

// logWatch is a slog handler that signals each record whose message holds
// a word.
type logWatch struct {
	word string
	seen chan struct{}
}

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, w.word) {
		select {
		case w.seen <- struct{}{}:
		default:
		}
	}
	return nil
}
func (w *logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *logWatch) WithGroup(string) slog.Handler      { return w }

// TestAnsweredReadsAreAuditedThroughAnOutage: the audit table goes away
// (as in a database outage) while reads are recorded and comes back; every
// Record that returned nil (a read that was answered) has its row, on both
// engines. The old writer answered at once, gave a failed batch three
// tries and dropped it.
func TestAnsweredReadsAreAuditedThroughAnOutage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		watch := &logWatch{word: "could not be written", seen: make(chan struct{}, 1)}
		a := audit.NewAsync(audit.New(db), slog.New(watch))
		answered := map[string]bool{}
		var mu sync.Mutex
		record := func(id string) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			err := a.Record(ctx, audit.Event{Action: audit.ActionContextRead, Actor: "agent", RequestID: id})
			if err == nil {
				mu.Lock()
				answered[id] = true
				mu.Unlock()
			}
			return err
		}
		burst := func(prefix string, n int) (failed int) {
			var wg sync.WaitGroup
			var fails sync.Map
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := record(fmt.Sprintf("%s-%d", prefix, i)); err != nil {
						fails.Store(i, true)
					}
				}()
			}
			wg.Wait()
			fails.Range(func(any, any) bool { failed++; return true })
			return failed
		}
		if failed := burst("before", 50); failed != 0 {
			t.Fatalf("%d reads failed before the outage", failed)
		}
		// The outage: the table is not there.
		if err := db.Exec("ALTER TABLE audit_events RENAME TO audit_events_away").Error; err != nil {
			t.Fatal(err)
		}
		failed := burst("during", 50)
		// The writer has met the outage (and, in the old code, dropped
		// what it held).
		select {
		case <-watch.seen:
		case <-time.After(30 * time.Second):
			t.Fatal("the writer never reported the failed write")
		}
		if failed == 0 {
			t.Error("every read recorded during the outage was answered though its audit row could not be written")
		}
		if err := db.Exec("ALTER TABLE audit_events_away RENAME TO audit_events").Error; err != nil {
			t.Fatal(err)
		}
		if failed := burst("after", 50); failed != 0 {
			t.Errorf("%d reads failed after the outage", failed)
		}
		closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := a.Close(closeCtx); err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := db.Model(&model.AuditEvent{}).Pluck("request_id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		stored := map[string]bool{}
		for _, id := range ids {
			stored[id] = true
		}
		missing := 0
		for id := range answered {
			if !stored[id] {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d answered reads have no audit row", missing, len(answered))
		}
	})
}
