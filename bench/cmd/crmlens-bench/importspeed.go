package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/crmlens/crmlens/bench/internal/importgen"
	"github.com/crmlens/crmlens/bench/internal/progress"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/mysqlbulk"
	"github.com/crmlens/crmlens/internal/matchkey"
)

// importResult is the import measurement.
type importResult struct {
	Files       importgen.Files
	GenTime     time.Duration
	SettleTime  time.Duration // flushing dirty pages before the import
	AccountTime time.Duration
	ContactTime time.Duration
	ReadTime    time.Duration // reading and checking the contacts file, within ContactTime
	WriteStart  time.Duration // from the start until the first progress report, within ContactTime
	// Rows (contacts and identities) already written at the first progress
	// report, of RowsTotal: a first import streams rows into MariaDB while
	// it reads, and reports progress once it knows the total.
	RowsAtStart, RowsTotal int
	Identities             int
	// CPU used during the contacts import: this process (the importer, and
	// the progress polling) and mariadbd; Others is the cores other
	// processes kept busy on average.
	GoCPU, DBCPU time.Duration
	Others       float64
}

// ContactsPerSecond is the contacts import's speed, file read to commit.
func (r importResult) ContactsPerSecond() float64 {
	return float64(r.Files.NumContacts) / r.ContactTime.Seconds()
}

// measureImport generates n contacts (and n/5 accounts) as NDJSON and
// imports them with the importer `crmlens import` uses into a fresh schema.
func measureImport(ctx context.Context, srv *mariadbtest.Server, n int) (importResult, error) {
	var res importResult
	dir, err := os.MkdirTemp("", "crmlens-bench-import-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	say("generating %d contacts to import", n)
	bar := progress.New("generating", int64(n), "contacts")
	start := time.Now()
	files, err := importgen.Write(ctx, dir, n, func(k int) { bar.Set(int64(k)) })
	res.GenTime = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("generate import files: %w", err)
	}
	bar.Finish()
	res.Files = files

	// As before the context rounds: the earlier phases' dirty pages are
	// flushed and their garbage collected, so that neither lands in the
	// import's time.
	if res.SettleTime, _, err = srv.Settle(ctx, 90*time.Second); err != nil {
		return res, fmt.Errorf("flush dirty pages before the import: %w", err)
	}
	debug.FreeOSMemory()

	url, err := srv.CreateSchema(ctx, "crmlens_import")
	if err != nil {
		return res, err
	}
	db, dialect, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		return res, err
	}
	defer func() { _ = database.Close(db) }()
	if _, err := database.Migrate(ctx, db, dialect, matchkey.Normalizer{}); err != nil {
		return res, err
	}
	im := importer.New(db).WithBulk(mysqlbulk.New(db))

	af, err := os.Open(files.Accounts)
	if err != nil {
		return res, err
	}
	start = time.Now()
	ares, err := im.Import(ctx, "accounts", af, importer.NDJSON)
	res.AccountTime = time.Since(start)
	_ = af.Close()
	if err != nil {
		return res, fmt.Errorf("import accounts: %w", err)
	}
	if ares.Created != files.NumAccounts {
		return res, fmt.Errorf("import accounts: created %d of %d", ares.Created, files.NumAccounts)
	}

	// The status counters and mariadbd's CPU are read on a connection of
	// the benchmark's own.
	watch, err := sql.Open("mysql", srv.DSN("crmlens_import"))
	if err != nil {
		return res, err
	}
	defer watch.Close()
	cf, err := os.Open(files.Contacts)
	if err != nil {
		return res, err
	}
	defer cf.Close()
	say("importing %d contacts (%.1f MiB of NDJSON)", n, float64(files.ContactBytes)/(1<<20))
	// As `crmlens import` shows it: the bytes read and checked, then the
	// rows written (the importer's progress hook).
	readBar := progress.NewBytes("import: read+check", files.ContactBytes)
	var writeBar *progress.Bar
	var writeStart time.Time
	report := func(written, total int) {
		if writeBar == nil {
			writeStart = time.Now()
			res.RowsAtStart, res.RowsTotal = written, total
			readBar.Finish()
			writeBar = progress.New("import: write", int64(total), "rows")
		}
		writeBar.Set(int64(written))
	}
	var readDone time.Time
	r := &eofReader{r: io.TeeReader(cf, readBar.Writer()), onEOF: func() { readDone = time.Now() }}
	counters := &probe{admin: watch, pid: srv.Pid()}
	before := counters.read(ctx)
	start = time.Now()
	cres, err := im.WithProgress(report).Import(ctx, "contacts", r, importer.NDJSON)
	res.ContactTime = time.Since(start)
	c := counters.read(ctx).per(before, 1)
	res.GoCPU, res.DBCPU, res.Others = c.GoCPU, c.DBCPU, c.Others
	if err != nil {
		return res, fmt.Errorf("import contacts: %w", err)
	}
	if writeBar == nil {
		return res, fmt.Errorf("import contacts: the importer reported no progress")
	}
	writeBar.Finish()
	if !readDone.IsZero() {
		res.ReadTime = readDone.Sub(start)
	}
	res.WriteStart = writeStart.Sub(start)
	if cres.Created != n {
		return res, fmt.Errorf("import contacts: created %d of %d", cres.Created, n)
	}
	res.Identities = cres.Identities
	say("imported %d contacts in %v (%.0f contacts/s); CPU: Go %v, mariadbd %v; other processes %.2f cores", n, res.ContactTime.Round(time.Millisecond),
		res.ContactsPerSecond(), res.GoCPU.Round(time.Millisecond), res.DBCPU.Round(time.Millisecond), res.Others)
	return res, nil
}

// eofReader calls onEOF once, when r first reports io.EOF.
type eofReader struct {
	r     io.Reader
	once  sync.Once
	onEOF func()
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.once.Do(e.onEOF)
	}
	return n, err
}

// line sums up the import in one line, as BENCH_ONLY=import prints it.
func (r importResult) line() string {
	return fmt.Sprintf("import: %d contacts in %v, %.0f contacts/s (read+check %v, %d of %d rows written by then; CPU Go %.1f µs, mariadbd %.1f µs per contact)",
		r.Files.NumContacts, r.ContactTime.Round(time.Millisecond), r.ContactsPerSecond(), r.ReadTime.Round(time.Millisecond),
		r.RowsAtStart, r.RowsTotal, float64(r.GoCPU.Microseconds())/float64(r.Files.NumContacts),
		float64(r.DBCPU.Microseconds())/float64(r.Files.NumContacts))
}
