package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/server"
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
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			resp, body := f.do(t, r.Method, path, big, nil)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s %s with %d bytes: %d %s", r.Method, path, len(big), resp.StatusCode, body)
			}
			if r.Method != http.MethodHead && !strings.Contains(string(body), `"code":"body_too_large"`) {
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
