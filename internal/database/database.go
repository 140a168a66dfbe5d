// Package database opens crmlens's database (SQLite, pure Go, or MySQL /
// MariaDB) from a CRMLENS_DATABASE_URL and migrates it with versioned SQL
// files embedded per dialect. There is no AutoMigrate: the schema changes only
// through files under migrations/.
package database

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/matchkey"
)

// Dialect names the database engine behind a URL.
type Dialect string

const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

//go:embed migrations
var migrations embed.FS

// Target is a parsed CRMLENS_DATABASE_URL.
type Target struct {
	Dialect Dialect
	// DSN is what the driver takes: a file path with pragmas for SQLite, a
	// go-sql-driver DSN for MySQL. It may hold a password: never log it.
	DSN string
	// Path is the SQLite file, empty for MySQL.
	Path string
}

// ParseURL turns sqlite://PATH or mysql://user:pass@host:port/db?opts into a
// Target. The error never repeats the URL, which may carry a password.
func ParseURL(raw string) (Target, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite://"):
		path := strings.TrimPrefix(raw, "sqlite://")
		if path == "" {
			return Target{}, errors.New("CRMLENS_DATABASE_URL: sqlite:// needs a file path, e.g. sqlite://./data/crmlens.db")
		}
		q := url.Values{}
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_time_format", "sqlite")
		return Target{Dialect: SQLite, DSN: path + "?" + q.Encode(), Path: path}, nil
	case strings.HasPrefix(raw, "mysql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return Target{}, errors.New("CRMLENS_DATABASE_URL: not a valid mysql:// URL (expected mysql://user:pass@host:port/db?opts)")
		}
		db := strings.TrimPrefix(u.Path, "/")
		if u.Host == "" || db == "" {
			return Target{}, errors.New("CRMLENS_DATABASE_URL: mysql:// URL needs a host and a database name (mysql://user:pass@host:port/db)")
		}
		host := u.Host
		if u.Port() == "" {
			host += ":3306"
		}
		q := u.Query()
		// crmlens stores UTC and needs time.Time scanning and full Unicode.
		q.Set("parseTime", "true")
		q.Set("loc", "UTC")
		if q.Get("charset") == "" {
			q.Set("charset", "utf8mb4")
		}
		if q.Get("timeout") == "" {
			q.Set("timeout", "5s")
		}
		auth := ""
		if u.User != nil {
			auth = u.User.Username()
			if p, ok := u.User.Password(); ok {
				auth += ":" + p
			}
			auth += "@"
		}
		return Target{Dialect: MySQL, DSN: fmt.Sprintf("%stcp(%s)/%s?%s", auth, host, db, q.Encode())}, nil
	default:
		return Target{}, errors.New("CRMLENS_DATABASE_URL: must start with sqlite:// or mysql://")
	}
}

// Options tune Open.
type Options struct {
	// Logger receives GORM's slow-query and error lines; nil silences them.
	Logger *slog.Logger
	// Now is GORM's clock for CreatedAt/UpdatedAt; nil means time.Now in UTC.
	Now func() time.Time
	// StatementTimeout, when set, bounds every statement of a MySQL or
	// MariaDB session on the server side (SessionLimits): a request
	// cancelled at its deadline closes its connection, but the server
	// would go on running a statement waiting for a lock and commit it when
	// the lock is released. serve sets it below CRMLENS_REQUEST_TIMEOUT;
	// migrations and imports run without it.
	StatementTimeout time.Duration
}

// SessionLimits are the session variables that bound a statement of at
// most d on the server: on MariaDB max_statement_time (every statement,
// seconds) and innodb_lock_wait_timeout (whole seconds, at least 1); on
// MySQL, which has no bound for writes, max_execution_time (SELECTs, in ms)
// and innodb_lock_wait_timeout. Values are what the driver puts in SET.
func SessionLimits(mariaDB bool, d time.Duration) map[string]string {
	if d <= 0 {
		return nil
	}
	lockWait := int(d / time.Second)
	if lockWait < 1 {
		lockWait = 1
	}
	out := map[string]string{"innodb_lock_wait_timeout": strconv.Itoa(lockWait)}
	if mariaDB {
		out["max_statement_time"] = strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
	} else {
		out["max_execution_time"] = strconv.FormatInt(d.Milliseconds(), 10)
	}
	return out
}

// withSessionLimits adds SessionLimits of the server behind pool to dsn.
func withSessionLimits(ctx context.Context, pool *sql.DB, dsn string, d time.Duration) (string, error) {
	var version string
	if err := pool.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return "", fmt.Errorf("read the server version: %w", err)
	}
	limits := SessionLimits(strings.Contains(strings.ToLower(version), "mariadb"), d)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	q := url.Values{}
	for k, v := range limits {
		q.Set(k, v)
	}
	return dsn + sep + q.Encode(), nil
}

func gormConfig(opts Options) *gorm.Config {
	now := opts.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &gorm.Config{
		// Single statements need no transaction; multi-step writes open one.
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		TranslateError:         true,
		NowFunc:                now,
		Logger:                 newGormLogger(opts.Logger),
	}
}

// Open connects to the database named by raw (a CRMLENS_DATABASE_URL),
// creating the SQLite file's directory when needed. It does not migrate.
func Open(ctx context.Context, raw string, opts Options) (*gorm.DB, Dialect, error) {
	t, err := ParseURL(raw)
	if err != nil {
		return nil, "", err
	}
	cfg := gormConfig(opts)
	var dialector gorm.Dialector
	switch t.Dialect {
	case SQLite:
		if dir := filepath.Dir(t.Path); dir != "" && t.Path != ":memory:" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, "", fmt.Errorf("create database directory %s: %w", dir, err)
			}
		}
		dialector = sqlite.Open(t.DSN)
	case MySQL:
		// MariaDB 10.5+ could answer INSERTs with RETURNING; crmlens's
		// production engine is MySQL 8, which cannot, so GORM takes MySQL's
		// path (LAST_INSERT_ID) on both and the tests on MariaDB exercise
		// what production runs.
		pool, err := openMySQL(t.DSN, opts.Logger)
		if err != nil {
			return nil, "", fmt.Errorf("CRMLENS_DATABASE_URL: %w", err)
		}
		if opts.StatementTimeout > 0 {
			// Which variables exist depends on the server: ask it once,
			// then open the pool whose every connection sets them.
			pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			dsn, err := withSessionLimits(pingCtx, pool, t.DSN, opts.StatementTimeout)
			cancel()
			_ = pool.Close()
			if err != nil {
				return nil, "", fmt.Errorf("connect to %s database: %s", t.Dialect, Redact(err))
			}
			t.DSN = dsn
			if pool, err = openMySQL(t.DSN, opts.Logger); err != nil {
				return nil, "", fmt.Errorf("CRMLENS_DATABASE_URL: %w", err)
			}
		}
		dialector = mysql.New(mysql.Config{Conn: pool, DSN: t.DSN, DisableWithReturning: true})
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("open %s database: %w", t.Dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, "", fmt.Errorf("open %s database: %w", t.Dialect, err)
	}
	switch t.Dialect {
	case SQLite:
		// One writer at a time is all SQLite allows; one connection avoids
		// "database is locked" under concurrent requests.
		sqlDB.SetMaxOpenConns(1)
	case MySQL:
		sqlDB.SetMaxOpenConns(50)
		sqlDB.SetMaxIdleConns(25)
		// Recycle before MySQL's wait_timeout or a proxy drops them.
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, "", fmt.Errorf("connect to %s database: %w", t.Dialect, err)
	}
	return db, t.Dialect, nil
}

// Close closes db's connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Migrate applies every pending migration of dialect and returns how many
// ran. norm is how phones and e-mails of existing contacts are normalized
// where a migration adds a match column (matchkey.Normalizer{} is the
// default region's).
func Migrate(ctx context.Context, db *gorm.DB, dialect Dialect, norm matchkey.Normalizer) (int, error) {
	p, err := provider(db, dialect, norm)
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("migrate %s database: %w", dialect, err)
	}
	return len(results), nil
}

// Pending reports whether migrations remain to be applied.
func Pending(ctx context.Context, db *gorm.DB, dialect Dialect) (bool, error) {
	p, err := provider(db, dialect, matchkey.Normalizer{})
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}

func provider(db *gorm.DB, dialect Dialect, norm matchkey.Normalizer) (*goose.Provider, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	files, err := fs.Sub(migrations, "migrations/"+string(dialect))
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", dialect, err)
	}
	gd := goose.DialectSQLite3
	if dialect == MySQL {
		gd = goose.DialectMySQL
	}
	p, err := goose.NewProvider(gd, sqlDB, files, goose.WithGoMigrations(matchKeysMigration(dialect, norm)))
	if err != nil {
		return nil, fmt.Errorf("load %s migrations: %w", dialect, err)
	}
	return p, nil
}
