package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestDisableEnableDeleteIntegrationAndLayout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		params := map[string]string{"visitorImId": "im-zhang"}
		status, open, e := f.session(t, "acme", params)
		if status != 201 {
			t.Fatalf("session before: %d %+v", status, e)
		}
		f.context(t, open.Token)
		resp, body := f.do(t, "POST", "/api/v1/admin/integrations/acme/disable", "", con.headers(true))
		var in api.Integration
		must(t, json.Unmarshal(body, &in))
		if resp.StatusCode != 200 || in.DisabledAt == nil {
			t.Fatalf("disable: %d %s", resp.StatusCode, body)
		}
		// A session opened before keeps no access: its context and actions
		// are refused as the new session is.
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/api/v1/sidebar/context", ""},
			{"POST", "/api/v1/sidebar/unlink", `{"notThisPerson":false}`},
			{"GET", "/api/v1/sidebar/contacts?q=zhang", ""},
		} {
			resp, body := f.do(t, r.method, r.path, r.body, f.bearer(open.Token))
			if resp.StatusCode != 403 || errCode(string(body)) != "integration_disabled" {
				t.Errorf("%s %s of an open session after disable: %d %s", r.method, r.path, resp.StatusCode, body)
			}
		}
		status, _, e = f.session(t, "acme", params)
		if status != 403 || e.Error.Code != "integration_disabled" || !strings.Contains(e.Error.Message, "disabled") {
			t.Fatalf("session of a disabled integration: %d %+v", status, e)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations/acme/enable", "", con.headers(true))
		if resp.StatusCode != 200 || strings.Contains(string(body), "disabledAt") {
			t.Fatalf("enable: %d %s", resp.StatusCode, body)
		}
		if status, _, e := f.session(t, "acme", params); status != 201 {
			t.Fatalf("session after enable: %d %+v", status, e)
		}
		f.context(t, open.Token)
		if resp, _ := f.do(t, "DELETE", "/api/v1/admin/integrations/acme", "", con.headers(false)); resp.StatusCode != 403 {
			t.Errorf("delete without CSRF: %d", resp.StatusCode)
		}
		resp, body = f.do(t, "DELETE", "/api/v1/admin/integrations/acme", "", con.headers(true))
		var d api.DeletedIntegration
		must(t, json.Unmarshal(body, &d))
		if resp.StatusCode != 200 || d.Slug != "acme" || d.VisitorsDeleted != 1 {
			t.Fatalf("delete: %d %s", resp.StatusCode, body)
		}
		if status, _, e := f.session(t, "acme", params); status != 404 || e.Error.Code != "integration_not_found" {
			t.Errorf("session of a deleted integration: %d %+v", status, e)
		}
		if f.count(t, &model.Contact{}) != 1 {
			t.Error("deleting an integration deleted a contact")
		}

		resp, body = f.do(t, "PUT", "/api/v1/admin/layouts", `{"name":"vip","scope":{"default":true},"panels":[{"object":"contact","fields":["name"]}]}`, con.headers(true))
		if resp.StatusCode != 200 {
			t.Fatalf("put layout: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "DELETE", "/api/v1/admin/layouts/vip", "", con.headers(true)); resp.StatusCode != 204 {
			t.Fatalf("delete layout: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "DELETE", "/api/v1/admin/layouts/vip", "", con.headers(true)); resp.StatusCode != 404 || !strings.Contains(string(body), "layout_not_found") {
			t.Errorf("delete layout again: %d %s", resp.StatusCode, body)
		}
		var actions []string
		must(t, db.Model(&model.AuditEvent{}).Where("actor LIKE ?", "admin:%").Order("id").Pluck("action", &actions).Error)
		if got := strings.Join(actions, ","); got != "integration.disable,integration.enable,integration.delete,layout.change,layout.delete" {
			t.Errorf("audit actions %s", got)
		}
	})
}
