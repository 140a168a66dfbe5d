package importer

import (
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// contactsSpec is the contacts' columns (docs/import.md).
func contactsSpec() *objectSpec {
	return &objectSpec{name: "contacts", tables: []string{"contacts", "contact_identities"}, columns: []column{
		externalIDColumn(),
		{name: "name", max: 255, required: true},
		{name: "phone", max: 64},
		{name: "email", max: 255},
		{name: "title", max: 128},
		{name: "owner", max: 128},
		{name: "account_external_id", max: 128},
		{name: "identities", identities: true},
	}, newHandler: func(now time.Time, norm matchkey.Normalizer) handler {
		return &contacts{now: now, norm: norm, ids: externalIDs{}, identityLines: map[identity]int{}}
	}}
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

func (h *contacts) rowsToWrite() int {
	n := len(h.rows)
	for i, ids := range h.idents {
		if h.replace[i] {
			n += len(ids)
		}
	}
	return n
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
		UpdatedAt:  c.updatedAt(h.now),
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
