package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/servicetoken"
)

func TestTokenCommands(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "t.db")
	t.Setenv("CRMLENS_DATABASE_URL", url)
	out, err := run(t, "token", "create", "--name", "crm-nightly", "--scope", "sync")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	secret := lines[len(lines)-1]
	if !regexp.MustCompile(`^crml_sync_[A-Za-z0-9_-]{43}$`).MatchString(secret) || !strings.Contains(out, "shown this once") {
		t.Fatalf("token create printed:\n%s", out)
	}
	db, _, err := database.Open(t.Context(), url, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	if tok, err := servicetoken.NewStore(db).Authenticate(t.Context(), secret, servicetoken.ScopeSync); err != nil || tok.Name != "crm-nightly" {
		t.Fatalf("the printed token does not authenticate: %+v, %v", tok, err)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"name taken", []string{"token", "create", "--name", "crm-nightly", "--scope", "sync"}, "already exists"},
		{"unknown scope", []string{"token", "create", "--name", "other", "--scope", "admin"}, "the scopes are sync"},
		{"no scope", []string{"token", "create", "--name", "other"}, `"scope" not set`},
		{"bad name", []string{"token", "create", "--name", "CRM Nightly", "--scope", "sync"}, "a-z, 0-9"},
		{"revoke unknown", []string{"token", "revoke", "--name", "nobody"}, "crmlens token list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v: err = %v, want %q\n%s", tc.args, err, tc.want, out)
			}
		})
	}

	// The token was used once above: LAST USED is a time, REVOKED "-".
	out, err = run(t, "token", "list")
	if err != nil || !regexp.MustCompile(`(?m)^NAME\s+SCOPE\s+CREATED\s+LAST USED\s+REVOKED\ncrm-nightly\s+sync\s+\d{4}-\S+\s+\d{4}-\S+\s+-$`).MatchString(out) {
		t.Errorf("token list: %v\n%s", err, out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, secret[len("crml_sync_"):]) {
		t.Errorf("token list shows the token:\n%s", out)
	}
	if out, err = run(t, "token", "revoke", "--name", "crm-nightly"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if _, err := servicetoken.NewStore(db).Authenticate(t.Context(), secret, servicetoken.ScopeSync); apperr.As(err) == nil || apperr.As(err).Code != servicetoken.CodeRevoked {
		t.Errorf("a revoked token authenticates: %v", err)
	}
	out, err = run(t, "token", "list")
	if err != nil || !regexp.MustCompile(`(?m)^crm-nightly\s+sync\s+\d{4}-\S+\s+\d{4}-\S+\s+\d{4}-\S+$`).MatchString(out) {
		t.Errorf("token list after revoke: %v\n%s", err, out)
	}
	out, err = run(t, "audit", "export", "--actor", "token:crm-nightly", "--action", "token.revoke")
	if err != nil || !strings.Contains(out, `"action":"token.revoke"`) || strings.Contains(out, `"action":"token.create"`) {
		t.Errorf("audit export --action token.revoke: %v\n%s", err, out)
	}
	out, err = run(t, "audit", "export", "--actor", "token:crm-nightly")
	if err != nil || !strings.Contains(out, `"action":"token.create"`) || !strings.Contains(out, `"action":"token.revoke"`) {
		t.Errorf("audit of the token: %v\n%s", err, out)
	}
}

// TestTokenSyncsAgainstServe is docs/sync.md's road: `crmlens token create`
// prints the token as its last line, and a served instance on the same
// database takes it on the sync routes (and only there).
func TestTokenSyncsAgainstServe(t *testing.T) {
	vars := sqliteVars(t)
	t.Setenv("CRMLENS_DATABASE_URL", vars["CRMLENS_DATABASE_URL"])
	in := startInstance(t, vars)
	in.waitHealthy(t)
	out, err := run(t, "token", "create", "--name", "curl-example", "--scope", "sync")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	auth := bearer(lines[len(lines)-1])
	for _, tc := range []struct {
		name, method, path, contentType, body string
		status                                int
		says                                  string
	}{
		{"accounts as ndjson", "POST", "/api/v1/sync/accounts", "application/x-ndjson",
			`{"external_id":"SYNC-A1","name":"Acme Trading","tier":"smb","updated_at":"2026-12-01T08:00:00Z"}` + "\n", 200, `"created":1`},
		{"contacts as a json array", "POST", "/api/v1/sync/contacts", "application/json",
			`[{"external_id":"SYNC-C1","name":"李娜","phone":"13900001111","account_external_id":"SYNC-A1","updated_at":"2026-12-01T08:00:00Z","identities":[{"channel":"easemob","external_id":"sync-visitor-1"}]}]`,
			200, `"identities":1`},
		{"the token on an admin route", "GET", "/api/v1/admin/agents", "", "", 401, "/api/v1/sync only"},
		{"delete the contact", "DELETE", "/api/v1/sync/contacts/SYNC-C1", "", "", 204, ""},
		{"delete it again", "DELETE", "/api/v1/sync/contacts/SYNC-C1", "", "", 404, "sync_not_found"},
	} {
		h := map[string]string{"Authorization": auth["Authorization"]}
		if tc.contentType != "" {
			h["Content-Type"] = tc.contentType
		}
		resp, b := in.do(t, tc.method, tc.path, tc.body, h)
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, resp.StatusCode, b, tc.status, tc.says)
		}
	}
	if strings.Contains(in.logs.String(), lines[len(lines)-1]) {
		t.Error("the service token is in the server's log")
	}
}
