package chatwoot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/chatwoot"
)

// fakeChatwoot answers GET /api/v1/accounts/1/conversations/{id} the way
// Chatwoot's API does (the fields crmlens reads), for the token "tok".
// Chatwoot itself cannot run on this machine.
func fakeChatwoot(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("api_access_token") != "tok" {
			http.Error(w, `{"error":"Invalid Access Token"}`, http.StatusUnauthorized)
			return
		}
		switch r.PathValue("id") {
		case "10":
			w.Write([]byte(`{"id":10,"account_id":1,"meta":{"sender":{"id":42,"name":"Zhang San"}}}`))
		case "11":
			w.Write([]byte(`{"id":11,"account_id":1,"meta":{"sender":{"id":77}}}`))
		case "500":
			http.Error(w, "boom", 500)
		default:
			http.Error(w, `{"error":"Resource could not be found"}`, http.StatusNotFound)
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
	}{
		{"matches", "tok", "1", "10", "42", ""},
		{"another contact", "tok", "1", "11", "42", chatwoot.CodeMismatch},
		{"unknown conversation", "tok", "1", "99", "42", chatwoot.CodeMismatch},
		{"wrong token", "bad", "1", "10", "42", chatwoot.CodeUnreachable},
		{"chatwoot down", "tok", "1", "500", "42", chatwoot.CodeUnreachable},
		{"no conversation id", "tok", "1", "", "42", chatwoot.CodeIncomplete},
		{"id not a number", "tok", "1", "10/../11", "42", chatwoot.CodeIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Verify(context.Background(), srv.URL, tt.token, tt.account, tt.conv, tt.contact)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if e := apperr.As(err); e == nil || e.Code != tt.want {
				t.Fatalf("Verify = %v, want %s", err, tt.want)
			}
		})
	}
	if err := c.Verify(context.Background(), "http://127.0.0.1:1", "tok", "1", "10", "42"); apperr.As(err) == nil || apperr.As(err).Code != chatwoot.CodeUnreachable {
		t.Errorf("unreachable server: %v", err)
	}
}
