package mysqlbulk

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm/schema"
)

// LOAD DATA: how a bulk load (see Path.Begin) writes its rows. Rows sent as
// tab-separated text to one LOAD DATA LOCAL INFILE statement per table
// spare MariaDB parsing statements and binding placeholders, and spare
// this process GORM building multi-row INSERTs by reflection: in make
// bench, mariadbd's CPU per contact (with its identity) fell from 38 µs to
// 22 µs when this replaced the INSERTs (with the lookups an empty table
// makes needless, dropped at the same time), the importer's from 29 µs to
// 17 µs with fastjson. The rows stream to the server from a goroutine
// while it loads them.
//
// LOAD DATA LOCAL turns errors of single rows into warnings (the server
// cannot stop the client's stream), so loadData refuses a load that
// affected another number of rows than it sent or left any warning: the
// import fails and its transaction rolls back. Duplicate keys surface at
// the commit, as for the bulk load's INSERTs (refusedAtCommit).

// loadSeq numbers the reader names registered with the MySQL driver, which
// are global to the process.
var loadSeq atomic.Uint64

// session runs statements: the import's transaction (*sql.Tx) or the
// connection of its identities branch (*sql.Conn, see xa.go).
type session interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// loadColumns are the columns of a model a load writes: every column GORM
// would insert but the primary key, which loadRows adds when the caller
// numbers the rows itself.
type loadColumns struct {
	table  string
	names  []string
	fields []*schema.Field
	id     *schema.Field // the primary key, not in names and fields
}

// loadSchemas caches loadColumns by model type.
var loadSchemas sync.Map // reflect.Type → *loadColumns

// columnsOf returns the columns of the model typ (a struct type).
func columnsOf(typ reflect.Type, namer schema.Namer) (*loadColumns, error) {
	if c, ok := loadSchemas.Load(typ); ok {
		return c.(*loadColumns), nil
	}
	s, err := schema.Parse(reflect.New(typ).Interface(), &sync.Map{}, namer)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", typ, err)
	}
	c := &loadColumns{table: s.Table, id: s.PrioritizedPrimaryField}
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Creatable || f == c.id {
			continue
		}
		c.names = append(c.names, f.DBName)
		c.fields = append(c.fields, f)
	}
	loadSchemas.Store(typ, c)
	return c, nil
}

// loadData writes rows (a slice of models), all new, into their table with
// one LOAD DATA LOCAL INFILE statement on the import's transaction and
// returns the id MySQL gave the first: the rows get consecutive ids (the
// server's auto_increment_increment apart) in their order, as a multi-row
// INSERT's do.
func (t *Tx) loadData(rows any) (first int64, err error) {
	rv, err := sliceOf(rows)
	if err != nil || rv.Len() == 0 {
		return 0, err
	}
	typ := rv.Type().Elem()
	n, err := t.loadRows(t.raw, typ, sliceRows(rv), false, sameInAll(t.ctx, t.tx.NamingStrategy, rv))
	if err != nil {
		return 0, err
	}
	if n != rv.Len() {
		return 0, fmt.Errorf("load: %d rows sent of %d", n, rv.Len())
	}
	// The driver's result carries no id for LOAD DATA; the session does.
	if err := t.raw.QueryRowContext(t.ctx, "SELECT LAST_INSERT_ID()").Scan(&first); err != nil {
		return 0, fmt.Errorf("load: read the first id: %w", err)
	}
	if first <= 0 {
		return 0, errors.New("load: the database named no first id")
	}
	return first, nil
}

// sliceOf checks that rows is a slice of structs and returns it.
func sliceOf(rows any) (reflect.Value, error) {
	rv := reflect.ValueOf(rows)
	if rv.Kind() != reflect.Slice || rv.Type().Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("load: rows are a %T, want a slice of models", rows)
	}
	return rv, nil
}

// rowSource calls yield for each row to load (an addressable struct) until
// it returns false; an error it returns fails the load.
type rowSource func(yield func(reflect.Value) bool) error

// sliceRows is the rows of rv, a slice of structs.
func sliceRows(rv reflect.Value) rowSource {
	return func(yield func(reflect.Value) bool) error {
		for i := range rv.Len() {
			if !yield(rv.Index(i)) {
				return nil
			}
		}
		return nil
	}
}

// pointerRows is the rows of src, which yields pointers to models of typ.
func pointerRows(typ reflect.Type, src func(yield func(any) bool) error) rowSource {
	return func(yield func(reflect.Value) bool) error {
		var wrong error
		err := src(func(row any) bool {
			rv := reflect.ValueOf(row)
			if rv.Kind() != reflect.Pointer || rv.Type().Elem() != typ {
				wrong = fmt.Errorf("load: a row is a %T, want a *%s", row, typ)
				return false
			}
			return yield(rv.Elem())
		})
		if wrong != nil {
			return wrong
		}
		return err
	}
}

// fixed names the columns (by database name) that hold the same value in
// every row of a load: a time.Time, or nil for NULL. They go once in the
// statement's SET clause instead of on every row: MariaDB then reads one
// datetime per load, not two per row, which is about a sixth of its work
// on a contact. Every row is checked to hold the value.
type fixed = map[string]any

// sameInAll finds the time and pointer columns that hold one value in all
// rows (their created_at and updated_at, NULL custom fields).
func sameInAll(ctx context.Context, namer schema.Namer, rows reflect.Value) fixed {
	if rows.Len() == 0 {
		return nil
	}
	cols, err := columnsOf(rows.Type().Elem(), namer)
	if err != nil {
		return nil
	}
	out := fixed{}
	for _, f := range cols.fields {
		first := f.ReflectValueOf(ctx, rows.Index(0))
		var want any
		switch {
		case first.Type() == timeType:
			want = first.Interface()
		case first.Kind() == reflect.Pointer && first.IsNil():
			want = nil
		default:
			continue
		}
		all := true
		for i := 1; i < rows.Len() && all; i++ {
			all = holds(f.ReflectValueOf(ctx, rows.Index(i)), want)
		}
		if all {
			out[f.DBName] = want
		}
	}
	return out
}

// loadRows loads the rows of src (models of typ) with one LOAD DATA LOCAL
// INFILE statement on session on, and returns how many it sent; withID
// writes the rows' own ids instead of letting the table number them; same
// lists the columns every row holds the same value in.
func (t *Tx) loadRows(on session, typ reflect.Type, src rowSource, withID bool, same fixed) (int, error) {
	all, err := columnsOf(typ, t.tx.NamingStrategy)
	if err != nil {
		return 0, err
	}
	cols := &loadColumns{table: all.table, id: all.id}
	if withID {
		cols.names, cols.fields = []string{all.id.DBName}, []*schema.Field{all.id}
	}
	var checks []*schema.Field // the fixed columns, checked on every row
	var set []string
	for i, f := range all.fields {
		v, ok := same[f.DBName]
		if !ok {
			cols.names, cols.fields = append(cols.names, all.names[i]), append(cols.fields, f)
			continue
		}
		checks = append(checks, f)
		switch v := v.(type) {
		case nil:
			set = append(set, "`"+f.DBName+"` = NULL")
		case time.Time:
			set = append(set, "`"+f.DBName+"` = '"+string(new(timeText).append(nil, v))+"'")
		default:
			return 0, fmt.Errorf("load %s: no fixed form for %T", all.table, v)
		}
	}
	ctx := t.ctx
	name := "crmlens-import-" + strconv.FormatUint(loadSeq.Add(1), 10)
	pr, pw := io.Pipe()
	mysqldriver.RegisterReaderHandler(name, func() io.Reader { return pr })
	defer mysqldriver.DeregisterReaderHandler(name)

	type outcome struct {
		n   int
		err error
	}
	sent := make(chan outcome, 1)
	go func() {
		n, err := writeTSV(ctx, pw, cols, src, t.wrote, checks, same)
		_ = pw.CloseWithError(err) // nil: the reader sees io.EOF
		sent <- outcome{n, err}
	}()
	quoted := make([]string, len(cols.names))
	for i, n := range cols.names {
		quoted[i] = "`" + n + "`"
	}
	query := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE `" + cols.table + "` CHARACTER SET utf8mb4" +
		` FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' (` + strings.Join(quoted, ", ") + ")"
	if len(set) > 0 {
		query += " SET " + strings.Join(set, ", ")
	}
	res, err := on.ExecContext(ctx, query)
	_ = pr.CloseWithError(errors.New("load data: the statement ended")) // stop the writer if the server stopped reading
	out := <-sent
	if out.err != nil {
		return 0, fmt.Errorf("load %s: %w", cols.table, out.err)
	}
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", cols.table, t.translate(err))
	}
	if got, err := res.RowsAffected(); err != nil || got != int64(out.n) {
		return 0, fmt.Errorf("load %s: the database took %d rows of %d (%v)", cols.table, got, out.n, err)
	}
	if err := noWarnings(ctx, on, cols.table); err != nil {
		return 0, err
	}
	return out.n, nil
}

// noWarnings fails if the statement before left warnings: a value the
// database cut, changed or refused. Only their codes are reported; their
// messages may quote customer data.
func noWarnings(ctx context.Context, on session, table string) error {
	rows, err := on.QueryContext(ctx, "SHOW WARNINGS LIMIT 5")
	if err != nil {
		return fmt.Errorf("load %s: read its warnings: %w", table, err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var level, msg string
		var code int
		if err := rows.Scan(&level, &code, &msg); err != nil {
			return fmt.Errorf("load %s: read its warnings: %w", table, err)
		}
		codes = append(codes, level+" "+strconv.Itoa(code))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %s: read its warnings: %w", table, err)
	}
	if len(codes) > 0 {
		return fmt.Errorf("load %s: the database changed or refused values (%s); nothing was imported", table, strings.Join(codes, ", "))
	}
	return nil
}

// tsvChunk is how many rows go between progress reports.
const tsvChunk = 1000

// writeTSV writes rows as LOAD DATA's text: tab between fields, newline
// after each row, \N for NULL, and backslash escapes for the characters
// that would end a field or a row. wrote hears of every tsvChunk rows.
func writeTSV(ctx context.Context, out io.Writer, cols *loadColumns, src rowSource, wrote func(int), checks []*schema.Field, same fixed) (int, error) {
	bw := bufio.NewWriterSize(out, 64<<10)
	var buf []byte
	var times timeText
	n, unreported := 0, 0
	var err error
	srcErr := src(func(rv reflect.Value) bool {
		for _, f := range checks {
			if !holds(f.ReflectValueOf(ctx, rv), same[f.DBName]) {
				err = fmt.Errorf("column %s: a row differs from the value the load sets for all", f.DBName)
				return false
			}
		}
		buf = buf[:0]
		for j, f := range cols.fields {
			if j > 0 {
				buf = append(buf, '\t')
			}
			if buf, err = appendField(buf, f.ReflectValueOf(ctx, rv), &times); err != nil {
				err = fmt.Errorf("column %s: %w", f.DBName, err)
				return false
			}
		}
		buf = append(buf, '\n')
		if _, err = bw.Write(buf); err != nil {
			return false
		}
		n++
		if unreported++; unreported == tsvChunk {
			if err = bw.Flush(); err != nil {
				return false
			}
			wrote(unreported)
			unreported = 0
		}
		return true
	})
	switch {
	case err != nil:
		return n, err
	case srcErr != nil:
		return n, srcErr
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	if unreported > 0 {
		wrote(unreported)
	}
	return n, nil
}

// timeText formats times as DATETIME(3) text, in UTC as the connection's
// loc=UTC writes them, remembering the last: most rows of an import carry
// the same created_at and updated_at.
type timeText struct {
	last time.Time
	text []byte
}

func (tt *timeText) append(buf []byte, t time.Time) []byte {
	if tt.text == nil || !t.Equal(tt.last) {
		tt.last, tt.text = t, t.UTC().AppendFormat(tt.text[:0], "2006-01-02 15:04:05.000")
	}
	return append(buf, tt.text...)
}

var timeType = reflect.TypeFor[time.Time]()

// holds says v is want: a time.Time equal to it, or a nil pointer for nil.
func holds(v reflect.Value, want any) bool {
	if want == nil {
		return v.Kind() == reflect.Pointer && v.IsNil()
	}
	t, ok := want.(time.Time)
	return ok && v.Type() == timeType && v.CanAddr() && v.Addr().Interface().(*time.Time).Equal(t)
}

// appendField appends one value in LOAD DATA's text form.
func appendField(buf []byte, v reflect.Value, times *timeText) ([]byte, error) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(buf, `\N`...), nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return appendEscaped(buf, v.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(buf, v.Int(), 10), nil
	case reflect.Bool:
		if v.Bool() {
			return append(buf, '1'), nil
		}
		return append(buf, '0'), nil
	}
	if v.Type() == timeType && v.CanAddr() {
		return times.append(buf, *v.Addr().Interface().(*time.Time)), nil // by pointer: no copy on the heap
	}
	return buf, fmt.Errorf("no LOAD DATA form for %s", v.Type())
}

// appendEscaped appends s with LOAD DATA's escapes (ESCAPED BY '\\').
func appendEscaped(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case 0:
			buf = append(buf, '\\', '0')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}
