// Package importer loads CRM records (accounts, contacts with their channel
// identities, leads, tickets, orders) from NDJSON or CSV files into crmlens's
// database.
//
// An import is all or nothing: every bad line of the file is reported (see
// LineErrors), and only a file without any is written, in one transaction,
// in batches, upserting on external_id so that importing a file again
// updates the records instead of duplicating them. The whole file is
// checked before the first write, except on a first import of contacts
// into MariaDB with its bulk path (internal/importer/mysqlbulk, given with
// WithBulk, as `crmlens import` does), which writes while it reads and
// rolls back on the first problem (contacts_stream.go). docs/import.md
// describes the columns of each object, one file here each (accounts.go,
// contacts.go, ...); objects.go holds what they share.
//
// Sync and Delete (sync.go, delete.go) are the write path of the sync API
// (docs/sync.md): one request's records, checked like a file's, written in
// one transaction on the portable path only, with out-of-order records
// (an older updated_at) skipped.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

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
	bulk     Bulk // nil: the portable path only
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
	canStream := false
	if im.bulk != nil {
		if _, canStream, err = im.bulk.Recover(ctx); err != nil {
			return Result{}, err
		}
	}
	run := &run{
		spec: spec,
		h:    spec.newHandler(im.now().Truncate(time.Millisecond), im.norm),
		errs: &collector{},
	}
	run.read = func(fn func(*record)) error { return readRecords(ctx, r, format, spec, run.errs, fn) }
	var res Result
	streamed := false
	if c, ok := run.h.(*contacts); ok && canStream {
		streamed, res, err = im.streamContacts(ctx, run, c)
	}
	if !streamed && err == nil {
		res, err = im.readThenWrite(ctx, run)
	}
	if err != nil {
		return Result{}, im.failure(spec, err)
	}
	res.Object = spec.name
	return res, nil
}

// run is one import's file and what it found in it.
type run struct {
	spec *objectSpec
	h    handler
	errs *collector
	// read calls its argument for each record of the file, in file order.
	read func(func(*record)) error
}

// check checks rec into r's handler.
func (r *run) check(rec *record) {
	r.h.add(&checker{rec: rec, spec: r.spec, errs: r.errs, ok: !rec.bad})
}

// streamContacts runs a first import of contacts on MariaDB, which writes
// as it reads (contacts_stream.go); streamed is false when the bulk path
// does not apply, and nothing was read.
func (im *Importer) streamContacts(ctx context.Context, r *run, c *contacts) (streamed bool, res Result, err error) {
	streamed, err = im.transact(ctx, r.spec, func(tx *gorm.DB, w *writer) (bool, error) {
		if w.bulk == nil || !w.load {
			return false, nil
		}
		if ok, err := w.bulk.OpenSide("contact_identities"); err != nil || !ok {
			return false, err
		}
		w.progress = im.progress
		var err error
		if res, err = c.stream(w, r.spec, r.read, r.check, r.errs); err != nil {
			return true, err
		}
		return true, im.recordOn(tx, r.spec, res)
	})
	return streamed, res, err
}

// readThenWrite reads and checks the whole file, then writes it.
func (im *Importer) readThenWrite(ctx context.Context, r *run) (res Result, err error) {
	if err := r.read(r.check); err != nil {
		return Result{}, fmt.Errorf("import %s: %w", r.spec.name, err)
	}
	_, err = im.transact(ctx, r.spec, func(tx *gorm.DB, w *writer) (bool, error) {
		if err := r.h.resolve(w, r.errs); err != nil {
			return true, err
		}
		if err := r.errs.err(); err != nil {
			return true, err
		}
		w.progress, w.total = im.progress, r.h.rowsToWrite()
		var err error
		if res, err = r.h.write(w, im.batch); err != nil {
			return true, err
		}
		return true, im.recordOn(tx, r.spec, res)
	})
	return res, err
}

// failure is the error Import returns for err: the client's mistakes as
// *apperr.Error, the rest wrapped.
func (im *Importer) failure(spec *objectSpec, err error) error {
	switch {
	case apperr.As(err) != nil:
		return err
	case errors.Is(err, gorm.ErrDuplicatedKey), im.bulk != nil && im.bulk.RefusedAtCommit(err):
		return apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: two of the file's external ids or identities are the same to the database, which ignores case and accents "+
				"(e.g. Cafe-1 and café-1), or a record with one of them was written during the import; make them distinct and import the file again")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: a referenced account or contact was deleted during the import; import the file again")
	default:
		return fmt.Errorf("import %s: %w", spec.name, err)
	}
}

// errUnused rolls back a transaction its work did not use.
var errUnused = errors.New("transaction not used")

// transact runs fn in one transaction on a connection of its own, so that
// the session settings of a bulk load (see Bulk, begun here before fn) can
// be put back, or the connection dropped, before any other work gets it.
// fn says whether it used the transaction: if not, it is rolled back and
// transact returns false. The bulk load's side connection, if fn opened
// one, commits or rolls back with the transaction (BulkTx.BeforeCommit,
// BulkTx.End).
func (im *Importer) transact(ctx context.Context, spec *objectSpec, fn func(*gorm.DB, *writer) (bool, error)) (bool, error) {
	used := false
	err := im.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		var bt BulkTx
		err := conn.Transaction(func(tx *gorm.DB) error {
			w, err := newWriter(tx)
			if err != nil {
				return err
			}
			w.agents = im.agents
			defer w.close()
			if im.bulk != nil && w.raw != nil && len(spec.tables) > 0 {
				if bt, err = im.bulk.Begin(tx, w.raw, spec.tables, w.wrote); err != nil {
					return err
				}
				if bt != nil {
					w.useBulk(bt, spec.tables)
				}
			}
			if used, err = fn(tx, w); err != nil {
				return err
			}
			if !used {
				return errUnused
			}
			if bt != nil {
				return bt.BeforeCommit(im.now())
			}
			return nil
		})
		if errors.Is(err, errUnused) {
			err = nil
		}
		if bt != nil {
			err = bt.End(conn, err)
		}
		return err
	})
	return used, err
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
			spec.columns = append(spec.columns, column{name: f.FieldKey, max: 1000, customType: f.Type, allowed: f.Values})
		}
	}
	return nil
}
