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

// load sends GET path with header from n clients until stop is closed.
func load(in *instance, n int, path string, header map[string]string, stop <-chan struct{}) func() []outcome {
	var mu sync.Mutex
	var out []outcome
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				resp, body, err := in.try("GET", path, "", header)
				o := outcome{elapsed: time.Since(start), err: err}
				if err == nil {
					o.status, o.code, o.retryAfter = resp.StatusCode, errorCode(body), resp.Header.Get("Retry-After")
				}
				mu.Lock()
				out = append(out, o)
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	return func() []outcome {
		wg.Wait()
		return out
	}
}

// settled waits until the instance holds no database connection in use and
// the process is back to at most baseline goroutines (+ slack), with idle
// HTTP and database connections closed; it fails the test otherwise.
func settled(t *testing.T, in *instance, baseline int) {
	t.Helper()
	sqlDB, err := in.e.db.DB()
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for {
		in.client.CloseIdleConnections()
		g, st := quiet(t, in)
		if g <= baseline+3 && st.InUse == 0 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("not settled after 10 s: %d goroutines (baseline %d), %d connections in use, %d open\n%s",
				g, baseline, st.InUse, sqlDB.Stats().OpenConnections, buf[:n])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// quiet closes idle HTTP and database connections (whose count varies
// with load, and each of which holds a goroutine) and returns the number
// of goroutines and the pool's statistics.
func quiet(t *testing.T, in *instance) (int, sql.DBStats) {
	t.Helper()
	sqlDB, err := in.e.db.DB()
	must(t, err)
	in.client.CloseIdleConnections()
	sqlDB.SetMaxIdleConns(0)
	sqlDB.SetMaxIdleConns(25)
	time.Sleep(50 * time.Millisecond)
	return runtime.NumGoroutine(), sqlDB.Stats()
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
	results := load(in, 6, "/api/v1/sidebar/context", bearer(token), stop)
	time.Sleep(300 * time.Millisecond)
	srv.Halt()
	down := time.Now()

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
	time.Sleep(time.Until(down.Add(time.Second)))

	must(t, srv.Resume(ctx))
	up := time.Now()
	for {
		resp, _, err := in.try("GET", "/readyz", "", nil)
		if err == nil && resp.StatusCode == 200 {
			break
		}
		if time.Since(up) > 15*time.Second {
			t.Fatal("/readyz did not recover within 15 s of the database's return")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The service resumes without a restart: reads and writes.
	if got := contextOf(t, in, token); got.Contact == nil || got.Contact.Name != "Zhang San" {
		t.Errorf("context after recovery: %+v", got)
	}
	in.openSession(t, "app", "user-1", "jti-after")
	time.Sleep(200 * time.Millisecond)
	close(stop)

	var ok, unavailable int
	for _, o := range results() {
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
	for deadline := time.Now().Add(5 * time.Second); sqlDB.Stats().InUse == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the database")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- in.stop(t) }()
	addr := strings.TrimPrefix(in.url, "http://")
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s after shutdown began")
		}
		time.Sleep(20 * time.Millisecond)
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
