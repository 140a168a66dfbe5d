// Package ratelimit slows down guessing: it counts failed attempts (bad
// params, wrong passwords) per key and blocks a key that fails too often,
// until its allowance refills. Successful requests cost nothing. The
// caller picks the key and when to look: the console's sign-in is keyed by
// client address and refused up front; sidebar sessions are keyed by
// address and integration and looked up only when a request fails, so
// that one office behind a NAT address is not locked out by a colleague's
// broken link. The state is per instance and in memory: good enough to make
// guessing slow; a shared store would make it exact across replicas.
//
// Written here rather than with echo's RateLimiter middleware because that
// one counts every request, and agents legitimately open many sessions.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failures limits failures per key.
type Failures struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	now     func() time.Time
	byKey   map[string]*entry
	lastGC  time.Time
	maxKeys int
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// New allows burst failures per key, refilled at perMinute a minute.
func New(burst int, perMinute float64, now func() time.Time) *Failures {
	if now == nil {
		now = time.Now
	}
	return &Failures{every: rate.Limit(perMinute / 60), burst: burst, now: now, byKey: map[string]*entry{}, maxKeys: 100_000}
}

// Blocked reports whether key has no failures left, and how long until it
// has one again.
func (f *Failures) Blocked(key string) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.byKey[key]
	if !ok {
		return false, 0
	}
	now := f.now()
	tokens := e.lim.TokensAt(now)
	if tokens >= 1 {
		return false, 0
	}
	wait := time.Duration(math.Ceil((1-tokens)/float64(f.every))) * time.Second
	return true, wait
}

// Fail records a failure of key.
func (f *Failures) Fail(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	e, ok := f.byKey[key]
	if !ok {
		f.gc(now)
		e = &entry{lim: rate.NewLimiter(f.every, f.burst)}
		f.byKey[key] = e
	}
	e.seen = now
	e.lim.AllowN(now, 1)
}

// gc forgets keys whose allowance is full again, at most once a minute or
// when the table is full.
func (f *Failures) gc(now time.Time) {
	if now.Sub(f.lastGC) < time.Minute && len(f.byKey) < f.maxKeys {
		return
	}
	f.lastGC = now
	for k, e := range f.byKey {
		if e.lim.TokensAt(now) >= float64(f.burst) {
			delete(f.byKey, k)
		}
	}
}
