package sidebar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/contactsearch"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Actions an agent takes, as audited.
const (
	ActionReveal = "field.reveal"
	ActionSearch = "contact.search"
	ActionLink   = "visitor.link"
	ActionUnlink = "visitor.unlink"
)

// LinkManual marks a link (or an unlink) an agent made; automatic matching
// never overrides it.
const LinkManual = "manual"

// Error codes of agent actions.
const (
	CodeNotMasked     = "field_not_masked"
	CodeNotLinked     = "record_not_linked"
	CodeContactAbsent = "contact_not_found"
	CodeBadQuery      = "invalid_query"
)

// visitorOf loads the session's visitor.
func (s *Service) visitorOf(ctx context.Context, c sessiontoken.Claims) (model.Visitor, error) {
	var row struct {
		model.Visitor       `gorm:"embedded"`
		IntegrationDisabled bool
	}
	q := s.db.WithContext(ctx).Raw("SELECT v.*, i.disabled_at IS NOT NULL AS integration_disabled FROM visitors v"+
		" JOIN integrations i ON i.id = v.integration_id WHERE v.id = ? AND v.integration_id = ?", c.VisitorID, c.IntegrationID).Scan(&row)
	if q.Error != nil {
		return model.Visitor{}, fmt.Errorf("load visitor: %w", q.Error)
	}
	if q.RowsAffected == 0 {
		return model.Visitor{}, apperr.New(apperr.NotFound, CodeVisitorGone, "this visitor no longer exists; reload the page")
	}
	if row.IntegrationDisabled {
		if err := s.disabled(ctx, c.IntegrationID); err != nil {
			return model.Visitor{}, err
		}
	}
	return row.Visitor, nil
}

// Reveal returns one masked field of a record of the visitor's contact in
// clear, and audits it. The field must be masked by the layout that applies
// to this session, and the record must belong to the linked contact.
func (s *Service) Reveal(ctx context.Context, c sessiontoken.Claims, object, recordID, field, requestID string) (*string, error) {
	l, err := s.layoutOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var f layout.Field
	masked := false
	for _, p := range l.Panels {
		if string(p.Object) == object && p.IsMasked(field) {
			for i, k := range p.Fields {
				if k == field {
					f, masked = p.Defs[i], true
				}
			}
		}
	}
	if !masked {
		return nil, apperr.New(apperr.Invalid, CodeNotMasked,
			"the layout does not mask %s of %s, so there is nothing to reveal", truncate(field, 64), truncate(object, 16))
	}
	id, err := strconv.ParseInt(recordID, 10, 64)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "invalid_record", "recordId must be a record id from the context")
	}
	v, err := s.visitorOf(ctx, c)
	if err != nil {
		return nil, err
	}
	notLinked := apperr.New(apperr.NotFound, CodeNotLinked, "that record is not one of this visitor's contact's")
	if v.ContactID == nil {
		return nil, notLinked
	}
	obj := layout.Object(object)
	q := s.db.WithContext(ctx).Table(obj.Table()).Where("id = ?", id)
	switch obj {
	case layout.Contact:
		q = q.Where("id = ?", *v.ContactID)
	case layout.Account:
		q = q.Where("id = (SELECT account_id FROM contacts WHERE id = ?)", *v.ContactID)
	default:
		q = q.Where("contact_id = ?", *v.ContactID)
	}
	cols := []string{f.Column}
	if f.Custom {
		cols = []string{layout.CustomColumn}
	}
	// A money amount is rendered by its currency's exponent.
	if cf, ok := layout.Lookup(obj, f.CurrencyField); ok && f.Type == layout.Money {
		cols = append(cols, cf.Column)
	}
	rows, err := scanRows(q.Select(cols).Limit(1))
	if err != nil {
		return nil, fmt.Errorf("reveal: %w", err)
	}
	if len(rows) == 0 {
		return nil, notLinked
	}
	if err := s.spend(ctx, c, ActionReveal, s.limits.RevealsPerSession, s.limits.RevealsPerAgentDay); err != nil {
		return nil, err
	}
	raw := rows[0][f.Column]
	if f.Custom {
		raw = customOf(rows[0])[f.Key]
	}
	var out *string
	if raw != nil {
		val := render(f, raw, rows[0])
		out = &val
	}
	ev := audit.Event{Action: ActionReveal, Actor: actor(c), IntegrationID: &c.IntegrationID, VisitorID: &v.ID, ContactID: v.ContactID,
		RequestID: requestID, Detail: map[string]string{"object": object, "record": recordID, "field": field}, At: s.now()}
	if err := s.audit.Record(ctx, ev); err != nil {
		return nil, err
	}
	return out, nil
}

// MaxSearchResults bounds a contact search.
const MaxSearchResults = 10

// Search finds contacts by the start of a name, or of a phone number however
// it is typed or an e-mail in any case (internal/contactsearch); a phone or
// e-mail the session's layout masks or hides is found only by its whole
// value, and hints show only what the layout shows in clear. The contacts
// found come within the session's reach (it may link them), and the search
// is counted against its limits and audited with their ids. more says that
// more contacts match than the MaxSearchResults returned.
func (s *Service) Search(ctx context.Context, c sessiontoken.Claims, q, requestID string) (out []Candidate, more bool, err error) {
	q = strings.TrimSpace(q)
	runes := []rune(q)
	// One Han character is a useful surname prefix; one Latin letter is not.
	if len(runes) == 0 || len(runes) == 1 && !unicode.Is(unicode.Han, runes[0]) || len(q) > 100 {
		return nil, false, apperr.New(apperr.Invalid, CodeBadQuery, "type 2 to 100 characters (or one Chinese character): a name, a phone number or an email")
	}
	if _, err := s.agentActions(ctx, c); err != nil {
		return nil, false, err
	}
	if err := s.spend(ctx, c, ActionSearch, s.limits.SearchesPerSession, s.limits.SearchesPerAgentDay); err != nil {
		return nil, false, err
	}
	l, err := s.layoutOf(ctx, c)
	if err != nil {
		return nil, false, err
	}
	pol := policyOf(l)
	found, err := s.search.FindWith(ctx, q, MaxSearchResults+1, pol.search())
	if err != nil {
		return nil, false, err
	}
	if len(found) > MaxSearchResults {
		found, more = found[:MaxSearchResults], true
	}
	companies, err := s.companies(ctx, pol, found)
	if err != nil {
		return nil, false, err
	}
	out = make([]Candidate, 0, len(found))
	ids := make([]int64, 0, len(found))
	idWords := make([]string, 0, len(found))
	for _, ct := range found {
		out = append(out, pol.candidate(ct, companies[ct.ID]))
		ids = append(ids, ct.ID)
		idWords = append(idWords, strconv.FormatInt(ct.ID, 10))
	}
	if err := s.reach(ctx, sessionKey(c), c.VisitorID, ids, model.ReachSearch, sessionExpiry(c, s.now()).Add(reachSlack)); err != nil {
		return nil, false, err
	}
	ev := audit.Event{Action: ActionSearch, Actor: actor(c), IntegrationID: &c.IntegrationID, VisitorID: &c.VisitorID, RequestID: requestID,
		Detail: map[string]string{"results": strconv.Itoa(len(out)), "contacts": strings.Join(idWords, ","), "by": string(contactsearch.KindOf(q))},
		At:     s.now()}
	if err := s.audit.Record(ctx, ev); err != nil {
		return nil, false, err
	}
	return out, more, nil
}

// layoutOf is the layout that applies to session c.
func (s *Service) layoutOf(ctx context.Context, c sessiontoken.Claims) (layout.Layout, error) {
	l, _, err := s.layouts.Resolve(ctx, layout.Who{Integration: c.IntegrationSlug, Platform: c.Platform, Agent: []string{c.AgentID, c.AgentEmail}})
	return l, err
}

// candidate is ct with a hint from its phone or e-mail, masked: for the
// admin's preview, who may see every contact (sessions use fieldPolicy).
func candidate(ct model.Contact) Candidate {
	hint := Mask(layout.Phone, ct.Phone)
	if hint == "" {
		hint = Mask(layout.Email, ct.Email)
	}
	return Candidate{ID: ct.ID, Name: ct.Name, Hint: hint}
}

// Link links the session's visitor to contactID by hand; it beats any
// automatic match and clears an earlier "not this person" for that contact.
// The contact must be within the session's reach (reach.go); a link made
// where nothing vouches for the agent is marked unverified.
func (s *Service) Link(ctx context.Context, c sessiontoken.Claims, contactID, requestID string) (Match, error) {
	id, err := strconv.ParseInt(contactID, 10, 64)
	if err != nil {
		return Match{}, apperr.New(apperr.Invalid, "invalid_contact", "contactId must be a contact id from a search")
	}
	vouched, err := s.agentActions(ctx, c)
	if err != nil {
		return Match{}, err
	}
	v, err := s.visitorOf(ctx, c)
	if err != nil {
		return Match{}, err
	}
	if ok, err := s.reachable(ctx, c, v, id); err != nil {
		return Match{}, err
	} else if !ok {
		return Match{}, notReachable()
	}
	if err := s.spend(ctx, c, ActionLink, s.limits.LinksPerSession, s.limits.LinksPerAgentDay); err != nil {
		return Match{}, err
	}
	method := LinkManual
	if !vouched {
		method = LinkManualUnverified
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ct model.Contact
		if err := tx.Select("id").Where("id = ?", id).Take(&ct).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, CodeContactAbsent, "no contact has this id; search again")
			}
			return err
		}
		if err := tx.Model(&model.Visitor{}).Where("id = ?", v.ID).Updates(map[string]any{"contact_id": id, "link_method": method}).Error; err != nil {
			return fmt.Errorf("link visitor: %w", err)
		}
		if err := tx.Where("visitor_id = ? AND contact_id = ?", v.ID, id).Delete(&model.VisitorRejection{}).Error; err != nil {
			return fmt.Errorf("clear rejection: %w", err)
		}
		return audit.RecordOn(ctx, tx, audit.Event{Action: ActionLink, Actor: actor(c), IntegrationID: &c.IntegrationID,
			VisitorID: &v.ID, ContactID: &id, RequestID: requestID, Detail: map[string]string{"method": method}, At: s.now()})
	})
	if err != nil {
		return Match{}, err
	}
	v.ContactID, v.LinkMethod = &id, method
	return linkedMatch(v), nil
}

// Unlink removes the visitor's link by hand. With notThisPerson the contact
// is recorded as not this visitor and never matched to it automatically
// again (linking it by hand undoes that); either way automatic matching
// does not relink it on its own.
func (s *Service) Unlink(ctx context.Context, c sessiontoken.Claims, notThisPerson bool, requestID string) (Match, error) {
	if _, err := s.agentActions(ctx, c); err != nil {
		return Match{}, err
	}
	v, err := s.visitorOf(ctx, c)
	if err != nil {
		return Match{}, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.Visitor{}).Where("id = ?", v.ID).Updates(map[string]any{"contact_id": nil, "link_method": LinkManual}).Error; err != nil {
			return fmt.Errorf("unlink visitor: %w", err)
		}
		if notThisPerson && v.ContactID != nil {
			rej := model.VisitorRejection{VisitorID: v.ID, ContactID: *v.ContactID, CreatedAt: s.now()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rej).Error; err != nil {
				return fmt.Errorf("record not this person: %w", err)
			}
		}
		return audit.RecordOn(ctx, tx, audit.Event{Action: ActionUnlink, Actor: actor(c), IntegrationID: &c.IntegrationID,
			VisitorID: &v.ID, ContactID: v.ContactID, RequestID: requestID,
			Detail: map[string]string{"notThisPerson": strconv.FormatBool(notThisPerson)}, At: s.now()})
	})
	if err != nil {
		return Match{}, err
	}
	if notThisPerson && v.ContactID != nil {
		return s.unlinkedMatchOf(ctx, v.ID)
	}
	return unlinkedMatch(false), nil
}
