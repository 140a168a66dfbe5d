package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

// TestSignOutRevokesTheToken: after sign-out the same token, as a bearer
// token or as the console's cookie, is refused with 401 on every admin
// request, on both engines. Before, sign-out only cleared the cookie and a
// copied token stayed valid until it expired.
func TestSignOutRevokesTheToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		bearer := map[string]string{"Authorization": "Bearer " + con.token}
		if resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", bearer); resp.StatusCode != 200 {
			t.Fatalf("before sign-out: %d %s", resp.StatusCode, body)
		}
		// The console signs out with its cookie (and CSRF header).
		if resp, body := f.do(t, "DELETE", "/api/v1/admin/session", "", con.headers(true)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("sign out: %d %s", resp.StatusCode, body)
		}
		for name, h := range map[string]map[string]string{"bearer": bearer, "cookie": con.headers(false)} {
			for _, path := range []string{"/api/v1/admin/integrations", "/api/v1/admin/session"} {
				resp, body := f.do(t, "GET", path, "", h)
				if resp.StatusCode != http.StatusUnauthorized || apiError(t, body).Error.Code == "" {
					t.Errorf("%s %s after sign-out: %d %s; want 401", name, path, resp.StatusCode, body)
				}
			}
		}
		// Another session of the same admin is not affected.
		resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"`+adminPassword+`"}`, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("sign in again: %d %s", resp.StatusCode, body)
		}
		var again struct{ Token string }
		must(t, json.Unmarshal(body, &again))
		if resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", map[string]string{"Authorization": "Bearer " + again.Token}); resp.StatusCode != 200 {
			t.Errorf("a new session after sign-out: %d %s", resp.StatusCode, body)
		}
		// Signing out with a bearer token revokes it too; without one is 204.
		if resp, _ := f.do(t, "DELETE", "/api/v1/admin/session", "", map[string]string{"Authorization": "Bearer " + again.Token}); resp.StatusCode != http.StatusNoContent {
			t.Errorf("bearer sign-out: %d", resp.StatusCode)
		}
		if resp, _ := f.do(t, "GET", "/api/v1/admin/integrations", "", map[string]string{"Authorization": "Bearer " + again.Token}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bearer token after its sign-out: %d, want 401", resp.StatusCode)
		}
		if resp, _ := f.do(t, "DELETE", "/api/v1/admin/session", "", nil); resp.StatusCode != http.StatusNoContent {
			t.Errorf("sign-out without a session: %d", resp.StatusCode)
		}
	})
}

// TestSignInTakesJSONOnly: a form or text body (what a cross-site page can
// post without a preflight) is refused with 415 in the JSON error shape,
// and signs nobody in.
func TestSignInTakesJSONOnly(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	f.signIn(t)
	creds := `{"email":"ops@example.com","password":"` + adminPassword + `"}`
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""} {
		resp, body := f.do(t, "POST", "/api/v1/admin/session", creds, map[string]string{"Content-Type": ct})
		if resp.StatusCode != http.StatusUnsupportedMediaType || apiError(t, body).Error.Code != "unsupported_media_type" {
			t.Errorf("sign-in as %q: %d %s; want 415 unsupported_media_type", ct, resp.StatusCode, body)
		}
		if len(resp.Cookies()) > 0 {
			t.Errorf("sign-in as %q set a cookie", ct)
		}
	}
	if resp, body := f.do(t, "POST", "/api/v1/admin/session", creds, map[string]string{"Content-Type": "application/json; charset=utf-8"}); resp.StatusCode != 201 {
		t.Errorf("sign-in as JSON with a charset: %d %s", resp.StatusCode, body)
	}
}

// TestNamesRefuseControlAndBidiCharacters: integration names, layout
// names and custom field labels holding NUL, another control character or
// a bidirectional override/isolate are refused with 400 naming the field,
// and nothing is written; an agent group name alike.
func TestNamesRefuseControlAndBidiCharacters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		bad := []string{`Acme\u0000`, `Acme\u0007`, `Acme\u001b[31m`, `\u202eemca`, `A\u202aB`, `A\u2066B\u2069`, `A\u2068B`, `Line\nbreak`}
		for _, name := range bad {
			cases := []struct {
				method, path, body, field string
				model                     any
			}{
				{"POST", "/api/v1/admin/integrations", `{"kind":"easemob","name":"` + name + `"}`, "name", &model.Integration{}},
				{"PATCH", "/api/v1/admin/integrations/acme", `{"name":"` + name + `"}`, "name", &model.Integration{}},
				{"PUT", "/api/v1/admin/layouts", `{"name":"` + name + `","scope":{"default":true},"panels":[{"object":"contact","fields":["name"]}]}`, "name", &model.Layout{}},
				{"PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"` + name + `"},"type":"text"}`, "label", &model.CustomField{}},
				{"PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"` + name + `","en":"Level"},"type":"text"}`, "label", &model.CustomField{}},
			}
			for _, tc := range cases {
				before := f.count(t, tc.model)
				resp, body := f.do(t, tc.method, tc.path, tc.body, con.headers(true))
				if resp.StatusCode != http.StatusBadRequest || !slices.Contains(fieldsOf(apiError(t, body)), tc.field) {
					t.Errorf("%s %s with %s: %d %s; want 400 naming %s", tc.method, tc.path, name, resp.StatusCode, body, tc.field)
				}
				if after := f.count(t, tc.model); after != before {
					t.Errorf("%s %s with %s wrote a row", tc.method, tc.path, name)
				}
			}
			var integ model.Integration
			must(t, db.Where("slug = ?", "acme").Take(&integ).Error)
			if integ.Name != "Acme" {
				t.Errorf("the integration was renamed to %q", integ.Name)
			}
		}
		// Agent group names (the console and the agents import both set them here).
		_, err := agents.New(db, nil).SetGroups(context.Background(), 1, []string{"vip\u202e"}, nil)
		if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != "groups" {
			t.Errorf("group name with a bidi override: %v", err)
		}
		// Ordinary names pass: Chinese, accents, emoji, spaces.
		resp, body := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"name":"上海 Café 🚀"}`, con.headers(true))
		if resp.StatusCode != 200 {
			t.Errorf("an ordinary name: %d %s", resp.StatusCode, body)
		}
	})
}
