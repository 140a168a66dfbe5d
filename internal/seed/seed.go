// Package seed loads crmlens's demo data set: the demo Easemob integration
// and generated accounts, contacts (with Easemob and WeChat identities),
// orders, tickets and leads, from 200 contacts for a laptop to a million for
// a load test. The data is deterministic: the same Options give the same
// records.
package seed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// The demo integration. Its key is public: the demo is for trying crmlens
// out, not for customer data.
const (
	DemoSlug = "demo-easemob"
	DemoKey  = "kefu2024secret"
	DemoName = "Demo Easemob"
)

// DefaultContacts is how many contacts Demo makes when Options.Contacts is 0.
const DefaultContacts = 200

// contactsPerTx is how many contacts (with their identities, orders,
// tickets and leads) one transaction writes.
const contactsPerTx = 2000

// Options tune Demo.
type Options struct {
	// Contacts is the number of demo contacts; 0 means DefaultContacts.
	Contacts int
	// Now is the reference time the data's dates lead up to; zero means
	// today (UTC, truncated to the day), so a seed is the same all day.
	Now time.Time
	// SealKey seals the demo integration's key for storage (keyring.Seal);
	// nil stores it as is.
	SealKey func(string) (string, error)
	// Normalizer gives the contacts' match columns (the zero value is the
	// default region's; the demo's phones are Chinese mobiles).
	Normalizer matchkey.Normalizer
}

// Summary says what Demo wrote.
type Summary struct {
	// AlreadySeeded is true when the demo integration existed and nothing
	// was written.
	AlreadySeeded bool
	Accounts      int
	Contacts      int
	Identities    int
	Orders        int
	Tickets       int
	Leads         int
}

// Demo loads the demo data set into db, unless the demo integration
// (DemoSlug) already exists, in which case it writes nothing and returns
// Summary{AlreadySeeded: true}.
//
// Records are written in transactions of contactsPerTx contacts with their
// related rows, in multi-row inserts, with ids computed rather than read
// back. The integration is created last, so a seed that fails leaves no
// integration; the demo rows it did write (external ids starting with
// "demo-") are removed by the next Demo before it starts again. Ids are
// counted from the tables' largest ids when Demo starts, so nothing else
// should insert CRM records while it runs.
func Demo(ctx context.Context, db *gorm.DB, opts Options) (Summary, error) {
	if opts.Contacts < 0 {
		return Summary{}, apperr.New(apperr.Invalid, "seed_contacts", "the number of demo contacts must be positive, not %d", opts.Contacts)
	}
	if opts.Contacts == 0 {
		opts.Contacts = DefaultContacts
	}
	now := opts.Now.UTC()
	if opts.Now.IsZero() {
		now = time.Now().UTC().Truncate(day)
	}
	db = db.WithContext(ctx)

	loaded, err := demoLoaded(db)
	if err != nil {
		return Summary{}, err
	}
	if loaded {
		return Summary{AlreadySeeded: true}, nil
	}
	if err := removeLeftovers(db); err != nil {
		return Summary{}, err
	}
	base, err := maxIDs(db)
	if err != nil {
		return Summary{}, err
	}
	g := &generator{now: now, accounts: max(1, opts.Contacts/5), next: base, norm: opts.Normalizer}
	batch := batchSize(db)
	var sum Summary

	for start := 1; start <= g.accounts; start += contactsPerTx {
		end := min(start+contactsPerTx-1, g.accounts)
		rows := make([]model.Account, 0, end-start+1)
		for k := start; k <= end; k++ {
			rows = append(rows, g.account(k))
		}
		if err := withBulk(ctx, db, batch, func(b *bulk) error { return insert(b, rows) }); err != nil {
			return Summary{}, fmt.Errorf("seed demo accounts: %w", err)
		}
		sum.Accounts += len(rows)
	}

	var c chunk
	for start := 1; start <= opts.Contacts; start += contactsPerTx {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		end := min(start+contactsPerTx-1, opts.Contacts)
		c = chunk{
			contacts:   c.contacts[:0],
			identities: c.identities[:0],
			orders:     c.orders[:0],
			tickets:    c.tickets[:0],
			leads:      c.leads[:0],
		}
		for i := start; i <= end; i++ {
			g.contact(i, base.account, &c)
		}
		if err := withBulk(ctx, db, batch, c.write); err != nil {
			return Summary{}, fmt.Errorf("seed demo contacts %d to %d: %w", start, end, err)
		}
		sum.Contacts += len(c.contacts)
		sum.Identities += len(c.identities)
		sum.Orders += len(c.orders)
		sum.Tickets += len(c.tickets)
		sum.Leads += len(c.leads)
	}

	key := DemoKey
	if opts.SealKey != nil {
		if key, err = opts.SealKey(DemoKey); err != nil {
			return Summary{}, fmt.Errorf("seal the demo key: %w", err)
		}
	}
	integration := model.Integration{Slug: DemoSlug, Kind: model.KindEasemob, Name: DemoName, Key: key, Origins: "[]", Options: "{}"}
	if err := db.Create(&integration).Error; err != nil {
		return Summary{}, fmt.Errorf("create the demo integration: %w", err)
	}
	return sum, nil
}

func (c *chunk) write(b *bulk) error {
	if err := insert(b, c.contacts); err != nil {
		return fmt.Errorf("insert contacts: %w", err)
	}
	if err := insert(b, c.identities); err != nil {
		return fmt.Errorf("insert contact identities: %w", err)
	}
	if err := insert(b, c.orders); err != nil {
		return fmt.Errorf("insert orders: %w", err)
	}
	if err := insert(b, c.tickets); err != nil {
		return fmt.Errorf("insert tickets: %w", err)
	}
	if err := insert(b, c.leads); err != nil {
		return fmt.Errorf("insert leads: %w", err)
	}
	return nil
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

func demoLoaded(db *gorm.DB) (bool, error) {
	var n int64
	if err := db.Model(&model.Integration{}).Where("slug = ?", DemoSlug).Count(&n).Error; err != nil {
		return false, fmt.Errorf("look for the demo integration: %w", err)
	}
	return n > 0, nil
}

// Prefixes of the demo rows' external ids.
const (
	prefixAccount = "demo-account-"
	prefixContact = "demo-contact-"
	prefixOrder   = "demo-order-"
	prefixTicket  = "demo-ticket-"
	prefixLead    = "demo-lead-"
)

// removeLeftovers deletes the demo rows of an earlier seed that failed
// before creating the integration.
func removeLeftovers(db *gorm.DB) error {
	var found []int64
	if err := db.Model(&model.Account{}).Where("external_id LIKE ?", prefixAccount+"%").Limit(1).Pluck("id", &found).Error; err != nil {
		return fmt.Errorf("look for demo leftovers: %w", err)
	}
	if len(found) == 0 {
		return nil
	}
	return db.Transaction(func(tx *gorm.DB) error {
		demoContacts := tx.Model(&model.Contact{}).Select("id").Where("external_id LIKE ?", prefixContact+"%")
		deletes := []struct {
			model any
			where string
			arg   any
		}{
			{&model.Order{}, "external_id LIKE ?", prefixOrder + "%"},
			{&model.Ticket{}, "external_id LIKE ?", prefixTicket + "%"},
			{&model.Lead{}, "external_id LIKE ?", prefixLead + "%"},
			{&model.ContactIdentity{}, "contact_id IN (?)", demoContacts},
			{&model.Contact{}, "external_id LIKE ?", prefixContact + "%"},
			{&model.Account{}, "external_id LIKE ?", prefixAccount + "%"},
		}
		for _, d := range deletes {
			if err := tx.Where(d.where, d.arg).Delete(d.model).Error; err != nil {
				return fmt.Errorf("remove the rows of an interrupted demo seed: %w", err)
			}
		}
		return nil
	})
}

// maxIDs returns the largest id of each demo table (0 when empty).
func maxIDs(db *gorm.DB) (ids, error) {
	var out ids
	for _, t := range []struct {
		table string
		dst   *int64
	}{
		{"accounts", &out.account}, {"contacts", &out.contact}, {"contact_identities", &out.identity},
		{"orders", &out.order}, {"tickets", &out.ticket}, {"leads", &out.lead},
	} {
		var v struct{ M int64 }
		if err := db.Table(t.table).Select("COALESCE(MAX(id), 0) AS m").Scan(&v).Error; err != nil {
			return ids{}, fmt.Errorf("find the largest id of %s: %w", t.table, err)
		}
		*t.dst = v.M
	}
	return out, nil
}
