// Package mariadbtest starts a throwaway MariaDB server, for tests
// (internal/dbtest) and the benchmark (make bench): its own data directory
// under a temporary directory, a free loopback port, no grant tables (anyone
// on loopback is root), and durability traded for speed. Never for
// production data.
package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // the driver the readiness probe uses
)

// Options tune the server.
type Options struct {
	// BufferPool is innodb_buffer_pool_size, e.g. "2G" (default "256M").
	BufferPool string
	// Bulk tunes the server for loading and reading a large dataset (big
	// redo log, fast page flushing), as the benchmark needs.
	Bulk bool
	// TempPrefix names the temporary directory (default "crmlens-mariadb-").
	TempPrefix string
	// ServerID is server_id, needed by both ends of replication (default 1).
	ServerID int
	// LogBin writes a binary log, so that replicas can follow this server
	// (ReplicateFrom). Off by default: tests need no binlog.
	LogBin bool
}

// Server is a running mariadbd.
type Server struct {
	// URL is a CRMLENS_DATABASE_URL prefix without a database name:
	// mysql://root@127.0.0.1:PORT/ (append the schema name).
	URL string
	// Flags are the server options that matter for the results, for the
	// report.
	Flags []string

	daemon  string
	args    []string
	logFile string
	dir     string
	port    int

	// cmd and done belong to the running process; Halt and Resume replace
	// them.
	cmd  *exec.Cmd
	done chan struct{}
}

func findBinary(names ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin"} {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s not found: install MariaDB (Debian: apt-get install mariadb-server, or make system-deps; tests may use CRMLENS_TEST_MYSQL_URL instead)", names[0])
}

// Start installs a data directory and starts mariadbd on it, waiting until
// it answers. Stop it with Stop, which also removes its files.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.BufferPool == "" {
		opts.BufferPool = "256M"
	}
	if opts.TempPrefix == "" {
		opts.TempPrefix = "crmlens-mariadb-"
	}
	daemon, err := findBinary("mariadbd", "mysqld")
	if err != nil {
		return nil, err
	}
	installer, err := findBinary("mariadb-install-db", "mysql_install_db")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", opts.TempPrefix)
	if err != nil {
		return nil, fmt.Errorf("temp dir for MariaDB: %w", err)
	}
	data := filepath.Join(dir, "data")
	// Each server keeps its temporary tables in a directory of its own: a
	// mariadbd starting (or installing) removes the #sql temp files it
	// finds in its tmpdir, so servers sharing /tmp break each other's
	// queries and installs when tests start them side by side.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("temp dir for MariaDB: %w", err)
	}
	install := exec.CommandContext(ctx, installer, "--no-defaults", "--datadir="+data, "--user="+currentUser(),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--tmpdir="+tmp)
	if out, err := install.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("mariadb-install-db: %w: %s", err, errorLines(out, 5))
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if opts.ServerID == 0 {
		opts.ServerID = 1
	}
	tuning := []string{
		"--innodb-buffer-pool-size=" + opts.BufferPool,
		"--innodb-doublewrite=0",
		"--max-connections=500",
		"--server-id=" + strconv.Itoa(opts.ServerID),
		// A replica writes its relay log here rather than beside the
		// hostname-named default.
		"--relay-log=" + filepath.Join(dir, "relay"),
	}
	if opts.LogBin {
		tuning = append(tuning, "--log-bin="+filepath.Join(dir, "binlog"), "--binlog-format=ROW")
	} else {
		tuning = append(tuning, "--skip-log-bin")
	}
	if opts.Bulk {
		tuning = append(tuning,
			"--innodb-log-file-size=1G",
			"--innodb-flush-log-at-trx-commit=2",
			"--innodb-fast-shutdown=2",
			// Flush at SSD speed, not the default's 200 pages/s: Settle then
			// takes seconds, not minutes, after a bulk load.
			"--innodb-io-capacity=5000",
			"--innodb-io-capacity-max=20000",
		)
	} else {
		tuning = append(tuning, "--innodb-flush-log-at-trx-commit=0")
	}
	logFile := filepath.Join(dir, "mariadbd.log")
	args := append([]string{"--no-defaults",
		"--datadir=" + data,
		"--tmpdir=" + tmp,
		"--socket=" + filepath.Join(dir, "mariadbd.sock"),
		"--pid-file=" + filepath.Join(dir, "mariadbd.pid"),
		"--log-error=" + logFile,
		"--bind-address=127.0.0.1",
		"--port=" + strconv.Itoa(port),
		"--user=" + currentUser(),
		"--skip-grant-tables",
		"--skip-name-resolve",
	}, tuning...)
	s := &Server{URL: fmt.Sprintf("mysql://root@127.0.0.1:%d/", port), Flags: tuning,
		daemon: daemon, args: args, logFile: logFile, dir: dir, port: port}
	if err := s.launch(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// launch starts mariadbd with s's arguments and waits until it answers.
func (s *Server) launch(ctx context.Context) error {
	cmd := exec.Command(s.daemon, s.args...)
	// Die with the process that started it, even if it is killed before
	// its cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}
	done := make(chan struct{})
	s.cmd, s.done = cmd, done
	go func() { _ = cmd.Wait(); close(done) }()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		log, _ := os.ReadFile(s.logFile)
		return fmt.Errorf("mariadbd did not become ready: %w: %s", err, lastLines(log, 10))
	}
	return nil
}

// Halt stops mariadbd and keeps its data directory and port, so that
// Resume brings the same server back: a database outage, for tests.
func (s *Server) Halt() { s.terminate() }

// Resume starts a halted server again on the same data and port and waits
// until it answers.
func (s *Server) Resume(ctx context.Context) error {
	select {
	case <-s.done:
	default:
		return errors.New("mariadbd is still running")
	}
	return s.launch(ctx)
}

// DSN returns the go-sql-driver DSN of schema on s, for administrative
// statements.
func (s *Server) DSN(schema string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?timeout=5s&parseTime=true&loc=UTC", s.port, schema)
}

// Dir is the server's temporary directory (data and log).
func (s *Server) Dir() string { return s.dir }

// CreateSchema creates an empty utf8mb4 database name and returns its
// CRMLENS_DATABASE_URL.
func (s *Server) CreateSchema(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("mysql", s.DSN("mysql"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", fmt.Errorf("create schema %s: %w", name, err)
	}
	return s.URL + name, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("mariadbd exited")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		db, err := sql.Open("mysql", s.DSN("mysql"))
		if err == nil {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err = db.PingContext(pctx)
			cancel()
			_ = db.Close()
			if err == nil {
				return nil
			}
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	return lastErr
}

// Stop stops the server (SIGTERM, then SIGKILL after 30 s) and removes its
// directory. It is safe to call more than once.
func (s *Server) Stop() {
	s.terminate()
	_ = os.RemoveAll(s.dir)
}

func (s *Server) terminate() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if os.Geteuid() == 0 {
		return "root"
	}
	return strconv.Itoa(os.Geteuid())
}

// errorLines is the lines of out that report an error (the installer ends
// with boilerplate that hides them), or its last n lines when none does.
func errorLines(out []byte, n int) string {
	var errs []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "ERROR") {
			errs = append(errs, line)
		}
	}
	if len(errs) == 0 {
		return lastLines(out, n)
	}
	return strings.Join(errs, "\n")
}

func lastLines(b []byte, n int) string {
	lines := 0
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			lines++
			if lines > n {
				return string(b[i+1:])
			}
		}
	}
	return string(b)
}

// Pid is mariadbd's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Settle flushes the buffer pool's dirty pages (what a bulk load left
// behind) so that background writes do not land in a measured round: it
// asks InnoDB to flush everything, waits until at most 1% of the pool's
// pages are dirty or limit has passed, and restores the setting. It returns
// how long it waited and the dirty pages left.
func (s *Server) Settle(ctx context.Context, limit time.Duration) (time.Duration, int64, error) {
	db, err := sql.Open("mysql", s.DSN("mysql"))
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var pct float64
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.innodb_max_dirty_pages_pct").Scan(&pct); err != nil {
		return 0, 0, fmt.Errorf("read innodb_max_dirty_pages_pct: %w", err)
	}
	if _, err := db.ExecContext(ctx, "SET GLOBAL innodb_max_dirty_pages_pct = 0"); err != nil {
		return 0, 0, fmt.Errorf("set innodb_max_dirty_pages_pct: %w", err)
	}
	defer func() {
		_, _ = db.ExecContext(context.Background(), fmt.Sprintf("SET GLOBAL innodb_max_dirty_pages_pct = %g", pct))
	}()
	status := func(name string) (int64, error) {
		var k string
		var v int64
		err := db.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE '"+name+"'").Scan(&k, &v)
		return v, err
	}
	start := time.Now()
	for {
		dirty, err := status("Innodb_buffer_pool_pages_dirty")
		if err != nil {
			return time.Since(start), 0, err
		}
		total, err := status("Innodb_buffer_pool_pages_total")
		if err != nil {
			return time.Since(start), 0, err
		}
		if dirty*100 <= total || time.Since(start) >= limit {
			return time.Since(start), dirty, nil
		}
		select {
		case <-ctx.Done():
			return time.Since(start), dirty, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
