package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/crmlens/crmlens/internal/model"
)

// A first import of contacts on MariaDB (a bulk load with LOAD DATA and an
// identities branch, see xa.go) does not wait for the end of the file to
// write: the contacts stream into their LOAD DATA as they are read and
// checked, so that reading the file, MariaDB loading the contacts and
// MariaDB loading the identities run at once, on all cores. All or nothing
// still holds: a problem anywhere in the file stops the load, the rest of
// the file is read only to report every problem, and the transaction and
// the branch roll back.
//
// Three goroutines besides the reader:
//   - this one checks each record (h.add) in file order and hands the kept
//     ones on in batches of lookupChunk;
//   - the resolver looks up each batch's accounts on the branch's
//     connection, locking them (the bulk load skips foreign key checks;
//     the branch commits last, so the locks last until both commit), and
//     numbers the contacts;
//   - the loader writes them into the contacts' LOAD DATA on the main
//     transaction.
//
// The identities go to the branch once the file has been read.

// errStopped ends a load whose file turned out to have problems.
var errStopped = errors.New("import stopped: the file has problems")

// pending is a batch of checked contacts on their way to the load.
type pending struct {
	start    int // index of the first in h.rows
	rows     []model.Contact
	accounts []string
	lines    []int
}

// stream reads the file (read calls its argument for each record, in file
// order; check checks one into h) and loads it as described above.
func (h *contacts) stream(ctx context.Context, w *writer, spec *objectSpec, read func(func(*record)) error, check func(*record), errs *collector) (Result, error) {
	base, err := nextID(ctx, w.raw, "contacts")
	if err != nil {
		return Result{}, err
	}
	var stopped atomic.Bool // a problem was found: write no more
	refErrs := &collector{} // the resolver's, merged at the end

	toResolve := make(chan pending, 4)
	toLoad := make(chan []model.Contact, 4)
	loadEnded := make(chan struct{})
	var resolver sync.WaitGroup
	resolver.Add(1)
	var resolveErr error
	go func() {
		defer resolver.Done()
		defer close(toLoad)
		known := map[string]int64{}
		for p := range toResolve {
			if resolveErr != nil {
				continue // drain
			}
			if resolveErr = h.resolveBatch(w, p, base, known, refErrs); resolveErr != nil || !refErrs.empty() {
				stopped.Store(true)
			}
			if stopped.Load() {
				continue
			}
			select {
			case toLoad <- p.rows:
			case <-loadEnded: // the load failed: its error is reported
				stopped.Store(true)
			}
		}
	}()

	// Every contact is written at h.now; custom is NULL unless the spec has
	// custom columns.
	same := fixed{"created_at": h.now, "updated_at": h.now}
	if !slices.ContainsFunc(spec.columns, func(c column) bool { return c.customType != "" }) {
		same["custom"] = nil
	}
	loadErr := make(chan error, 1)
	go func() {
		defer close(loadEnded)
		_, err := loadRows(w, w.raw, func(yield func(*model.Contact) bool) error {
			for rows := range toLoad {
				for i := range rows {
					if !yield(&rows[i]) {
						return nil
					}
				}
			}
			if stopped.Load() {
				return errStopped
			}
			return nil
		}, true, same)
		loadErr <- err
	}()

	// Each batch's rows, accounts and lines move on to the resolver; h keeps
	// only the identities (h.idents, indexed like all the rows so far).
	sent := 0
	hand := func() {
		if len(h.rows) == 0 {
			return
		}
		toResolve <- pending{start: sent, rows: h.rows, accounts: h.account, lines: h.lines}
		sent += len(h.rows)
		h.rows = make([]model.Contact, 0, lookupChunk)
		h.account, h.lines = make([]string, 0, lookupChunk), make([]int, 0, lookupChunk)
	}
	readErr := read(func(rec *record) {
		check(rec)
		if !errs.empty() {
			stopped.Store(true)
		}
		if len(h.rows) >= lookupChunk {
			hand()
		}
	})
	if readErr != nil {
		stopped.Store(true)
	}
	hand()
	close(toResolve)
	resolver.Wait()

	// The identities, on the branch, while the contacts' load ends.
	var idents []model.ContactIdentity
	identErr := make(chan error, 1)
	if !stopped.Load() {
		for i := range sent {
			for _, ident := range h.idents[i] {
				idents = append(idents, model.ContactIdentity{ContactID: base + int64(i), Channel: ident.Channel, ExternalID: ident.ExternalID, CreatedAt: h.now})
			}
		}
		w.startProgress(sent + len(idents))
		go func() {
			_, err := loadRows(w, w.branch.conn, sliceRows(idents), false, fixed{"created_at": h.now})
			identErr <- err
		}()
	} else {
		identErr <- nil
	}
	lerr, ierr := <-loadErr, <-identErr

	errs.errs = append(errs.errs, refErrs.errs...)
	switch {
	case readErr != nil:
		return Result{}, readErr
	case resolveErr != nil:
		return Result{}, resolveErr
	}
	if err := errs.err(); err != nil {
		return Result{}, err
	}
	if lerr != nil {
		return Result{}, fmt.Errorf("write contacts: %w", lerr)
	}
	if ierr != nil {
		return Result{}, fmt.Errorf("write contact identities: %w", ierr)
	}
	res := result(sent, 0)
	res.Identities = len(idents)
	return res, nil
}

// resolveBatch sets the accounts and ids of a batch of contacts, reporting
// accounts that are not there to errs. known holds the accounts earlier
// batches found (by fold(external_id), 0 for one not found): each is
// looked up, and locked, once.
func (h *contacts) resolveBatch(w *writer, p pending, base int64, known map[string]int64, errs *collector) error {
	h.normalize(p.rows)
	var ask []string
	for _, a := range p.accounts {
		if a == "" {
			continue
		}
		if _, ok := known[fold(a)]; !ok {
			known[fold(a)] = 0
			ask = append(ask, a)
		}
	}
	ids, err := lookupIDsWith(w.branch.query, "accounts", ask, " LOCK IN SHARE MODE")
	if err != nil {
		return err
	}
	maps.Copy(known, ids)
	for i, a := range p.accounts {
		p.rows[i].ID = base + int64(p.start+i)
		if a == "" {
			continue
		}
		id := known[fold(a)]
		if id == 0 {
			errs.add(p.lines[i], "account_external_id", "account %q not found; import accounts first", a)
			continue
		}
		p.rows[i].AccountID = &id
	}
	return nil
}

// nextID is the id table's AUTO_INCREMENT would give next. On MariaDB
// information_schema reads it from the open table, not from statistics.
func nextID(ctx context.Context, on session, table string) (int64, error) {
	var next sql.NullInt64
	err := on.QueryRowContext(ctx, "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("read the next id of %s: %w", table, err)
	}
	return max(next.Int64, 1), nil
}
