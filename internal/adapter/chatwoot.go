package adapter

import (
	"strings"
	"unicode/utf8"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Chatwoot decodes the context of a Chatwoot dashboard app. Chatwoot posts
// {event: "appContext", data: {conversation, contact, currentAgent}} to the
// sidebar page, which flattens it into the params below. Chatwoot does not
// sign this context: nothing here is verified beyond its shape. What protects
// the integration is its secret URL and, when crmlens has a Chatwoot API
// token, checking Claims.Chatwoot against Chatwoot's API and matching with
// what that API says of the contact (WithChatwootContact), never with the
// context's contact fields. The context's agent is never vouched for:
// Chatwoot's API cannot say who is looking at the dashboard app.
type Chatwoot struct{}

// Params the sidebar page posts for a Chatwoot context.
const (
	ChatwootConversationID    = "conversation_id"
	ChatwootAccountID         = "account_id"
	ChatwootContactID         = "contact_id"
	ChatwootContactIdentifier = "contact_identifier"
	ChatwootContactEmail      = "contact_email"
	ChatwootContactPhone      = "contact_phone"
	ChatwootContactName       = "contact_name"
	ChatwootAgentID           = "agent_id"
	ChatwootAgentEmail        = "agent_email"
	ChatwootAgentName         = "agent_name"
	ChatwootLang              = "lang"
)

// maxChatwootID bounds Chatwoot's numeric ids (bigint: at most 20 digits).
const maxChatwootID = 20

var chatwootKnown = map[string]bool{
	ChatwootConversationID: true, ChatwootAccountID: true, ChatwootContactID: true,
	ChatwootContactIdentifier: true, ChatwootContactEmail: true, ChatwootContactPhone: true,
	ChatwootContactName: true, ChatwootAgentID: true, ChatwootAgentEmail: true,
	ChatwootAgentName: true, ChatwootLang: true,
}

// NewChatwoot returns the Chatwoot adapter. It has no key: Chatwoot has none.
func NewChatwoot() *Chatwoot { return &Chatwoot{} }

// Decode turns a flattened Chatwoot app context into Claims: the visitor is
// the Chatwoot contact. Verified holds what the context says of the contact
// (identifier, email, phone, name), normalized as NormalizeClaim does, but
// only as far as the secret URL can be trusted: with an API token the server
// replaces them with Chatwoot's answer (WithChatwootContact).
func (*Chatwoot) Decode(params map[string]string) (Claims, error) {
	if err := checkSize(params); err != nil {
		return Claims{}, err
	}
	contact := strings.TrimSpace(params[ChatwootContactID])
	if contact == "" {
		return Claims{}, apperr.New(apperr.Invalid, CodeMissingParam,
			"the context has no contact_id; open the app from a Chatwoot conversation so that Chatwoot sends its appContext")
	}
	ids := map[string]string{ChatwootContactID: contact}
	for _, name := range []string{ChatwootContactID, ChatwootConversationID, ChatwootAccountID} {
		v := strings.TrimSpace(params[name])
		if v == "" {
			continue
		}
		if !isDigits(v, maxChatwootID) {
			return Claims{}, apperr.New(apperr.Invalid, CodeInvalidParam,
				"%s must be a Chatwoot id: digits only, at most %d", name, maxChatwootID)
		}
		ids[name] = v
	}
	c := Claims{
		Channel:     "chatwoot",
		VisitorID:   contact,
		DisplayName: NormalizeClaim("name", params[ChatwootContactName]),
		Agent: Agent{
			ID:    strings.TrimSpace(params[ChatwootAgentID]),
			Email: strings.TrimSpace(params[ChatwootAgentEmail]),
			Name:  strings.TrimSpace(params[ChatwootAgentName]),
		},
		Lang:     normalizeLang(params[ChatwootLang]),
		Verified: map[string]string{},
		Extra:    map[string]string{},
		Chatwoot: &ChatwootRef{
			AccountID:      ids[ChatwootAccountID],
			ConversationID: ids[ChatwootConversationID],
			ContactID:      contact,
		},
	}
	for _, f := range []struct{ field, param string }{
		{"identifier", ChatwootContactIdentifier},
		{"email", ChatwootContactEmail},
		{"phone", ChatwootContactPhone},
		{"name", ChatwootContactName},
	} {
		field, param := f.field, f.param
		v := NormalizeClaim(field, params[param])
		if utf8.RuneCountInString(v) > MaxVerifiedValue {
			return Claims{}, apperr.New(apperr.TooLarge, CodeTooLarge, "%s is longer than %d characters", param, MaxVerifiedValue)
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

// ChatwootContact is a contact as Chatwoot's API describes it (the
// conversation answer's meta.sender).
type ChatwootContact struct {
	ID, Identifier, Email, Phone, Name string
}

// WithChatwootContact returns c with everything that identifies the visitor
// taken from k, what Chatwoot's API answered for c's conversation: the
// visitor id, the identifier, email, phone and name used for matching, and
// the display name. The context's values for them are dropped, including
// those Chatwoot's answer lacks. A value longer than MaxVerifiedValue is
// left out rather than refused: it is Chatwoot's own data.
func WithChatwootContact(c Claims, k ChatwootContact) Claims {
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
		v := NormalizeClaim(f.field, f.value)
		if v != "" && utf8.RuneCountInString(v) <= MaxVerifiedValue {
			c.Verified[f.field] = v
		}
	}
	c.DisplayName = c.Verified["name"]
	return c
}
