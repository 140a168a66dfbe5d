package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/ratelimit"
	"github.com/crmlens/crmlens/internal/server"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// TestBodyLimitOnEveryRoute sends a body one byte over the limit to every
// registered route, as listed by Echo, so that a route added later is
// covered too; each answers 413 body_too_large before any handler work.
// Bodies without a Content-Length (chunked) are cut while being read.
func TestBodyLimitOnEveryRoute(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	routes := server.New(server.Deps{DB: db}).Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes listed", len(routes))
	}
	big := strings.Repeat("a", server.MaxBodyBytes+1)
	checked := 0
	for _, r := range routes {
		path := r.Path
		var parts []string
		for _, p := range strings.Split(path, "/") {
			if strings.HasPrefix(p, ":") || p == "*" {
				p = "x"
			}
			parts = append(parts, p)
		}
		path = strings.Join(parts, "/")
		// The sync routes take bodies up to importer.MaxSyncBytes.
		over, code := big, "body_too_large"
		if strings.HasPrefix(r.Path, "/api/v1/sync/") {
			over, code = strings.Repeat("a", importer.MaxSyncBytes+1), importer.CodeSyncTooLarge
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			resp, body := f.do(t, r.Method, path, over, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s %s with %d bytes: %d %s", r.Method, path, len(over), resp.StatusCode, body)
			}
			if r.Method != http.MethodHead && !strings.Contains(string(body), `"code":"`+code+`"`) {
				t.Errorf("body = %s", body)
			}
		})
		checked++
	}
	for _, path := range []string{"/api/v1/sidebar/sessions", "/api/v1/admin/session"} {
		t.Run("chunked "+path, func(t *testing.T) {
			// An io.Reader of unknown length is sent chunked.
			body := io.MultiReader(strings.NewReader(`{"integration":"`), strings.NewReader(big), strings.NewReader(`"}`))
			req, err := http.NewRequest("POST", f.url+path, body)
			must(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if req.ContentLength != 0 && req.ContentLength != -1 {
				t.Fatalf("the request has a Content-Length (%d); it must be chunked", req.ContentLength)
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "body_too_large") {
				t.Errorf("chunked %s: %d %s", path, resp.StatusCode, b)
			}
		})
	}
	t.Logf("%d routes checked", checked)
}

// startLimited is start with a failure limiter of burst failures refilled
// at perMinute a minute on the clock now, for tests that move time by hand.
func startLimited(t *testing.T, db *gorm.DB, burst int, perMinute float64, now func() time.Time) *fixture {
	t.Helper()
	f := start(t, db)
	ctx := context.Background()
	tokens, err := sessiontoken.New(ctx, db, f.keys, nil)
	must(t, err)
	agentDir := agents.New(db, nil)
	layouts := layout.NewStore(db, nil).WithAgentGroups(agentDir)
	h := server.New(server.Deps{
		DB: db, Tokens: tokens, Assets: assets, Layouts: layouts, Agents: agentDir,
		Sidebar:      sidebar.New(sidebar.Deps{DB: db, Tokens: tokens, Integrations: f.integrations, Layouts: layouts, Agents: agentDir}),
		Integrations: f.integrations, Admins: f.admins,
		Failures: ratelimit.New(burst, perMinute, now),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// TestOfficeBehindOneAddress: every agent of an office shares one NAT
// address. Failures are limited per address and integration, and only
// failing requests are refused: a colleague's broken link never locks out
// a request whose params verify.
func TestOfficeBehindOneAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
		f := startLimited(t, db, 20, 10, func() time.Time { return now }) // 20 failures, one back every 6 s
		f.create(t, integration.Input{Slug: "branch", Kind: "easemob", Key: testKey})
		good := map[string]string{"visitorImId": "im-zhang", "agentName": f.cipher.Encrypt("Amy")}
		bad := map[string]string{"easemobId": "e-1"} // no visitorImId: missing_param

		failUntilBlocked := func(t *testing.T, slug string, wantStatus int) {
			t.Helper()
			for i := 0; i < 20; i++ {
				if status, _, e := f.session(t, slug, bad); status != wantStatus {
					t.Fatalf("%s failure %d: %d %+v, want %d", slug, i+1, status, e, wantStatus)
				}
			}
			for i := 0; i < 5; i++ {
				resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, slug, bad), nil)
				var e api.Error
				if resp.StatusCode != 429 || json.Unmarshal(body, &e) != nil || e.Error.Code != "rate_limited" || e.Error.Message == "" {
					t.Fatalf("%s failure %d after the burst: %d %s, want 429 rate_limited", slug, 21+i, resp.StatusCode, body)
				}
				if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 7 {
					t.Fatalf("Retry-After = %q, want 1 to 7 seconds", resp.Header.Get("Retry-After"))
				}
			}
		}

		failUntilBlocked(t, "acme", 400)
		// The address is blocked on acme, yet a request that verifies opens
		// its session, again and again.
		for i := 0; i < 3; i++ {
			if status, sess, e := f.session(t, "acme", good); status != 201 || sess.Contact == nil {
				t.Fatalf("valid request %d after 25 failures: %d %+v", i+1, status, e)
			}
		}
		// Failures on another integration are counted on their own.
		failUntilBlocked(t, "branch", 400)
		// Unknown slugs share one allowance per address, whatever the slug.
		for i := 0; i < 20; i++ {
			if status, _, e := f.session(t, fmt.Sprintf("guess-%d", i), bad); status != 404 {
				t.Fatalf("unknown slug %d: %d %+v", i, status, e)
			}
		}
		if status, _, e := f.session(t, "guess-x", bad); status != 429 || e.Error.Code != "rate_limited" {
			t.Fatalf("unknown slug after 20: %d %+v", status, e)
		}
		if status, _, e := f.session(t, "ACME", bad); status != 429 {
			t.Fatalf("acme in capitals is not a fresh allowance: %d %+v", status, e)
		}
		if status, _, e := f.session(t, "branch", good); status != 201 {
			t.Fatalf("valid branch request while every allowance is used: %d %+v", status, e)
		}
		// Malformed bodies name no integration: the no-integration allowance.
		if resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", "{", nil); resp.StatusCode != 429 {
			t.Fatalf("malformed body from the blocked address: %d %s", resp.StatusCode, body)
		}

		// One failure comes back every 6 seconds.
		now = now.Add(6 * time.Second)
		if status, _, e := f.session(t, "acme", bad); status != 400 || e.Error.Code != "missing_param" {
			t.Fatalf("failure after 6 s: %d %+v, want its own error", status, e)
		}
		if status, _, _ := f.session(t, "acme", bad); status != 429 {
			t.Fatalf("second failure after 6 s: %d, want 429", status)
		}

		// The console's sign-in limiter is the address's own: sidebar
		// failures do not count against it.
		if resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"nobody@example.com","password":"wrong password here"}`, nil); resp.StatusCode == 429 {
			t.Fatalf("console sign-in blocked by sidebar failures: %s", body)
		}
	})
}
