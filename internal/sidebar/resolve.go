package sidebar

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
)

// Link methods stored on the visitor. A fields link is stored as
// "fields:" plus the matched fields joined by "+".
const (
	LinkIdentity   = "identity"
	LinkIdentifier = "identifier"
	linkFields     = "fields:"
)

// maxCandidates is how many contacts an ambiguous match offers the agent.
const maxCandidates = 5

type resolution struct {
	visitor model.Visitor
	contact *model.Contact
	match   Match
}

// resolve finds or creates the visitor and links it to a contact: an
// existing link first, then a channel identity, then the platform's
// identifier, then the integration's matching rules in order. An ambiguous
// match links nothing and offers candidates. Each step is one statement that
// stands on its own (no transaction): under MySQL's repeatable read, a
// transaction that lost the race to insert the visitor could not see the
// winner's row.
func (s *Service) resolve(ctx context.Context, in model.Integration, opts integration.Options, c adapter.Claims) (resolution, error) {
	db := s.db.WithContext(ctx)
	now := s.now()
	var v model.Visitor
	find := func() error {
		return db.Where("integration_id = ? AND channel = ? AND external_id = ?", in.ID, c.Channel, c.VisitorID).Take(&v).Error
	}
	err := find()
	if errors.Is(err, gorm.ErrRecordNotFound) {
		nv := model.Visitor{IntegrationID: in.ID, Channel: c.Channel, ExternalID: c.VisitorID,
			DisplayName: truncate(c.DisplayName, 255), Claims: claimsJSON(c.Verified), CreatedAt: now, LastSeenAt: now}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&nv).Error; err != nil {
			return resolution{}, fmt.Errorf("record visitor: %w", err)
		}
		err = find()
	}
	if err != nil {
		return resolution{}, fmt.Errorf("load visitor: %w", err)
	}
	updates := map[string]any{"last_seen_at": now}
	if c.DisplayName != "" && c.DisplayName != v.DisplayName {
		updates["display_name"] = truncate(c.DisplayName, 255)
	}
	var res resolution
	if v.ContactID == nil && v.LinkMethod == LinkManual {
		if res.match, err = s.unlinkedMatchOf(ctx, v.ID); err != nil {
			return resolution{}, err
		}
	} else if v.ContactID == nil {
		method, matchedOn, contactID, candidates, err := s.match(ctx, v.ID, c, opts, nil)
		if err != nil {
			return resolution{}, err
		}
		if contactID != 0 {
			v.ContactID = &contactID
			v.LinkMethod = method
			updates["contact_id"] = contactID
			updates["link_method"] = method
		}
		res.match = notLinkedMatch(v, candidates)
		_ = matchedOn
	}
	if err := db.Model(&model.Visitor{}).Where("id = ?", v.ID).Updates(updates).Error; err != nil {
		return resolution{}, fmt.Errorf("update visitor: %w", err)
	}
	res.visitor = v
	if v.ContactID != nil {
		var ct model.Contact
		err := db.Select("id", "name").Where("id = ?", *v.ContactID).Take(&ct).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound): // deleted meanwhile: not linked
		case err != nil:
			return resolution{}, fmt.Errorf("load contact: %w", err)
		default:
			res.contact = &ct
			res.match = linkedMatch(v)
		}
	}
	return res, nil
}

// Why one reading of a visitor id that reads two ways was taken (the
// simulator shows it: SimReading.Why).
const (
	ReadingKnownIdentity      = "known_identity"
	ReadingKnownVisitor       = "known_visitor"
	ReadingPreferredDecrypted = "preferred_decrypted"
)

// pickVisitorID chooses among the readings of a visitor id that reads two
// ways (an Easemob visitorImId that is plain text and also decrypts cleanly
// under the key: adapter.Claims.VisitorIDAlternatives): the first reading,
// in the adapter's order, that is a contact's channel identity; else the
// first that is a visitor this integration already has (say one recorded
// before the admin turned Easemob's "同时加密系统自带参数" on, and linked by
// hand since); else the adapter's first choice, the decrypted one, since a
// real Easemob visitorImId is never 16+ hex characters that decrypt to clean
// text by chance. It only reads, and costs two statements only when there is
// a choice. It returns the claims with VisitorID set to the reading taken
// and no alternatives left, and why (a Reading* code; "" with no choice).
func (s *Service) pickVisitorID(ctx context.Context, in model.Integration, c adapter.Claims) (adapter.Claims, string, error) {
	if len(c.VisitorIDAlternatives) == 0 {
		return c, "", nil
	}
	readings := append([]string{c.VisitorID}, c.VisitorIDAlternatives...)
	c.VisitorIDAlternatives = nil
	db := s.db.WithContext(ctx)
	var idents []string
	if err := db.Model(&model.ContactIdentity{}).Where("channel = ? AND external_id IN ?", c.Channel, readings).
		Pluck("external_id", &idents).Error; err != nil {
		return c, "", fmt.Errorf("find identity: %w", err)
	}
	if r, ok := firstIn(readings, idents); ok {
		c.VisitorID = r
		return c, ReadingKnownIdentity, nil
	}
	var visitors []string
	if err := db.Model(&model.Visitor{}).Where("integration_id = ? AND channel = ? AND external_id IN ?", in.ID, c.Channel, readings).
		Pluck("external_id", &visitors).Error; err != nil {
		return c, "", fmt.Errorf("find visitor: %w", err)
	}
	if r, ok := firstIn(readings, visitors); ok {
		c.VisitorID = r
		return c, ReadingKnownVisitor, nil
	}
	return c, ReadingPreferredDecrypted, nil
}

// firstIn returns the first of readings found in known. Identities and
// visitors are compared exactly: MySQL's collation may fold case, so what it
// returned is matched again here.
func firstIn(readings, known []string) (string, bool) {
	for _, r := range readings {
		for _, k := range known {
			if k == r {
				return r, true
			}
		}
	}
	return "", false
}

// match looks for the visitor's contact. It returns the link method and the
// contact id when exactly one matched, or candidates when several did. It
// only reads. trace, when not nil, is told each step in words (the
// simulator shows them).
func (s *Service) match(ctx context.Context, visitorID int64, c adapter.Claims, opts integration.Options, trace func(string)) (string, []string, int64, []Candidate, error) {
	if trace == nil {
		trace = func(string) {}
	}
	db := s.db.WithContext(ctx)
	// Contacts an agent said are not this visitor are never matched again.
	notRejected := func(q *gorm.DB, col string) *gorm.DB {
		return q.Where(col+" NOT IN (SELECT contact_id FROM visitor_rejections WHERE visitor_id = ?)", visitorID)
	}
	var ident model.ContactIdentity
	err := notRejected(db.Select("contact_id").Where("channel = ? AND external_id = ?", c.Channel, c.VisitorID), "contact_id").Take(&ident).Error
	switch {
	case err == nil:
		trace(fmt.Sprintf("channel identity: contact %d has the %s id %s", ident.ContactID, c.Channel, truncate(c.VisitorID, 64)))
		return LinkIdentity, []string{c.Channel + " id"}, ident.ContactID, nil, nil
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", nil, 0, nil, fmt.Errorf("find identity: %w", err)
	}
	trace(fmt.Sprintf("channel identity: no contact has the %s id %s as an identity (contacts' identities, channel %s)", c.Channel, truncate(c.VisitorID, 64), c.Channel))
	if id := c.Verified["identifier"]; id != "" {
		var ct model.Contact
		err := notRejected(db.Select("id").Where("external_id = ?", id), "id").Take(&ct).Error
		switch {
		case err == nil:
			trace(fmt.Sprintf("identifier: contact %d has the external id the platform gave", ct.ID))
			return LinkIdentifier, []string{"identifier"}, ct.ID, nil, nil
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return "", nil, 0, nil, fmt.Errorf("find contact by identifier: %w", err)
		}
		trace("identifier: no contact has the external id the platform gave")
	}
	if len(opts.MatchingFields) == 0 {
		trace("matching fields: this integration has no matching rules")
	}
	var candidates []model.Contact
	for _, rule := range opts.MatchingFields {
		q := notRejected(db.Model(&model.Contact{}).Select("id", "name", "phone", "email"), "id")
		usable := true
		for _, f := range rule {
			val := c.Verified[f]
			if f == "name" && val == "" {
				val = c.Verified["full_name"]
			}
			// Compared in the form the contacts' match columns hold.
			switch f {
			case "phone":
				val = s.norm.Phone(val)
			case "email":
				val = s.norm.Email(val)
			}
			if val == "" {
				usable = false
				break
			}
			q = q.Where(integration.MatchableFields[f]+" = ?", val)
		}
		name := strings.Join(rule, "+")
		if !usable {
			trace(fmt.Sprintf("matching rule %s: skipped, the visitor has no verified %s", name, name))
			continue
		}
		var found []model.Contact
		if err := q.Order("id").Limit(maxCandidates + 1).Find(&found).Error; err != nil {
			return "", nil, 0, nil, fmt.Errorf("match contacts: %w", err)
		}
		switch len(found) {
		case 0:
			trace(fmt.Sprintf("matching rule %s: no contact has the same %s", name, name))
		case 1:
			trace(fmt.Sprintf("matching rule %s: exactly one contact (%d) has the same %s", name, found[0].ID, name))
			return linkFields + name, rule, found[0].ID, nil, nil
		default:
			trace(fmt.Sprintf("matching rule %s: %d or more contacts have the same %s, so none is linked by this rule", name, len(found), name))
			candidates = found // a later, stricter rule may still single one out
		}
	}
	out := make([]Candidate, 0, len(candidates))
	for i, ct := range candidates {
		if i == maxCandidates {
			break
		}
		out = append(out, candidate(ct))
	}
	return "", nil, 0, out, nil
}

// Reason codes (Match.ReasonCode): the front end words each in the
// agent's language; Reason carries the English.
const (
	ReasonIdentity = "identity"
	ReasonManual   = "manual"
	// ReasonManualUnverified: a manual link made where nothing vouched for
	// the agent (LinkManualUnverified).
	ReasonManualUnverified = "manual_unverified"
	ReasonIdentifier       = "identifier"
	ReasonFields           = "fields"
	ReasonExistingLink     = "existing_link"
	ReasonCandidates       = "candidates"
	ReasonNoMatchVerified  = "no_match_verified"
	ReasonNoIdentity       = "no_identity"
	ReasonUnlinked         = "unlinked"
	ReasonNotThisPerson    = "not_this_person"
	// ReasonRejected: an agent said the contact named by Match.Rejected is
	// not this visitor; linking it by hand undoes that.
	ReasonRejected = "rejected"
)

// linkedMatch explains a linked visitor from its stored link method.
func linkedMatch(v model.Visitor) Match {
	m := linkedReason(v)
	m.Linked = true
	return m
}

func linkedReason(v model.Visitor) Match {
	var m Match
	id := truncate(v.ExternalID, 64)
	switch {
	case v.LinkMethod == LinkIdentity:
		m.Method = MethodIdentity
		m.MatchedOn = []string{v.Channel + " id"}
		m.Reason, m.ReasonCode = fmt.Sprintf("the %s id %s is an identity of this contact", v.Channel, id), ReasonIdentity
	case v.LinkMethod == LinkManual:
		m.Method = MethodManual
		m.Reason, m.ReasonCode = "an agent linked this visitor to this contact by hand", ReasonManual
	case v.LinkMethod == LinkManualUnverified:
		m.Method = MethodManual
		m.Reason = "someone linked this visitor to this contact by hand in a sidebar session nothing vouched for (anyone with the sidebar URL could have): check it is this person before relying on it"
		m.ReasonCode = ReasonManualUnverified
	case v.LinkMethod == LinkIdentifier:
		m.Method = MethodMatchingFields
		m.MatchedOn = []string{"identifier"}
		m.Reason, m.ReasonCode = "the platform's identifier for this visitor is this contact's id", ReasonIdentifier
	case strings.HasPrefix(v.LinkMethod, linkFields):
		fields := strings.Split(strings.TrimPrefix(v.LinkMethod, linkFields), "+")
		m.Method = MethodMatchingFields
		m.MatchedOn = fields
		m.Reason = fmt.Sprintf("the visitor's verified %s matched this contact's, and no other contact's, when the visitor was linked", strings.Join(fields, " and "))
		m.ReasonCode = ReasonFields
	default:
		m.Method = MethodExistingLink
		m.Reason, m.ReasonCode = "this visitor was linked to this contact earlier", ReasonExistingLink
	}
	return m
}

// notLinkedMatch explains why automatic matching linked no contact, with
// the candidates when several matched.
func notLinkedMatch(v model.Visitor, candidates []Candidate) Match {
	var m Match
	switch {
	case len(candidates) > 0:
		m.Reason = fmt.Sprintf("%d contacts match this visitor's details, so none was linked automatically; pick the right one", len(candidates))
		m.ReasonCode, m.Candidates = ReasonCandidates, candidates
	case v.Channel == "sharecrm" || v.Claims != "{}" && v.Claims != "":
		m.Reason, m.ReasonCode = "no contact matches this visitor's verified details", ReasonNoMatchVerified
	default:
		m.Reason = fmt.Sprintf("no contact has the %s id %s as an identity", v.Channel, truncate(v.ExternalID, 64))
		m.ReasonCode = ReasonNoIdentity
	}
	return m
}

// unlinkedMatchOf explains visitor visitorID, unlinked by hand: the contact
// an agent last said is not this person, by name, when there is one (it
// stays within the visitor's reach, so that linking it again undoes that);
// else a plain unlink.
func (s *Service) unlinkedMatchOf(ctx context.Context, visitorID int64) (Match, error) {
	var rows []struct {
		ContactID int64
		Name      string
	}
	err := s.db.WithContext(ctx).Table("visitor_rejections r").Select("r.contact_id, c.name").
		Joins("JOIN contacts c ON c.id = r.contact_id").Where("r.visitor_id = ?", visitorID).
		Order("r.created_at DESC").Order("r.id DESC").Limit(1).Scan(&rows).Error
	if err != nil {
		return Match{}, fmt.Errorf("load rejection: %w", err)
	}
	if len(rows) == 0 {
		return unlinkedMatch(false), nil
	}
	return rejectedMatch(rows[0].ContactID, rows[0].Name), nil
}

// rejectedMatch explains a visitor an agent said is not contact id (name).
func rejectedMatch(id int64, name string) Match {
	return Match{ReasonCode: ReasonRejected, Rejected: &ContactRef{ID: id, Name: name},
		Reason: fmt.Sprintf("an agent said %s is not this person; link %s again to undo that, or search to link the right contact", name, name)}
}

// unlinkedMatch explains a visitor an agent unlinked (or said is not the
// linked contact): automatic matching leaves it alone.
func unlinkedMatch(notThisPerson bool) Match {
	if notThisPerson {
		return Match{ReasonCode: ReasonNotThisPerson,
			Reason: "an agent said the linked contact is not this person; search to link the right one"}
	}
	return Match{ReasonCode: ReasonUnlinked, Reason: "an agent unlinked this visitor; search to link a contact"}
}
