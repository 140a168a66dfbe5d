// Package contactsearch finds contacts by what a person types: part of a
// name, the start of a phone number however it is written, or the start of
// an e-mail address in any case; a phone or e-mail the searcher's layout
// masks or hides only by its whole value (Options). The agent's search in the sidebar and the
// admin's choice of a contact to preview a layout with both use it.
//
// Phones and e-mails are looked up in their normalized columns
// (contacts.phone_match, email_match; internal/matchkey), each a prefix range
// on its own index, so a search reads at most its limit of index entries
// however many contacts there are. '_' and '%' are matched literally on both
// engines: patterns are escaped with '!' and say ESCAPE '!' (SQLite's LIKE has
// no default escape character, MySQL's is '\', which SQLite does not know).
package contactsearch

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// MinPhoneDigits is how many digits make a term a phone number.
const MinPhoneDigits = 3

// Kind is what a term was read as.
type Kind string

const (
	ByName  Kind = "name"
	ByPhone Kind = "phone"
	ByEmail Kind = "email"
)

// Searcher searches one database's contacts.
type Searcher struct {
	db   *gorm.DB
	norm matchkey.Normalizer
}

// New returns a Searcher over db, reading phone terms with norm's region.
func New(db *gorm.DB, norm matchkey.Normalizer) *Searcher {
	return &Searcher{db: db, norm: norm}
}

// KindOf says how term is searched: an e-mail when it has an '@', a phone
// when it is only digits and the signs phones are written with (at least
// MinPhoneDigits digits), else a name.
func KindOf(term string) Kind {
	switch {
	case strings.Contains(term, "@"):
		return ByEmail
	case isPhoneLike(term):
		return ByPhone
	default:
		return ByName
	}
}

// Options say which fields are found only by their whole value.
type Options struct {
	// ExactPhone and ExactEmail find a phone or an e-mail only when the term
	// is the whole number or address, normalized (contacts.phone_match,
	// email_match equal, not a prefix): for a field the searcher's layout
	// masks or hides, so that searching is no oracle that recovers it digit
	// by digit.
	ExactPhone, ExactEmail bool
}

// Find returns up to limit contacts (id, name, phone, email) that term finds,
// ordered by the column it searched. An empty term finds the first contacts
// by id.
func (s *Searcher) Find(ctx context.Context, term string, limit int) ([]model.Contact, error) {
	return s.FindWith(ctx, term, limit, Options{})
}

// FindWith is Find with o: phones and e-mails found only whole where o says.
func (s *Searcher) FindWith(ctx context.Context, term string, limit int, o Options) ([]model.Contact, error) {
	term = strings.TrimSpace(term)
	db := s.db.WithContext(ctx).Model(&model.Contact{}).Select("id", "name", "phone", "email")
	order := "id"
	switch kind := KindOf(term); {
	case term == "":
	case kind == ByEmail && o.ExactEmail:
		db = db.Where("email_match = ?", s.norm.Email(term))
		order = "email_match"
	case kind == ByPhone && o.ExactPhone:
		whole := s.norm.Phone(term)
		if whole == "" {
			return nil, nil
		}
		db = db.Where("phone_match = ?", whole)
		order = "phone_match"
	case kind == ByEmail:
		db = db.Where("email_match LIKE ? ESCAPE '!'", escape(s.norm.Email(term))+"%")
		order = "email_match"
	case kind == ByPhone:
		prefixes, ok := s.norm.PhoneSearch(term, MinPhoneDigits)
		if !ok { // digits of another script: not a number the columns hold
			return nil, nil
		}
		cond := s.db.Where("phone_match LIKE ? ESCAPE '!'", escape(prefixes[0])+"%")
		for _, p := range prefixes[1:] {
			cond = cond.Or("phone_match LIKE ? ESCAPE '!'", escape(p)+"%")
		}
		db = db.Where(cond)
		order = "phone_match"
	default:
		db = db.Where("name LIKE ? ESCAPE '!'", escape(term)+"%")
		order = "name"
	}
	var found []model.Contact
	if order != "id" {
		db = db.Order(order)
	}
	if err := db.Order("id").Limit(limit).Find(&found).Error; err != nil {
		return nil, fmt.Errorf("search contacts: %w", err)
	}
	return found, nil
}

// escape makes s a literal LIKE pattern under ESCAPE '!'.
func escape(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s)
}

// isPhoneLike reports whether q is written like a phone number.
func isPhoneLike(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9', r >= '０' && r <= '９':
			digits++
		case strings.ContainsRune("+-.()/ \u3000＋－（）", r):
		default:
			return false
		}
	}
	return digits >= MinPhoneDigits
}
