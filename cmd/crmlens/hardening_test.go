package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/seed"
)

// openMigrated opens and migrates the database at url.
func openMigrated(t *testing.T, url string) (*gorm.DB, database.Dialect) {
	t.Helper()
	db, dialect, err := database.Open(context.Background(), url, database.Options{})
	must(t, err)
	_, err = database.Migrate(context.Background(), db, dialect, matchkey.Normalizer{})
	must(t, err)
	return db, dialect
}

func sqlOpen(dsn string) (*sql.DB, error) { return sql.Open("mysql", dsn) }

// checkJSONAnswer parses raw as one HTTP answer and checks its status and
// that its body is the JSON error shape.
func checkJSONAnswer(t *testing.T, what string, raw []byte, status int) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Errorf("%s: not an HTTP answer (%v): %q", what, err, raw)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	var e api.Error
	if resp.StatusCode != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(body, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("%s: %d %q %s; want %d in the JSON error shape", what, resp.StatusCode, resp.Header.Get("Content-Type"), body, status)
	}
}

// rawRequest sends req over a new TCP connection to in and returns all it
// answers before closing.
func rawRequest(t *testing.T, in *instance, req string) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.url, "http://"))
	must(t, err)
	defer conn.Close()
	go func() { _, _ = io.WriteString(conn, req) }()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(conn)
	return b
}

// TestServerOwnAnswersAreJSON: what net/http answers itself, before any
// handler (a malformed request, headers past the limit), is the JSON error
// shape like every other answer. Before, they were text/plain.
func TestServerOwnAnswersAreJSON(t *testing.T) {
	in := startInstance(t, sqliteVars(t))
	checkJSONAnswer(t, "a malformed Host", rawRequest(t, in, "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n"), http.StatusBadRequest)
	checkJSONAnswer(t, "a malformed request line", rawRequest(t, in, "GARBAGE\r\n\r\n"), http.StatusBadRequest)
	checkJSONAnswer(t, "no Host", rawRequest(t, in, "GET /healthz HTTP/1.1\r\n\r\n"), http.StatusBadRequest)
	big := strings.Repeat("x", 100<<10)
	checkJSONAnswer(t, "100 KiB of headers", rawRequest(t, in, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: "+big+"\r\nConnection: close\r\n\r\n"),
		http.StatusRequestHeaderFieldsTooLarge)
	huge := strings.Repeat("x", 2<<20)
	checkJSONAnswer(t, "2 MiB of headers", rawRequest(t, in, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: "+huge+"\r\n\r\n"),
		http.StatusRequestHeaderFieldsTooLarge)
	// Ordinary requests are untouched.
	if resp, body := in.do(t, "GET", "/healthz", "", nil); resp.StatusCode != 200 || !json.Valid(body) {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
	if resp, _ := in.do(t, "GET", "/healthz", "", nil); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

// TestPlaygroundOnlyWithDemo: without --demo the playground answers 404
// JSON; with it, it lists the demo's URLs. --demo refuses a database with
// contacts that are not demo data, and serve without --demo refuses a
// database holding the demo integration, each naming the cause. Before,
// the playground was served by every crmlens.
func TestPlaygroundOnlyWithDemo(t *testing.T) {
	t.Run("off without --demo", func(t *testing.T) {
		in := startInstance(t, sqliteVars(t))
		resp, body := in.do(t, "GET", "/api/v1/playground/conversations", "", nil)
		if resp.StatusCode != http.StatusNotFound || errorCode(body) != "not_found" {
			t.Errorf("playground without --demo: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("on with --demo", func(t *testing.T) {
		in := startInstanceWith(t, sqliteVars(t), serveOptions{demo: true})
		if _, err := seed.Demo(context.Background(), in.e.db, seed.Options{Contacts: 10, SealKey: in.e.keys.Seal, Normalizer: in.e.norm}); err != nil {
			t.Fatal(err)
		}
		resp, body := in.do(t, "GET", "/api/v1/playground/conversations", "", nil)
		var list api.ConversationList
		if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list.Conversations) == 0 {
			t.Errorf("playground with --demo: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("--demo refuses real contacts", func(t *testing.T) {
		dbFile := t.TempDir() + "/c.db"
		t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+dbFile)
		t.Setenv("CRMLENS_ADDR", "127.0.0.1:0")
		db, _ := openMigrated(t, "sqlite://"+dbFile)
		must(t, db.Create(&model.Contact{ExternalID: "CRM-42", Name: "A real customer"}).Error)
		must(t, database.Close(db))
		_, err := run(t, "serve", "--demo")
		if err == nil || !strings.Contains(err.Error(), "--demo refuses this database: it holds 1 contact that is not demo data") {
			t.Fatalf("serve --demo beside a real contact: err = %v", err)
		}
	})
	t.Run("serve refuses the demo integration", func(t *testing.T) {
		dbFile := t.TempDir() + "/c.db"
		t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+dbFile)
		t.Setenv("CRMLENS_ADDR", "127.0.0.1:0")
		if _, err := run(t, "seed", "--demo", "--contacts", "5"); err != nil {
			t.Fatal(err)
		}
		_, err := run(t, "serve")
		if err == nil || !strings.Contains(err.Error(), seed.DemoSlug) || !strings.Contains(err.Error(), "--demo") {
			t.Fatalf("serve without --demo on the demo data: err = %v", err)
		}
	})
}

// TestDeadlineWorkNeverCommitsAfterwards: on MariaDB, a session request
// whose UPDATE visitors waits on a row another connection has locked is
// answered 503 at the request timeout, and the statement is stopped by the
// server within it: once the lock is released the row is as it was. Before,
// the UPDATE went on waiting (innodb_lock_wait_timeout, 50 s) and
// committed when the lock was released.
func TestDeadlineWorkNeverCommitsAfterwards(t *testing.T) {
	url := dbtest.NewURL(t, database.MySQL)
	vars := mysqlVars(url)
	vars["CRMLENS_REQUEST_TIMEOUT"] = "2s"
	in := startInstance(t, vars)
	seedSigned(t, in, "app", "user-1", "Zhang San")
	in.openSession(t, "app", "user-1", "jti-1")
	var before model.Visitor
	must(t, in.e.db.Where("external_id = ?", "user-1").Take(&before).Error)

	// Another connection holds the visitor's row.
	target, err := database.ParseURL(url)
	must(t, err)
	ctx := context.Background()
	other, err := sqlOpen(target.DSN)
	must(t, err)
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	must(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SELECT id FROM visitors WHERE id = ? FOR UPDATE", before.ID)
	must(t, err)

	start := time.Now()
	resp, body := in.do(t, "POST", "/api/v1/sidebar/sessions", sessionJSON(t, "app", signedToken(t, signedSecret, "user-1", "jti-2")), nil)
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || errorCode(body) != "timeout" {
		t.Errorf("session on a locked visitor: %d %s; want 503 timeout", resp.StatusCode, body)
	}
	if elapsed > 3*time.Second {
		t.Errorf("answered after %s; the request timeout is 2s", elapsed)
	}
	// The statement is gone from the server, not waiting for the lock.
	waiting := func() int {
		var n int
		must(t, other.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE `visitors`%'").Scan(&n))
		return n
	}
	if !eventually(10*time.Second, func() bool { return waiting() == 0 }) {
		t.Error("the request's UPDATE still waits for the lock 10 s after its 503")
	}
	must(t, tx.Rollback())
	// Whatever still ran has finished before the row is read.
	eventually(10*time.Second, func() bool { return waiting() == 0 })
	var after model.Visitor
	must(t, in.e.db.Where("id = ?", before.ID).Take(&after).Error)
	if !after.LastSeenAt.Equal(before.LastSeenAt) {
		t.Errorf("the visitor changed after the 503: last_seen_at %s, was %s", after.LastSeenAt, before.LastSeenAt)
	}
	// The service goes on.
	in.openSession(t, "app", "user-1", "jti-3")
}
