// Package sidebar is what happens between a platform opening the sidebar and
// the agent seeing a contact: CreateSession decodes the platform's params
// through the integration's adapter, finds or creates the visitor, resolves
// the contact and issues a session token; Context builds the agent's view
// from the layout, projecting and masking on the server; every read is
// written to the audit trail.
package sidebar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Service opens sidebar sessions and builds their context.
type Service struct {
	db     *gorm.DB
	tokens *sessiontoken.Issuer
	now    func() time.Time
}

// New returns a Service over db issuing tokens with tokens. now is the clock
// (nil: time.Now in UTC).
func New(db *gorm.DB, tokens *sessiontoken.Issuer, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{db: db, tokens: tokens, now: now}
}

// Error codes of this package.
const (
	CodeIntegrationNotFound = "integration_not_found"
	CodeAdapterUnavailable  = "adapter_unavailable"
	CodeVisitorGone         = "visitor_not_found"
)

// Link methods, stored on the visitor and reported as Match.Method.
const (
	LinkIdentity = "identity"
)

// Session is a newly opened sidebar session.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Visitor   api.Visitor
	Contact   *api.ContactSummary
	Match     api.Match
	Lang      string
}

// Integration returns the integration with slug, or a NotFound error.
func (s *Service) Integration(ctx context.Context, slug string) (model.Integration, error) {
	var in model.Integration
	err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&in).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return in, apperr.New(apperr.NotFound, CodeIntegrationNotFound,
			"no integration has the slug %q; check the URL configured in the platform", truncate(slug, 64))
	}
	if err != nil {
		return in, fmt.Errorf("find integration: %w", err)
	}
	return in, nil
}

func decoderFor(in model.Integration) (func(map[string]string) (adapter.Claims, error), error) {
	switch in.Kind {
	case model.KindEasemob:
		a, err := adapter.NewEasemob(in.Key)
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Unprocessable, CodeAdapterUnavailable,
				"integration %s has an unusable key; an admin must set a key longer than 8 characters", in.Slug)
		}
		return a.Decode, nil
	default:
		return nil, apperr.New(apperr.Unprocessable, CodeAdapterUnavailable,
			"integrations of kind %s are not supported by this version of crmlens", in.Kind)
	}
}

// CreateSession decodes params for the integration slug, records the
// visitor, links it to a contact when one matches, and issues a token.
// Nothing is written unless the params decode.
func (s *Service) CreateSession(ctx context.Context, slug string, params map[string]string) (Session, error) {
	in, err := s.Integration(ctx, slug)
	if err != nil {
		return Session{}, err
	}
	decode, err := decoderFor(in)
	if err != nil {
		return Session{}, err
	}
	claims, err := decode(params)
	if err != nil {
		return Session{}, err
	}
	visitor, contact, err := s.resolve(ctx, in, claims)
	if err != nil {
		return Session{}, err
	}
	lang := claims.Lang
	token, exp, err := s.tokens.Issue(sessiontoken.Claims{
		IntegrationID: in.ID, VisitorID: visitor.ID, Agent: claims.Agent.Label(), Lang: lang,
	})
	if err != nil {
		return Session{}, err
	}
	out := Session{
		Token: token, ExpiresAt: exp, Lang: lang,
		Visitor: visitorView(visitor),
		Match:   matchView(visitor, contact),
	}
	if contact != nil {
		out.Contact = &api.ContactSummary{Id: strconv.FormatInt(contact.ID, 10), Name: contact.Name}
	}
	return out, nil
}

// resolve finds or creates the visitor and links it to the contact whose
// channel identity matches. Each step is one statement that stands on its
// own (no transaction): under MySQL's repeatable read, a transaction that
// lost the race to insert the visitor could not see the winner's row.
func (s *Service) resolve(ctx context.Context, in model.Integration, c adapter.Claims) (model.Visitor, *model.Contact, error) {
	var visitor model.Visitor
	var contact *model.Contact
	now := s.now()
	tx := s.db.WithContext(ctx)
	err := func() error {
		find := func() error {
			return tx.Where("integration_id = ? AND channel = ? AND external_id = ?", in.ID, c.Channel, c.VisitorID).Take(&visitor).Error
		}
		err := find()
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Concurrent first sessions of one visitor: the unique key
			// decides, and both read the one row.
			v := model.Visitor{IntegrationID: in.ID, Channel: c.Channel, ExternalID: c.VisitorID, CreatedAt: now, LastSeenAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&v).Error; err != nil {
				return fmt.Errorf("record visitor: %w", err)
			}
			err = find()
		}
		if err != nil {
			return fmt.Errorf("load visitor: %w", err)
		}
		updates := map[string]any{"last_seen_at": now}
		if visitor.ContactID == nil {
			var ident model.ContactIdentity
			err := tx.Select("contact_id").Where("channel = ? AND external_id = ?", c.Channel, c.VisitorID).Take(&ident).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
			case err != nil:
				return fmt.Errorf("find identity: %w", err)
			default:
				visitor.ContactID = &ident.ContactID
				visitor.LinkMethod = LinkIdentity
				updates["contact_id"] = ident.ContactID
				updates["link_method"] = LinkIdentity
			}
		}
		if err := tx.Model(&model.Visitor{}).Where("id = ?", visitor.ID).Updates(updates).Error; err != nil {
			return fmt.Errorf("update visitor: %w", err)
		}
		if visitor.ContactID != nil {
			var ct model.Contact
			if err := tx.Select("id", "name").Where("id = ?", *visitor.ContactID).Take(&ct).Error; err != nil {
				return fmt.Errorf("load contact: %w", err)
			}
			contact = &ct
		}
		return nil
	}()
	return visitor, contact, err
}

func visitorView(v model.Visitor) api.Visitor {
	return api.Visitor{Id: strconv.FormatInt(v.ID, 10), Channel: v.Channel, ExternalId: v.ExternalID}
}

func matchView(v model.Visitor, c *model.Contact) api.Match {
	if c == nil {
		return api.Match{Status: api.NotLinked,
			Reason: fmt.Sprintf("no contact has the %s id %s as an identity", v.Channel, truncate(v.ExternalID, 64))}
	}
	method := api.MatchMethod(v.LinkMethod)
	reason := fmt.Sprintf("the %s id %s is an identity of this contact", v.Channel, truncate(v.ExternalID, 64))
	if v.LinkMethod != LinkIdentity {
		method = api.ExistingLink
		reason = "this visitor was linked to this contact earlier"
	}
	return api.Match{Status: api.Linked, Method: &method, Reason: reason}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
