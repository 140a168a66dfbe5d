package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Request sends request number seq (counted from 0 in each run, so every
// target sees the same sequence) and reports whether it failed.
type Request func(ctx context.Context, seq int) error

// ClosedResult is the outcome of a closed-loop run.
type ClosedResult struct {
	Workers  int
	Elapsed  time.Duration
	OK       int64
	Errors   int64
	FirstErr error
	// Latency of the successful requests.
	Latency Latencies
}

// RPS is the successful requests per second.
func (r ClosedResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// maxSamples bounds the latencies kept per worker in a closed loop.
const maxSamples = 1 << 20

// Closed runs workers concurrent loops of req for d (or until ctx ends):
// each worker sends its next request as soon as the previous one answered.
func Closed(ctx context.Context, req Request, workers int, d time.Duration) ClosedResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		seq      atomic.Int64
		ok, errs atomic.Int64
		firstErr atomic.Pointer[error]
		wg       sync.WaitGroup
	)
	samples := make([][]time.Duration, workers)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				err := req(ctx, int(seq.Add(1)-1))
				if err != nil {
					if ctx.Err() != nil {
						break // cut off by the deadline: not the target's fault
					}
					errs.Add(1)
					firstErr.CompareAndSwap(nil, &err)
					continue
				}
				ok.Add(1)
				if len(mine) < maxSamples {
					mine = append(mine, time.Since(t))
				}
			}
			samples[w] = mine
		}()
	}
	wg.Wait()
	out := ClosedResult{Workers: workers, Elapsed: time.Since(start), OK: ok.Load(), Errors: errs.Load()}
	if p := firstErr.Load(); p != nil {
		out.FirstErr = *p
	}
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	out.Latency = Summarize(all)
	return out
}

// OpenResult is the outcome of an open-loop run.
type OpenResult struct {
	Rate      float64
	Scheduled int
	OK        int
	Errors    int
	FirstErr  error
	// Latency is measured from each request's scheduled send time, not from
	// when it was actually sent, so a stalled target or a late sender shows
	// up in the numbers (no coordinated omission).
	Latency Latencies
	// Samples are the successful requests' latencies, sorted, for pooling
	// several runs.
	Samples []time.Duration
	// MaxLag is the largest delay between a request's scheduled time and the
	// moment the sender got to it.
	MaxLag time.Duration
}

// Open sends req at rate per second for d, on a schedule that does not wait
// for answers, with at most maxInFlight requests outstanding (a sender that
// hits the cap waits, and that wait counts in the latency). Cancelling ctx
// stops sending; requests in flight are awaited.
func Open(ctx context.Context, req Request, rate float64, d time.Duration, maxInFlight int) OpenResult {
	sched := NewSchedule(time.Now(), rate, d)
	lat := make([]time.Duration, sched.N)
	failed := make([]bool, sched.N)
	var (
		wg       sync.WaitGroup
		firstErr atomic.Pointer[error]
		maxLag   time.Duration
	)
	slots := make(chan struct{}, max(1, maxInFlight))
	sent := 0
	// Requests get a context that outlives ctx's cancellation only by their
	// own answer: a stop still cuts them off.
	for k := range sched.N {
		due := sched.At(k)
		if wait := time.Until(due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		maxLag = max(maxLag, time.Since(due))
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			err := req(ctx, k)
			lat[k] = time.Since(due)
			if err != nil {
				failed[k] = true
				firstErr.CompareAndSwap(nil, &err)
			}
		}()
	}
	wg.Wait()
	out := OpenResult{Rate: rate, Scheduled: sent, MaxLag: maxLag}
	good := make([]time.Duration, 0, sent)
	for k := range sent {
		if failed[k] {
			out.Errors++
			continue
		}
		good = append(good, lat[k])
	}
	out.OK = len(good)
	if p := firstErr.Load(); p != nil {
		out.FirstErr = *p
	}
	out.Latency = Summarize(good)
	out.Samples = good
	return out
}
