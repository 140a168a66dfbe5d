package server_test

import (
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
)

// TestSpecEnforced sends requests that break openapi.yaml to real routes:
// each is refused before its handler with the 4xx code the API has always
// answered for it, naming the field, and never repeating the value.
func TestSpecEnforced(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		_, sess, _ := f.session(t, "acme", map[string]string{"easemobId": "kefu", "visitorImId": "im-zhang"})
		if sess.Token == "" {
			t.Fatal("no sidebar session")
		}
		admin := f.bearer(con.token)
		sidebar := f.bearer(sess.Token)
		long := func(n int) string { return strings.Repeat("x", n) }
		secret := "s3cr3t-" + long(300)
		tests := []struct {
			name, method, path, body string
			header                   map[string]string
			contentType              string
			status                   int
			code, field              string
			// secret must not be in the answer.
			secret string
		}{
			// A required field missing.
			{"session without integration", "POST", "/api/v1/sidebar/sessions", `{"params":{}}`, nil, "", 400, "missing_integration", "integration", ""},
			{"session without params", "POST", "/api/v1/sidebar/sessions", `{"integration":"acme"}`, nil, "", 400, "missing_params", "params", ""},
			{"session with an empty integration", "POST", "/api/v1/sidebar/sessions", `{"integration":"","params":{}}`, nil, "", 400, "missing_integration", "integration", ""},
			{"session with null params", "POST", "/api/v1/sidebar/sessions", `{"integration":"acme","params":null}`, nil, "", 400, "missing_params", "params", ""},
			{"integration without kind", "POST", "/api/v1/admin/integrations", `{"name":"x"}`, admin, "", 400, "invalid_kind", "kind", ""},
			{"link without contactId", "POST", "/api/v1/sidebar/link", `{}`, sidebar, "", 400, "invalid_request", "contactId", ""},
			{"search without q", "GET", "/api/v1/sidebar/contacts", "", sidebar, "", 400, "invalid_request", "q", ""},
			{"empty body", "POST", "/api/v1/sidebar/link", "", sidebar, "application/json", 400, "invalid_json", "", ""},
			// A string too long.
			{"integration name too long", "POST", "/api/v1/admin/integrations", `{"kind":"easemob","name":"` + long(129) + `"}`, admin, "", 400, "invalid_name", "name", ""},
			{"layout name too long", "PUT", "/api/v1/admin/layouts", `{"name":"` + long(129) + `","scope":{"default":true},"panels":[]}`, admin, "", 400, "invalid_layout", "name", ""},
			{"password too long", "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"` + secret + `"}`, nil, "", 400, "invalid_request", "password", secret},
			{"api token too long", "PATCH", "/api/v1/admin/integrations/acme", `{"apiToken":"` + secret + long(300) + `"}`, admin, "", 400, "invalid_request", "apiToken", secret},
			{"slug in the path too long", "PATCH", "/api/v1/admin/integrations/" + long(65), `{}`, admin, "", 400, "invalid_request", "slug", ""},
			{"nested field too long", "PATCH", "/api/v1/admin/integrations/acme", `{"options":{"tenantId":"` + long(65) + `"}}`, admin, "", 400, "invalid_option", "options.tenantId", ""},
			// A value outside its enum.
			{"import format", "POST", "/api/v1/admin/agents/import", `{"format":"xml","content":"x"}`, admin, "", 400, "import_format", "format", ""},
			{"reveal object", "POST", "/api/v1/sidebar/reveal", `{"object":"pets","recordId":"1","field":"phone"}`, sidebar, "", 400, "invalid_request", "object", ""},
			{"custom field type", "PUT", "/api/v1/admin/fields/contact/vip", `{"label":{"zh":"a","en":"a"},"type":"colour"}`, admin, "", 400, "invalid_field", "type", ""},
			// A value of the wrong type.
			{"param not a string", "POST", "/api/v1/sidebar/sessions", `{"integration":"acme","params":{"visitorImId":7}}`, nil, "", 400, "invalid_json", "params.visitorImId", ""},
			{"grace hours as a string", "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"x","graceHours":"2"}`, admin, "", 400, "invalid_json", "graceHours", ""},
			{"notThisPerson not a boolean", "POST", "/api/v1/sidebar/unlink", `{"notThisPerson":"yes"}`, sidebar, "", 400, "invalid_json", "notThisPerson", ""},
			{"body not JSON", "POST", "/api/v1/sidebar/link", `{"contactId":`, sidebar, "", 400, "invalid_json", "", ""},
			// Query parameters.
			{"limit out of range", "GET", "/api/v1/admin/audit?limit=501", "", admin, "", 400, "invalid_filter", "limit", ""},
			{"limit not a number", "GET", "/api/v1/admin/audit?limit=many", "", admin, "", 400, "invalid_filter", "limit", ""},
			{"audit action too long", "GET", "/api/v1/admin/audit?action=" + long(33), "", admin, "", 400, "invalid_filter", "action", ""},
			{"grace hours out of range", "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"x","graceHours":721}`, admin, "", 400, "invalid_grace", "graceHours", ""},
			// Content type.
			{"form body", "POST", "/api/v1/sidebar/link", `contactId=1`, sidebar, "application/x-www-form-urlencoded", 415, "unsupported_media_type", "", ""},
			// Credentials.
			{"admin route without credentials", "GET", "/api/v1/admin/integrations", "", nil, "", 401, "unauthorized", "", ""},
			{"sidebar route without credentials", "GET", "/api/v1/sidebar/context", "", nil, "", 401, "unauthorized", "", ""},
			{"admin route with a sidebar token", "GET", "/api/v1/admin/integrations", "", sidebar, "", 403, "forbidden", "", sess.Token},
			{"sidebar route with an admin token", "GET", "/api/v1/sidebar/context", "", admin, "", 401, "unauthorized", "", con.token},
			{"admin route with a bad scheme", "GET", "/api/v1/admin/integrations", "", map[string]string{"Authorization": "Basic " + secret}, "", 401, "unauthorized", "", secret},
			{"cookie write without CSRF", "POST", "/api/v1/admin/integrations", `{"kind":"easemob"}`, con.headers(false), "", 403, "csrf_missing", "", ""},
			{"cookie write with a wrong CSRF", "POST", "/api/v1/admin/integrations", `{"kind":"easemob"}`, map[string]string{"Cookie": con.cookie, "X-CSRF-Token": "nope"}, "", 403, "csrf_mismatch", "", ""},
			{"credentials are checked before the body", "POST", "/api/v1/admin/integrations", `{"kind":"wechat"}`, nil, "", 401, "unauthorized", "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				h := map[string]string{}
				for k, v := range tc.header {
					h[k] = v
				}
				if tc.contentType != "" {
					h["Content-Type"] = tc.contentType
				}
				resp, body := f.do(t, tc.method, tc.path, tc.body, h)
				e := apiError(t, body)
				if resp.StatusCode != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
					t.Fatalf("%d %s, want %d %s", resp.StatusCode, body, tc.status, tc.code)
				}
				got := fieldsOf(e)
				if tc.field == "" && len(got) != 0 || tc.field != "" && (len(got) != 1 || got[0] != tc.field) {
					t.Errorf("fields %v, want [%s]", got, tc.field)
				}
				if tc.field != "" && !strings.Contains(e.Error.Message, tc.field) {
					t.Errorf("message %q does not name %s", e.Error.Message, tc.field)
				}
				if tc.secret != "" && strings.Contains(string(body), tc.secret[:20]) {
					t.Errorf("the answer repeats the rejected value: %s", body)
				}
			})
		}
		// What passes the spec reaches the handler, credentials and all.
		if resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", admin); resp.StatusCode != 200 {
			t.Errorf("admin bearer: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", con.headers(false)); resp.StatusCode != 200 {
			t.Errorf("admin cookie: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "GET", "/api/v1/sidebar/context", "", sidebar); resp.StatusCode != 200 {
			t.Errorf("sidebar token: %d %s", resp.StatusCode, body)
		}
		// The sidebar page answers its 404 page (HTML, in the frame) for any
		// slug no integration has, however long.
		if resp, body := f.do(t, "GET", "/sidebar/"+long(65), "", nil); resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("long slug page: %d %s", resp.StatusCode, body)
		}
		charset := map[string]string{"Authorization": admin["Authorization"], "Content-Type": "application/json; charset=utf-8"}
		if resp, body := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"name":"Acme"}`, charset); resp.StatusCode != 200 {
			t.Errorf("JSON with a charset: %d %s", resp.StatusCode, body)
		}
	})
}

// Requests the spec refuses count as failures where the handler counts
// them (sidebar sessions, sign-ins, password checks): a client cannot try
// without limit by breaking the spec.
func TestSpecViolationsAreRateLimited(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		console                  bool
	}{
		{"session without integration", "POST", "/api/v1/sidebar/sessions", `{"params":{}}`, false},
		{"session with a number for a param", "POST", "/api/v1/sidebar/sessions", `{"integration":"acme","params":{"a":1}}`, false},
		{"sign-in without a password", "POST", "/api/v1/admin/session", `{"email":"ops@example.com"}`, false},
		{"password change with a too long password", "POST", "/api/v1/admin/password", `{"currentPassword":"` + strings.Repeat("p", 257) + `","newPassword":"a brand new password"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := dbtest.Open(t, database.SQLite)
			f := startWith(t, db, 3)
			h := map[string]string{}
			if tc.console {
				h = f.signIn(t).headers(true)
			}
			var statuses []int
			for range 5 {
				resp, _ := f.do(t, tc.method, tc.path, tc.body, h)
				statuses = append(statuses, resp.StatusCode)
			}
			if want := []int{400, 400, 400, 429, 429}; !slices.Equal(statuses, want) {
				t.Errorf("statuses %v, want %v", statuses, want)
			}
		})
	}
}
