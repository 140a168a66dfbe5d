package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/model"
)

// outcome is one answered request of a load.
type outcome struct {
	status     int
	code       string
	retryAfter string
	elapsed    time.Duration
	err        error
}

// loadRun is a load started by load: the outcomes its clients have had.
type loadRun struct {
	mu  sync.Mutex
	out []outcome
	wg  sync.WaitGroup
}

// answered counts the requests answered with status so far.
func (l *loadRun) answered(status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, o := range l.out {
		if o.err == nil && o.status == status {
			n++
		}
	}
	return n
}

// results waits for the clients to stop and returns every outcome.
func (l *loadRun) results() []outcome {
	l.wg.Wait()
	return l.out
}

// loadPace is how often one client of load sends a request at most: a
// rate, not a wait for anything.
const loadPace = 10 * time.Millisecond

// load sends GET path with header from n clients until stop is closed.
func load(in *instance, n int, path string, header map[string]string, stop <-chan struct{}) *loadRun {
	l := &loadRun{}
	for range n {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			pace := time.NewTicker(loadPace)
			defer pace.Stop()
			for {
				start := time.Now()
				resp, body, err := in.try("GET", path, "", header)
				o := outcome{elapsed: time.Since(start), err: err}
				if err == nil {
					o.status, o.code, o.retryAfter = resp.StatusCode, errorCode(body), resp.Header.Get("Retry-After")
				}
				l.mu.Lock()
				l.out = append(l.out, o)
				l.mu.Unlock()
				select {
				case <-stop:
					return
				case <-pace.C:
				}
			}
		}()
	}
	return l
}

// settled waits until the instance holds no database connection in use and
// the process is back to at most baseline goroutines (+ slack), with idle
// HTTP and database connections closed; it fails the test otherwise.
func settled(t *testing.T, in *instance, baseline int) {
	t.Helper()
	sqlDB, err := in.e.db.DB()
	must(t, err)
	var g int
	var st sql.DBStats
	if !eventually(10*time.Second, func() bool {
		g, st = quiet(t, in)
		return g <= baseline+3 && st.InUse == 0
	}) {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("not settled after 10 s: %d goroutines (baseline %d), %d connections in use, %d open\n%s",
			g, baseline, st.InUse, sqlDB.Stats().OpenConnections, buf[:n])
	}
}

// quiet closes idle HTTP and database connections (whose count varies
// with load, and each of which holds a goroutine) and returns the number
// of goroutines and the pool's statistics, once the goroutines of the
// closed connections have ended: when the count no longer falls from one
// look to the next (for at most a second).
func quiet(t *testing.T, in *instance) (int, sql.DBStats) {
	t.Helper()
	sqlDB, err := in.e.db.DB()
	must(t, err)
	in.client.CloseIdleConnections()
	sqlDB.SetMaxIdleConns(0)
	sqlDB.SetMaxIdleConns(25)
	// Each look compares the count with the one a poll interval before.
	g := runtime.NumGoroutine()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		<-tick.C
		now := runtime.NumGoroutine()
		fell := now < g
		g = now
		if !fell && sqlDB.Stats().Idle == 0 {
			break
		}
	}
	return g, sqlDB.Stats()
}

// TestDatabaseOutage stops a real MariaDB under load and starts it again:
// meanwhile /readyz and the API answer 503 with Retry-After within the
// request timeout, nothing leaks, and the service resumes by itself.
func TestDatabaseOutage(t *testing.T) {
	ctx := context.Background()
	srv := startMariaDB(t, mariadbtest.Options{TempPrefix: "crmlens-outage-"})
	url, err := srv.CreateSchema(ctx, "crm")
	must(t, err)
	const timeout = 2 * time.Second
	vars := mysqlVars(url)
	vars["CRMLENS_REQUEST_TIMEOUT"] = timeout.String()
	in := startInstance(t, vars)
	seedSigned(t, in, "app", "user-1", "Zhang San")
	token := in.openSession(t, "app", "user-1", "jti-1")
	contextOf(t, in, token)
	baseline, _ := quiet(t, in)

	stop := make(chan struct{})
	run := load(in, 6, "/api/v1/sidebar/context", bearer(token), stop)
	// The load is under way: every client has been answered.
	if !eventually(10*time.Second, func() bool { return run.answered(http.StatusOK) >= 6 }) {
		t.Fatal("the load got no answers before the outage")
	}
	srv.Halt()

	for _, path := range []string{"/readyz", "/api/v1/sidebar/context"} {
		start := time.Now()
		resp, body := in.do(t, "GET", path, "", bearer(token))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || errorCode(body) != "database_unavailable" {
			t.Errorf("%s with the database down: %d Retry-After %q %s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		if elapsed := time.Since(start); elapsed > timeout+time.Second {
			t.Errorf("%s took %s with the database down; the request timeout is %s", path, elapsed, timeout)
		}
	}
	// A write fails alike.
	resp, body := in.do(t, "POST", "/api/v1/sidebar/sessions", sessionJSON(t, "app", signedToken(t, signedSecret, "user-1", "jti-down")), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("session with the database down: %d %s", resp.StatusCode, body)
	}
	// The outage lasts until the load has met it too.
	if !eventually(3*timeout+5*time.Second, func() bool { return run.answered(http.StatusServiceUnavailable) >= 6 }) {
		t.Fatalf("the load met no outage: %d answers 503", run.answered(http.StatusServiceUnavailable))
	}

	must(t, srv.Resume(ctx))
	if !eventually(15*time.Second, func() bool {
		resp, _, err := in.try("GET", "/readyz", "", nil)
		return err == nil && resp.StatusCode == 200
	}) {
		t.Fatal("/readyz did not recover within 15 s of the database's return")
	}
	// The service resumes without a restart: reads and writes.
	if got := contextOf(t, in, token); got.Contact == nil || got.Contact.Name != "Zhang San" {
		t.Errorf("context after recovery: %+v", got)
	}
	in.openSession(t, "app", "user-1", "jti-after")
	// The load is answered again too.
	again := run.answered(http.StatusOK) + 6
	if !eventually(10*time.Second, func() bool { return run.answered(http.StatusOK) >= again }) {
		t.Error("the load was not answered 200 after the recovery")
	}
	close(stop)

	var ok, unavailable int
	for _, o := range run.results() {
		switch {
		case o.err != nil:
			t.Errorf("a request failed without an answer: %v", o.err)
		case o.status == http.StatusOK:
			ok++
		case o.status == http.StatusServiceUnavailable:
			unavailable++
			if o.retryAfter == "" || (o.code != "database_unavailable" && o.code != "timeout") {
				t.Errorf("a 503 without Retry-After or with code %q", o.code)
			}
		default:
			t.Errorf("status %d (%s) under the outage", o.status, o.code)
		}
		if o.elapsed > timeout+time.Second {
			t.Errorf("a request took %s; the request timeout is %s", o.elapsed, timeout)
		}
	}
	if ok == 0 || unavailable == 0 {
		t.Errorf("load: %d answered 200, %d answered 503; want both", ok, unavailable)
	}
	t.Logf("load: %d answered 200, %d answered 503", ok, unavailable)
	// Every read answered 200 has its audit row, those answered just before
	// the outage too (the two contextOf reads besides the load's).
	var audited int64
	must(t, in.e.db.Model(&model.AuditEvent{}).Where("action = ?", "context.read").Count(&audited).Error)
	if audited < int64(ok+2) {
		t.Errorf("%d reads answered, %d audited", ok+2, audited)
	}
	settled(t, in, baseline)
	// The outage is in the logs, as JSON (the driver's own messages too),
	// without the session token.
	logs := in.logs.String()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %q", line)
			break
		}
	}
	if !strings.Contains(logs, `"msg":"unavailable"`) || strings.Contains(logs, token) {
		t.Error("the logs lack the outage or hold the session token")
	}
}

// lockVisitors takes a write lock on the visitors table of url from another
// session, so that crmlens's reads of it wait; unlock releases it.
func lockVisitors(t *testing.T, url string) (unlock func()) {
	t.Helper()
	ctx := context.Background()
	target, err := database.ParseURL(url)
	must(t, err)
	db, err := sql.Open("mysql", target.DSN)
	must(t, err)
	conn, err := db.Conn(ctx)
	must(t, err)
	_, err = conn.ExecContext(ctx, "LOCK TABLES visitors WRITE")
	must(t, err)
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "UNLOCK TABLES")
			_ = conn.Close()
			_ = db.Close()
		})
	}
	t.Cleanup(unlock)
	return unlock
}

// TestSlowDatabase: a request waiting on a locked table is cancelled at
// CRMLENS_REQUEST_TIMEOUT with 503 and Retry-After, its connection is given
// back, and the same request succeeds once the lock is gone.
func TestSlowDatabase(t *testing.T) {
	url := dbtest.NewURL(t, database.MySQL)
	vars := mysqlVars(url)
	vars["CRMLENS_REQUEST_TIMEOUT"] = "1s"
	in := startInstance(t, vars)
	seedSigned(t, in, "app", "user-1", "Zhang San")
	token := in.openSession(t, "app", "user-1", "jti-1")
	contextOf(t, in, token)
	baseline, _ := quiet(t, in)

	unlock := lockVisitors(t, url)
	start := time.Now()
	resp, body := in.do(t, "GET", "/api/v1/sidebar/context", "", bearer(token))
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(body) != "timeout" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("context on a locked table: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if elapsed < 900*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("answered after %s; the request timeout is 1s", elapsed)
	}
	// Readiness does not depend on that table.
	if resp, _ := in.do(t, "GET", "/readyz", "", nil); resp.StatusCode != 200 {
		t.Errorf("readyz while a table is locked: %d", resp.StatusCode)
	}
	unlock()
	contextOf(t, in, token)
	settled(t, in, baseline)
}

// TestGracefulDrain: on shutdown the server stops accepting connections,
// lets the request in flight finish and answer, then returns.
func TestGracefulDrain(t *testing.T) {
	url := dbtest.NewURL(t, database.MySQL)
	in := startInstance(t, mysqlVars(url))
	seedSigned(t, in, "app", "user-1", "Zhang San")
	token := in.openSession(t, "app", "user-1", "jti-1")

	unlock := lockVisitors(t, url)
	type answer struct {
		status int
		err    error
	}
	inflight := make(chan answer, 1)
	go func() {
		resp, _, err := in.try("GET", "/api/v1/sidebar/context", "", bearer(token))
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		inflight <- answer{status: resp.StatusCode}
	}()
	sqlDB, err := in.e.db.DB()
	must(t, err)
	if !eventually(5*time.Second, func() bool { return sqlDB.Stats().InUse > 0 }) {
		t.Fatal("the request never reached the database")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- in.stop(t) }()
	addr := strings.TrimPrefix(in.url, "http://")
	if !eventually(5*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	}) {
		t.Fatal("the server still accepts connections 5 s after shutdown began")
	}
	select {
	case a := <-inflight:
		t.Fatalf("the request in flight ended before the database answered: %+v", a)
	case err := <-stopped:
		t.Fatalf("serve returned with a request in flight: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	a := <-inflight
	if a.err != nil || a.status != 200 {
		t.Errorf("the request in flight: status %d, err %v; want 200", a.status, a.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve after draining: %v", err)
	}
	if !strings.Contains(in.logs.String(), `"msg":"stopped"`) {
		t.Error(fmt.Sprintf("no stop line in the logs:\n%s", in.logs.String()))
	}
}
