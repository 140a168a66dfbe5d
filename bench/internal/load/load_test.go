package load

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		out := make([]time.Duration, len(xs))
		for i, x := range xs {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one value", ms(7), 50, 7 * time.Millisecond},
		{"one value p99", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of even is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p90 of 100", hundred, 90, 90 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the min", hundred, 0.001, 1 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Percentile(c.sorted, c.p); got != c.want {
				t.Fatalf("Percentile(%v, %v) = %v, want %v", c.sorted, c.p, got, c.want)
			}
		})
	}
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	s := Summarize(ds)
	if s.Count != 5 || s.P50 != 3 || s.Max != 5 || s.Mean != 3 || s.P99 != 5 {
		t.Fatalf("Summarize = %+v", s)
	}
	if got := Summarize(nil); got.Count != 0 || got.P99 != 0 {
		t.Fatalf("Summarize(nil) = %+v", got)
	}
}

func TestMedian(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, c := range cases {
		in := append([]float64(nil), c.xs...)
		if got := Median(in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.want)
		}
		for i := range in {
			if in[i] != c.xs[i] {
				t.Fatalf("Median modified its input: %v", in)
			}
		}
	}
}

func TestSchedule(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		rate  float64
		d     time.Duration
		wantN int
	}{
		{"whole", 100, 2 * time.Second, 200},
		{"fractional rate rounds down", 2.5, time.Second, 2},
		{"zero rate", 0, time.Second, 0},
		{"negative rate", -5, time.Second, 0},
		{"zero duration", 100, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if s := NewSchedule(start, c.rate, c.d); s.N != c.wantN {
				t.Fatalf("N = %d, want %d", s.N, c.wantN)
			}
		})
	}
	s := NewSchedule(start, 3, 10*time.Second)
	if got := s.At(0); !got.Equal(start) {
		t.Fatalf("At(0) = %v, want the start", got)
	}
	if got, want := s.At(3), start.Add(time.Second); !got.Equal(want) {
		t.Fatalf("At(3) = %v, want %v", got, want)
	}
	// At is computed from the start, not summed: no drift over a long run.
	long := NewSchedule(start, 3, time.Hour)
	if got, want := long.At(3*3600), start.Add(time.Hour); got.Sub(want).Abs() > time.Microsecond {
		t.Fatalf("At(10800) = %v, want %v", got, want)
	}
	for k := 1; k < 100; k++ {
		if !s.At(k).After(s.At(k - 1)) {
			t.Fatalf("At(%d) is not after At(%d)", k, k-1)
		}
	}
}

func TestOpenKeepsTheRateWhateverTheAnswers(t *testing.T) {
	// A target slower than the interval: a closed loop would slow down, the
	// open loop keeps sending and the latency shows the queueing.
	slow := func(ctx context.Context, seq int) error {
		time.Sleep(30 * time.Millisecond)
		return nil
	}
	start := time.Now()
	res := Open(context.Background(), slow, 200, 200*time.Millisecond, 1000)
	if res.Scheduled != 40 || res.OK != 40 || res.Errors != 0 {
		t.Fatalf("Open = %+v, want 40 sent and answered", res)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Open took %v", el)
	}
	if res.Latency.P50 < 30*time.Millisecond {
		t.Fatalf("p50 %v is below the target's own 30 ms", res.Latency.P50)
	}
}

func TestOpenCountsWaitsForASlotAsLatency(t *testing.T) {
	// One slot and a 20 ms target at 100/s: requests queue behind each
	// other, and latency from the scheduled time grows past the service time.
	slow := func(ctx context.Context, seq int) error {
		time.Sleep(20 * time.Millisecond)
		return nil
	}
	res := Open(context.Background(), slow, 100, 100*time.Millisecond, 1)
	if res.OK != 10 {
		t.Fatalf("OK = %d, want 10", res.OK)
	}
	if res.Latency.Max < 100*time.Millisecond {
		t.Fatalf("max %v: the queueing behind one slot is not counted", res.Latency.Max)
	}
}

func TestOpenCountsErrors(t *testing.T) {
	boom := errors.New("boom")
	req := func(ctx context.Context, seq int) error {
		if seq%2 == 1 {
			return boom
		}
		return nil
	}
	res := Open(context.Background(), req, 1000, 20*time.Millisecond, 10)
	if res.Scheduled != 20 || res.OK != 10 || res.Errors != 10 || !errors.Is(res.FirstErr, boom) {
		t.Fatalf("Open = %+v", res)
	}
	if res.Latency.Count != 10 {
		t.Fatalf("latency counts %d requests, want only the 10 that succeeded", res.Latency.Count)
	}
}

func TestOpenStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := Open(ctx, func(context.Context, int) error { return nil }, 100, time.Hour, 10)
	if el := time.Since(start); el > time.Second {
		t.Fatalf("Open ran %v after its context ended", el)
	}
	if res.Scheduled >= 100*3600 {
		t.Fatalf("sent the whole schedule: %d", res.Scheduled)
	}
}

func TestClosed(t *testing.T) {
	seen := make(chan int, 10000)
	req := func(ctx context.Context, seq int) error {
		seen <- seq
		time.Sleep(time.Millisecond)
		return nil
	}
	res := Closed(context.Background(), req, 4, 50*time.Millisecond)
	close(seen)
	if res.OK == 0 || res.Errors != 0 || res.RPS() <= 0 {
		t.Fatalf("Closed = %+v", res)
	}
	got := map[int]bool{}
	for s := range seen {
		if got[s] {
			t.Fatalf("sequence number %d given twice", s)
		}
		got[s] = true
	}
	for s := range len(got) {
		if !got[s] {
			t.Fatalf("sequence numbers have a gap at %d", s)
		}
	}
}
