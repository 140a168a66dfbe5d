// Package load drives HTTP targets for crmlens-bench: a closed loop (a fixed
// number of workers, each sending its next request when the last one
// answered) for throughput, and an open loop (requests sent on a fixed
// schedule whatever the answers) for latency, plus the statistics both need.
package load

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the values at
// or below it. It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Median returns the median of xs (the mean of the two middle values for an
// even count), or 0 when xs is empty. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Latencies summarizes a set of response times.
type Latencies struct {
	Count int
	P50   time.Duration
	P90   time.Duration
	P99   time.Duration
	Max   time.Duration
	Mean  time.Duration
}

// Summarize sorts ds in place and returns its percentiles.
func Summarize(ds []time.Duration) Latencies {
	slices.Sort(ds)
	out := Latencies{Count: len(ds)}
	if len(ds) == 0 {
		return out
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	out.Mean = sum / time.Duration(len(ds))
	out.P50 = Percentile(ds, 50)
	out.P90 = Percentile(ds, 90)
	out.P99 = Percentile(ds, 99)
	out.Max = ds[len(ds)-1]
	return out
}

// Schedule is a fixed-rate arrival schedule: N sends, the k-th (from 0) at
// Start + k/Rate seconds.
type Schedule struct {
	Start time.Time
	Rate  float64 // sends per second
	N     int
}

// NewSchedule returns the schedule of rate sends per second for d from
// start: floor(rate × d) sends. A rate or duration that is not positive gives
// no sends.
func NewSchedule(start time.Time, rate float64, d time.Duration) Schedule {
	n := 0
	if rate > 0 && d > 0 {
		n = int(math.Floor(rate * d.Seconds()))
	}
	return Schedule{Start: start, Rate: rate, N: n}
}

// At returns when send k is due. It is computed from Start each time, so
// rounding does not accumulate over a long schedule.
func (s Schedule) At(k int) time.Time {
	return s.Start.Add(time.Duration(float64(k) / s.Rate * float64(time.Second)))
}
