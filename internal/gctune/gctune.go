// Package gctune sets the Go garbage collector's target for crmlens's
// request-serving process, and for `crmlens import`, which keeps a file's
// records while it writes them.
//
// A sidebar server keeps a small live heap (a few MB: pooled connections,
// caches) and allocates quickly while it answers, so with Go's default
// GOGC=100 it collects several times a second; each cycle takes a share of
// the CPU for its marking and slows the requests that allocate during it,
// which shows up in the latency tail on small machines. A target of 400
// collects about four times less often for a peak heap still in the tens
// of MB. An operator's own GOGC (or GOMEMLIMIT, which the runtime applies
// on top) always wins. See https://go.dev/doc/gc-guide.
package gctune

import (
	"runtime/debug"
	"strings"
)

// DefaultPercent is the GOGC crmlens serve and crmlens import run with
// when the environment sets none.
const DefaultPercent = 400

// Apply sets the collector's target to DefaultPercent unless getenv("GOGC")
// is set, in which case the runtime has applied the operator's value. It
// returns the target in effect (-1: collection off) and whether it came
// from the environment.
func Apply(getenv func(string) string) (percent int, fromEnv bool) {
	if strings.TrimSpace(getenv("GOGC")) != "" {
		current := debug.SetGCPercent(DefaultPercent)
		debug.SetGCPercent(current)
		return current, true
	}
	debug.SetGCPercent(DefaultPercent)
	return DefaultPercent, false
}
