package importer

import (
	"database/sql"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// writer runs multi-row INSERTs built by GORM through statements prepared
// once per transaction. GORM's prepared-statement mode prepares a statement
// again on every use inside a transaction, which for INSERTs of thousands of
// placeholders doubles the database's work; the writer prepares each
// distinct statement (a full batch, the last partial one) once.
type writer struct {
	tx    *gorm.DB
	raw   *sql.Tx // nil when tx is not backed by a *sql.Tx: use tx itself
	dry   *gorm.DB
	stmts map[string]*sql.Stmt
}

func newWriter(tx *gorm.DB) *writer {
	w := &writer{tx: tx, stmts: map[string]*sql.Stmt{}}
	switch p := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		w.raw = p
	case *gorm.PreparedStmtTX:
		w.raw, _ = p.Tx.(*sql.Tx)
	}
	w.dry = tx.Session(&gorm.Session{DryRun: true, NewDB: true})
	return w
}

func (w *writer) close() {
	for _, s := range w.stmts {
		_ = s.Close()
	}
}

// create inserts rows (a slice of models) batch rows per statement, with
// conflict handling c (nil for a plain INSERT).
func create[T any](w *writer, rows []T, batch int, c *clause.OnConflict) error {
	for part := range slices.Chunk(rows, batch) {
		if err := w.create(&part, c); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) create(value any, c *clause.OnConflict) error {
	db, dry := w.tx, w.dry
	if c != nil {
		db, dry = db.Clauses(*c), dry.Clauses(*c)
	}
	if w.raw == nil {
		return db.Create(value).Error
	}
	stmt := dry.Create(value).Statement
	if stmt.Error != nil {
		return stmt.Error
	}
	query := stmt.SQL.String()
	s, ok := w.stmts[query]
	if !ok {
		var err error
		if s, err = w.raw.PrepareContext(stmt.Context, query); err != nil {
			return w.translate(err)
		}
		w.stmts[query] = s
	}
	_, err := s.ExecContext(stmt.Context, stmt.Vars...)
	return w.translate(err)
}

// translate maps a driver error to GORM's (ErrDuplicatedKey, ...), as GORM
// does for its own statements.
func (w *writer) translate(err error) error {
	if err == nil {
		return nil
	}
	if t, ok := w.tx.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}
