package dbtest

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
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // the driver the readiness probe uses
)

// mariadb is a throwaway MariaDB server for tests: its own data directory,
// a free loopback port, no grant tables (anyone on loopback is root), and
// durability traded for speed.
type mariadb struct {
	cmd  *exec.Cmd
	dir  string
	url  string
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
	return "", fmt.Errorf("%s not found: install MariaDB (Debian: apt-get install mariadb-server) or set CRMLENS_TEST_MYSQL_URL", names[0])
}

func startMariaDB() (*mariadb, error) {
	daemon, err := findBinary("mariadbd", "mysqld")
	if err != nil {
		return nil, err
	}
	installer, err := findBinary("mariadb-install-db", "mysql_install_db")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "crmlens-mariadb-")
	if err != nil {
		return nil, fmt.Errorf("temp dir for MariaDB: %w", err)
	}
	data := filepath.Join(dir, "data")
	install := exec.Command(installer, "--no-defaults", "--datadir="+data, "--user="+currentUser(),
		"--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("mariadb-install-db: %w: %s", err, lastLines(out, 5))
	}
	port, err := freePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	logFile := filepath.Join(dir, "mariadbd.log")
	cmd := exec.Command(daemon, "--no-defaults",
		"--datadir="+data,
		"--socket="+filepath.Join(dir, "mariadbd.sock"),
		"--pid-file="+filepath.Join(dir, "mariadbd.pid"),
		"--log-error="+logFile,
		"--bind-address=127.0.0.1",
		"--port="+strconv.Itoa(port),
		"--user="+currentUser(),
		"--skip-grant-tables",
		"--skip-name-resolve",
		"--skip-log-bin",
		"--innodb-flush-log-at-trx-commit=0",
		"--innodb-doublewrite=0",
		"--innodb-buffer-pool-size=256M",
		"--max-connections=500",
	)
	// Die with the test binary even if it never reaches Main's cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start mariadbd: %w", err)
	}
	m := &mariadb{cmd: cmd, dir: dir, url: fmt.Sprintf("mysql://root@127.0.0.1:%d/", port), done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.done) }()
	if err := m.waitReady(port, 60*time.Second); err != nil {
		log, _ := os.ReadFile(logFile)
		m.stop()
		return nil, fmt.Errorf("mariadbd did not become ready: %w: %s", err, lastLines(log, 10))
	}
	return m, nil
}

func (m *mariadb) waitReady(port int, limit time.Duration) error {
	dsn := fmt.Sprintf("root@tcp(127.0.0.1:%d)/mysql?timeout=2s", port)
	deadline := time.Now().Add(limit)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-m.done:
			return errors.New("mariadbd exited")
		default:
		}
		db, err := sql.Open("mysql", dsn)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = db.PingContext(ctx)
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

func (m *mariadb) stop() {
	if m.cmd.Process != nil {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.done:
		case <-time.After(20 * time.Second):
			_ = m.cmd.Process.Kill()
			<-m.done
		}
	}
	_ = os.RemoveAll(m.dir)
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
