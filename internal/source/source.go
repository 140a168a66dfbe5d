package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/matchkey"
)

// ErrUnavailable is the error of a source that is down, slow or refusing a
// query: the sidebar shows "source unavailable" for its panels only. Test
// for it with errors.Is; the *UnavailableError carries the cause.
var ErrUnavailable = errors.New("source unavailable")

// UnavailableError is a failed read of one source. Its message names the
// source and a redacted cause, never the URL.
type UnavailableError struct {
	Source string
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("source %q unavailable: %s", e.Source, database.Redact(e.Err))
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }

// Observer records each query of a source: *metrics.Metrics is one, nil
// records nothing. outcome is "ok", "error" or "timeout".
type Observer interface {
	ObserveSource(source string, elapsed time.Duration, outcome string)
}

// Options tune a source's connection.
type Options struct {
	// Timeout caps every query (and the schema load) of the source, under
	// the caller's own deadline. Default DefaultTimeout.
	Timeout time.Duration
	// MaxOpen bounds the source's pool. Default DefaultMaxOpen.
	MaxOpen int
	// Norm normalizes the phones and e-mails agents type.
	Norm matchkey.Normalizer
	// Observer receives each query's latency and outcome.
	Observer Observer
}

// Defaults of Options.
const (
	DefaultTimeout = 2 * time.Second
	DefaultMaxOpen = 4
	// MaxLimit bounds a list read.
	MaxLimit = 100
)

// DSN turns a source URL (mysql://user:pass@host:port/db?opts) into a
// go-sql-driver DSN. A URL without a user is refused: a source is read
// through its own read-only account. Times are read as UTC unless the URL
// says loc=Zone. Errors never repeat the URL.
func DSN(raw string) (string, error) {
	if !strings.HasPrefix(raw, "mysql://") {
		return "", errors.New("a source URL must start with mysql:// (sources are MySQL or MariaDB databases)")
	}
	t, err := database.ParseURL(raw)
	if err != nil {
		return "", errors.New(strings.Replace(err.Error(), "CRMLENS_DATABASE_URL", "source URL", 1))
	}
	cfg, err := mysql.ParseDSN(t.DSN)
	if err != nil {
		return "", errors.New("source URL: not a valid mysql:// URL (mysql://user:pass@host:port/db)")
	}
	if cfg.User == "" {
		return "", errors.New("source URL has no user: give the read-only account, mysql://reader:pass@host:port/db")
	}
	if u, err := url.Parse(raw); err == nil {
		if zone := u.Query().Get("loc"); zone != "" {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				return "", fmt.Errorf("source URL: loc=%s is not a time zone", zone)
			}
			cfg.Loc = loc
		}
	}
	return cfg.FormatDSN(), nil
}

// Source is one open source: its mapping, a small pool and, once loaded,
// its tables and columns as information_schema names them.
type Source struct {
	spec    Spec
	db      *sql.DB
	timeout time.Duration
	norm    matchkey.Normalizer
	obs     Observer

	mu     sync.Mutex
	tables map[layout.Object]*table // nil until loaded
	stmts  map[string]*sql.Stmt     // by SQL text (prepared)
}

// table is a mapped object's table with its columns, by lower-case name.
type table struct {
	spec ObjectSpec
	name string // as information_schema stores it
	kind string // BASE TABLE or VIEW
	cols map[string]column
	// bound is the prefix of a SELECT that bounds it on the server
	// (serverBound).
	bound string
}

// serverBound is what bounds a SELECT on the server as well as in the
// client: a request that gives up closes its connection, but the server
// would go on running a statement waiting for a lock. On MariaDB it is
// "SET STATEMENT max_statement_time=S FOR " before the SELECT (MariaDB
// knowledge base, "SET STATEMENT", "max_statement_time"); on MySQL the
// optimizer hint MAX_EXECUTION_TIME(ms) right after SELECT (MySQL reference
// manual, "Optimizer Hints"), which readers put in with boundSelect.
func serverBound(version string, d time.Duration) string {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return fmt.Sprintf("SET STATEMENT max_statement_time=%.3f FOR ", d.Seconds())
	}
	return fmt.Sprintf("/*+ MAX_EXECUTION_TIME(%d) */", d.Milliseconds())
}

// boundSelect is "SELECT rest" bounded on the server by t.bound.
func (t *table) boundSelect(rest string) string {
	if strings.HasPrefix(t.bound, "/*+") {
		return "SELECT " + t.bound + " " + rest
	}
	return t.bound + "SELECT " + rest
}

type column struct {
	name string // as information_schema stores it
	typ  string // COLUMN_TYPE, e.g. varchar(32)
}

// Open returns the source of spec reached through rawURL. It does not
// connect: the first Read (or Load, Check) does, so that a source that is
// down does not stop crmlens from starting.
func Open(spec Spec, rawURL string, opts Options) (*Source, error) {
	dsn, err := DSN(rawURL)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, CodeInvalidSpec, "source %q: %s", spec.Name, err)
	}
	// The URL is kept only inside the pool's DSN: a Spec handed out or
	// logged never carries it.
	spec.URL = ""
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, fmt.Errorf("open source %q: %s", spec.Name, database.Redact(err))
	}
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = DefaultMaxOpen
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	db.SetMaxOpenConns(opts.MaxOpen)
	db.SetMaxIdleConns(opts.MaxOpen)
	// Recycled before a server's wait_timeout (8 h by default) drops them.
	db.SetConnMaxLifetime(30 * time.Minute)
	return &Source{spec: spec, db: db, timeout: opts.Timeout, norm: opts.Norm, obs: opts.Observer}, nil
}

// Name is the source's name.
func (s *Source) Name() string { return s.spec.Name }

// Spec is the source's mapping.
func (s *Source) Spec() Spec { return s.spec }

// Objects lists the crmlens objects the source maps.
func (s *Source) Objects() []layout.Object {
	var out []layout.Object
	for o := range s.spec.Mapping() {
		out = append(out, o)
	}
	return out
}

// Close closes the source's pool.
func (s *Source) Close() error { return s.db.Close() }

// DB is the source's pool, for tests and benchmarks.
func (s *Source) DB() *sql.DB { return s.db }

// Load reads the mapped tables' columns from information_schema (once) and
// refuses a mapping to a missing table or column.
func (s *Source) Load(ctx context.Context) error {
	_, err := s.schema(ctx)
	return err
}

func (s *Source) schema(ctx context.Context) (map[layout.Object]*table, error) {
	// The lock is not held while loading: a caller whose deadline is
	// shorter than another's load must not wait for it. Concurrent first
	// reads may each load; the last one's tables are kept.
	s.mu.Lock()
	loaded := s.tables
	s.mu.Unlock()
	if loaded != nil {
		return loaded, nil
	}
	tables := map[layout.Object]*table{}
	var bound string
	err := s.readOnly(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var version string
		if err := tx.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
			return fmt.Errorf("read the server version: %w", err)
		}
		bound = serverBound(version, s.timeout)
		for o, m := range s.spec.Mapping() {
			t, err := loadTable(ctx, tx, m.Table)
			if err != nil {
				return err
			}
			if t == nil {
				return apperr.New(apperr.Invalid, CodeMissingTable, "source %q, object %s: the database has no table or view %q", s.spec.Name, o, m.Table)
			}
			t.spec = m
			for _, c := range m.columns() {
				if _, ok := t.cols[strings.ToLower(c)]; !ok {
					return apperr.New(apperr.Invalid, CodeMissingColumn, "source %q, object %s: %s %q has no column %q", s.spec.Name, o, strings.ToLower(t.kind), t.name, c)
				}
			}
			tables[o] = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		t.bound = bound
	}
	s.mu.Lock()
	s.tables = tables
	s.mu.Unlock()
	return tables, nil
}

// loadTable finds name in the current database, exactly or else ignoring
// case (MySQL stores table names as created, or lower-cased under
// lower_case_table_names), with its columns; nil when there is none.
func loadTable(ctx context.Context, tx *sql.Tx, name string) (*table, error) {
	rows, err := tx.QueryContext(ctx, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND LOWER(TABLE_NAME) = LOWER(?)", name)
	if err != nil {
		return nil, fmt.Errorf("read information_schema.TABLES: %w", err)
	}
	var found []table
	for rows.Next() {
		var t table
		if err := rows.Scan(&t.name, &t.kind); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, nil
	}
	t := found[0]
	for _, f := range found {
		if f.name == name {
			t = f
		}
	}
	t.cols = map[string]column{}
	crows, err := tx.QueryContext(ctx, "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", t.name)
	if err != nil {
		return nil, fmt.Errorf("read information_schema.COLUMNS: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var c column
		if err := crows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		t.cols[strings.ToLower(c.name)] = c
	}
	return &t, crows.Err()
}

// quoted is column c of t, validated and quoted for a statement.
func (t *table) quoted(c string) string { return quote(t.cols[strings.ToLower(c)].name) }

// quote backtick-quotes an identifier already checked against
// information_schema (and identRE, which admits no backtick).
func quote(ident string) string { return "`" + strings.ReplaceAll(ident, "`", "``") + "`" }

// readOnly runs fn in a read-only transaction bounded by the source's
// timeout under ctx's deadline, recording its latency; a failure is an
// *UnavailableError unless fn's own error is an *apperr.Error.
func (s *Source) readOnly(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return s.readOnlyAfter(ctx, nil, fn)
}

// readOnlyAfter is readOnly running pre first, under the same deadline and
// outside the transaction (to prepare statements on the pool: inside, a
// prepare on the pool would wait for a second connection while holding one).
func (s *Source) readOnlyAfter(ctx context.Context, pre func(context.Context) error, fn func(context.Context, *sql.Tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	start := time.Now()
	err := func() error {
		if pre != nil {
			if err := pre(ctx); err != nil {
				return err
			}
		}
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	}()
	outcome := "ok"
	switch {
	case err == nil:
	case ctx.Err() != nil:
		outcome = "timeout"
	default:
		outcome = "error"
	}
	if s.obs != nil {
		s.obs.ObserveSource(s.spec.Name, time.Since(start), outcome)
	}
	if err == nil {
		return nil
	}
	if apperr.As(err) != nil {
		return err
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (deadline %s)", ctx.Err(), s.timeout)
	}
	return &UnavailableError{Source: s.spec.Name, Err: err}
}
