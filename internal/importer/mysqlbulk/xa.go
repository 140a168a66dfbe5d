package mysqlbulk

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// A first import of contacts writes two tables, contacts and their
// identities, and MariaDB writes one statement on one core: loading them
// one after the other leaves the second core idle while the import waits.
// So the identities load on a second connection, at the same time, in an
// XA transaction branch (which also looks up and locks the contacts'
// accounts while the contacts stream, see internal/importer's
// contacts_stream.go), and the two commit together:
//
//  1. both tables are loaded, the contacts with ids the import chose (the
//     identities must name them before the contacts exist);
//  2. the main transaction records the branch's xid in import_commits;
//  3. the branch is prepared (XA PREPARE): it can no longer fail to commit;
//  4. the main transaction commits: this is the decision;
//  5. the branch commits (XA COMMIT) and the xid's row is deleted.
//
// A failure before 4 rolls both back. A crash between 3 and 5 leaves the
// branch prepared, holding its locks; Recover, run at every import and at
// `crmlens serve`'s start, commits it if its xid is in import_commits and
// rolls it back if not. Until step 4 ends, the row of step 2 is locked by
// the main transaction, so Recover waits for a live import's decision
// rather than guess it; a branch whose connection is still open belongs
// to a live import, and MariaDB lets only that connection finish it.

// xidPrefix starts the xid of every branch an import opens.
const xidPrefix = "crmlens-import-"

// errXANotFound is MySQL's XAER_NOTA: no such xid here (already finished,
// or held by the live connection that prepared it).
const errXANotFound = 1397

// branch is the identities' XA transaction branch on a connection of its
// own.
type branch struct {
	conn     *sql.Conn
	xid      string
	prepared bool
	done     bool
	stmts    map[string]*sql.Stmt
	ctx      context.Context // the import's, for query
}

// query runs a SELECT on the branch through a statement prepared on its
// first use.
func (b *branch) query(query string, args []any, scan func(*sql.Rows) error) error {
	ctx := b.ctx
	s, ok := b.stmts[query]
	if !ok {
		var err error
		if s, err = b.conn.PrepareContext(ctx, query); err != nil {
			return err
		}
		b.stmts[query] = s
	}
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// openBranch starts an XA branch on a new connection from pool, with the
// bulk load's session settings (see Path.Begin), and checks that table is
// still empty in its snapshot. It returns nil, nil when the pool cannot
// give a second connection or the server refuses XA: the import then
// loads both tables on its own connection.
func openBranch(ctx context.Context, pool *sql.DB, table string) (*branch, error) {
	if max := pool.Stats().MaxOpenConnections; max > 0 && max < 2 {
		return nil, nil
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open a second connection for the identities: %w", err)
	}
	b := &branch{conn: conn, xid: xidPrefix + hex.EncodeToString(id), stmts: map[string]*sql.Stmt{}, ctx: ctx}
	if _, err := conn.ExecContext(ctx, "SET SESSION unique_checks = 0, foreign_key_checks = 0"); err != nil {
		b.close(ctx)
		return nil, fmt.Errorf("prepare the identities' connection: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "XA START '"+b.xid+"'"); err != nil {
		b.close(ctx)
		return nil, nil // e.g. XA disabled: load on one connection
	}
	empty := true
	if err := conn.QueryRowContext(ctx, "SELECT 1 FROM "+table+" LIMIT 1").Scan(new(int)); err == nil {
		empty = false
	} else if !errors.Is(err, sql.ErrNoRows) {
		b.rollback(ctx)
		b.close(ctx)
		return nil, fmt.Errorf("check whether %s is empty: %w", table, err)
	}
	if !empty {
		b.rollback(ctx)
		b.close(ctx)
		return nil, nil
	}
	return b, nil
}

// prepare records the branch in the main transaction tx (step 2) and
// prepares it (step 3).
func (b *branch) prepare(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if err := tx.Exec("INSERT INTO import_commits (xid, created_at) VALUES (?, ?)", b.xid, now).Error; err != nil {
		return fmt.Errorf("record the identities' branch: %w", err)
	}
	if _, err := b.conn.ExecContext(ctx, "XA END '"+b.xid+"'"); err != nil {
		return fmt.Errorf("end the identities' branch: %w", err)
	}
	if _, err := b.conn.ExecContext(ctx, "XA PREPARE '"+b.xid+"'"); err != nil {
		return fmt.Errorf("prepare the identities' branch: %w", err)
	}
	b.prepared = true
	return nil
}

// commit commits the prepared branch (step 5) once the main transaction
// has committed, and forgets its xid.
func (b *branch) commit(ctx context.Context) error {
	if _, err := b.conn.ExecContext(ctx, "XA COMMIT '"+b.xid+"'"); err != nil && !isXANotFound(err) {
		return fmt.Errorf("commit the identities' branch: %w", err)
	}
	b.done = true
	if _, err := b.conn.ExecContext(ctx, "DELETE FROM import_commits WHERE xid = ?", b.xid); err != nil {
		return fmt.Errorf("forget the identities' branch: %w", err)
	}
	return nil
}

// rollback rolls the branch back, prepared or not. A branch it cannot
// reach is rolled back by the server when its connection ends, or, once
// prepared, by Recover.
func (b *branch) rollback(ctx context.Context) {
	if b.done {
		return
	}
	if !b.prepared {
		_, _ = b.conn.ExecContext(ctx, "XA END '"+b.xid+"'")
	}
	if _, err := b.conn.ExecContext(ctx, "XA ROLLBACK '"+b.xid+"'"); err == nil || isXANotFound(err) {
		b.done = true
	}
}

// close gives the connection back with the session settings put back, or
// drops it if it cannot.
func (b *branch) close(ctx context.Context) {
	for _, s := range b.stmts {
		_ = s.Close()
	}
	if _, err := b.conn.ExecContext(ctx, "SET SESSION unique_checks = 1, foreign_key_checks = 1"); err != nil || !b.done && b.prepared {
		_ = b.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = b.conn.Close()
}

func isXANotFound(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && me.Number == errXANotFound
}

// Recover finishes the identities branches that imports which crashed
// between preparing and committing them left prepared (see above): each is
// committed if its import's main transaction committed, rolled back if
// not. It waits for an import still deciding. It returns how many it
// finished; on SQLite, or on a server that will not list XA transactions
// to this user, there is nothing to do.
func Recover(ctx context.Context, db *gorm.DB) (int, error) {
	n, _, err := recoverBranches(ctx, db)
	return n, err
}

// recoverBranches is Recover; listed says the server let it list prepared
// transactions. An import opens an identities branch only then: a branch
// nobody can list would keep its locks after a crash until a DBA found it.
func recoverBranches(ctx context.Context, db *gorm.DB) (done int, listed bool, err error) {
	if db.Dialector.Name() != "mysql" {
		return 0, false, nil
	}
	pool, err := db.DB()
	if err != nil {
		return 0, false, err
	}
	rows, err := pool.QueryContext(ctx, "XA RECOVER")
	if err != nil {
		var me *mysqldriver.MySQLError
		if errors.As(err, &me) && (me.Number == 1227 || me.Number == 1142) { // no privilege
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("list prepared imports: %w", err)
	}
	var xids []string
	for rows.Next() {
		var format, gtridLen, bqualLen int
		var data []byte
		if err := rows.Scan(&format, &gtridLen, &bqualLen, &data); err != nil {
			_ = rows.Close()
			return 0, true, fmt.Errorf("list prepared imports: %w", err)
		}
		if xid := string(data); bqualLen == 0 && strings.HasPrefix(xid, xidPrefix) && len(xid) == gtridLen && hexOnly(xid[len(xidPrefix):]) {
			xids = append(xids, xid)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, true, fmt.Errorf("list prepared imports: %w", err)
	}
	for _, xid := range xids {
		var committed int
		// A locking read: it waits while a live import holds the row.
		if err := pool.QueryRowContext(ctx, "SELECT COUNT(*) FROM import_commits WHERE xid = ? FOR UPDATE", xid).Scan(&committed); err != nil {
			return done, true, fmt.Errorf("look up prepared import %s: %w", xid, err)
		}
		verb := "ROLLBACK"
		if committed > 0 {
			verb = "COMMIT"
		}
		if _, err := pool.ExecContext(ctx, "XA "+verb+" '"+xid+"'"); err != nil {
			if isXANotFound(err) {
				// Finished meanwhile, or still held by the live import's
				// connection, which finishes it itself: its row stays.
				continue
			}
			return done, true, fmt.Errorf("finish prepared import %s: %w", xid, err)
		}
		if _, err := pool.ExecContext(ctx, "DELETE FROM import_commits WHERE xid = ?", xid); err != nil {
			return done, true, fmt.Errorf("forget prepared import %s: %w", xid, err)
		}
		done++
	}
	return done, true, nil
}

// hexOnly says s is lower-case hexadecimal, as the xids openBranch makes
// are: only those are spelled into statements.
func hexOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
