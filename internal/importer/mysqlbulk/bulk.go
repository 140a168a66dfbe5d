// Package mysqlbulk is the importer's fast path on MariaDB, for a first
// import into empty tables: InnoDB's bulk load (unique and foreign key
// checks off, each index built once at the commit), rows sent with LOAD
// DATA LOCAL INFILE (loaddata.go), and, for contacts, their identities
// loaded at the same time on a second connection in an XA branch that
// commits with the import (xa.go). internal/importer asks for it through
// its Bulk interface; `crmlens import` passes New(db) in.
package mysqlbulk

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/importer"
)

// Path is the bulk path for the imports of one database.
type Path struct {
	db *gorm.DB
}

var _ importer.Bulk = (*Path)(nil)

// New returns the bulk path of db. On a database that is not MySQL or
// MariaDB it never applies.
func New(db *gorm.DB) *Path { return &Path{db: db} }

// Recover runs Recover on the path's database.
func (p *Path) Recover(ctx context.Context) (int, bool, error) {
	return recoverBranches(ctx, p.db)
}

// RefusedAtCommit reports MySQL's "error during COMMIT" (1180): how a bulk
// load refuses a duplicate key, when it builds the indexes.
func (p *Path) RefusedAtCommit(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && me.Number == 1180
}

// hasBulkPath says whether a server VERSION() is a MariaDB whose InnoDB
// loads a transaction's rows into an empty table in bulk (sorting them and
// building each index once, at commit) when unique_checks and
// foreign_key_checks are off, and still refuses duplicate keys there:
// 10.11.11 and later in 10.11, 11.4.5 and later in 11.4, 11.7.2 and later,
// the releases that mariadb-import itself enables it for (MDEV-34703).
// MySQL has no such path: unique_checks=0 only skips checks there.
func hasBulkPath(version string) bool {
	if !strings.Contains(version, "MariaDB") {
		return false
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &major, &minor, &patch); err != nil {
		return false
	}
	v := major*10000 + minor*100 + patch
	return v >= 110702 || (v >= 110405 && v < 110500) || (v >= 101111 && v < 101200)
}

// Begin turns on InnoDB's bulk load for the transaction when every table
// it will write to is empty and the server has that path. Foreign key
// checks are then off: the importer's reference lookups take shared locks
// instead so that no referenced row goes away before the commit. End puts
// the session back.
func (p *Path) Begin(tx *gorm.DB, raw *sql.Tx, tables []string, wrote func(int)) (importer.BulkTx, error) {
	if tx.Dialector.Name() != "mysql" || raw == nil || len(tables) == 0 {
		return nil, nil
	}
	ctx := tx.Statement.Context
	var version string
	var localInfile bool
	if err := raw.QueryRowContext(ctx, "SELECT VERSION(), @@local_infile").Scan(&version, &localInfile); err != nil {
		return nil, fmt.Errorf("read the server's settings: %w", err)
	}
	if !hasBulkPath(version) {
		return nil, nil
	}
	for _, table := range tables {
		err := raw.QueryRowContext(ctx, "SELECT 1 FROM "+table+" LIMIT 1").Scan(new(int))
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("check whether %s is empty: %w", table, err)
		}
	}
	// The first SELECT above fixed the transaction's snapshot (REPEATABLE
	// READ): lookups of existing rows in these tables would find none, and
	// the importer makes none.
	if _, err := raw.ExecContext(ctx, "SET SESSION unique_checks = 0, foreign_key_checks = 0"); err != nil {
		return nil, fmt.Errorf("start a bulk load: %w", err)
	}
	return &Tx{path: p, tx: tx, raw: raw, ctx: ctx, loads: localInfile, wrote: wrote}, nil
}

// Tx is the bulk load in one import transaction.
type Tx struct {
	path   *Path
	tx     *gorm.DB
	raw    *sql.Tx
	ctx    context.Context
	loads  bool
	wrote  func(int)
	branch *branch // the side connection, if opened
}

// Loads says the server takes LOAD DATA LOCAL.
func (t *Tx) Loads() bool { return t.loads }

// Load writes rows with LOAD DATA (see loadData).
func (t *Tx) Load(rows any) (int64, error) { return t.loadData(rows) }

// NextID is the id table's AUTO_INCREMENT would give next. On MariaDB
// information_schema reads it from the open table, not from statistics.
func (t *Tx) NextID(table string) (int64, error) {
	var next sql.NullInt64
	err := t.raw.QueryRowContext(t.ctx, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("read the next id of %s: %w", table, err)
	}
	return max(next.Int64, 1), nil
}

// LoadStream loads the rows src yields, with their ids, on the transaction.
func (t *Tx) LoadStream(model any, src func(yield func(row any) bool) error, same map[string]any) (int, error) {
	typ := reflect.TypeOf(model)
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	return t.loadRows(t.raw, typ, pointerRows(typ, src), true, same)
}

// OpenSide opens the XA branch of table (see xa.go).
func (t *Tx) OpenSide(table string) (bool, error) {
	pool, err := t.path.db.DB()
	if err != nil {
		return false, nil
	}
	br, err := openBranch(t.ctx, pool, table)
	if err != nil || br == nil {
		return false, err
	}
	t.branch = br
	return true, nil
}

// SideQuery runs a SELECT on the branch.
func (t *Tx) SideQuery(query string, args []any, scan func(*sql.Rows) error) error {
	if t.branch == nil {
		return errors.New("side query: no side connection is open")
	}
	return t.branch.query(query, args, scan)
}

// LoadSide loads rows, all new, on the branch.
func (t *Tx) LoadSide(rows any, same map[string]any) (int, error) {
	if t.branch == nil {
		return 0, errors.New("side load: no side connection is open")
	}
	rv, err := sliceOf(rows)
	if err != nil {
		return 0, err
	}
	return t.loadRows(t.branch.conn, rv.Type().Elem(), sliceRows(rv), false, same)
}

// BeforeCommit records and prepares the branch, if there is one (steps 2
// and 3 in xa.go).
func (t *Tx) BeforeCommit(now time.Time) error {
	if t.branch == nil {
		return nil
	}
	return t.branch.prepare(t.ctx, t.tx, now)
}

// End commits or rolls back the branch after the transaction (step 5),
// leaving a prepared branch it could not finish to Recover, and puts the
// session settings Begin changed back on conn (a gorm.DB on one
// *sql.Conn). If it cannot, it drops the connection rather than let it
// serve other work with foreign key checks off.
func (t *Tx) End(conn *gorm.DB, err error) error {
	if br := t.branch; br != nil {
		if err == nil {
			err = br.commit(t.ctx)
		} else {
			br.rollback(t.ctx)
		}
		br.close(t.ctx)
		if err != nil && br.prepared && !br.done {
			// The decision is made; Recover carries it out.
			if _, rerr := Recover(t.ctx, t.path.db); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}
	if rerr := conn.Exec("SET SESSION unique_checks = 1, foreign_key_checks = 1").Error; rerr != nil {
		if c, ok := conn.Statement.ConnPool.(*sql.Conn); ok {
			_ = c.Raw(func(any) error { return driver.ErrBadConn })
		}
		if err == nil {
			err = fmt.Errorf("end the bulk load: %w", rerr)
		}
	}
	return err
}

// translate maps a driver error to GORM's (ErrDuplicatedKey, ...), as GORM
// does for its own statements.
func (t *Tx) translate(err error) error {
	if tr, ok := t.tx.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return tr.Translate(err)
	}
	return err
}
