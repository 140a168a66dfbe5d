package importer

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	agentstore "github.com/crmlens/crmlens/internal/agents"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// writer runs an import's statements in its transaction: multi-row INSERTs
// built by GORM and the bulk lookups (external_id IN (...)), through
// statements prepared once per transaction. GORM's prepared-statement mode
// prepares a statement again on every use inside a transaction, which for
// statements of a thousand placeholders doubles the database's work; the
// writer prepares each distinct statement (a full chunk, the last partial
// one) once.
type writer struct {
	tx *gorm.DB
	// agents writes the agents table, which internal/agents owns.
	agents *agentstore.Service
	raw    *sql.Tx // nil when tx is not backed by a *sql.Tx: use tx itself
	dry    *gorm.DB
	stmts  map[string]*sql.Stmt
	// idStep is the distance between the ids MySQL gives the rows of one
	// multi-row INSERT when they are consecutive (see insertNumbered), 0
	// when they are not or the database cannot say which it gave.
	idStep int64
	// shareLocks makes reference lookups lock the rows they find, for
	// imports that write with foreign key checks off (see useBulk).
	shareLocks bool
	// empty holds the tables found empty at the transaction's start (see
	// useBulk): its snapshot reads would find nothing in them.
	empty map[string]bool
	// bulk is the transaction's bulk load (see Bulk), nil on the portable
	// path.
	bulk BulkTx
	// load writes new rows with bulk.Load instead of INSERTs: on a bulk
	// load, where every row is new.
	load bool
	// progress, if set, hears of every batch of rows written, from one
	// goroutine at a time (mu).
	progress func(written, total int)
	mu       sync.Mutex
	written  int
	total    int
}

// wrote counts n more rows written and reports them. Two loads may run at
// once (see contacts_stream.go).
func (w *writer) wrote(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.written += n
	if w.progress != nil && w.total > 0 {
		w.progress(w.written, w.total)
	}
}

// startProgress sets the total of rows to write, once a streaming import
// (see contacts_stream.go) knows it, and reports what was written until then.
func (w *writer) startProgress(total int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.total = total
	if w.progress != nil && total > 0 {
		w.progress(w.written, w.total)
	}
}

func newWriter(tx *gorm.DB) (*writer, error) {
	w := &writer{tx: tx, stmts: map[string]*sql.Stmt{}}
	switch p := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		w.raw = p
	case *gorm.PreparedStmtTX:
		w.raw, _ = p.Tx.(*sql.Tx)
	}
	w.dry = tx.Session(&gorm.Session{DryRun: true, NewDB: true})
	if w.raw != nil && tx.Dialector.Name() == "mysql" {
		var mode, step int64
		if err := w.raw.QueryRowContext(tx.Statement.Context, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment").Scan(&mode, &step); err != nil {
			return nil, fmt.Errorf("read the server's settings: %w", err)
		}
		// Modes 0 ("traditional") and 1 ("consecutive") give the rows of
		// one multi-row INSERT consecutive ids; 2 ("interleaved") does not.
		if mode < 2 && step > 0 {
			w.idStep = step
		}
	}
	return w, nil
}

// useBulk makes w write through bt, a bulk load into tables, all empty
// (see Bulk.Begin). Foreign key checks are off: reference lookups take
// shared locks instead (refs), so that no referenced row goes away before
// the commit.
func (w *writer) useBulk(bt BulkTx, tables []string) {
	w.bulk, w.shareLocks = bt, true
	w.empty = make(map[string]bool, len(tables))
	for _, t := range tables {
		w.empty[t] = true
	}
	w.load = bt.Loads() && w.idStep > 0
}

func (w *writer) close() {
	for _, s := range w.stmts {
		_ = s.Close()
	}
}

// create inserts rows (a slice of models) batch rows per statement, with
// conflict handling c (nil for a plain INSERT).
func create[T any](w *writer, rows []T, batch int, c *clause.OnConflict) error {
	if w.load { // every row is new: there is no conflict to handle
		if len(rows) == 0 {
			return nil
		}
		_, err := w.bulk.Load(rows)
		return err
	}
	return insertBatches(w, rows, batch, c, func([]T, sql.Result) error { return nil })
}

// insertNumbered inserts rows with plain INSERTs of batch rows and sets
// each row's id with setID, from the first id of its statement: MySQL
// gives the rows of one multi-row INSERT consecutive ids (w.idStep apart)
// and reports the first as LAST_INSERT_ID(). It saves looking the new rows
// up again; callers check w.idStep > 0 first.
func insertNumbered[T any](w *writer, rows []T, batch int, setID func(*T, int64)) error {
	if w.idStep == 0 || w.raw == nil {
		return errors.New("insertNumbered: this database does not give consecutive ids")
	}
	if w.load && len(rows) > 0 {
		first, err := w.bulk.Load(rows)
		for i := range rows {
			setID(&rows[i], first+int64(i)*w.idStep)
		}
		return err
	}
	return insertBatches(w, rows, batch, nil, func(part []T, res sql.Result) error {
		first, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("read the first inserted id: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(len(part)) {
			return fmt.Errorf("insert: %d rows written of %d", n, len(part))
		}
		for i := range part {
			setID(&part[i], first+int64(i)*w.idStep)
		}
		return nil
	})
}

// built is one batch's INSERT, built by GORM, ready to run.
type built struct {
	query string
	vars  []any
	n     int // rows
	err   error
}

// insertBatches runs the INSERT of each batch of rows (conflict handling c)
// and calls done with the batch and its result. GORM builds each statement
// by reflection over its thousand rows, which costs about as much as the
// database's work on it: a goroutine builds the next batch's while this one
// runs, so the two overlap on two cores.
func insertBatches[T any](w *writer, rows []T, batch int, c *clause.OnConflict, done func([]T, sql.Result) error) error {
	if w.raw == nil { // not a database/sql transaction: GORM runs it
		db := w.tx
		if c != nil {
			db = db.Clauses(*c)
		}
		for part := range slices.Chunk(rows, batch) {
			if err := db.Create(&part).Error; err != nil {
				return err
			}
			w.wrote(len(part))
		}
		return nil
	}
	ahead := make(chan built, 1)
	stop := make(chan struct{})
	defer func() {
		close(stop)
		for range ahead { // let the builder finish
		}
	}()
	go func() {
		defer close(ahead)
		for part := range slices.Chunk(rows, batch) {
			// A fresh instance per statement: one made by Clauses once and
			// reused would pile every batch into one Statement.
			dry := w.dry
			if c != nil {
				dry = dry.Clauses(*c)
			}
			stmt := dry.Create(&part).Statement
			b := built{query: stmt.SQL.String(), vars: stmt.Vars, n: len(part), err: stmt.Error}
			select {
			case ahead <- b:
			case <-stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	start := 0
	for b := range ahead {
		if b.err != nil {
			return b.err
		}
		s, err := w.prepared(b.query)
		if err != nil {
			return err
		}
		res, err := s.ExecContext(w.tx.Statement.Context, b.vars...)
		if err != nil {
			return w.translate(err)
		}
		part := rows[start : start+b.n]
		start += b.n
		if err := done(part, res); err != nil {
			return err
		}
		w.wrote(b.n)
	}
	return nil
}

// prepared returns the transaction's statement for query, preparing it on
// first use.
func (w *writer) prepared(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	s, err := w.raw.PrepareContext(w.tx.Statement.Context, query)
	if err != nil {
		return nil, w.translate(err)
	}
	w.stmts[query] = s
	return s, nil
}

// query runs a SELECT (written with ? placeholders) and calls scan for each
// row.
func (w *writer) query(query string, args []any, scan func(*sql.Rows) error) error {
	var (
		rows *sql.Rows
		err  error
	)
	if w.raw == nil {
		rows, err = w.tx.Raw(query, args...).Rows()
	} else {
		var s *sql.Stmt
		if s, err = w.prepared(query); err != nil {
			return err
		}
		rows, err = s.QueryContext(w.tx.Statement.Context, args...)
	}
	if err != nil {
		return w.translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// placeholders is "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// anys converts strings to query arguments.
func anys(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
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
