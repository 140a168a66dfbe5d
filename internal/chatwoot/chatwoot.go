// Package chatwoot asks a Chatwoot server whether a contact really is the
// one in a conversation, and what Chatwoot knows of that contact. Chatwoot's
// dashboard-app context is not signed, so this check, made with the admin's
// API token, is what stops a caller from claiming any contact id, and its
// answer, not the context, is what a session matches contacts with.
package chatwoot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Error codes.
const (
	CodeMismatch    = "chatwoot_mismatch"
	CodeUnreachable = "chatwoot_unreachable"
	CodeIncomplete  = "chatwoot_incomplete"
)

// Client calls Chatwoot's application API.
type Client struct {
	http *http.Client
}

// New returns a Client; nil httpClient means one with a 5 s timeout.
func New(httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 5 * time.Second}
	}
	return &Client{http: httpClient}
}

// maxAnswer bounds the conversation answer read. It carries the last
// message with its content (an e-mail's HTML can be MBs).
const maxAnswer = 8 << 20

// Contact is the conversation's contact as Chatwoot's API describes it: the
// answer's meta.sender. Chatwoot may send null for any of the strings
// (a contact without e-mail, phone or identifier); they are then "".
type Contact struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phone_number"`
	Identifier  string `json:"identifier"`
	Name        string `json:"name"`
}

// conversation is the part of Chatwoot's conversation answer we read.
//
// GET /api/v1/accounts/{account_id}/conversations/{id} renders
// app/views/api/v1/conversations/partials/_conversation.json.jbuilder
// (chatwoot/chatwoot), which puts the contact under meta.sender through the
// contact partial app/views/api/v1/models/_contact.json.jbuilder, and the
// conversation's display id as id:
//
//	{"meta": {"sender": {"additional_attributes": {}, "availability_status": "offline",
//	                     "email": "zhang@example.com", "id": 5, "name": "Zhang San",
//	                     "phone_number": "+8613900000005", "blocked": false,
//	                     "identifier": null, "thumbnail": "", "custom_attributes": {},
//	                     "last_activity_at": 1732348800, "created_at": 1732000000},
//	          "channel": "Channel::WebWidget",
//	          "assignee": {"id": 3, "account_id": 1, "email": "amy@example.com", "name": "Amy", ...},
//	          "hmac_verified": false},
//	 "id": 42, "account_id": 1, "inbox_id": 2, "status": "open", "messages": [...], ...}
//
// meta.assignee is the agent the conversation is assigned to, not the one
// looking at it (any agent of the inbox can open it), so nothing in the
// answer says who is viewing the dashboard app.
type conversation struct {
	ID   int64 `json:"id"`
	Meta struct {
		Sender Contact `json:"sender"`
	} `json:"meta"`
}

// Verify checks that contactID is the contact of conversationID in
// accountID, on the Chatwoot at baseURL, with token, and returns the contact
// as Chatwoot's API describes it: what a session matches with, instead of
// what the unsigned context claims.
func (c *Client) Verify(ctx context.Context, baseURL, token, accountID, conversationID, contactID string) (Contact, error) {
	if accountID == "" || conversationID == "" {
		return Contact{}, apperr.New(apperr.Invalid, CodeIncomplete,
			"the Chatwoot context has no account or conversation id, so crmlens cannot check it with Chatwoot")
	}
	for _, id := range []string{accountID, conversationID, contactID} {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return Contact{}, apperr.New(apperr.Invalid, CodeIncomplete, "Chatwoot ids must be numbers")
		}
	}
	u := strings.TrimSuffix(baseURL, "/") + "/api/v1/accounts/" + url.PathEscape(accountID) + "/conversations/" + url.PathEscape(conversationID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Contact{}, fmt.Errorf("chatwoot request: %w", err)
	}
	req.Header.Set("api_access_token", token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return Contact{}, apperr.Wrap(err, apperr.Unavailable, CodeUnreachable, "crmlens cannot reach Chatwoot to check this conversation; retry shortly")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Contact{}, apperr.New(apperr.Forbidden, CodeMismatch, "Chatwoot does not know this conversation in this account")
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return Contact{}, apperr.New(apperr.Unavailable, CodeUnreachable, "Chatwoot refused crmlens's API token; an admin must update it")
	case resp.StatusCode != http.StatusOK:
		return Contact{}, apperr.New(apperr.Unavailable, CodeUnreachable, "Chatwoot answered %d; retry shortly", resp.StatusCode)
	}
	var conv conversation
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&conv); err != nil {
		return Contact{}, apperr.Wrap(err, apperr.Unavailable, CodeUnreachable, "Chatwoot's answer could not be read")
	}
	if conv.Meta.Sender.ID == 0 || strconv.FormatInt(conv.Meta.Sender.ID, 10) != contactID {
		return Contact{}, apperr.New(apperr.Forbidden, CodeMismatch, "Chatwoot says this contact is not the one in this conversation")
	}
	return conv.Meta.Sender, nil
}
