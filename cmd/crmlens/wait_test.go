package main

import "time"

// pollEvery is how often eventually looks at its condition.
const pollEvery = 10 * time.Millisecond

// eventually checks cond until it holds, at most for timeout, and says
// whether it did. The tests wait with it for something they can observe (a
// status, a metric, a pool's statistics, a port), never for a fixed time.
func eventually(timeout time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if cond() {
				return true
			}
		case <-deadline.C:
			return cond()
		}
	}
}
