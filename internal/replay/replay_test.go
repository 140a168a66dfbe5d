package replay_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/replay"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time     { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)    { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func newClock(t time.Time) *clock   { return &clock{now: t} }
func exp(d time.Duration) time.Time { return t0.Add(d) }

func wantReplayed(t *testing.T, err error) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != replay.CodeTokenReplayed || e.Kind != apperr.Unauthorized {
		t.Fatalf("Use = %v, want %s (unauthorized)", err, replay.CodeTokenReplayed)
	}
}

func rows(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&model.UsedToken{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := replay.New(db, newClock(t0).Now)
		steps := []struct {
			name        string
			integration int64
			jti         string
			replayed    bool
		}{
			{"first use", 1, "jti-1", false},
			{"second use refused", 1, "jti-1", true},
			{"other integration, same jti", 2, "jti-1", false},
			{"other jti", 1, "jti-2", false},
			{"jti differing in case only", 1, "JTI-1", false},
			{"third use refused", 1, "jti-1", true},
			{"other integration's second use refused", 2, "jti-1", true},
		}
		for _, st := range steps {
			err := s.Use(ctx, st.integration, st.jti, exp(4*time.Minute))
			if st.replayed {
				wantReplayed(t, err)
			} else if err != nil {
				t.Fatalf("%s: Use: %v", st.name, err)
			}
		}
		if n := rows(t, db); n != 4 {
			t.Fatalf("used_tokens has %d rows, want 4", n)
		}
	})
}

func TestUseAcrossInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		a := replay.New(db, newClock(t0).Now)
		b := replay.New(db, newClock(t0).Now)
		if err := a.Use(ctx, 1, "shared", exp(time.Minute)); err != nil {
			t.Fatal(err)
		}
		wantReplayed(t, b.Use(ctx, 1, "shared", exp(time.Minute)))
	})
}

func TestUseConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		const n = 12
		for round := 0; round < 3; round++ {
			jti := fmt.Sprintf("race-%d", round)
			errs := make([]error, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				// Separate Stores stand for separate instances.
				s := replay.New(db, newClock(t0).Now)
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					errs[i] = s.Use(ctx, 7, jti, exp(time.Minute))
				}(i)
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					wantReplayed(t, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d concurrent uses succeeded, want exactly 1", round, ok)
			}
		}
	})
}

func TestSweep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		c := newClock(t0)
		s := replay.New(db, c.Now)
		// The first call sweeps (nothing yet).
		if err := s.Use(ctx, 1, "first", exp(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		// A row another instance left, expired two minutes ago.
		if err := db.Create(&model.UsedToken{IntegrationID: 1, JTI: "old", ExpiresAt: t0.Add(-2 * time.Minute)}).Error; err != nil {
			t.Fatal(err)
		}

		// Within the interval and before the 100th call, nothing is swept.
		c.Set(t0.Add(30 * time.Second))
		for i := 2; i < replay.SweepEvery; i++ {
			if err := s.Use(ctx, 2, fmt.Sprintf("fill-%d", i), exp(4*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if n := rows(t, db); n != replay.SweepEvery {
			t.Fatalf("rows = %d after %d calls, want %d", n, replay.SweepEvery-1, replay.SweepEvery)
		}

		// The 100th call sweeps: "old" expired more than a minute ago.
		if err := s.Use(ctx, 1, "x-100", exp(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var old int64
		if err := db.Model(&model.UsedToken{}).Where("jti = ?", "old").Count(&old).Error; err != nil {
			t.Fatal(err)
		}
		if old != 0 || rows(t, db) != replay.SweepEvery {
			t.Fatalf("after the 100th call: old rows = %d, rows = %d; want 0, %d", old, rows(t, db), replay.SweepEvery)
		}

		// A token expired less than a minute ago is kept.
		c.Set(t0.Add(4*time.Minute + 59*time.Second))
		if n, err := s.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("Sweep within the grace = %d, %v; want 0, nil", n, err)
		}

		// Once the interval has passed, the next call sweeps every token
		// expired more than a minute ago.
		c.Set(t0.Add(time.Hour))
		if err := s.Use(ctx, 1, "late", t0.Add(time.Hour+time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n := rows(t, db); n != 1 {
			t.Fatalf("rows = %d after the interval sweep, want 1 (the new token)", n)
		}

		// Sweep on its own.
		c.Set(t0.Add(3 * time.Hour))
		if n, err := s.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want 1, nil", n, err)
		}
	})
}

func TestUseExpiredTokenKeptAGrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		c := newClock(t0)
		s := replay.New(db, c.Now)
		// A token already past its exp is kept as if it expired now.
		if err := s.Use(ctx, 1, "stale", t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("Sweep = %d, %v; want 0, nil", n, err)
		}
		wantReplayed(t, s.Use(ctx, 1, "stale", t0.Add(-time.Hour)))
	})
}

func TestUseBadTokenID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		s := replay.New(db, nil)
		for _, jti := range []string{"", string(make([]byte, replay.MaxTokenID+1))} {
			if err := s.Use(context.Background(), 1, jti, time.Now().Add(time.Minute)); err == nil || apperr.As(err) != nil {
				t.Fatalf("Use(%d-byte jti) = %v, want an internal error", len(jti), err)
			}
		}
	})
}
