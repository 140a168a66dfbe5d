package importer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/crmlens/crmlens/internal/model"
)

// A first import of contacts on MariaDB (a bulk load with LOAD DATA and the
// identities on a side connection, an XA branch: see Bulk and mysqlbulk)
// does not wait for the end of the file to
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
//   - the resolver looks up each batch's accounts on the side connection
//     (BulkTx.SideQuery), locking them (the bulk load skips foreign key checks;
//     the branch commits last, so the locks last until both commit), and
//     numbers the contacts;
//   - the loader writes them into the contacts' load on the main
//     transaction (BulkTx.LoadStream).
//
// The identities go to the side connection once the file has been read.

// errStopped ends a load whose file turned out to have problems.
var errStopped = errors.New("import stopped: the file has problems")

// pending is a batch of checked contacts on their way to the load.
type pending struct {
	start    int // index of the first in h.rows
	rows     []model.Contact
	accounts []string
	lines    []int
}

// contactStream is one streamed import of contacts: its stages and what
// they share.
type contactStream struct {
	h    *contacts
	w    *writer
	base int64 // the id of the file's first contact
	// stopped says a problem was found: write no more.
	stopped atomic.Bool
	// refErrs are the resolver's problems, merged at the end.
	refErrs    *collector
	toResolve  chan pending
	toLoad     chan []model.Contact
	loadEnded  chan struct{}
	resolver   sync.WaitGroup
	resolveErr error
	loadErr    chan error
}

// stream reads the file (read calls its argument for each record, in file
// order; check checks one into h) and loads it as described above.
func (h *contacts) stream(w *writer, spec *objectSpec, read func(func(*record)) error, check func(*record), errs *collector) (Result, error) {
	base, err := w.bulk.NextID("contacts")
	if err != nil {
		return Result{}, err
	}
	s := &contactStream{
		h: h, w: w, base: base, refErrs: &collector{},
		toResolve: make(chan pending, 4), toLoad: make(chan []model.Contact, 4),
		loadEnded: make(chan struct{}), loadErr: make(chan error, 1),
	}
	s.startResolver()
	s.startLoader(spec)
	sent, readErr := s.readAll(read, check, errs)
	s.resolver.Wait()
	idents, identErr := s.loadIdentities(sent)
	lerr, ierr := <-s.loadErr, <-identErr

	errs.errs = append(errs.errs, s.refErrs.errs...)
	switch {
	case readErr != nil:
		return Result{}, readErr
	case s.resolveErr != nil:
		return Result{}, s.resolveErr
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
	res.Identities = idents
	return res, nil
}

// startResolver starts the resolver stage: batches from toResolve, with
// their accounts and ids set, go on to toLoad.
func (s *contactStream) startResolver() {
	s.resolver.Add(1)
	go func() {
		defer s.resolver.Done()
		defer close(s.toLoad)
		known := map[string]int64{}
		for p := range s.toResolve {
			if s.resolveErr != nil {
				continue // drain
			}
			if s.resolveErr = s.h.resolveBatch(s.w, p, s.base, known, s.refErrs); s.resolveErr != nil || !s.refErrs.empty() {
				s.stopped.Store(true)
			}
			if s.stopped.Load() {
				continue
			}
			select {
			case s.toLoad <- p.rows:
			case <-s.loadEnded: // the load failed: its error is reported
				s.stopped.Store(true)
			}
		}
	}()
}

// startLoader starts the loader stage: the contacts of toLoad into their
// load, which a problem anywhere stops (errStopped).
func (s *contactStream) startLoader(spec *objectSpec) {
	// Every contact is written at h.now; custom is NULL unless the spec has
	// custom columns.
	same := map[string]any{"created_at": s.h.now, "updated_at": s.h.now}
	if !slices.ContainsFunc(spec.columns, func(c column) bool { return c.customType != "" }) {
		same["custom"] = nil
	}
	go func() {
		defer close(s.loadEnded)
		_, err := s.w.bulk.LoadStream(&model.Contact{}, func(yield func(any) bool) error {
			for rows := range s.toLoad {
				for i := range rows {
					if !yield(&rows[i]) {
						return nil
					}
				}
			}
			if s.stopped.Load() {
				return errStopped
			}
			return nil
		}, same)
		s.loadErr <- err
	}()
}

// readAll reads and checks the file, handing each batch of kept contacts
// to the resolver, and returns how many it handed on. Each batch's rows,
// accounts and lines move on; h keeps only the identities (h.idents,
// indexed like all the rows so far).
func (s *contactStream) readAll(read func(func(*record)) error, check func(*record), errs *collector) (sent int, err error) {
	h := s.h
	hand := func() {
		if len(h.rows) == 0 {
			return
		}
		s.toResolve <- pending{start: sent, rows: h.rows, accounts: h.account, lines: h.lines}
		sent += len(h.rows)
		h.rows = make([]model.Contact, 0, lookupChunk)
		h.account, h.lines = make([]string, 0, lookupChunk), make([]int, 0, lookupChunk)
	}
	err = read(func(rec *record) {
		check(rec)
		if !errs.empty() {
			s.stopped.Store(true)
		}
		if len(h.rows) >= lookupChunk {
			hand()
		}
	})
	if err != nil {
		s.stopped.Store(true)
	}
	hand()
	close(s.toResolve)
	return sent, err
}

// loadIdentities loads the identities of the sent contacts on the side
// connection, while the contacts' load ends, unless the import stopped; it
// returns how many and where the load's outcome will arrive.
func (s *contactStream) loadIdentities(sent int) (int, <-chan error) {
	done := make(chan error, 1)
	if s.stopped.Load() {
		done <- nil
		return 0, done
	}
	var idents []model.ContactIdentity
	for i := range sent {
		for _, ident := range s.h.idents[i] {
			idents = append(idents, model.ContactIdentity{ContactID: s.base + int64(i), Channel: ident.Channel, ExternalID: ident.ExternalID, CreatedAt: s.h.now})
		}
	}
	s.w.startProgress(sent + len(idents))
	go func() {
		_, err := s.w.bulk.LoadSide(idents, map[string]any{"created_at": s.h.now})
		done <- err
	}()
	return len(idents), done
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
	ids, err := lookupIDsWith(w.bulk.SideQuery, "accounts", ask, " LOCK IN SHARE MODE")
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
