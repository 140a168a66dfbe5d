package importer

import (
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm/clause"

	agentstore "github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/money"
)

// handler checks the records of one object, resolves what they refer to,
// and writes them.
type handler interface {
	// add checks one record and keeps it when c.ok stays true.
	add(c *checker)
	// resolve looks up, in bulk, the ids of referenced and existing records,
	// reporting missing references and conflicts to errs.
	resolve(w *writer, errs *collector) error
	// write upserts the kept records; it runs only if no line was bad.
	write(w *writer, batch int) (Result, error)
	// rowsToWrite is how many rows write will insert or update (records,
	// and identities for contacts), for progress reports.
	rowsToWrite() int
}

// Objects lists the objects Import accepts, in the order they should be
// imported (a contact refers to an account, a lead to a contact).
func Objects() []string {
	return []string{"accounts", "contacts", "leads", "tickets", "orders", "agents"}
}

// lookupObject finds an object by its plural or singular name.
func lookupObject(name string) (*objectSpec, error) {
	id := func(required bool) column { return column{name: "external_id", max: 128, required: required} }
	contactRef := column{name: "contact_external_id", max: 128}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "accounts", "account":
		return &objectSpec{name: "accounts", tables: []string{"accounts"}, columns: []column{
			id(true),
			{name: "name", max: 255, required: true},
			{name: "industry", max: 128},
			{name: "tier", max: 32},
			{name: "owner", max: 128},
		}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &accounts{now: now, ids: externalIDs{}} }}, nil
	case "contacts", "contact":
		return &objectSpec{name: "contacts", tables: []string{"contacts", "contact_identities"}, columns: []column{
			id(true),
			{name: "name", max: 255, required: true},
			{name: "phone", max: 64},
			{name: "email", max: 255},
			{name: "title", max: 128},
			{name: "owner", max: 128},
			{name: "account_external_id", max: 128},
			{name: "identities", identities: true},
		}, newHandler: func(now time.Time, norm matchkey.Normalizer) handler {
			return &contacts{now: now, norm: norm, ids: externalIDs{}, identityLines: map[identity]int{}}
		}}, nil
	case "leads", "lead":
		return &objectSpec{name: "leads", tables: []string{"leads"}, columns: []column{
			id(true), contactRef,
			{name: "title", max: 255, required: true},
			{name: "status", max: 32, required: true},
			{name: "source", max: 64},
			{name: "created_at"},
		}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &leads{now: now, ids: externalIDs{}} }}, nil
	case "tickets", "ticket":
		return &objectSpec{name: "tickets", tables: []string{"tickets"}, columns: []column{
			id(true), contactRef,
			{name: "subject", max: 255, required: true},
			{name: "status", max: 32, required: true},
			{name: "priority", max: 16},
			{name: "created_at"},
			{name: "updated_at"},
		}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &tickets{now: now, ids: externalIDs{}} }}, nil
	case "orders", "order":
		return &objectSpec{name: "orders", tables: []string{"orders"}, columns: []column{
			id(true), contactRef,
			{name: "order_no", max: 64, required: true},
			{name: "amount", required: true},
			{name: "currency", required: true},
			{name: "status", max: 32, required: true},
			{name: "created_at", required: true},
		}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &orders{now: now, ids: externalIDs{}} }}, nil
	case "agents", "agent":
		return &objectSpec{name: "agents", columns: []column{
			{name: "platform", max: 16, required: true},
			{name: "platform_id", max: 191, required: true},
			{name: "email", max: 255},
			{name: "name", max: 255},
			{name: "groups", max: 2000},
		}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &agents{now: now, ids: externalIDs{}} }}, nil
	default:
		return nil, apperr.New(apperr.Invalid, "import_object",
			"cannot import %q: the objects are %s", name, strings.Join(Objects(), ", "))
	}
}

// lookupChunk bounds the ids in one IN (...) list.
const lookupChunk = 1000

// idsByExternalID returns the ids of table's rows whose external_id is one
// of exts, keyed by fold(external_id).
func idsByExternalID(w *writer, table string, exts []string) (map[string]int64, error) {
	if w.empty[table] {
		return map[string]int64{}, nil
	}
	return lookupIDs(w, table, exts, "")
}

// lookupIDs is idsByExternalID with a locking clause (e.g. " LOCK IN SHARE
// MODE") after each query.
func lookupIDs(w *writer, table string, exts []string, locking string) (map[string]int64, error) {
	return lookupIDsWith(w.query, table, exts, locking)
}

// queryFunc runs a SELECT and calls scan for each row (writer.query,
// branch.query).
type queryFunc func(query string, args []any, scan func(*sql.Rows) error) error

// lookupIDsWith is lookupIDs through query.
func lookupIDsWith(query queryFunc, table string, exts []string, locking string) (map[string]int64, error) {
	out := make(map[string]int64, len(exts))
	for chunk := range slices.Chunk(exts, lookupChunk) {
		q := "SELECT id, external_id FROM " + table + " WHERE external_id IN (" + placeholders(len(chunk)) + ")" + locking
		err := query(q, anys(chunk), func(rows *sql.Rows) error {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				return err
			}
			out[fold(ext)] = id
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("look up %s by external_id: %w", table, err)
		}
	}
	return out, nil
}

// refs resolves the references of kept rows (refs[i] of the row on
// lines[i], "" for none) to ids of table, reporting each missing one.
func refs(w *writer, errs *collector, table, singular, col string, refs []string, lines []int) ([]*int64, error) {
	uniq := make([]string, 0, len(refs))
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if r != "" && !seen[fold(r)] {
			seen[fold(r)] = true
			uniq = append(uniq, r)
		}
	}
	// With foreign key checks off (a bulk load), lock the referenced rows
	// until the commit: the check the database skips is made here.
	locking := ""
	if w.shareLocks {
		locking = " LOCK IN SHARE MODE"
	}
	ids, err := lookupIDs(w, table, uniq, locking)
	if err != nil {
		return nil, err
	}
	out := make([]*int64, len(refs))
	for i, r := range refs {
		if r == "" {
			continue
		}
		id, ok := ids[fold(r)]
		if !ok {
			errs.add(lines[i], col, "%s %q not found; import %s first", singular, r, table)
			continue
		}
		out[i] = &id
	}
	return out, nil
}

// countExisting returns how many of exts already are rows of table.
func countExisting(w *writer, table string, exts []string) (int, error) {
	ids, err := idsByExternalID(w, table, exts)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range exts {
		if _, ok := ids[fold(e)]; ok {
			n++
		}
	}
	return n, nil
}

// upsert inserts rows batch at a time; a row whose external_id exists gets
// the columns in updates overwritten instead.
func upsert[T any](w *writer, rows []T, batch int, updates ...string) error {
	return create(w, rows, batch, &clause.OnConflict{
		Columns:   []clause.Column{{Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns(updates),
	})
}

func result(records, updated int) Result {
	return Result{Records: records, Created: records - updated, Updated: updated}
}

// partition splits rows by keep, preserving order.
func partition[T any](rows []T, keep []bool) (yes, no []T) {
	for i, r := range rows {
		if keep[i] {
			yes = append(yes, r)
		} else {
			no = append(no, r)
		}
	}
	return yes, no
}

func (h *accounts) rowsToWrite() int { return len(h.rows) }

type accounts struct {
	now     time.Time
	ids     externalIDs
	rows    []model.Account
	updated int
}

func (h *accounts) add(c *checker) {
	a := model.Account{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Name:       c.text("name"),
		Industry:   c.text("industry"),
		Tier:       c.text("tier"),
		Owner:      c.text("owner"),
		CreatedAt:  h.now,
		UpdatedAt:  h.now,
	}
	h.ids.claim(c, a.ExternalID)
	if c.ok {
		h.rows = append(h.rows, a)
	}
}

func (h *accounts) resolve(w *writer, _ *collector) (err error) {
	h.updated, err = countExisting(w, "accounts", extsOf(h.rows, func(a model.Account) string { return a.ExternalID }))
	return err
}

func (h *accounts) write(w *writer, batch int) (Result, error) {
	if err := upsert(w, h.rows, batch, append(customUpdate(h.rows, func(a model.Account) *string { return a.Custom }), "name", "industry", "tier", "owner", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write accounts: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}

func extsOf[T any](rows []T, ext func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = ext(r)
	}
	return out
}

// normalize sets the match columns of rows (internal/matchkey) on every
// core: a mobile number takes a quarter of a microsecond, but a landline or
// another country's number goes through libphonenumber's Parse (about 10 µs,
// as long as the rest of a contact's import). The streamed import calls it
// from its resolver stage, beside the reading.
func (h *contacts) normalize(rows []model.Contact) {
	const perWorker = 512
	workers := min(runtime.GOMAXPROCS(0), (len(rows)+perWorker-1)/perWorker)
	if workers <= 1 {
		h.normalizeRange(rows)
		return
	}
	var wg sync.WaitGroup
	step := (len(rows) + workers - 1) / workers
	for start := 0; start < len(rows); start += step {
		part := rows[start:min(start+step, len(rows))]
		wg.Go(func() { h.normalizeRange(part) })
	}
	wg.Wait()
}

func (h *contacts) normalizeRange(rows []model.Contact) {
	for i := range rows {
		rows[i].PhoneMatch, rows[i].EmailMatch = h.norm.Phone(rows[i].Phone), h.norm.Email(rows[i].Email)
	}
}

func (h *contacts) rowsToWrite() int {
	n := len(h.rows)
	for i, ids := range h.idents {
		if h.replace[i] {
			n += len(ids)
		}
	}
	return n
}

type contacts struct {
	now     time.Time
	norm    matchkey.Normalizer
	ids     externalIDs
	rows    []model.Contact
	lines   []int
	account []string
	// idents[i] is the identity list of rows[i] when replace[i]; a contact
	// whose record has no identities column keeps the ones it has.
	idents  [][]identity
	replace []bool
	// identityLines says which line lists an identity, to find one listed
	// by two contacts.
	identityLines map[identity]int
	// existing holds the ids of the file's contacts already in the
	// database, by fold(external_id).
	existing map[string]int64
	updated  int
}

func (h *contacts) add(c *checker) {
	ct := model.Contact{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Name:       c.text("name"),
		Phone:      c.text("phone"),
		Email:      c.email("email"),
		Title:      c.text("title"),
		Owner:      c.text("owner"),
		CreatedAt:  h.now,
		UpdatedAt:  h.now,
	}
	account := c.text("account_external_id")
	var idents []identity
	if c.rec.hasIdentities {
		idents = c.identities()
		for i, id := range idents {
			if prev, ok := h.identityLines[id]; ok && prev != c.rec.line {
				c.fail("identities", "identities entry #%d (channel %s) is also listed on line %d; an identity belongs to one contact", i+1, id.Channel, prev)
				continue
			}
			h.identityLines[id] = c.rec.line
		}
	}
	h.ids.claim(c, ct.ExternalID)
	if !c.ok {
		return
	}
	h.rows = append(h.rows, ct)
	h.lines = append(h.lines, c.rec.line)
	h.account = append(h.account, account)
	h.idents = append(h.idents, idents)
	h.replace = append(h.replace, c.rec.hasIdentities)
}

func (h *contacts) resolve(w *writer, errs *collector) error {
	h.normalize(h.rows)
	accountIDs, err := refs(w, errs, "accounts", "account", "account_external_id", h.account, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].AccountID = accountIDs[i]
	}
	exts := extsOf(h.rows, func(c model.Contact) string { return c.ExternalID })
	existing, err := idsByExternalID(w, "contacts", exts)
	if err != nil {
		return err
	}
	h.existing = existing
	// Existing contacts whose identities this file replaces.
	replaced := map[int64]bool{}
	for i, e := range exts {
		if id, ok := existing[fold(e)]; ok {
			h.updated++
			if h.replace[i] {
				replaced[id] = true
			}
		}
	}
	return h.checkIdentityOwners(w, errs, replaced)
}

// checkIdentityOwners reports identities listed in the file that already
// belong to a contact whose identities the file does not replace.
func (h *contacts) checkIdentityOwners(w *writer, errs *collector, replaced map[int64]bool) error {
	if w.empty["contact_identities"] {
		return nil
	}
	byChannel := map[string][]string{}
	for id := range h.identityLines {
		byChannel[id.Channel] = append(byChannel[id.Channel], id.ExternalID)
	}
	type owned struct {
		ContactID  int64
		ExternalID string
	}
	conflicts := map[identity]int64{}
	owners := map[int64]string{}
	for ch, exts := range byChannel {
		slices.Sort(exts) // a stable query order
		for chunk := range slices.Chunk(exts, lookupChunk) {
			var rows []owned
			query := "SELECT contact_id, external_id FROM contact_identities WHERE channel = ? AND external_id IN (" + placeholders(len(chunk)) + ")"
			err := w.query(query, append([]any{ch}, anys(chunk)...), func(r *sql.Rows) error {
				var o owned
				if err := r.Scan(&o.ContactID, &o.ExternalID); err != nil {
					return err
				}
				rows = append(rows, o)
				return nil
			})
			if err != nil {
				return fmt.Errorf("look up contact identities: %w", err)
			}
			for _, r := range rows {
				id := identity{Channel: ch, ExternalID: r.ExternalID}
				if _, listed := h.identityLines[id]; listed && !replaced[r.ContactID] {
					conflicts[id] = r.ContactID
					owners[r.ContactID] = ""
				}
			}
		}
	}
	if len(conflicts) == 0 {
		return nil
	}
	var ownerRows []struct {
		ID         int64
		ExternalID string
	}
	if err := w.tx.Model(&model.Contact{}).Select("id, external_id").Where("id IN ?", mapKeys(owners)).Scan(&ownerRows).Error; err != nil {
		return fmt.Errorf("look up contacts owning identities: %w", err)
	}
	for _, o := range ownerRows {
		owners[o.ID] = o.ExternalID
	}
	listed := mapKeys(conflicts)
	slices.SortFunc(listed, func(a, b identity) int {
		if d := h.identityLines[a] - h.identityLines[b]; d != 0 {
			return d
		}
		return strings.Compare(a.Channel+"\x00"+a.ExternalID, b.Channel+"\x00"+b.ExternalID)
	})
	for _, id := range listed {
		errs.add(h.identityLines[id], "identities",
			"a %s identity listed here already belongs to contact %q; list it on that contact's line (with its identities) or remove it there first",
			id.Channel, owners[conflicts[id]])
	}
	return nil
}

func mapKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (h *contacts) write(w *writer, batch int) (Result, error) {
	ids, err := h.writeContacts(w, batch)
	if err != nil {
		return Result{}, fmt.Errorf("write contacts: %w", err)
	}
	res := result(len(h.rows), h.updated)
	// The contacts whose records list identities end with exactly those.
	// An identity a contact already has keeps its row (and its created_at);
	// the contact's others are deleted, then the new ones inserted (in that
	// order, so that an identity can move between contacts of the file).
	type owned struct {
		contact int64
		identity
	}
	listed := map[owned]bool{}
	var replaced []int64
	for i, c := range h.rows {
		if !h.replace[i] {
			continue
		}
		id, ok := h.existing[fold(c.ExternalID)]
		if ok {
			replaced = append(replaced, id)
		} else if id, ok = ids[c.ExternalID]; !ok {
			// MySQL matched the id to a row spelled differently (accents).
			return Result{}, apperr.New(apperr.Invalid, CodeInvalid,
				"nothing was imported: line %d: external_id %q matches an existing contact spelled differently; use that contact's exact external_id", h.lines[i], c.ExternalID)
		}
		for _, ident := range h.idents[i] {
			listed[owned{id, ident}] = true
			res.Identities++
		}
	}
	kept := map[owned]bool{}
	var gone []int64
	for chunk := range slices.Chunk(replaced, lookupChunk) {
		var have []model.ContactIdentity
		if err := w.tx.Select("id", "contact_id", "channel", "external_id").Where("contact_id IN ?", chunk).Find(&have).Error; err != nil {
			return Result{}, fmt.Errorf("read contact identities: %w", err)
		}
		for _, r := range have {
			if k := (owned{r.ContactID, identity{r.Channel, r.ExternalID}}); listed[k] {
				kept[k] = true
			} else {
				gone = append(gone, r.ID)
			}
		}
	}
	for chunk := range slices.Chunk(gone, lookupChunk) {
		if err := w.tx.Where("id IN ?", chunk).Delete(&model.ContactIdentity{}).Error; err != nil {
			return Result{}, fmt.Errorf("replace contact identities: %w", err)
		}
	}
	var rows []model.ContactIdentity
	for i, c := range h.rows {
		if !h.replace[i] {
			continue
		}
		id, ok := h.existing[fold(c.ExternalID)]
		if !ok {
			id = ids[c.ExternalID]
		}
		for _, ident := range h.idents[i] {
			if !kept[owned{id, ident}] {
				rows = append(rows, model.ContactIdentity{ContactID: id, Channel: ident.Channel, ExternalID: ident.ExternalID, CreatedAt: h.now})
			}
		}
	}
	if err := create(w, rows, batch, nil); err != nil {
		return Result{}, fmt.Errorf("write contact identities: %w", err)
	}
	return res, nil
}

// writeContacts upserts the contacts and returns the ids of the new ones
// whose identities the file lists, by external_id.
func (h *contacts) writeContacts(w *writer, batch int) (map[string]int64, error) {
	updates := append(customUpdate(h.rows, func(c model.Contact) *string { return c.Custom }), "account_id", "name", "phone", "email", "phone_match", "email_match", "title", "owner", "updated_at")
	if w.idStep == 0 {
		if err := upsert(w, h.rows, batch, updates...); err != nil {
			return nil, err
		}
		var created []string
		for i, c := range h.rows {
			if _, ok := h.existing[fold(c.ExternalID)]; h.replace[i] && !ok {
				created = append(created, c.ExternalID)
			}
		}
		folded, err := idsByExternalID(w, "contacts", created)
		if err != nil {
			return nil, err
		}
		ids := make(map[string]int64, len(created))
		for _, ext := range created {
			if id, ok := folded[fold(ext)]; ok {
				ids[ext] = id
			}
		}
		return ids, nil
	}
	// New contacts go in with plain INSERTs that number them, existing ones
	// with an upsert: no second lookup of what was just written.
	fresh, freshReplace := h.rows, h.replace // a first import: all new
	var old []model.Contact
	if h.updated > 0 {
		fresh, freshReplace = make([]model.Contact, 0, len(h.rows)-h.updated), make([]bool, 0, len(h.rows)-h.updated)
		old = make([]model.Contact, 0, h.updated)
		for i, c := range h.rows {
			if _, ok := h.existing[fold(c.ExternalID)]; ok {
				old = append(old, c)
			} else {
				fresh = append(fresh, c)
				freshReplace = append(freshReplace, h.replace[i])
			}
		}
	}
	if err := upsert(w, old, batch, updates...); err != nil {
		return nil, err
	}
	if err := insertNumbered(w, fresh, batch, func(c *model.Contact, id int64) { c.ID = id }); err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(fresh))
	for i, c := range fresh {
		if freshReplace[i] {
			ids[c.ExternalID] = c.ID
		}
	}
	return ids, nil
}

func (h *leads) rowsToWrite() int { return len(h.rows) }

type leads struct {
	now        time.Time
	ids        externalIDs
	rows       []model.Lead
	lines      []int
	contact    []string
	hasCreated []bool
	updated    int
}

func (h *leads) add(c *checker) {
	l := model.Lead{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Title:      c.text("title"),
		Status:     c.lower("status"),
		Source:     c.text("source"),
		CreatedAt:  c.timeAt("created_at"),
		UpdatedAt:  h.now,
	}
	contact := c.text("contact_external_id")
	h.ids.claim(c, l.ExternalID)
	if !c.ok {
		return
	}
	h.hasCreated = append(h.hasCreated, !l.CreatedAt.IsZero())
	if l.CreatedAt.IsZero() {
		l.CreatedAt = h.now
	}
	h.rows = append(h.rows, l)
	h.lines = append(h.lines, c.rec.line)
	h.contact = append(h.contact, contact)
}

func (h *leads) resolve(w *writer, errs *collector) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", h.contact, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].ContactID = ids[i]
	}
	h.updated, err = countExisting(w, "leads", extsOf(h.rows, func(l model.Lead) string { return l.ExternalID }))
	return err
}

func (h *leads) write(w *writer, batch int) (Result, error) {
	// A lead without created_at keeps the one it has when it is updated.
	dated, undated := partition(h.rows, h.hasCreated)
	if err := upsert(w, dated, batch, append(customUpdate(dated, func(l model.Lead) *string { return l.Custom }), "contact_id", "title", "status", "source", "created_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write leads: %w", err)
	}
	if err := upsert(w, undated, batch, append(customUpdate(undated, func(l model.Lead) *string { return l.Custom }), "contact_id", "title", "status", "source", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write leads: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}

func (h *tickets) rowsToWrite() int { return len(h.rows) }

type tickets struct {
	now        time.Time
	ids        externalIDs
	rows       []model.Ticket
	lines      []int
	contact    []string
	hasCreated []bool
	updated    int
}

func (h *tickets) add(c *checker) {
	t := model.Ticket{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		Subject:    c.text("subject"),
		Status:     c.oneOf("status", "", "open", "pending", "solved", "closed"),
		Priority:   c.oneOf("priority", "normal", "low", "normal", "high", "urgent"),
		CreatedAt:  c.timeAt("created_at"),
		UpdatedAt:  c.timeAt("updated_at"),
	}
	contact := c.text("contact_external_id")
	h.ids.claim(c, t.ExternalID)
	if !c.ok {
		return
	}
	h.hasCreated = append(h.hasCreated, !t.CreatedAt.IsZero())
	if t.CreatedAt.IsZero() {
		t.CreatedAt = h.now
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = h.now
	}
	h.rows = append(h.rows, t)
	h.lines = append(h.lines, c.rec.line)
	h.contact = append(h.contact, contact)
}

func (h *tickets) resolve(w *writer, errs *collector) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", h.contact, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].ContactID = ids[i]
	}
	h.updated, err = countExisting(w, "tickets", extsOf(h.rows, func(t model.Ticket) string { return t.ExternalID }))
	return err
}

func (h *tickets) write(w *writer, batch int) (Result, error) {
	dated, undated := partition(h.rows, h.hasCreated)
	if err := upsert(w, dated, batch, append(customUpdate(dated, func(t model.Ticket) *string { return t.Custom }), "contact_id", "subject", "status", "priority", "created_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write tickets: %w", err)
	}
	if err := upsert(w, undated, batch, append(customUpdate(undated, func(t model.Ticket) *string { return t.Custom }), "contact_id", "subject", "status", "priority", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write tickets: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}

func (h *orders) rowsToWrite() int { return len(h.rows) }

type orders struct {
	now     time.Time
	ids     externalIDs
	rows    []model.Order
	lines   []int
	contact []string
	updated int
}

func (h *orders) add(c *checker) {
	o := model.Order{
		Custom:     c.custom(),
		ExternalID: c.text("external_id"),
		OrderNo:    c.text("order_no"),
		Status:     c.lower("status"),
		PlacedAt:   c.timeAt("created_at"),
		CreatedAt:  h.now,
		UpdatedAt:  h.now,
	}
	currency := strings.ToUpper(c.text("currency"))
	if currency != "" && !money.ValidCurrency(currency) {
		c.fail("currency", "currency must be an ISO 4217 code of 3 letters, e.g. CNY or USD")
		currency = ""
	}
	o.Currency = currency
	if amount := c.text("amount"); amount != "" && currency != "" {
		minor, err := money.Parse(amount, currency)
		switch {
		case err == nil:
			o.AmountMinor = minor
		case errors.Is(err, money.ErrPrecision):
			c.fail("amount", "amount has more decimal places than %s allows (%d)", currency, money.Exponent(currency))
		default:
			c.fail("amount", "amount %v", err)
		}
	}
	contact := c.text("contact_external_id")
	h.ids.claim(c, o.ExternalID)
	if !c.ok {
		return
	}
	h.rows = append(h.rows, o)
	h.lines = append(h.lines, c.rec.line)
	h.contact = append(h.contact, contact)
}

func (h *orders) resolve(w *writer, errs *collector) error {
	ids, err := refs(w, errs, "contacts", "contact", "contact_external_id", h.contact, h.lines)
	if err != nil {
		return err
	}
	for i := range h.rows {
		h.rows[i].ContactID = ids[i]
	}
	h.updated, err = countExisting(w, "orders", extsOf(h.rows, func(o model.Order) string { return o.ExternalID }))
	return err
}

func (h *orders) write(w *writer, batch int) (Result, error) {
	if err := upsert(w, h.rows, batch, append(customUpdate(h.rows, func(o model.Order) *string { return o.Custom }), "contact_id", "order_no", "amount_minor", "currency", "status", "placed_at", "updated_at")...); err != nil {
		return Result{}, fmt.Errorf("write orders: %w", err)
	}
	return result(len(h.rows), h.updated), nil
}

// agents are the platforms' agents an admin declares; an integration that
// requires a known agent serves only these. Re-importing updates by
// (platform, platform_id) and turns an agent crmlens had only seen into a
// declared one.
func (h *agents) rowsToWrite() int { return len(h.rows) }

type agents struct {
	now     time.Time
	ids     externalIDs
	rows    []agentstore.Declared // Groups nil when the column is absent
	updated int
}

func (h *agents) add(c *checker) {
	a := agentstore.Declared{
		Platform:   c.oneOf("platform", "", model.KindEasemob, model.KindShareCRM, model.KindChatwoot, model.KindSigned),
		PlatformID: c.text("platform_id"),
		Email:      strings.ToLower(c.email("email")),
		Name:       c.text("name"),
	}
	if a.Platform != "" && a.PlatformID != "" {
		if prev, ok := h.ids[a.Platform+"\x00"+a.PlatformID]; ok {
			c.fail("platform_id", "agent %s/%s is also on line %d", a.Platform, a.PlatformID, prev)
		} else {
			h.ids[a.Platform+"\x00"+a.PlatformID] = c.rec.line
		}
	}
	var groups []string
	if _, present := c.rec.get(c.spec, "groups"); present {
		groups = []string{}
		for _, g := range strings.Split(c.text("groups"), ";") {
			if g = strings.TrimSpace(g); g == "" {
				continue
			}
			if len([]rune(g)) > 128 {
				c.fail("groups", "a group name is longer than 128 characters")
			}
			groups = append(groups, g)
		}
	}
	if c.ok {
		a.Groups = groups
		h.rows = append(h.rows, a)
	}
}

func (h *agents) resolve(w *writer, _ *collector) error {
	byPlatform := map[string][]string{}
	for _, a := range h.rows {
		byPlatform[a.Platform] = append(byPlatform[a.Platform], a.PlatformID)
	}
	for platform, ids := range byPlatform {
		for start := 0; start < len(ids); start += lookupChunk {
			chunk := ids[start:min(start+lookupChunk, len(ids))]
			n, err := w.agents.CountExisting(w.tx, platform, chunk)
			if err != nil {
				return err
			}
			h.updated += n
		}
	}
	return nil
}

func (h *agents) write(w *writer, batch int) (Result, error) {
	// internal/agents owns the agents table.
	if err := w.agents.Declare(w.tx, h.rows, h.now, batch); err != nil {
		return Result{}, err
	}
	return result(len(h.rows), h.updated), nil
}

// customUpdate is ["custom"] when the file carried custom field columns, so
// a re-import replaces custom values only when it has them.
func customUpdate[T any](rows []T, custom func(T) *string) []string {
	for _, r := range rows {
		if custom(r) != nil {
			return []string{"custom"}
		}
	}
	return nil
}
