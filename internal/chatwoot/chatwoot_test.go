package chatwoot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/chatwoot"
)

// conversation42 is what GET /api/v1/accounts/1/conversations/42 answers on
// Chatwoot (app/views/api/v1/conversations/partials/_conversation.json.jbuilder,
// the contact under meta.sender through models/_contact.json.jbuilder, the
// assignee through models/_agent.json.jbuilder; messages holds the last
// one), trimmed of nothing crmlens could misread.
const conversation42 = `{
  "meta": {
    "sender": {"additional_attributes": {"city": "Shanghai"}, "availability_status": "offline",
      "email": "wang@example.com", "id": 5, "name": "Wang Wu", "phone_number": "+8613700000005",
      "blocked": false, "identifier": "C-5", "thumbnail": "", "custom_attributes": {"tier": "gold"},
      "last_activity_at": 1763884800, "created_at": 1763800000},
    "channel": "Channel::WebWidget",
    "assignee": {"id": 3, "account_id": 1, "availability_status": "online", "auto_offline": true,
      "confirmed": true, "email": "vip@example.com", "available_name": "Amy", "name": "Amy",
      "role": "agent", "thumbnail": ""},
    "hmac_verified": false
  },
  "id": 42,
  "messages": [{"id": 901, "content": "hello", "inbox_id": 2, "conversation_id": 42, "message_type": 0,
    "sender": {"id": 5, "name": "Wang Wu", "email": "wang@example.com", "type": "contact"}}],
  "account_id": 1, "uuid": "8f0c2a4e-0000-4000-8000-000000000042", "additional_attributes": {},
  "agent_last_seen_at": 0, "assignee_last_seen_at": 0, "can_reply": true, "contact_last_seen_at": 0,
  "custom_attributes": {}, "inbox_id": 2, "labels": [], "muted": false, "snoozed_until": null,
  "status": "open", "created_at": 1763880000, "timestamp": 1763884800, "unread_count": 1,
  "priority": null, "waiting_since": 0, "sla_policy_id": null
}`

// fakeChatwoot answers GET /api/v1/accounts/1/conversations/{id} the way
// Chatwoot's API does, for the token "tok". Chatwoot itself cannot run on
// this machine.
func fakeChatwoot(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("api_access_token") != "tok" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"You need to sign in or sign up before continuing."}`))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch r.PathValue("id") {
		case "42":
			w.Write([]byte(conversation42))
		case "11":
			// A contact Chatwoot knows nothing more of: null e-mail,
			// phone and identifier.
			w.Write([]byte(`{"meta":{"sender":{"additional_attributes":{},"availability_status":"offline","email":null,"id":77,"name":"visitor-77","phone_number":null,"blocked":false,"identifier":null,"thumbnail":"","custom_attributes":{}},"channel":"Channel::WebWidget","hmac_verified":false},"id":11,"messages":[],"account_id":1,"status":"open"}`))
		case "500":
			http.Error(w, "boom", 500)
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"Resource could not be found"}`))
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestVerify(t *testing.T) {
	srv := fakeChatwoot(t)
	c := chatwoot.New(nil)
	tests := []struct {
		name, token, account, conv, contact string
		want                                string // "" for ok, else an error code
		sender                              chatwoot.Contact
	}{
		{name: "matches", token: "tok", account: "1", conv: "42", contact: "5",
			sender: chatwoot.Contact{ID: 5, Email: "wang@example.com", PhoneNumber: "+8613700000005", Identifier: "C-5", Name: "Wang Wu"}},
		{name: "nulls", token: "tok", account: "1", conv: "11", contact: "77", sender: chatwoot.Contact{ID: 77, Name: "visitor-77"}},
		{name: "another contact", token: "tok", account: "1", conv: "11", contact: "5", want: chatwoot.CodeMismatch},
		{name: "unknown conversation", token: "tok", account: "1", conv: "99", contact: "5", want: chatwoot.CodeMismatch},
		{name: "wrong token", token: "bad", account: "1", conv: "42", contact: "5", want: chatwoot.CodeUnreachable},
		{name: "chatwoot down", token: "tok", account: "1", conv: "500", contact: "5", want: chatwoot.CodeUnreachable},
		{name: "no conversation id", token: "tok", account: "1", conv: "", contact: "5", want: chatwoot.CodeIncomplete},
		{name: "id not a number", token: "tok", account: "1", conv: "10/../11", contact: "5", want: chatwoot.CodeIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Verify(context.Background(), srv.URL, tt.token, tt.account, tt.conv, tt.contact)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got != tt.sender {
					t.Errorf("Verify = %+v, want %+v", got, tt.sender)
				}
				return
			}
			if e := apperr.As(err); e == nil || e.Code != tt.want {
				t.Fatalf("Verify = %v, want %s", err, tt.want)
			}
		})
	}
	if _, err := c.Verify(context.Background(), "http://127.0.0.1:1", "tok", "1", "42", "5"); apperr.As(err) == nil || apperr.As(err).Code != chatwoot.CodeUnreachable {
		t.Errorf("unreachable server: %v", err)
	}
}
