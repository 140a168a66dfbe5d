// Package chatwoot asks a Chatwoot server whether a contact really is the
// one in a conversation. Chatwoot's dashboard-app context is not signed, so
// this check, made with the admin's API token, is what stops a caller from
// claiming any contact id.
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

// conversation is the part of Chatwoot's conversation answer we read.
type conversation struct {
	ID   int64 `json:"id"`
	Meta struct {
		Sender struct {
			ID int64 `json:"id"`
		} `json:"sender"`
	} `json:"meta"`
}

// Verify checks that contactID is the contact of conversationID in
// accountID, on the Chatwoot at baseURL, with token.
func (c *Client) Verify(ctx context.Context, baseURL, token, accountID, conversationID, contactID string) error {
	if accountID == "" || conversationID == "" {
		return apperr.New(apperr.Invalid, CodeIncomplete,
			"the Chatwoot context has no account or conversation id, so crmlens cannot check it with Chatwoot")
	}
	for _, id := range []string{accountID, conversationID, contactID} {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return apperr.New(apperr.Invalid, CodeIncomplete, "Chatwoot ids must be numbers")
		}
	}
	u := strings.TrimSuffix(baseURL, "/") + "/api/v1/accounts/" + url.PathEscape(accountID) + "/conversations/" + url.PathEscape(conversationID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("chatwoot request: %w", err)
	}
	req.Header.Set("api_access_token", token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, CodeUnreachable, "crmlens cannot reach Chatwoot to check this conversation; retry shortly")
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return apperr.New(apperr.Forbidden, CodeMismatch, "Chatwoot does not know this conversation in this account")
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return apperr.New(apperr.Unavailable, CodeUnreachable, "Chatwoot refused crmlens's API token; an admin must update it")
	case resp.StatusCode != http.StatusOK:
		return apperr.New(apperr.Unavailable, CodeUnreachable, "Chatwoot answered %d; retry shortly", resp.StatusCode)
	}
	var conv conversation
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&conv); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, CodeUnreachable, "Chatwoot's answer could not be read")
	}
	if strconv.FormatInt(conv.Meta.Sender.ID, 10) != contactID {
		return apperr.New(apperr.Forbidden, CodeMismatch, "Chatwoot says this contact is not the one in this conversation")
	}
	return nil
}
