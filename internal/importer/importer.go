// Package importer loads CRM records (accounts, contacts with their channel
// identities, leads, tickets, orders) from NDJSON or CSV files into crmlens's
// database.
//
// An import is all or nothing: the whole file is read and checked first,
// every bad line is reported (see LineErrors), and only a file without any
// is written, in one transaction, in batches, upserting on external_id so that
// importing a file again updates the records instead of duplicating them.
// docs/import.md describes the columns of each object.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
)

// Importer imports files into one database.
type Importer struct {
	db    *gorm.DB
	now   func() time.Time
	batch int
}

// New returns an Importer writing to db. Times it sets (created_at and
// updated_at of written rows, missing dates) come from db's clock
// (gorm.Config.NowFunc) in UTC.
func New(db *gorm.DB) *Importer {
	now := func() time.Time { return time.Now().UTC() }
	if db.NowFunc != nil {
		now = func() time.Time { return db.NowFunc().UTC() }
	}
	return &Importer{db: db, now: now, batch: batchSize(db)}
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
	// Identities counts the contact identities written (contacts only).
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
	h := spec.newHandler(im.now().Truncate(time.Millisecond))
	errs := &collector{}
	err = readRecords(ctx, r, format, spec, errs, func(rec *record) {
		h.add(&checker{rec: rec, spec: spec, errs: errs, ok: !rec.bad})
	})
	if err != nil {
		return Result{}, fmt.Errorf("import %s: %w", spec.name, err)
	}
	var res Result
	err = im.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := h.resolve(tx, errs); err != nil {
			return err
		}
		if err := errs.err(); err != nil {
			return err
		}
		w := newWriter(tx)
		defer w.close()
		res, err = h.write(w, im.batch)
		return err
	})
	switch {
	case err == nil:
	case apperr.As(err) != nil:
		return Result{}, err
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return Result{}, apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: a record was written by someone else during the import; import the file again")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return Result{}, apperr.Wrap(err, apperr.Conflict, "import_conflict",
			"nothing was imported: a referenced account or contact was deleted during the import; import the file again")
	default:
		return Result{}, fmt.Errorf("import %s: %w", spec.name, err)
	}
	res.Object = spec.name
	return res, nil
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
