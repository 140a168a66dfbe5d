// Package importer loads CRM records (accounts, contacts with their channel
// identities, leads, tickets, orders) from NDJSON or CSV files into crmlens's
// database.
//
// An import is all or nothing: every bad line of the file is reported (see
// LineErrors), and only a file without any is written, in one transaction,
// in batches, upserting on external_id so that importing a file again
// updates the records instead of duplicating them. The whole file is
// checked before the first write, except on a first import of contacts
// into MariaDB, which writes while it reads and rolls back on the first
// problem (stream.go, xa.go). docs/import.md describes the columns of each
// object.
package importer

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	agentstore "github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// Importer imports files into one database.
type Importer struct {
	db       *gorm.DB
	now      func() time.Time
	batch    int
	progress func(written, total int)
	record   audit.OnTx[Result]
	norm     matchkey.Normalizer
	agents   *agentstore.Service
}

// WithAgents returns a copy of im that declares imported agents through a
// (internal/agents owns the agents table; New's default is one over its
// database).
func (im *Importer) WithAgents(a *agentstore.Service) *Importer {
	cp := *im
	cp.agents = a
	return &cp
}

// WithNormalizer returns a copy of im that normalizes contacts' phones and
// e-mails with n (the default: matchkey's default region).
func (im *Importer) WithNormalizer(n matchkey.Normalizer) *Importer {
	cp := *im
	cp.norm = n
	return &cp
}

// WithProgress returns a copy of im that calls fn as an import writes:
// written rows (records, and contacts' identities) of total, after each
// batch. It is not called for a file with problems, which writes nothing.
// On MariaDB's bulk-load path the rows reach the tables at the commit, so
// the last report comes before the commit's own work.
func (im *Importer) WithProgress(fn func(written, total int)) *Importer {
	cp := *im
	cp.progress = fn
	return &cp
}

// WithRecord returns a copy of im that calls fn on the import's
// transaction once its rows are written, before the commit: the audit
// record of the import, written with it or not at all. An error from fn
// rolls the import back.
func (im *Importer) WithRecord(fn audit.OnTx[Result]) *Importer {
	cp := *im
	cp.record = fn
	return &cp
}

// recordOn runs im's record function on tx with res.
func (im *Importer) recordOn(tx *gorm.DB, spec *objectSpec, res Result) error {
	res.Object = spec.name
	if err := im.record.Run(tx, res); err != nil {
		return fmt.Errorf("record the import: %w", err)
	}
	return nil
}

// New returns an Importer writing to db. Times it sets (created_at and
// updated_at of written rows, missing dates) come from db's clock
// (gorm.Config.NowFunc) in UTC.
func New(db *gorm.DB) *Importer {
	now := func() time.Time { return time.Now().UTC() }
	if db.NowFunc != nil {
		now = func() time.Time { return db.NowFunc().UTC() }
	}
	return &Importer{db: db, now: now, batch: batchSize(db), agents: agentstore.New(db, now)}
}

// batchSize is how many rows one INSERT writes. The pure-Go SQLite driver
// binds parameters in time quadratic in their number, so it gets smaller
// statements than MySQL, where each one is a network round trip.
func batchSize(db *gorm.DB) int {
	if db.Dialector != nil && db.Dialector.Name() == "sqlite" {
		return 100
	}
	return 1000
}

// Result says what an import wrote.
type Result struct {
	// Object is the plural name of what was imported, e.g. "contacts".
	Object string
	// Records is the number of records in the file; all were written.
	Records int
	// Created counts records whose external_id was not in the database.
	Created int
	// Updated counts records whose external_id was already there; their
	// columns were overwritten, whether or not any value differed.
	Updated int
	// Identities counts the contact identities the file lists (contacts
	// only), all in place after the import: new ones written, ones a
	// contact already had kept as they were.
	Identities int
}

// Import reads a file of object records (accounts, contacts, leads, tickets
// or orders; singular names work too) from r in format and writes them.
//
// A file with problems writes nothing and returns an *apperr.Error of kind
// Invalid and code "import_invalid" whose message lists the first
// MaxReported problems ("line N: ..."); its cause is a *LineErrors with all
// of them. An unknown object or format is an Invalid error too. Other errors
// are failures to read r or to write to the database.
func (im *Importer) Import(ctx context.Context, object string, r io.Reader, format Format) (Result, error) {
	spec, err := lookupObject(object)
	if err != nil {
		return Result{}, err
	}
	if format != NDJSON && format != CSV {
		return Result{}, apperr.New(apperr.Invalid, "import_format", "unknown import format %d: use CSV or NDJSON", int(format))
	}
	if err := im.addCustomColumns(ctx, spec); err != nil {
		return Result{}, err
	}
	_, canRecover, err := recoverBranches(ctx, im.db)
	if err != nil {
		return Result{}, err
	}
	h := spec.newHandler(im.now().Truncate(time.Millisecond), im.norm)
	errs := &collector{}
	read := func(fn func(*record)) error { return readRecords(ctx, r, format, spec, errs, fn) }
	check := func(rec *record) { h.add(&checker{rec: rec, spec: spec, errs: errs, ok: !rec.bad}) }
	var res Result
	streamed := false
	if c, ok := h.(*contacts); ok && canRecover {
		// A first import of contacts on MariaDB writes as it reads.
		streamed, err = im.transact(ctx, spec, func(tx *gorm.DB, w *writer) (bool, error) {
			if !w.bulk || !w.load {
				return false, nil
			}
			br, err := im.openBranch(ctx)
			if err != nil || br == nil {
				return false, err
			}
			w.branch, w.progress = br, im.progress
			if res, err = c.stream(ctx, w, spec, read, check, errs); err != nil {
				return true, err
			}
			return true, im.recordOn(tx, spec, res)
		})
	}
	if !streamed && err == nil {
		// Read and check the whole file, then write it.
		if err := read(check); err != nil {
			return Result{}, fmt.Errorf("import %s: %w", spec.name, err)
		}
		_, err = im.transact(ctx, spec, func(tx *gorm.DB, w *writer) (bool, error) {
			if err := h.resolve(w, errs); err != nil {
				return true, err
			}
			if err := errs.err(); err != nil {
				return true, err
			}
			w.progress, w.total = im.progress, h.rowsToWrite()
			var err error
			if res, err = h.write(w, im.batch); err != nil {
				return true, err
			}
			return true, im.recordOn(tx, spec, res)
		})
	}
	switch {
	case err == nil:
	case apperr.As(err) != nil:
		return Result{}, err
	case errors.Is(err, gorm.ErrDuplicatedKey), refusedAtCommit(err):
		return Result{}, apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: two of the file's external ids or identities are the same to the database, which ignores case and accents "+
				"(e.g. Cafe-1 and café-1), or a record with one of them was written during the import; make them distinct and import the file again")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return Result{}, apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: a referenced account or contact was deleted during the import; import the file again")
	default:
		return Result{}, fmt.Errorf("import %s: %w", spec.name, err)
	}
	res.Object = spec.name
	return res, nil
}

// errUnused rolls back a transaction its work did not use.
var errUnused = errors.New("transaction not used")

// transact runs fn in one transaction on a connection of its own, so that
// the session settings of a bulk load (see bulkLoad, decided here before
// fn) can be put back, or the connection dropped, before any other work
// gets it. fn says whether it used the transaction: if not, it is rolled
// back and transact returns false. An identities branch fn opened
// (w.branch, see xa.go) is prepared before the commit and committed or
// rolled back after it.
func (im *Importer) transact(ctx context.Context, spec *objectSpec, fn func(*gorm.DB, *writer) (bool, error)) (bool, error) {
	used := false
	err := im.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		var w *writer
		err := conn.Transaction(func(tx *gorm.DB) error {
			var err error
			if w, err = newWriter(tx); err != nil {
				return err
			}
			w.agents = im.agents
			defer w.close()
			if w.bulk, err = bulkLoad(w, spec.tables); err != nil {
				return err
			}
			if used, err = fn(tx, w); err != nil {
				return err
			}
			if !used {
				return errUnused
			}
			if w.branch != nil {
				return w.branch.prepare(ctx, tx, im.now())
			}
			return nil
		})
		if errors.Is(err, errUnused) {
			err = nil
		}
		if w != nil && w.branch != nil {
			br := w.branch
			if err == nil {
				err = br.commit(ctx)
			} else {
				br.rollback(ctx)
			}
			br.close(ctx)
			if err != nil && br.prepared && !br.done {
				// The decision is made; Recover carries it out.
				if _, rerr := Recover(ctx, im.db); rerr != nil {
					err = errors.Join(err, rerr)
				}
			}
		}
		if w != nil && w.bulk {
			if rerr := endBulkLoad(conn); rerr != nil && err == nil {
				err = rerr
			}
		}
		return err
	})
	return used, err
}

// openBranch opens the identities' XA branch (see xa.go) on a second
// connection, or returns nil when there is none to have.
func (im *Importer) openBranch(ctx context.Context) (*branch, error) {
	pool, err := im.db.DB()
	if err != nil {
		return nil, nil
	}
	return openBranch(ctx, pool, "contact_identities")
}

// refusedAtCommit reports MySQL's "error during COMMIT" (1180): how a bulk
// load (see bulkLoad) refuses a duplicate key, when it builds the indexes.
func refusedAtCommit(err error) bool {
	var me *mysqldriver.MySQLError
	return errors.As(err, &me) && me.Number == 1180
}

// bulkLoad turns on InnoDB's bulk load (see hasBulkPath) for the
// transaction when every table it will write to is empty, as on a first
// import, and the server has that path; it says whether it did. Foreign key
// checks are then off: reference lookups take shared locks instead
// (writer.shareLocks) so that no referenced row goes away before the
// commit. The caller puts the session back with endBulkLoad.
func bulkLoad(w *writer, tables []string) (bool, error) {
	if !w.bulkPath || len(tables) == 0 {
		return false, nil
	}
	for _, t := range tables {
		empty := true
		err := w.query("SELECT 1 FROM "+t+" LIMIT 1", nil, func(*sql.Rows) error { empty = false; return nil })
		if err != nil {
			return false, fmt.Errorf("check whether %s is empty: %w", t, err)
		}
		if !empty {
			return false, nil
		}
	}
	if err := w.tx.Exec("SET SESSION unique_checks = 0, foreign_key_checks = 0").Error; err != nil {
		return false, fmt.Errorf("start a bulk load: %w", err)
	}
	w.shareLocks = true
	// The first SELECT above fixed the transaction's snapshot (REPEATABLE
	// READ): lookups of existing rows in these tables would find none.
	w.empty = make(map[string]bool, len(tables))
	for _, t := range tables {
		w.empty[t] = true
	}
	w.load = w.localInfile && w.idStep > 0
	return true, nil
}

// endBulkLoad puts back the session settings bulkLoad changed on conn (a
// gorm.DB on one *sql.Conn). If it cannot, it drops the connection rather
// than let it serve other work with foreign key checks off.
func endBulkLoad(conn *gorm.DB) error {
	err := conn.Exec("SET SESSION unique_checks = 1, foreign_key_checks = 1").Error
	if err == nil {
		return nil
	}
	if c, ok := conn.Statement.ConnPool.(*sql.Conn); ok {
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
	}
	return fmt.Errorf("end the bulk load: %w", err)
}

// catalogObject names each importable object as the field catalog does.
var catalogObject = map[string]string{"accounts": "account", "contacts": "contact", "leads": "leads", "tickets": "tickets", "orders": "orders"}

// addCustomColumns lets spec take the admin-defined fields of its object
// (not retired) as columns.
func (im *Importer) addCustomColumns(ctx context.Context, spec *objectSpec) error {
	obj, ok := catalogObject[spec.name]
	if !ok {
		return nil
	}
	var fields []model.CustomField
	if err := im.db.WithContext(ctx).Where("object = ? AND retired = ?", obj, false).Find(&fields).Error; err != nil {
		return fmt.Errorf("load custom fields: %w", err)
	}
	for _, f := range fields {
		if spec.column(f.FieldKey) == nil {
			spec.columns = append(spec.columns, column{name: f.FieldKey, max: 1000, customType: f.Type})
		}
	}
	return nil
}
