// Command crmlens-bench measures crmlens's sidebar context endpoint on a
// MariaDB it starts itself, against a hand-written net/http + database/sql
// baseline that issues the same reads the naive way, and measures the speed
// of importing contacts. It writes bench/RESULTS.md and ends with the line
//
//	context: ratio R service S req/s baseline B req/s p99 P ms
//
// Run it with `make bench`; bench/README.md describes the method and the
// BENCH_* settings.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/crmlens/crmlens/internal/gctune"
)

// config is read from BENCH_* environment variables.
type config struct {
	Contacts       int           // BENCH_CONTACTS: demo contacts seeded
	Duration       time.Duration // BENCH_DURATION: length of each measured round
	Warmup         time.Duration // BENCH_WARMUP: unmeasured load per target before the rounds
	Rounds         int           // BENCH_ROUNDS: rounds per target and loop
	Workers        int           // BENCH_WORKERS: closed-loop concurrency
	Sessions       int           // BENCH_SESSIONS: distinct visitors with a session
	ImportContacts int           // BENCH_IMPORT_CONTACTS: contacts imported (0: skip)
	BufferPool     string        // BENCH_BUFFER_POOL: innodb_buffer_pool_size
	Results        string        // BENCH_RESULTS: the report's path
	CPUProfile     string        // BENCH_CPUPROFILE: prefix of CPU profiles of each target's first closed round
	MaxInFlight    int           // BENCH_MAX_INFLIGHT: open-loop cap on outstanding requests
	// ImportOnly (BENCH_ONLY=import) measures the import alone and prints
	// it, writing no report: for work on the importer.
	ImportOnly bool
}

func loadConfig() (config, error) {
	c := config{
		Contacts: 1_000_000, Duration: 10 * time.Second, Rounds: 3, Workers: 16, Sessions: 2000,
		ImportContacts: 100_000, BufferPool: "4G", Results: "bench/RESULTS.md", MaxInFlight: 1024,
	}
	ints := []struct {
		name string
		dst  *int
		min  int
	}{
		{"BENCH_CONTACTS", &c.Contacts, 1}, {"BENCH_ROUNDS", &c.Rounds, 1}, {"BENCH_WORKERS", &c.Workers, 1},
		{"BENCH_SESSIONS", &c.Sessions, 1}, {"BENCH_IMPORT_CONTACTS", &c.ImportContacts, 0},
		{"BENCH_MAX_INFLIGHT", &c.MaxInFlight, 1},
	}
	for _, v := range ints {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < v.min {
				return config{}, fmt.Errorf("%s=%q: want a whole number of at least %d", v.name, s, v.min)
			}
			*v.dst = n
		}
	}
	if s := os.Getenv("BENCH_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 100*time.Millisecond || d > 2*time.Minute {
			return config{}, fmt.Errorf("BENCH_DURATION=%q: want a duration from 100ms to 2m, e.g. 10s", s)
		}
		c.Duration = d
	}
	c.Warmup = min(c.Duration, 3*time.Second)
	if s := os.Getenv("BENCH_WARMUP"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > 2*time.Minute {
			return config{}, fmt.Errorf("BENCH_WARMUP=%q: want a duration up to 2m, e.g. 3s", s)
		}
		c.Warmup = d
	}
	// Every session token lives 15 minutes: the measured phases must fit.
	if phases := 2 * time.Duration(c.Rounds) * (c.Duration + c.Warmup); phases > 10*time.Minute {
		return config{}, fmt.Errorf("BENCH_ROUNDS × BENCH_DURATION is too long: each loop's rounds must fit in 10 minutes (%v)", phases)
	}
	if s := os.Getenv("BENCH_BUFFER_POOL"); s != "" {
		c.BufferPool = s
	}
	if s := os.Getenv("BENCH_RESULTS"); s != "" {
		c.Results = s
	}
	c.CPUProfile = os.Getenv("BENCH_CPUPROFILE")
	switch s := os.Getenv("BENCH_ONLY"); s {
	case "":
	case "import":
		c.ImportOnly = true
		if c.ImportContacts == 0 {
			return config{}, fmt.Errorf("BENCH_ONLY=import with BENCH_IMPORT_CONTACTS=0 measures nothing")
		}
	default:
		return config{}, fmt.Errorf("BENCH_ONLY=%q: the only part that runs alone is import", s)
	}
	return c, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once (mariadbd dies with us)
	}()
	// Both targets run in this process: give it the collector target
	// `crmlens serve` runs with.
	gctune.Apply(os.Getenv)
	cfg, err := loadConfig()
	if err == nil {
		err = run(ctx, cfg)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "crmlens-bench:", err)
		os.Exit(1)
	}
}

// say prints a progress line on standard error.
func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
