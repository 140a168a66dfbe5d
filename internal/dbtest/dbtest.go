// Package dbtest gives each test a fresh, migrated crmlens database: a
// temporary SQLite file, or a new schema on a real MariaDB server that this
// package starts itself (mariadbd on a temporary data directory and a free
// loopback port) the first time a test asks for one.
//
// Set CRMLENS_TEST_MYSQL_URL (mysql://user:pass@host:port/) to use an existing
// server instead. Without mariadbd, MariaDB tests are skipped with a message
// saying what to install, except under CI=true, where they fail.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/matchkey"
)

// Dialects lists the engines every store test runs on.
var Dialects = []database.Dialect{database.SQLite, database.MySQL}

// Main runs a package's tests and then stops the MariaDB server, if one was
// started. Call it from TestMain: func TestMain(m *testing.M) { dbtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	stopServer()
	os.Exit(code)
}

// Each runs fn once per dialect as a subtest, each with its own database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB, dialect database.Dialect)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			db, url := Open(t, d)
			_ = url
			fn(t, db, d)
		})
	}
}

// Open returns a fresh, migrated database of dialect and its
// CRMLENS_DATABASE_URL; both are removed when t ends.
func Open(t testing.TB, dialect database.Dialect) (*gorm.DB, string) {
	t.Helper()
	url := NewURL(t, dialect)
	ctx := context.Background()
	db, d, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		t.Fatalf("open %s test database: %v", dialect, err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	if _, err := database.Migrate(ctx, db, d, matchkey.Normalizer{}); err != nil {
		t.Fatalf("migrate %s test database: %v", dialect, err)
	}
	return db, url
}

// NewURL returns the CRMLENS_DATABASE_URL of a new, empty (unmigrated)
// database of dialect, dropped when t ends.
func NewURL(t testing.TB, dialect database.Dialect) string {
	t.Helper()
	switch dialect {
	case database.SQLite:
		return "sqlite://" + filepath.Join(t.TempDir(), "crmlens.db")
	case database.MySQL:
		base := serverURL(t)
		name := "crmlens_test_" + randomHex(6)
		admin := openAdmin(t, base)
		if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
			t.Fatalf("create test schema: %v", err)
		}
		t.Cleanup(func() {
			_ = admin.Exec("DROP DATABASE IF EXISTS " + name).Error
			_ = database.Close(admin)
		})
		return strings.TrimSuffix(base, "/") + "/" + name
	default:
		t.Fatalf("unknown dialect %q", dialect)
		return ""
	}
}

func openAdmin(t testing.TB, base string) *gorm.DB {
	t.Helper()
	db, _, err := database.Open(context.Background(), strings.TrimSuffix(base, "/")+"/mysql", database.Options{})
	if err != nil {
		t.Fatalf("connect to test MariaDB: %v", err)
	}
	return db
}

var (
	serverOnce sync.Once
	server     *mariadbtest.Server
	serverErr  error
)

// serverURL starts MariaDB once per test binary, or returns
// CRMLENS_TEST_MYSQL_URL, as mysql://user@host:port/ without a database.
func serverURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("CRMLENS_TEST_MYSQL_URL"); u != "" {
		return u
	}
	serverOnce.Do(func() { server, serverErr = startMariaDB() })
	if serverErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MariaDB is required under CI=true: %v", serverErr)
		}
		t.Skipf("skipping MariaDB test: %v", serverErr)
	}
	return server.URL
}

func stopServer() {
	if server != nil {
		server.Stop()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}
