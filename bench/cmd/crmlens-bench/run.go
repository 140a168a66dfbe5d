package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/crmlens/crmlens/bench/internal/load"
	"github.com/crmlens/crmlens/bench/internal/progress"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/seed"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

func run(ctx context.Context, cfg config) (err error) {
	res := &results{cfg: cfg, started: time.Now()}
	res.machine = describeMachine()

	say("starting mariadbd (innodb_buffer_pool_size=%s)", cfg.BufferPool)
	srv, err := mariadbtest.Start(ctx, mariadbtest.Options{BufferPool: cfg.BufferPool, Bulk: true, TempPrefix: "crmlens-bench-mariadb-"})
	if err != nil {
		return err
	}
	defer func() {
		say("stopping mariadbd and removing %s", srv.Dir())
		srv.Stop()
	}()
	res.mariadbFlags = srv.Flags
	if cfg.ImportOnly {
		if cfg.CPUProfile != "" {
			stopProfile, err := startProfile(cfg.CPUProfile + "-import.prof")
			if err != nil {
				return err
			}
			defer stopProfile()
		}
		imp, err := measureImport(ctx, srv, cfg.ImportContacts)
		if err == nil {
			fmt.Println(imp.line())
		}
		return err
	}

	url, err := srv.CreateSchema(ctx, "crmlens_bench")
	if err != nil {
		return err
	}
	// The service's request log and GORM's warnings go to a file, as a
	// production deployment's would go to its log collector.
	logFile, err := os.Create(filepath.Join(srv.Dir(), "crmlens.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, dialect, err := database.Open(ctx, url, database.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() { _ = database.Close(db) }()
	if _, err := database.Migrate(ctx, db, dialect, matchkey.Normalizer{}); err != nil {
		return err
	}
	admin, err := sql.Open("mysql", srv.DSN("crmlens_bench"))
	if err != nil {
		return err
	}
	defer admin.Close()
	admin.SetMaxOpenConns(2)
	if err := admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&res.machine.MariaDB); err != nil {
		return fmt.Errorf("ask the MariaDB version: %w", err)
	}

	master := make([]byte, keyring.KeySize)
	if _, err := rand.Read(master); err != nil {
		return err
	}
	keys, err := keyring.New(master)
	if err != nil {
		return err
	}

	// Seed, following its progress by the largest committed contact id.
	say("seeding %d demo contacts", cfg.Contacts)
	bar := progress.New("seeding", int64(cfg.Contacts), "contacts")
	stopPoll := progress.Poll(ctx, bar, 500*time.Millisecond, func(ctx context.Context) (int64, error) {
		var n int64
		err := admin.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM contacts").Scan(&n)
		return n, err
	})
	start := time.Now()
	sum, err := seed.Demo(ctx, db, seed.Options{Contacts: cfg.Contacts, SealKey: keys.Seal})
	res.seedTime = time.Since(start)
	stopPoll()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	bar.Finish()
	res.seed = sum
	say("seeded %d contacts in %v (%.0f contacts/s)", sum.Contacts, res.seedTime.Round(time.Millisecond), float64(sum.Contacts)/res.seedTime.Seconds())
	res.dataBytes = schemaBytes(ctx, admin, "crmlens_bench")
	// The seed ran in this process; a server would not have its garbage.
	debug.FreeOSMemory()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	say("Go heap after the seed: %d MiB in use", mem.HeapAlloc>>20)

	tg, err := startTargets(ctx, db, url, keys, log)
	if err != nil {
		return err
	}
	defer tg.close()
	if err := admin.QueryRowContext(ctx, "SELECT id FROM integrations WHERE slug = ?", seed.DemoSlug).Scan(&tg.integrationID); err != nil {
		return fmt.Errorf("find the demo integration: %w", err)
	}

	visitors := sampleVisitors(cfg.Contacts, cfg.Sessions)
	if err := tg.openSessions(ctx, visitors); err != nil {
		return err
	}
	if err := tg.checkEquivalent(ctx, min(20, len(tg.sessions))); err != nil {
		return err
	}
	say("the baseline answers the same panels and records as the service (checked on %d visitors)", min(20, len(tg.sessions)))

	// Let InnoDB write out what the seed left dirty before measuring.
	res.settleTime, res.settleDirty, err = srv.Settle(ctx, 90*time.Second)
	if err != nil {
		return fmt.Errorf("flush the seed's dirty pages: %w", err)
	}
	say("flushed the seed's dirty pages in %v (%d left)", res.settleTime.Round(time.Millisecond), res.settleDirty)

	counters := &probe{admin: admin, pid: srv.Pid()}

	// Closed loop: throughput, rounds alternating S, B, S, B, ...
	if cfg.Warmup > 0 {
		say("warming up both targets for %v each", cfg.Warmup)
		tg.service.reset()
		load.Closed(ctx, tg.service.do, cfg.Workers, cfg.Warmup)
		tg.baseline.reset()
		load.Closed(ctx, tg.baseline.do, cfg.Workers, cfg.Warmup)
	}
	for r := range cfg.Rounds {
		for _, t := range []*target{tg.service, tg.baseline} {
			if err := ctx.Err(); err != nil {
				return err
			}
			var stopProfile func()
			if r == 0 && cfg.CPUProfile != "" {
				if stopProfile, err = startProfile(cfg.CPUProfile + "-" + t.name + ".prof"); err != nil {
					return err
				}
			}
			t.reset()
			before := counters.read(ctx)
			out := load.Closed(ctx, t.do, cfg.Workers, cfg.Duration)
			after := counters.read(ctx)
			if stopProfile != nil {
				stopProfile()
			}
			if out.OK == 0 {
				return fmt.Errorf("%s answered no request in a closed-loop round: %v", t.name, out.FirstErr)
			}
			t.closed = append(t.closed, out)
			t.cost = append(t.cost, after.per(before, out.OK))
			t.bytes += t.respBytes.Load()
			t.answered += out.OK
			c := t.cost[len(t.cost)-1]
			say("closed loop round %d %-8s %7.0f req/s  mean %6.2f ms  errors %d  CPU per request: Go %4.0f µs, mariadbd %4.0f µs; other processes %.2f cores",
				r+1, t.name, out.RPS(), ms(out.Latency.Mean), out.Errors, float64(c.GoCPU)/1e3, float64(c.DBCPU)/1e3, c.Others)
		}
	}
	res.rate = 0.5 * load.Median(rpsOf(tg.baseline.closed))

	// Open loop: latency at half the baseline's throughput.
	openPhase := 2 * time.Duration(cfg.Rounds) * cfg.Duration
	if time.Since(tg.sessionsAt)+openPhase+time.Minute > sessiontoken.TTL {
		say("renewing the session tokens before they expire")
		if err := tg.openSessions(ctx, visitors); err != nil {
			return err
		}
	}
	for r := range cfg.Rounds {
		for _, t := range []*target{tg.service, tg.baseline, tg.floor} {
			if err := ctx.Err(); err != nil {
				return err
			}
			t.reset()
			before := counters.read(ctx)
			out := load.Open(ctx, t.do, res.rate, cfg.Duration, cfg.MaxInFlight)
			after := counters.read(ctx)
			if out.OK == 0 {
				return fmt.Errorf("%s answered no request in an open-loop round: %v", t.name, out.FirstErr)
			}
			t.open = append(t.open, out)
			t.openOthers = append(t.openOthers, after.per(before, int64(out.OK)).Others)
			say("open loop   round %d %-8s %5.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  errors %d; other processes %.2f cores",
				r+1, t.name, res.rate, ms(out.Latency.P50), ms(out.Latency.P99), ms(out.Latency.Max), out.Errors, t.openOthers[len(t.openOthers)-1])
		}
	}
	res.service, res.baseline, res.floor = tg.service.summary(), tg.baseline.summary(), tg.floor.summary()

	// Agent search over the whole contacts table.
	queries, err := searchQueries(ctx, admin, sampleVisitors(cfg.Contacts, 200))
	if err != nil {
		return err
	}
	if res.search, err = tg.measureSearch(ctx, queries, cfg.Workers, cfg.Duration); err != nil {
		return err
	}

	if cfg.ImportContacts > 0 {
		imp, err := measureImport(ctx, srv, cfg.ImportContacts)
		if err != nil {
			return err
		}
		res.imp = &imp
	}

	res.finished = time.Now()
	if err := res.write(cfg.Results); err != nil {
		return err
	}
	say("wrote %s", cfg.Results)
	fmt.Println(res.line())
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func rpsOf(rs []load.ClosedResult) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.RPS()
	}
	return out
}

// schemaBytes is the data and index size of schema, as InnoDB estimates it.
func schemaBytes(ctx context.Context, admin *sql.DB, schema string) int64 {
	var n sql.NullInt64
	_ = admin.QueryRowContext(ctx, "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = ?", schema).Scan(&n)
	return n.Int64
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("BENCH_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("BENCH_CPUPROFILE: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

// machine describes where the benchmark ran.
type machine struct {
	CPU     string
	Cores   int
	Memory  string
	Go      string
	GOGC    int
	MariaDB string
	OS      string
}

func describeMachine() machine {
	gogc := debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	m := machine{GOGC: gogc, Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPU: "unknown", Memory: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if v, ok := procField(string(b), "model name"); ok {
			m.CPU = v
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v, ok := procField(string(b), "MemTotal"); ok {
			var kb int64
			if _, err := fmt.Sscanf(v, "%d kB", &kb); err == nil {
				m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return m
}

// procField returns the value of the first "key : value" line of a /proc file.
func procField(text, key string) (string, bool) {
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
