package chatwoot

import (
	"github.com/crmlens/crmlens/internal/adapter"
	"strings"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Chatwoot decodes the context of a Chatwoot dashboard app. Chatwoot posts
// {event: "appContext", data: {conversation, contact, currentAgent}} to the
// sidebar page, which flattens it into the params below. Chatwoot does not
// sign this context: nothing here is verified beyond its shape. What protects
// the integration is its secret URL and, when crmlens has a Chatwoot API
// token, checking adapter.Claims.Chatwoot against Chatwoot's API and matching with
// what that API says of the contact (WithContact), never with the
// context's contact fields. The context's agent is never vouched for:
// Chatwoot's API cannot say who is looking at the dashboard app.
type Chatwoot struct{}

// Params the sidebar page posts for a Chatwoot context.
const (
	ConversationID    = "conversation_id"
	AccountID         = "account_id"
	ContactID         = "contact_id"
	ContactIdentifier = "contact_identifier"
	ContactEmail      = "contact_email"
	ContactPhone      = "contact_phone"
	ContactName       = "contact_name"
	AgentID           = "agent_id"
	AgentEmail        = "agent_email"
	AgentName         = "agent_name"
	Lang              = "lang"
)

// maxChatwootID bounds Chatwoot's numeric ids (bigint: at most 20 digits).
const maxChatwootID = 20

var chatwootKnown = map[string]bool{
	ConversationID: true, AccountID: true, ContactID: true,
	ContactIdentifier: true, ContactEmail: true, ContactPhone: true,
	ContactName: true, AgentID: true, AgentEmail: true,
	AgentName: true, Lang: true,
}

// New returns the Chatwoot adapter. It has no key: Chatwoot has none.
func New() *Chatwoot { return &Chatwoot{} }

// Decode turns a flattened Chatwoot app context into Claims: the visitor is
// the Chatwoot contact. Verified holds what the context says of the contact
// (identifier, email, phone, name), normalized as adapter.NormalizeClaim does, but
// only as far as the secret URL can be trusted: with an API token the server
// replaces them with Chatwoot's answer (WithContact).
func (*Chatwoot) Decode(params map[string]string) (adapter.Claims, error) {
	if err := adapter.CheckSize(params); err != nil {
		return adapter.Claims{}, err
	}
	contact := strings.TrimSpace(params[ContactID])
	if contact == "" {
		return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeMissingParam,
			"the context has no contact_id; open the app from a Chatwoot conversation so that Chatwoot sends its appContext")
	}
	ids := map[string]string{ContactID: contact}
	for _, name := range []string{ContactID, ConversationID, AccountID} {
		v := strings.TrimSpace(params[name])
		if v == "" {
			continue
		}
		if !adapter.IsDigits(v, maxChatwootID) {
			return adapter.Claims{}, apperr.New(apperr.Invalid, adapter.CodeInvalidParam,
				"%s must be a Chatwoot id: digits only, at most %d", name, maxChatwootID)
		}
		ids[name] = v
	}
	c := adapter.Claims{
		Channel:     "chatwoot",
		VisitorID:   contact,
		DisplayName: adapter.NormalizeClaim("name", params[ContactName]),
		Agent: adapter.Agent{
			ID:    strings.TrimSpace(params[AgentID]),
			Email: strings.TrimSpace(params[AgentEmail]),
			Name:  strings.TrimSpace(params[AgentName]),
		},
		Lang:     adapter.NormalizeLang(params[Lang]),
		Verified: map[string]string{},
		Extra:    map[string]string{},
		Chatwoot: &adapter.ChatwootRef{
			AccountID:      ids[AccountID],
			ConversationID: ids[ConversationID],
			ContactID:      contact,
		},
	}
	for _, f := range []struct{ field, param string }{
		{"identifier", ContactIdentifier},
		{"email", ContactEmail},
		{"phone", ContactPhone},
		{"name", ContactName},
	} {
		field, param := f.field, f.param
		v := adapter.NormalizeClaim(field, params[param])
		if utf8.RuneCountInString(v) > adapter.MaxVerifiedValue {
			return adapter.Claims{}, apperr.New(apperr.TooLarge, adapter.CodeTooLarge, "%s is longer than %d characters", param, adapter.MaxVerifiedValue)
		}
		if v != "" {
			c.Verified[field] = v
		}
	}
	for k, v := range params {
		if !chatwootKnown[k] {
			c.Extra[k] = v
		}
	}
	return c, nil
}

// Contact is a contact as Chatwoot's API describes it (the
// conversation answer's meta.sender).
type Contact struct {
	ID, Identifier, Email, Phone, Name string
}

// WithContact returns c with everything that identifies the visitor
// taken from k, what Chatwoot's API answered for c's conversation: the
// visitor id, the identifier, email, phone and name used for matching, and
// the display name. The context's values for them are dropped, including
// those Chatwoot's answer lacks. A value longer than adapter.MaxVerifiedValue is
// left out rather than refused: it is Chatwoot's own data.
func WithContact(c adapter.Claims, k Contact) adapter.Claims {
	c.VisitorID = k.ID
	c.VisitorIDAlternatives = nil
	if c.Chatwoot != nil {
		ref := *c.Chatwoot
		ref.ContactID = k.ID
		c.Chatwoot = &ref
	}
	c.Verified = map[string]string{}
	for _, f := range []struct{ field, value string }{
		{"identifier", k.Identifier}, {"email", k.Email}, {"phone", k.Phone}, {"name", k.Name},
	} {
		v := adapter.NormalizeClaim(f.field, f.value)
		if v != "" && utf8.RuneCountInString(v) <= adapter.MaxVerifiedValue {
			c.Verified[f.field] = v
		}
	}
	c.DisplayName = c.Verified["name"]
	return c
}
