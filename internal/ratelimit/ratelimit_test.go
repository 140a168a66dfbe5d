package ratelimit_test

import (
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/ratelimit"
)

func TestFailures(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := ratelimit.New(3, 6, func() time.Time { return now }) // 3 failures, one back every 10 s
	for i := 0; i < 3; i++ {
		if blocked, _ := f.Blocked("1.2.3.4"); blocked {
			t.Fatalf("blocked after %d failures, want 3 allowed", i)
		}
		f.Fail("1.2.3.4")
	}
	blocked, wait := f.Blocked("1.2.3.4")
	if !blocked || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("after 3 failures: blocked=%v wait=%v", blocked, wait)
	}
	if blocked, _ := f.Blocked("5.6.7.8"); blocked {
		t.Fatal("another address is blocked too")
	}
	now = now.Add(10 * time.Second)
	if blocked, _ := f.Blocked("1.2.3.4"); blocked {
		t.Fatal("still blocked after the allowance refilled")
	}
}
