// Package sidebar is what happens between a platform opening the sidebar and
// the agent seeing a contact: CreateSession decodes the platform's params
// through the integration's adapter, runs the integration's checks (replay,
// Chatwoot, known agent), finds or creates the visitor, resolves the contact
// and says why it matched, and issues a session token; Context builds the
// agent's view from the layout, projecting and masking on the server; every
// read is written to the audit trail.
package sidebar

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/adapter"
	chatwootadapter "github.com/crmlens/crmlens/internal/adapter/chatwoot"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/chatwoot"
	"github.com/crmlens/crmlens/internal/contactsearch"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/replay"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Deps are what a Service needs.
type Deps struct {
	DB           *gorm.DB
	Tokens       *sessiontoken.Issuer
	Integrations *integration.Service
	// Layouts resolves the layout of a session; nil: a layout.Store over
	// DB with Agents' groups.
	Layouts *layout.Store
	// Agents records the agents platforms name and says which an admin
	// declared; nil: agents.New(DB, Now).
	Agents *agents.Service
	// Audit records reads and actions; nil writes synchronously to DB.
	// serve passes an audit.Async so reads do not wait for their audit row.
	Audit audit.Recorder
	// HTTPClient reaches platform APIs (Chatwoot); nil: a 5 s timeout client.
	HTTPClient *http.Client
	// Now is the clock; nil: time.Now in UTC.
	Now func() time.Time
	// Reads serves the context's reads: a handle routed to read replicas
	// (database.OpenReads); nil: DB. Writes and the session's own reads
	// always use DB.
	Reads *gorm.DB
	// Metrics counts decrypt failures and sessions; nil counts nothing.
	Metrics Recorder
	// Normalizer is how phones and e-mails are compared when visitors are
	// matched and contacts searched (the zero value: the default region).
	Normalizer matchkey.Normalizer
	// Limits bounds agents' searches, links and reveals; nil: DefaultLimits.
	Limits *Limits
}

// Recorder receives the events operators watch (*metrics.Metrics is one).
type Recorder interface {
	// DecryptFailed: params of an integration did not decrypt or verify
	// under its key.
	DecryptFailed(integrationID int64, name, kind string)
	// SessionCreated: a session was opened through adapter.
	SessionCreated(adapter string)
}

type noRecorder struct{}

func (noRecorder) DecryptFailed(int64, string, string) {}
func (noRecorder) SessionCreated(string)               {}

// Service opens sidebar sessions and builds their context.
type Service struct {
	db           *gorm.DB
	reads        *gorm.DB
	metrics      Recorder
	tokens       *sessiontoken.Issuer
	integrations *integration.Service
	replay       *replay.Store
	chatwoot     *chatwoot.Client
	audit        audit.Recorder
	layouts      *layout.Store
	agents       *agents.Service
	norm         matchkey.Normalizer
	limits       Limits
	search       *contactsearch.Searcher
	now          func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.Agents == nil {
		d.Agents = agents.New(d.DB, d.Now)
	}
	if d.Layouts == nil {
		d.Layouts = layout.NewStore(d.DB, d.Now).WithAgentGroups(d.Agents)
	}
	if d.Audit == nil {
		d.Audit = audit.New(d.DB)
	}
	if d.Reads == nil {
		d.Reads = d.DB
	}
	if d.Metrics == nil {
		d.Metrics = noRecorder{}
	}
	return &Service{
		db: d.DB, reads: d.Reads, metrics: d.Metrics, tokens: d.Tokens, integrations: d.Integrations,
		norm: d.Normalizer, search: contactsearch.New(d.DB, d.Normalizer), limits: limitsOr(d.Limits),
		replay: replay.New(d.DB, d.Now), chatwoot: chatwoot.New(d.HTTPClient), audit: d.Audit, layouts: d.Layouts, agents: d.Agents, now: d.Now,
	}
}

func limitsOr(l *Limits) Limits {
	if l == nil {
		return DefaultLimits()
	}
	return *l
}

// Error codes of this package.
const (
	CodeAdapterUnavailable = "adapter_unavailable"
	CodeVisitorGone        = "visitor_not_found"
	CodeUnknownAgent       = "unknown_agent"
)

// maxExtraBytes bounds the extra params carried in a session token.
const maxExtraBytes = 2048

// Session is a newly opened sidebar session.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Visitor   Visitor
	Contact   *ContactRef
	Match     Match
	Lang      string
	// Layout is the layout that applies to this session, and why.
	Layout LayoutRef
}

// Integration returns the integration with slug, or a NotFound error.
func (s *Service) Integration(ctx context.Context, slug string) (integration.Integration, error) {
	return s.integrations.Get(ctx, slug)
}

// decode runs in's platform's decoder over params.
func (s *Service) decode(in integration.Integration, params adapter.Params) (adapter.Claims, error) {
	keys, err := s.integrations.Keys(in.Integration)
	if err != nil {
		return adapter.Claims{}, err
	}
	if in.Platform == nil {
		return adapter.Claims{}, apperr.New(apperr.Unprocessable, CodeAdapterUnavailable,
			"integrations of kind %s are not supported by this version of crmlens", in.Kind)
	}
	d, err := in.Platform.New(keys, in.Options, s.now)
	if err != nil {
		why := "its key is unusable"
		if e := apperr.As(err); e != nil {
			why = e.Message
		}
		return adapter.Claims{}, apperr.Wrap(err, apperr.Unprocessable, CodeAdapterUnavailable,
			"integration %s is misconfigured (%s); an admin must fix it", in.Slug, why)
	}
	return d.Decode(params)
}

// CreateSession decodes params for the integration slug, runs its checks,
// records the visitor, links it to a contact when one matches, and issues a
// token. A request refused by decoding or a check writes nothing (a signed
// token's id is recorded as used once its signature is verified). params
// carry their order in the URL (some platforms sign the query as written).
func (s *Service) CreateSession(ctx context.Context, slug string, params adapter.Params) (Session, error) {
	in, err := s.integrations.Get(ctx, slug)
	if err != nil {
		return Session{}, err
	}
	if err := integration.CheckEnabled(in.Integration); err != nil {
		return Session{}, err
	}
	opts := in.Options
	claims, err := s.decode(in, params)
	if err != nil {
		if e := apperr.As(err); e != nil && (e.Code == adapter.CodeDecryptFailed || e.Code == adapter.CodeInvalidToken) {
			s.metrics.DecryptFailed(in.ID, in.Name, in.Kind)
		}
		return Session{}, err
	}
	if in.Platform.Spec().Replay.SingleUse && claims.TokenID == "" {
		// The platform's replay rule is single use (verify consumes each
		// credential's id): a decoder that names none is a fault of crmlens.
		return Session{}, fmt.Errorf("integration %s: the %s decoder named no token id to use once", in.Slug, in.Kind)
	}
	for _, d := range claims.Dropped {
		// Not fatal, but operators watch decrypt failures: a param under
		// another key is the sign of a key set differently in the platform.
		if d.Reason == adapter.DropNotDecryptable {
			s.metrics.DecryptFailed(in.ID, in.Name, in.Kind)
			break
		}
	}
	if claims, _, err = s.pickVisitorID(ctx, in.Integration, claims); err != nil {
		return Session{}, err
	}
	if claims, err = s.verify(ctx, in, claims); err != nil {
		return Session{}, err
	}
	if err := s.recordAgent(ctx, in.Kind, claims.Agent); err != nil {
		return Session{}, err
	}
	res, err := s.resolve(ctx, in.Integration, opts, claims)
	if err != nil {
		return Session{}, err
	}
	vouched := vouchedAgent(in, claims)
	token, exp, err := s.tokens.Issue(sessiontoken.Claims{
		IntegrationID: in.ID, VisitorID: res.visitor.ID, Agent: claims.Agent.Label(), Lang: claims.Lang,
		Platform: in.Kind, AgentID: vouched.ID, AgentEmail: vouched.Email, IntegrationSlug: in.Slug,
		Extra: boundExtra(claims.Extra),
	})
	if err != nil {
		return Session{}, err
	}
	l, why, err := s.layouts.ResolveReason(ctx, layoutWho(in, vouched))
	if err != nil {
		return Session{}, err
	}
	out := Session{Token: token, ExpiresAt: exp, Lang: claims.Lang, Visitor: visitorView(res.visitor), Match: res.match,
		Layout: LayoutRef{Name: l.Name, Reason: why}}
	if err := s.offerCandidates(ctx, token, res.visitor.ID, l, &out.Match); err != nil {
		return Session{}, err
	}
	if res.contact != nil {
		out.Contact = &ContactRef{ID: res.contact.ID, Name: res.contact.Name}
	}
	s.metrics.SessionCreated(in.Kind)
	return out, nil
}

// verify runs the integration's verifications that need more than the
// params (single use of signed tokens, Chatwoot's own word, a known agent),
// returning c as the checks leave it: for Chatwoot with an
// API token, the visitor's identifier, email, phone and name (everything
// used for matching) are the ones Chatwoot's API gives for the
// conversation's contact, never the unsigned context's.
func (s *Service) verify(ctx context.Context, in integration.Integration, c adapter.Claims) (adapter.Claims, error) {
	opts := in.Options
	if c.TokenID != "" {
		if err := s.replay.Use(ctx, in.ID, c.TokenID, c.TokenExpiry); err != nil {
			return c, err
		}
	}
	if in.Kind == model.KindChatwoot && c.Chatwoot != nil && opts.ChatwootURL != "" && in.APIToken != "" {
		token, err := s.integrations.APIToken(in.Integration)
		if err != nil {
			return c, err
		}
		k, err := s.chatwoot.Verify(ctx, opts.ChatwootURL, token, c.Chatwoot.AccountID, c.Chatwoot.ConversationID, c.Chatwoot.ContactID)
		if err != nil {
			return c, err
		}
		c = chatwootadapter.WithContact(c, chatwootadapter.Contact{ID: strconv.FormatInt(k.ID, 10),
			Identifier: k.Identifier, Email: k.Email, Phone: k.PhoneNumber, Name: k.Name})
	}
	if opts.RequireKnownAgent {
		// Only agents of this integration's platform.
		known, err := s.agents.IsDeclared(ctx, in.Kind, c.Agent.ID, c.Agent.Email)
		if err != nil {
			return c, err
		}
		if !known {
			return c, apperr.New(apperr.Forbidden, CodeUnknownAgent,
				"this integration only serves agents an admin has declared, and the platform named none crmlens knows")
		}
	}
	return c, nil
}

// vouchedAgent is c's agent as far as layouts may use it: as named where
// the platform vouches for it (Spec.LayoutsTrustAgent), else no agent.
// Chatwoot never does: its context is unsigned, and its API says which
// contact a conversation has but not who is looking at it (the
// conversation's assignee is not the viewer: any agent of the inbox can open
// it, and anyone with the URL can name the assignee).
func vouchedAgent(in integration.Integration, c adapter.Claims) adapter.Agent {
	if in.Platform == nil || !in.Platform.Spec().LayoutsTrustAgent {
		return adapter.Agent{}
	}
	return c.Agent
}

// layoutWho is whom the layout of a session of in is resolved for: the
// integration, its platform's agents, and agent (vouchedAgent's).
func layoutWho(in integration.Integration, agent adapter.Agent) layout.Who {
	return layout.Who{Integration: in.Slug, Platform: in.Kind, Agent: []string{agent.ID, agent.Email}}
}

// recordAgent notes an agent the platform named, the first time it is seen.
func (s *Service) recordAgent(ctx context.Context, platform string, a adapter.Agent) error {
	return s.agents.RecordSeen(ctx, platform, a.ID, a.Email, a.Name)
}

// boundExtra keeps extra params within maxExtraBytes, dropping the
// largest-named-last ones that do not fit.
func boundExtra(extra map[string]string) map[string]string {
	if len(extra) == 0 {
		return nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]string{}
	size := 2
	for _, k := range keys {
		n := len(k) + len(extra[k]) + 6
		if size+n > maxExtraBytes {
			continue
		}
		size += n
		out[k] = extra[k]
	}
	return out
}

func visitorView(v model.Visitor) Visitor {
	return Visitor{ID: v.ID, Channel: v.Channel, ExternalID: v.ExternalID}
}

func claimsJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil || len(b) > 2000 {
		return "{}"
	}
	return string(b)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
