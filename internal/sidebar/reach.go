package sidebar

// A session's reach is its visitor: a sidebar session may link and read its
// visitor's linked contact, the candidates offered when it opened, and the
// contacts its own searches returned (model.ReachableContact), nothing else.
// Searches, links and reveals are counted per session and per agent and day
// in the database (model.ActionCounter), so every instance shares the limits.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/contactsearch"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Limits of agent actions, sized for a real agent's day: a session lives 15
// minutes (sessiontoken.TTL) and serves one conversation, in which an agent
// searches a few times, links once and shows a few masked fields; a busy
// agent handles on the order of a hundred conversations a day. Past a
// limit the action is answered 429 rate_limited with Retry-After.
const (
	SearchesPerSession  = 60
	SearchesPerAgentDay = 600
	LinksPerSession     = 10
	LinksPerAgentDay    = 200
	RevealsPerSession   = 30
	RevealsPerAgentDay  = 300
)

// Limits are the action limits a Service applies (Deps.Limits).
type Limits struct {
	SearchesPerSession, SearchesPerAgentDay int64
	LinksPerSession, LinksPerAgentDay       int64
	RevealsPerSession, RevealsPerAgentDay   int64
}

// DefaultLimits are the limits above, what serve applies.
func DefaultLimits() Limits {
	return Limits{SearchesPerSession, SearchesPerAgentDay, LinksPerSession, LinksPerAgentDay, RevealsPerSession, RevealsPerAgentDay}
}

// LinkManualUnverified marks a link an agent made by hand in a session that
// nothing vouched for (integration.AgentsVouched): anyone holding the URL
// could have made it, and the next agent is told so.
const LinkManualUnverified = "manual_unverified"

// Error codes of reach and limits.
const (
	CodeNotReachable     = "contact_not_reachable"
	CodeRateLimited      = "rate_limited"
	CodeAgentActionsRead = "agent_actions_read_only"
)

// reachSlack is how long reach rows and session counters outlive their
// session token before they are deleted.
const reachSlack = time.Hour

// LimitError is a refused action past a limit; RetryAfter is when the
// limit's window ends (the session's expiry, or the agent's next UTC day).
type LimitError struct {
	Err        *apperr.Error
	RetryAfter time.Duration
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

// actor names who acted in audit events: the agent the platform named, else
// the integration.
func actor(c sessiontoken.Claims) string {
	if c.Agent != "" {
		return c.Agent
	}
	if c.IntegrationSlug != "" {
		return "integration:" + c.IntegrationSlug
	}
	return "integration:" + strconv.FormatInt(c.IntegrationID, 10)
}

// agentKey names the agent of c for per-agent limits: the platform's id or
// e-mail for it, else the agent as the platform named it without vouching
// (Chatwoot's currentAgent: counting all of an integration's agents as one
// would stop a whole team at one agent's day), else the integration.
func agentKey(c sessiontoken.Claims) string {
	switch {
	case c.AgentID != "":
		return "id:" + c.AgentID
	case c.AgentEmail != "":
		return "email:" + c.AgentEmail
	case c.Agent != "":
		return "claimed:" + c.Agent
	}
	return actor(c)
}

// sessionKey is the session's id (the token's jti).
func sessionKey(c sessiontoken.Claims) string {
	if c.ID != "" {
		return c.ID
	}
	return "visitor:" + strconv.FormatInt(c.VisitorID, 10)
}

func sessionExpiry(c sessiontoken.Claims, now time.Time) time.Time {
	if c.ExpiresAt != nil {
		return c.ExpiresAt.Time
	}
	return now.Add(sessiontoken.TTL)
}

// spend counts one action of c, refusing it past perSession in the session
// or perAgentDay for the agent today (UTC).
func (s *Service) spend(ctx context.Context, c sessiontoken.Claims, action string, perSession, perAgentDay int64) error {
	now := s.now()
	exp := sessionExpiry(c, now)
	n, err := s.count(ctx, "session:"+sessionKey(c), action, exp.Add(reachSlack))
	if err != nil {
		return err
	}
	if n > perSession {
		return &LimitError{RetryAfter: max(exp.Sub(now), time.Second), Err: apperr.New(apperr.RateLimited, CodeRateLimited,
			"this sidebar session has reached its limit of %d %s; reload the sidebar to start a new session", perSession, actionWords(action))}
	}
	day := now.UTC().Truncate(24 * time.Hour)
	scope := "agent:" + strconv.FormatInt(c.IntegrationID, 10) + ":" + day.Format("20060102") + ":" + agentKey(c)
	n, err = s.count(ctx, truncate(scope, 191), action, day.Add(48*time.Hour))
	if err != nil {
		return err
	}
	if n > perAgentDay {
		return &LimitError{RetryAfter: max(day.Add(24*time.Hour).Sub(now), time.Second), Err: apperr.New(apperr.RateLimited, CodeRateLimited,
			"this agent has reached today's limit of %d %s (counted per day, UTC); an admin can say why in the audit trail", perAgentDay, actionWords(action))}
	}
	return nil
}

func actionWords(action string) string {
	switch action {
	case ActionSearch:
		return "searches"
	case ActionLink:
		return "links"
	case ActionReveal:
		return "fields shown in clear"
	}
	return "actions"
}

// count adds one to scope's counter of action and returns the new count.
func (s *Service) count(ctx context.Context, scope, action string, expires time.Time) (int64, error) {
	db := s.db.WithContext(ctx)
	row := model.ActionCounter{Scope: scope, Action: action, N: 1, ExpiresAt: expires}
	if err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "scope"}, {Name: "action"}},
		DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("n + 1")})}).Create(&row).Error; err != nil {
		return 0, fmt.Errorf("count %s: %w", action, err)
	}
	var n int64
	if err := db.Model(&model.ActionCounter{}).Where("scope = ? AND action = ?", scope, action).Pluck("n", &n).Error; err != nil {
		return 0, fmt.Errorf("count %s: %w", action, err)
	}
	return n, nil
}

// agentActions says whether c's integration lets its agents search and link,
// and whether anything vouches for them (integration.AgentsVouched).
func (s *Service) agentActions(ctx context.Context, c sessiontoken.Claims) (vouched bool, err error) {
	var in model.Integration
	if err := s.db.WithContext(ctx).Where("id = ?", c.IntegrationID).Take(&in).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return false, apperr.New(apperr.NotFound, integration.CodeNotFound, "this integration no longer exists; reload the page")
		}
		return false, fmt.Errorf("load integration: %w", err)
	}
	if err := integration.CheckEnabled(in); err != nil {
		return false, err
	}
	opened, err := s.integrations.Open(in)
	if err != nil {
		return false, err
	}
	if !integration.AgentsMaySearch(opened) {
		return false, apperr.New(apperr.Forbidden, CodeAgentActionsRead,
			"this integration lets agents only read the contact crmlens matched: nothing vouches for the agent, so search and link are off; an admin can allow them (agent actions) in the crmlens console")
	}
	return integration.AgentsVouched(opened), nil
}

// reachable says whether contactID is within c's reach: the visitor's
// linked contact, one an agent said is not this visitor (it was linked to
// it; linking it again undoes that), or one offered to or found by this
// session.
func (s *Service) reachable(ctx context.Context, c sessiontoken.Claims, v model.Visitor, contactID int64) (bool, error) {
	if v.ContactID != nil && *v.ContactID == contactID {
		return true, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&model.ReachableContact{}).
		Where("session_id = ? AND visitor_id = ? AND contact_id = ? AND expires_at > ?", sessionKey(c), v.ID, contactID, s.now()).
		Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check reach: %w", err)
	}
	if n == 0 {
		err = s.db.WithContext(ctx).Model(&model.VisitorRejection{}).Where("visitor_id = ? AND contact_id = ?", v.ID, contactID).Count(&n).Error
		if err != nil {
			return false, fmt.Errorf("check reach: %w", err)
		}
	}
	return n > 0, nil
}

func notReachable() error {
	return apperr.New(apperr.NotFound, CodeNotReachable,
		"this session can link only the contacts offered for this visitor or found by a search in this sidebar; search for the contact, then link it from the results")
}

// reach records contacts as within the session's reach.
func (s *Service) reach(ctx context.Context, session string, visitorID int64, ids []int64, how string, expires time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]model.ReachableContact, 0, len(ids))
	for _, id := range ids {
		rows = append(rows, model.ReachableContact{SessionID: session, VisitorID: visitorID, ContactID: id, How: how, ExpiresAt: expires})
	}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("record reach: %w", err)
	}
	return nil
}

// offerCandidates runs when a session opens: the candidates of its match
// come within the session's reach, and their hints show only what the
// session's layout l shows in clear. Now and then it also deletes expired
// reach rows and counters.
func (s *Service) offerCandidates(ctx context.Context, token string, visitorID int64, l layout.Layout, m *Match) error {
	if rand.IntN(50) == 0 {
		s.purgeReach(ctx)
	}
	if len(m.Candidates) == 0 {
		return nil
	}
	c, err := s.tokens.Parse(ctx, token)
	if err != nil {
		return err
	}
	cands := m.Candidates
	ids := make([]int64, 0, len(cands))
	for _, cd := range cands {
		ids = append(ids, cd.ID)
	}
	var found []model.Contact
	if err := s.db.WithContext(ctx).Select("id", "name", "phone", "email").Where("id IN ?", ids).Find(&found).Error; err != nil {
		return fmt.Errorf("load candidates: %w", err)
	}
	byID := make(map[int64]model.Contact, len(found))
	for _, ct := range found {
		byID[ct.ID] = ct
	}
	pol := policyOf(l)
	companies, err := s.companies(ctx, pol, found)
	if err != nil {
		return err
	}
	out := make([]Candidate, 0, len(cands))
	for _, cd := range cands {
		if ct, ok := byID[cd.ID]; ok {
			out = append(out, pol.candidate(ct, companies[ct.ID]))
		}
	}
	m.Candidates = out
	return s.reach(ctx, sessionKey(c), visitorID, ids, model.ReachCandidate, sessionExpiry(c, s.now()).Add(reachSlack))
}

// purgeReach deletes reach rows and counters past their expiry; a failure
// is left for the next time.
func (s *Service) purgeReach(ctx context.Context) {
	now := s.now()
	db := s.db.WithContext(ctx)
	_ = db.Where("expires_at < ?", now).Delete(&model.ReachableContact{}).Error
	_ = db.Where("expires_at < ?", now).Delete(&model.ActionCounter{}).Error
}

// fieldPolicy is what a layout shows of a contact's phone and e-mail in
// clear: a field it masks or does not show is never hinted at, and is
// searchable only by its whole value.
type fieldPolicy struct {
	phoneClear, emailClear bool
	// phoneMasked, emailMasked: the layout shows the contact's phone or
	// e-mail masked (and nowhere in clear).
	phoneMasked, emailMasked bool
	// accountClear: the layout shows the account's name in clear (search
	// results and candidates then name the contact's account).
	accountClear bool
}

func policyOf(l layout.Layout) fieldPolicy {
	var p fieldPolicy
	for _, panel := range l.Panels {
		if panel.Object == layout.Account {
			for _, f := range panel.Fields {
				if f == "name" && !panel.IsMasked(f) {
					p.accountClear = true
				}
			}
		}
		if panel.Object != layout.Contact {
			continue
		}
		for _, f := range panel.Fields {
			switch {
			case f == "phone" && !panel.IsMasked(f):
				p.phoneClear = true
			case f == "email" && !panel.IsMasked(f):
				p.emailClear = true
			case f == "phone":
				p.phoneMasked = true
			case f == "email":
				p.emailMasked = true
			}
		}
	}
	p.phoneMasked = p.phoneMasked && !p.phoneClear
	p.emailMasked = p.emailMasked && !p.emailClear
	return p
}

func (p fieldPolicy) search() contactsearch.Options {
	return contactsearch.Options{ExactPhone: !p.phoneClear, ExactEmail: !p.emailClear}
}

// hiddenHint stands for a phone or e-mail the layout does not show in
// clear: it says there is one, and nothing of it (not even its length).
const hiddenHint = "********"

// candidate is ct as a search result or candidate: its name and a hint from
// a field the layout shows in clear (masked as usual), else hiddenHint
// when it has a phone or e-mail, else none; the masked e-mail too when the
// hint is the phone, and company (its account's name, "" for none).
func (p fieldPolicy) candidate(ct model.Contact, company string) Candidate {
	hint := ""
	if p.phoneClear {
		hint = Mask(layout.Phone, ct.Phone)
	}
	if hint == "" && p.emailClear {
		hint = Mask(layout.Email, ct.Email)
	}
	if hint == "" && (ct.Phone != "" || ct.Email != "") {
		hint = hiddenHint
	}
	out := Candidate{ID: ct.ID, Name: ct.Name, Hint: hint}
	if p.emailClear && ct.Email != "" && hint != Mask(layout.Email, ct.Email) {
		out.Email = Mask(layout.Email, ct.Email)
	}
	if p.accountClear {
		out.Company = company
	}
	return out
}

// companies are the account names of found, by contact id, when p shows
// account names in clear (else none, and no statement).
func (s *Service) companies(ctx context.Context, p fieldPolicy, found []model.Contact) (map[int64]string, error) {
	if !p.accountClear || len(found) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(found))
	for _, ct := range found {
		ids = append(ids, ct.ID)
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := s.db.WithContext(ctx).Table("contacts c").Select("c.id, a.name").Joins("JOIN accounts a ON a.id = c.account_id").
		Where("c.id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("load companies: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// verifiedView is what the platform vouched for about a visitor (its
// claims), as the layout shows the contact's fields: name in clear, phone
// and e-mail in clear, masked or not at all.
func (p fieldPolicy) verifiedView(claims map[string]string) map[string]string {
	out := map[string]string{}
	name := claims["name"]
	if name == "" {
		name = claims["full_name"]
	}
	if name != "" {
		out["name"] = truncate(name, 255)
	}
	for _, f := range []struct {
		key           string
		t             layout.FieldType
		clear, masked bool
	}{{"phone", layout.Phone, p.phoneClear, p.phoneMasked}, {"email", layout.Email, p.emailClear, p.emailMasked}} {
		v := truncate(claims[f.key], 255)
		switch {
		case v == "":
		case f.clear:
			out[f.key] = v
		case f.masked:
			out[f.key] = Mask(f.t, v)
		}
	}
	return out
}
