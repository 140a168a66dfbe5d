package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crmlens/crmlens/bench/internal/load"
)

// probe reads what a round cost: MariaDB's statement counters and the CPU
// time of this process (service or baseline, plus the load generator) and of
// mariadbd.
type probe struct {
	admin *sql.DB
	pid   int
}

// statusVars are the MariaDB counters compared before and after a round.
var statusVars = []string{"Questions", "Com_stmt_execute", "Com_stmt_prepare", "Com_select", "Com_insert", "Bytes_sent", "Bytes_received"}

type snapshot struct {
	at     time.Time
	status map[string]int64
	goCPU  time.Duration
	dbCPU  time.Duration
	busy   time.Duration // CPU time of the whole machine, every process
}

func (p *probe) read(ctx context.Context) snapshot {
	s := snapshot{at: time.Now(), status: map[string]int64{}, goCPU: selfCPU(), dbCPU: procCPU(p.pid), busy: machineBusy()}
	rows, err := p.admin.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN ('"+strings.Join(statusVars, "','")+"')")
	if err != nil {
		return s
	}
	defer rows.Close()
	for rows.Next() {
		var name, val string
		if rows.Scan(&name, &val) == nil {
			n, _ := strconv.ParseInt(val, 10, 64)
			s.status[name] = n
		}
	}
	return s
}

// cost is what one successful request cost on average over a round.
type cost struct {
	Questions, Executes, Prepares, Selects, Inserts float64
	BytesFromDB, BytesToDB                          float64
	GoCPU, DBCPU                                    time.Duration
	// Others is how many cores other processes kept busy during the round
	// on average: load that is not the benchmark's, which skews a round.
	Others float64
}

// per divides the difference between s (after) and before by n requests.
func (s snapshot) per(before snapshot, n int64) cost {
	if n <= 0 {
		return cost{}
	}
	d := func(name string) float64 { return float64(s.status[name]-before.status[name]) / float64(n) }
	return cost{
		Questions: d("Questions"), Executes: d("Com_stmt_execute"), Prepares: d("Com_stmt_prepare"),
		Selects: d("Com_select"), Inserts: d("Com_insert"),
		BytesFromDB: d("Bytes_sent"), BytesToDB: d("Bytes_received"),
		GoCPU: (s.goCPU - before.goCPU) / time.Duration(n),
		DBCPU: (s.dbCPU - before.dbCPU) / time.Duration(n),
		Others: max(0, float64((s.busy-before.busy)-(s.goCPU-before.goCPU)-(s.dbCPU-before.dbCPU))) /
			float64(s.at.Sub(before.at)),
	}
}

// machineBusy is the CPU time all processes used since boot, from the first
// line of /proc/stat (user, nice, system, irq, softirq, steal).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTicks = 100

// procCPU is the user and system CPU time of process pid, from /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// targetSummary is what the report says of one target.
type targetSummary struct {
	Name string
	// Closed loop.
	RPS        []float64
	MedianRPS  float64
	Mean       []time.Duration
	ClosedErrs int64
	Cost       cost // averaged over the rounds
	AvgBytes   float64
	// Open loop, all rounds pooled.
	Others   []float64 // per closed round
	Open     load.Latencies
	RoundP99 []time.Duration
	// OpenOthers is the cores other processes kept busy, per open round.
	OpenOthers []float64
	OpenErrs   int
	OpenSent   int
	MaxLag     time.Duration
}

func (t *target) summary() targetSummary {
	s := targetSummary{Name: t.name, RPS: rpsOf(t.closed)}
	s.MedianRPS = load.Median(s.RPS)
	for _, r := range t.closed {
		s.Mean = append(s.Mean, r.Latency.Mean)
		s.ClosedErrs += r.Errors
	}
	for _, c := range t.cost {
		s.Others = append(s.Others, c.Others)
		s.Cost.Questions += c.Questions
		s.Cost.Executes += c.Executes
		s.Cost.Prepares += c.Prepares
		s.Cost.Selects += c.Selects
		s.Cost.Inserts += c.Inserts
		s.Cost.BytesFromDB += c.BytesFromDB
		s.Cost.BytesToDB += c.BytesToDB
		s.Cost.GoCPU += c.GoCPU
		s.Cost.DBCPU += c.DBCPU
	}
	if n := len(t.cost); n > 0 {
		f := float64(n)
		s.Cost.Questions /= f
		s.Cost.Executes /= f
		s.Cost.Prepares /= f
		s.Cost.Selects /= f
		s.Cost.Inserts /= f
		s.Cost.BytesFromDB /= f
		s.Cost.BytesToDB /= f
		s.Cost.GoCPU /= time.Duration(n)
		s.Cost.DBCPU /= time.Duration(n)
	}
	if t.answered > 0 {
		s.AvgBytes = float64(t.bytes) / float64(t.answered)
	}
	s.OpenOthers = t.openOthers
	var pooled []time.Duration
	for _, r := range t.open {
		pooled = append(pooled, r.Samples...)
		s.RoundP99 = append(s.RoundP99, r.Latency.P99)
		s.OpenErrs += r.Errors
		s.OpenSent += r.Scheduled
		s.MaxLag = max(s.MaxLag, r.MaxLag)
	}
	s.Open = load.Summarize(pooled)
	return s
}
