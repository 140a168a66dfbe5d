package importer

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// Bulk is a database's fast path for an import into empty tables, as on a
// first import: internal/importer/mysqlbulk for MariaDB (InnoDB's bulk
// load, LOAD DATA, an XA branch for the contacts' identities). WithBulk
// gives one to an Importer; without one every import takes the portable
// path, multi-row INSERTs through GORM, which is also what Bulk falls back
// to when it does not apply.
type Bulk interface {
	// Recover finishes what imports that stopped half way left behind (see
	// mysqlbulk.Recover); Import calls it first. usable says the path may
	// open a second connection (BulkTx.OpenSide): only where it could list
	// such leftovers.
	Recover(ctx context.Context) (done int, usable bool, err error)
	// Begin is called first in an import's transaction tx (raw is its
	// *sql.Tx), which will write to tables. It returns nil when the path
	// does not apply: a table is not empty, or the server has no such path.
	// wrote hears of the rows a load writes, as they go.
	Begin(tx *gorm.DB, raw *sql.Tx, tables []string, wrote func(int)) (BulkTx, error)
	// RefusedAtCommit says err is how the path refuses a duplicate key: when
	// the transaction commits.
	RefusedAtCommit(err error) bool
}

// BulkTx is the bulk path in one import transaction. Every table it writes
// was empty when it began, and foreign key checks are off: the importer
// locks what its rows refer to itself (writer.shareLocks).
type BulkTx interface {
	// Loads says Load and the streaming methods below can be used: the
	// server takes rows in bulk (mysqlbulk: LOAD DATA LOCAL).
	Loads() bool
	// Load writes rows (a slice of models, all new) and returns the id the
	// database gave the first; the others follow it, writer.idStep apart.
	Load(rows any) (first int64, err error)

	// NextID is the id table would give its next row.
	NextID(table string) (int64, error)
	// LoadStream writes the models src yields (pointers to models like
	// model), with the ids they hold; same names the columns (by database
	// name) that hold one value in every row (a time.Time, or nil for NULL).
	LoadStream(model any, src func(yield func(row any) bool) error, same map[string]any) (int, error)
	// OpenSide opens a second connection that loads table's rows at the
	// same time as the transaction, and commits with it (mysqlbulk: an XA
	// branch); false when there is none to have.
	OpenSide(table string) (bool, error)
	// SideQuery runs a SELECT on the side connection and calls scan for
	// each row (a queryFunc).
	SideQuery(query string, args []any, scan func(*sql.Rows) error) error
	// LoadSide writes rows (a slice of models, all new) on the side
	// connection; same is as for LoadStream.
	LoadSide(rows any, same map[string]any) (int, error)

	// BeforeCommit is called last in the transaction, before its commit.
	BeforeCommit(now time.Time) error
	// End is called once the transaction ended with err (nil: committed),
	// on conn, the connection it ran on; it finishes the side connection
	// and puts the session's settings back, and returns err or its own.
	End(conn *gorm.DB, err error) error
}

// WithBulk returns a copy of im that takes b's fast path where it applies.
func (im *Importer) WithBulk(b Bulk) *Importer {
	cp := *im
	cp.bulk = b
	return &cp
}
