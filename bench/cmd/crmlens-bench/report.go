package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/crmlens/crmlens/bench/internal/baseline"
	"github.com/crmlens/crmlens/internal/seed"
)

// Targets of the issue that asked for this benchmark.
const (
	targetRatio      = 1.0
	targetP99        = 20 * time.Millisecond
	targetImportRate = 50_000.0
)

// results is everything the report shows.
type results struct {
	cfg               config
	started, finished time.Time
	machine           machine
	mariadbFlags      []string
	seed              seed.Summary
	seedTime          time.Duration
	dataBytes         int64
	settleTime        time.Duration // flushing the seed's dirty pages before measuring
	settleDirty       int64
	rate              float64 // open-loop requests per second
	service, baseline targetSummary
	floor             targetSummary // open loop only
	search            []searchResult
	imp               *importResult
}

func (r *results) ratio() float64 {
	if r.baseline.MedianRPS == 0 {
		return 0
	}
	return r.service.MedianRPS / r.baseline.MedianRPS
}

// line is the report's last line.
func (r *results) line() string {
	return fmt.Sprintf("context: ratio %.2f service %.0f req/s baseline %.0f req/s p99 %.2f ms",
		r.ratio(), r.service.MedianRPS, r.baseline.MedianRPS, ms(r.service.Open.P99))
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func msf(d time.Duration) string { return fmt.Sprintf("%.2f", ms(d)) }

func usf(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }

func (r *results) write(path string) error {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	c := r.cfg
	s, bl := r.service, r.baseline

	p("# crmlens benchmark: sidebar context and import")
	p("")
	p("Written by `make bench` (bench/cmd/crmlens-bench) on %s, in %s.", r.started.UTC().Format("2006-01-02 15:04 MST"),
		r.finished.Sub(r.started).Round(time.Second))
	p("Settings: BENCH_CONTACTS=%d BENCH_DURATION=%v BENCH_ROUNDS=%d BENCH_WORKERS=%d BENCH_SESSIONS=%d BENCH_IMPORT_CONTACTS=%d.",
		c.Contacts, c.Duration, c.Rounds, c.Workers, c.Sessions, c.ImportContacts)
	p("How it measures: [README.md](README.md).")
	p("")
	p("## Machine")
	p("")
	p("| | |")
	p("|---|---|")
	p("| CPU | %s |", r.machine.CPU)
	p("| cores | %d |", r.machine.Cores)
	p("| memory | %s |", r.machine.Memory)
	p("| OS | %s |", r.machine.OS)
	p("| Go | %s (GOGC=%d, as `crmlens serve` runs) |", r.machine.Go, r.machine.GOGC)
	p("| MariaDB | %s (`%s`) |", r.machine.MariaDB, strings.Join(r.mariadbFlags, " "))
	p("")
	p("The service, the baseline and the load generator share one process; mariadbd is another; all on the same cores, over loopback.")
	p("")
	p("## Dataset")
	p("")
	p("`seed.Demo` wrote %d contacts, %d accounts, %d identities, %d orders, %d tickets and %d leads in %v: **%.0f contacts/s**. Data and indexes: about %.0f MiB.",
		r.seed.Contacts, r.seed.Accounts, r.seed.Identities, r.seed.Orders, r.seed.Tickets, r.seed.Leads,
		r.seedTime.Round(100*time.Millisecond), float64(r.seed.Contacts)/r.seedTime.Seconds(), float64(r.dataBytes)/(1<<20))
	p("Before measuring, InnoDB flushed the pages the seed left dirty (%v, %d pages left), so that no background write lands in a round.",
		r.settleTime.Round(100*time.Millisecond), r.settleDirty)
	p("")
	p("## Throughput: closed loop")
	p("")
	p("%d workers with keep-alive connections, %v per round, rounds alternating service and baseline after a %v warm-up of each.", c.Workers, c.Duration, c.Warmup)
	p("")
	p("| round | service req/s | baseline req/s | service mean ms | baseline mean ms | other processes, cores busy (S / B) |")
	p("|---|---:|---:|---:|---:|---:|")
	for i := range s.RPS {
		p("| %d | %.0f | %.0f | %s | %s | %.2f / %.2f |", i+1, s.RPS[i], bl.RPS[i], msf(s.Mean[i]), msf(bl.Mean[i]), s.Others[i], bl.Others[i])
	}
	p("| **median** | **%.0f** | **%.0f** | | | |", s.MedianRPS, bl.MedianRPS)
	p("")
	p("Ratio service / baseline: **%.2f**. Errors: service %d, baseline %d. The last column is CPU used by processes other than the benchmark and its mariadbd (on a shared machine, a busy neighbour slows the round it falls in; alternating the targets spreads that over both).", r.ratio(), s.ClosedErrs, bl.ClosedErrs)
	p("")
	p("What one request cost, averaged over the closed rounds (MariaDB's global counters and CPU time, divided by the requests answered):")
	p("")
	p("| per request | service | baseline |")
	p("|---|---:|---:|")
	p("| statements sent (Questions) | %.2f | %.2f |", s.Cost.Questions, bl.Cost.Questions)
	p("| prepared-statement executions | %.2f | %.2f |", s.Cost.Executes, bl.Cost.Executes)
	p("| statements prepared | %.3f | %.3f |", s.Cost.Prepares, bl.Cost.Prepares)
	p("| SELECTs / INSERTs | %.2f / %.2f | %.2f / %.2f |", s.Cost.Selects, s.Cost.Inserts, bl.Cost.Selects, bl.Cost.Inserts)
	p("| bytes MariaDB sent / received | %.0f / %.0f | %.0f / %.0f |", s.Cost.BytesFromDB, s.Cost.BytesToDB, bl.Cost.BytesFromDB, bl.Cost.BytesToDB)
	p("| Go CPU, µs (target + load generator) | %s | %s |", usf(s.Cost.GoCPU), usf(bl.Cost.GoCPU))
	p("| mariadbd CPU, µs | %s | %s |", usf(s.Cost.DBCPU), usf(bl.Cost.DBCPU))
	p("| response body, bytes | %.0f | %.0f |", s.AvgBytes, bl.AvgBytes)
	p("")
	sc, bc := s.Cost.GoCPU+s.Cost.DBCPU, bl.Cost.GoCPU+bl.Cost.DBCPU
	if sc > 0 {
		p("CPU per request, this process and mariadbd together: service %s µs, baseline %s µs. On a machine the benchmark saturates, throughput follows CPU per request, so %.2f (baseline / service) is the ratio to expect without neighbours; unlike the measured ratio, their load barely moves it.",
			usf(sc), usf(bc), float64(bc)/float64(sc))
		p("")
	}
	p("## Latency: open loop at a fixed rate")
	p("")
	p("%.0f requests/s (half the baseline's median throughput), sent on a fixed timetable whatever the answers, %v per round, rounds alternating; latency from each request's scheduled time, all rounds pooled.",
		r.rate, c.Duration)
	p("")
	p("| | requests | errors | p50 ms | p90 ms | p99 ms | max ms | p99 per round, ms | other processes per round, cores |")
	p("|---|---:|---:|---:|---:|---:|---:|---|---|")
	for _, t := range []targetSummary{s, bl, r.floor} {
		per := make([]string, len(t.RoundP99))
		for i, d := range t.RoundP99 {
			per[i] = msf(d)
		}
		others := make([]string, len(t.OpenOthers))
		for i, o := range t.OpenOthers {
			others[i] = fmt.Sprintf("%.2f", o)
		}
		p("| %s | %d | %d | %s | %s | %s | %s | %s | %s |", t.Name, t.OpenSent, t.OpenErrs, msf(t.Open.P50), msf(t.Open.P90),
			msf(t.Open.P99), msf(t.Open.Max), strings.Join(per, ", "), strings.Join(others, ", "))
	}
	p("")
	p("The sender was at most %s ms (service) and %s ms (baseline) late on its timetable.", msf(s.MaxLag), msf(bl.MaxLag))
	p("")
	p("The floor row is the service's `/healthz` at the same rate, in the same rounds: the same process, HTTP server, middleware and load generator, no database. Its tail is what this machine adds to any request before crmlens reads anything; the service's p99 above the floor's is crmlens's and the database's own.")
	p("")
	p("## Agent search")
	p("")
	p("`GET /api/v1/sidebar/contacts?q=…` on the service with a session token, over all %d contacts: %d workers in a closed loop, %v per kind of query, queries taken from 200 sampled contacts. Each kind is a prefix range on its own index, read in index order up to 10 rows, and audited like the context.", r.seed.Contacts, c.Workers, c.Duration)
	p("")
	p("| query | typed | requests/s | p50 ms | p99 ms | candidates per answer | errors |")
	p("|---|---|---:|---:|---:|---:|---:|")
	for _, sr := range r.search {
		p("| %s | %s | %.0f | %s | %s | %.1f | %d |", sr.Kind, sr.Shape, sr.Run.RPS(), msf(sr.Run.Latency.P50), msf(sr.Run.Latency.P99), sr.Found, sr.Run.Errors)
	}
	p("")
	p("## Import")
	p("")
	if r.imp == nil {
		p("Skipped (BENCH_IMPORT_CONTACTS=0).")
	} else {
		im := r.imp
		p("NDJSON made by bench/internal/importgen (%d contacts, four in five with an account, each with one Easemob identity: %.1f MiB; generated in %v), imported with `importer.New(db).WithBulk(mysqlbulk.New(db)).Import` (what `crmlens import` runs) into a fresh schema on the same server, after InnoDB flushed the pages the earlier phases left dirty (%v).",
			im.Files.NumContacts, float64(im.Files.ContactBytes)/(1<<20), im.GenTime.Round(time.Millisecond), im.SettleTime.Round(time.Millisecond))
		p("")
		p("| file | records | time | records/s |")
		p("|---|---:|---:|---:|")
		p("| accounts | %d | %v | %.0f |", im.Files.NumAccounts, im.AccountTime.Round(time.Millisecond), float64(im.Files.NumAccounts)/im.AccountTime.Seconds())
		p("| contacts (+%d identities) | %d | %v | **%.0f** |", im.Identities, im.Files.NumContacts,
			im.ContactTime.Round(time.Millisecond), im.ContactsPerSecond())
		p("")
		p("Within the contacts' time: reading and checking the file took %v. The schema is fresh, so this is a first import, which on MariaDB streams the contacts into a LOAD DATA while it reads and loads their identities on a second connection in an XA branch that commits with the import (see internal/importer/contacts_stream.go and internal/importer/mysqlbulk/xa.go): when the file was read, %d of the %d rows (contacts and identities) had been written; the remaining %v went to the rest of the rows, MariaDB building the indexes, and the two-phase commit. Importing into tables that already hold rows takes the ordinary path: the whole file is checked first, then written with multi-row INSERTs.",
			im.ReadTime.Round(time.Millisecond), im.RowsAtStart, im.RowsTotal, (im.ContactTime - im.WriteStart).Round(time.Millisecond))
		p("")
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(im.Files.NumContacts) }
		p("CPU during the contacts import: this process %v (%.1f µs per contact: reading, checking, the driver), mariadbd %v (%.1f µs per contact with its identity); other processes %.2f cores. The two add up to %.1f µs per contact: on this machine's %d cores, at most %.0f contacts/s if both were busy all the time.",
			im.GoCPU.Round(time.Millisecond), per(im.GoCPU), im.DBCPU.Round(time.Millisecond), per(im.DBCPU), im.Others,
			per(im.GoCPU)+per(im.DBCPU), runtime.NumCPU(), float64(runtime.NumCPU())*1e6/max(per(im.GoCPU)+per(im.DBCPU), 0.001))
	}
	p("")
	p("## Targets")
	p("")
	p("| target | measured | |")
	p("|---|---:|---|")
	p("| throughput ratio ≥ %.1f | %.2f | %s |", targetRatio, r.ratio(), met(r.ratio() >= targetRatio))
	p("| service p99 ≤ %v at the fixed rate | %s ms | %s |", targetP99, msf(s.Open.P99), met(s.Open.P99 <= targetP99 && s.OpenErrs == 0))
	if r.imp != nil {
		p("| import ≥ %.0f contacts/s | %.0f | %s |", targetImportRate, r.imp.ContactsPerSecond(), met(r.imp.ContactsPerSecond() >= targetImportRate))
	}
	p("")
	p("## Method in brief")
	p("")
	p("- Service: crmlens's own `server.New`, wired as `crmlens serve` wires it (request id, request log to a file, recovery, body limit, security headers, Prometheus metrics, request timeout, HS256 session token, `sidebar.Context` through GORM with prepared statements, audit rows batched off the request path by `audit.NewAsync`), behind net/http on a loopback port.")
	p("- Baseline: bench/internal/baseline, a net/http handler on database/sql with statements prepared once; it takes the visitor id from the query string and verifies no token. It runs %d statements (visitor, contact, account, open tickets, 5 latest orders, open leads, and the audit INSERT in the request) and writes the same JSON: before measuring, both answers are compared on 20 visitors and must be equal but for request ids.", baseline.Queries)
	p("- Both have a pool sized as `database.Open` sizes crmlens's (50 open, 25 idle). %d demo visitors drawn at random (fixed seed) get a session through `POST /api/v1/sidebar/sessions` with Easemob's DES-encrypted params; both targets cycle through the same visitors in the same order.", min(c.Sessions, c.Contacts))
	p("- Closed loop: throughput is the median of the rounds. Open loop: fixed rate, timetable independent of answers (no coordinated omission), percentiles by nearest rank.")
	p("")
	p("%s", r.line())

	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
