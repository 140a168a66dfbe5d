package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

const adminPassword = "correct horse battery"

// console is a signed-in console: its cookie and CSRF token.
type console struct {
	cookie string // name=value
	csrf   string
	token  string
}

// signIn creates ops@example.com and signs in as the console does.
func (f *fixture) signIn(t *testing.T) console {
	t.Helper()
	if _, err := f.admins.Create(context.Background(), "ops@example.com", adminPassword); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"`+adminPassword+`"}`, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
	var as api.AdminSession
	must(t, json.Unmarshal(body, &as))
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "crmlens_admin" {
			ck = c
		}
	}
	if ck == nil {
		t.Fatalf("no session cookie in %v", resp.Header.Values("Set-Cookie"))
	}
	return console{cookie: ck.Name + "=" + ck.Value, csrf: as.CsrfToken, token: as.Token}
}

// headers are the console's headers for a write (with CSRF) or a read.
func (c console) headers(write bool) map[string]string {
	h := map[string]string{"Cookie": c.cookie}
	if write {
		h["X-CSRF-Token"] = c.csrf
	}
	return h
}

func apiError(t *testing.T, body []byte) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error body: %s", body)
	}
	return e
}

func fieldsOf(e api.Error) []string {
	var out []string
	if e.Error.Fields != nil {
		for _, f := range *e.Error.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

func TestConsoleCookieSessionAndCSRF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"wrong"}`, nil)
		if e := apiError(t, body); resp.StatusCode != 401 || e.Error.Code != "bad_credentials" || len(resp.Cookies()) != 0 {
			t.Errorf("wrong credentials: %d %s cookies %v", resp.StatusCode, body, resp.Cookies())
		}
		con := f.signIn(t)
		resp, _ = f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"`+adminPassword+`"}`, nil)
		raw := strings.Join(resp.Header.Values("Set-Cookie"), "\n")
		for _, want := range []string{"crmlens_admin=", "Path=/api/v1/admin", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age=28800"} {
			if !strings.Contains(raw, want) {
				t.Errorf("Set-Cookie %q lacks %s", raw, want)
			}
		}

		resp, body = f.do(t, "GET", "/api/v1/admin/session", "", con.headers(false))
		var info api.AdminSessionInfo
		must(t, json.Unmarshal(body, &info))
		if resp.StatusCode != 200 || info.Email != "ops@example.com" || info.CsrfToken != con.csrf || con.csrf == "" {
			t.Errorf("current session: %d %s", resp.StatusCode, body)
		}

		create := `{"kind":"easemob","name":"Kefu","origins":["https://kefu.easemob.com"]}`
		tests := []struct {
			name    string
			headers map[string]string
			status  int
			code    string
		}{
			{"cookie without the CSRF header", con.headers(false), 403, "csrf_missing"},
			{"cookie with another CSRF token", map[string]string{"Cookie": con.cookie, "X-CSRF-Token": "0123456789abcdef01234567"}, 403, "csrf_mismatch"},
			{"no session", nil, 401, "unauthorized"},
			{"cookie with its CSRF token", con.headers(true), 201, ""},
			{"bearer needs no CSRF token", map[string]string{"Authorization": "Bearer " + con.token}, 201, ""},
		}
		for _, tc := range tests {
			before := f.count(t, &model.Integration{})
			resp, body := f.do(t, "POST", "/api/v1/admin/integrations", create, tc.headers)
			after := f.count(t, &model.Integration{})
			if resp.StatusCode != tc.status {
				t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
				continue
			}
			if tc.code != "" {
				if e := apiError(t, body); e.Error.Code != tc.code || e.Error.Message == "" {
					t.Errorf("%s: %s", tc.name, body)
				}
				if after != before {
					t.Errorf("%s: an integration was written", tc.name)
				}
				continue
			}
			var created api.CreatedIntegration
			must(t, json.Unmarshal(body, &created))
			if after != before+1 || created.Key == nil || len(*created.Key) < 9 || !strings.HasSuffix(created.Integration.SidebarUrl, "/sidebar/"+created.Integration.Slug) {
				t.Errorf("%s: %s", tc.name, body)
			}
		}

		// An expired session is a 401 that says so.
		past, err := sessiontoken.New(context.Background(), db, f.keys, func() time.Time { return time.Now().Add(-9 * time.Hour) })
		must(t, err)
		var a model.Admin
		must(t, db.Take(&a).Error)
		old, _, err := past.IssueAdminSession(a.ID, a.Email, admin.Stamp(a.PasswordHash), "")
		must(t, err)
		resp, body = f.do(t, "GET", "/api/v1/admin/integrations", "", map[string]string{"Cookie": "crmlens_admin=" + old})
		if e := apiError(t, body); resp.StatusCode != 401 || e.Error.Code != "token_expired" || !strings.Contains(e.Error.Message, "sign in again") {
			t.Errorf("expired session: %d %s", resp.StatusCode, body)
		}

		resp, _ = f.do(t, "DELETE", "/api/v1/admin/session", "", con.headers(false))
		raw = strings.Join(resp.Header.Values("Set-Cookie"), "\n")
		if resp.StatusCode != 204 || !strings.Contains(raw, "crmlens_admin=;") || !strings.Contains(raw, "Max-Age=0") {
			t.Errorf("sign out: %d %q", resp.StatusCode, raw)
		}
	})
}

func TestConsolePageHeaders(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	resp, body := f.do(t, "GET", "/admin", "", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<title>admin</title>") || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("/admin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// Bad input: a 4xx naming the field, and nothing written.
func TestConsoleBadInputWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		var before model.Integration
		must(t, db.Where("slug = ?", "acme").Take(&before).Error)
		tests := []struct {
			name, method, path, body string
			status                   int
			code, field              string
			model                    any
		}{
			{"easemob key too short", "POST", "/api/v1/admin/integrations", `{"kind":"easemob","key":"short"}`, 400, "invalid_key", "key", &model.Integration{}},
			{"signed secret too short", "POST", "/api/v1/admin/integrations", `{"kind":"signed","key":"0123456789"}`, 400, "invalid_key", "key", &model.Integration{}},
			{"sharecrm key not base64 AES", "POST", "/api/v1/admin/integrations", `{"kind":"sharecrm","key":"not-a-key"}`, 400, "invalid_key", "key", &model.Integration{}},
			{"origin that is not a URL", "POST", "/api/v1/admin/integrations", `{"kind":"easemob","origins":["kefu.easemob.com"]}`, 400, "invalid_origin", "origins", &model.Integration{}},
			{"origin with a path", "PATCH", "/api/v1/admin/integrations/acme", `{"origins":["https://kefu.easemob.com/mo"]}`, 400, "invalid_origin", "origins", &model.Integration{}},
			{"bad new slug", "PATCH", "/api/v1/admin/integrations/acme", `{"newSlug":"NO SPACES"}`, 400, "invalid_slug", "newSlug", &model.Integration{}},
			{"unknown kind", "POST", "/api/v1/admin/integrations", `{"kind":"wechat"}`, 400, "invalid_kind", "kind", &model.Integration{}},
			{"layout with no panels", "PUT", "/api/v1/admin/layouts", `{"name":"empty","scope":{"default":true},"panels":[]}`, 400, "invalid_layout", "panels", &model.Layout{}},
			{"layout naming an unknown field", "PUT", "/api/v1/admin/layouts", `{"name":"x","scope":{"default":true},"panels":[{"object":"contact","fields":["name","shoe_size"]}]}`, 400, "invalid_layout", "panels.0.fields", &model.Layout{}},
			{"custom field of a bad type", "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"Level"},"type":"colour"}`, 400, "invalid_field", "type", &model.CustomField{}},
			{"custom field over a built-in", "PUT", "/api/v1/admin/fields/contact/phone", `{"label":{"zh":"电话","en":"Phone"},"type":"text"}`, 400, "invalid_field", "key", &model.CustomField{}},
			{"rotate to a short key", "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"` + adminPassword + `","key":"short"}`, 400, "invalid_key", "key", &model.Integration{}},
			{"rotate with a wrong password", "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"wrong password"}`, 401, "bad_credentials", "password", &model.Integration{}},
			{"new password too short", "POST", "/api/v1/admin/password", `{"currentPassword":"` + adminPassword + `","newPassword":"short"}`, 400, "invalid_admin", "newPassword", &model.Admin{}},
			{"simulate nothing", "POST", "/api/v1/admin/simulate", `{"integration":"acme","input":"   "}`, 400, "invalid_simulation_input", "input", &model.AuditEvent{}},
			{"preview without panels", "POST", "/api/v1/admin/layouts/preview", `{"layout":{"name":"d","scope":{"default":true},"panels":[]},"contactId":"1"}`, 400, "invalid_layout", "layout.panels", &model.AuditEvent{}},
		}
		for _, tc := range tests {
			n := f.count(t, tc.model)
			resp, body := f.do(t, tc.method, tc.path, tc.body, con.headers(true))
			e := apiError(t, body)
			if resp.StatusCode != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
			}
			if got := fieldsOf(e); len(got) != 1 || got[0] != tc.field {
				t.Errorf("%s: fields %v, want [%s]", tc.name, got, tc.field)
			}
			if after := f.count(t, tc.model); after != n {
				t.Errorf("%s: %d rows of %T before, %d after", tc.name, n, tc.model, after)
			}
		}
		var after model.Integration
		must(t, db.Where("id = ?", before.ID).Take(&after).Error)
		if after.Origins != before.Origins || after.Slug != before.Slug || after.Key != before.Key {
			t.Errorf("a refused change was written: %+v", after)
		}
	})
}

func TestWrongPasswordsAreRateLimited(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := startWith(t, db, 3)
	con := f.signIn(t)
	statuses := []int{}
	for i := 0; i < 5; i++ {
		resp, _ := f.do(t, "POST", "/api/v1/admin/password", `{"currentPassword":"not it at all","newPassword":"a brand new password"}`, con.headers(true))
		statuses = append(statuses, resp.StatusCode)
	}
	want := []int{401, 401, 401, 429, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses %v, want %v", statuses, want)
		}
	}
	// The right password is refused too while the address is blocked, and
	// nothing changed.
	if _, err := f.admins.Authenticate(context.Background(), "ops@example.com", adminPassword); err != nil {
		t.Errorf("the password changed: %v", err)
	}
}

func TestPasswordChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		// A second session of the same admin, as from another laptop.
		resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"`+adminPassword+`"}`, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("second sign-in: %d %s", resp.StatusCode, body)
		}
		var other api.AdminSession
		must(t, json.Unmarshal(body, &other))

		resp, body = f.do(t, "POST", "/api/v1/admin/password", `{"currentPassword":"`+adminPassword+`","newPassword":"a brand new password"}`, con.headers(true))
		if resp.StatusCode != 204 {
			t.Fatalf("change: %d %s", resp.StatusCode, body)
		}
		// The console that changed it goes on with its renewed cookie and
		// the same CSRF token; every other session has ended.
		renewed := con
		for _, c := range resp.Cookies() {
			if c.Name == "crmlens_admin" {
				renewed.cookie = c.Name + "=" + c.Value
			}
		}
		if renewed.cookie == con.cookie {
			t.Fatal("the password change did not renew the console's cookie")
		}
		if resp, body := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"name":"Renamed"}`, renewed.headers(true)); resp.StatusCode != 200 {
			t.Errorf("renewed session, a write: %d %s", resp.StatusCode, body)
		}
		for name, h := range map[string]map[string]string{
			"the old cookie":               con.headers(false),
			"the other session":            {"Authorization": "Bearer " + other.Token},
			"the bearer token from before": {"Authorization": "Bearer " + con.token},
		} {
			resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", h)
			if e := apiError(t, body); resp.StatusCode != 401 || e.Error.Code != "session_ended" || !strings.Contains(e.Error.Message, "sign in again") {
				t.Errorf("%s after the change: %d %s", name, resp.StatusCode, body)
			}
		}
		if _, err := f.admins.Authenticate(context.Background(), "ops@example.com", "a brand new password"); err != nil {
			t.Errorf("new password refused: %v", err)
		}
		if _, err := f.admins.Authenticate(context.Background(), "ops@example.com", adminPassword); err == nil {
			t.Error("old password still accepted")
		}
		var actions []string
		must(t, db.Model(&model.AuditEvent{}).Order("id").Pluck("action", &actions).Error)
		if len(actions) == 0 || actions[0] != "admin.password" {
			t.Errorf("audit actions %v, want the password change first", actions)
		}
		if strings.Contains(f.logs.String(), "a brand new password") || strings.Contains(f.logs.String(), adminPassword) {
			t.Error("a password reached the logs")
		}
	})
}

func TestIntegrationEditRotateReveal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		resp, body := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"name":"Acme Kefu","origins":["https://kefu.easemob.com","https://example.com/"],"options":{"encryptedSystemParams":false,"tenantId":"123"}}`, con.headers(true))
		var in api.Integration
		must(t, json.Unmarshal(body, &in))
		if resp.StatusCode != 200 || in.Name != "Acme Kefu" || len(in.Origins) != 2 || in.Origins[1] != "https://example.com" || in.Options.TenantId == nil || *in.Options.TenantId != "123" {
			t.Fatalf("update: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"`+adminPassword+`","graceHours":2}`, con.headers(true))
		var rotated api.CreatedIntegration
		must(t, json.Unmarshal(body, &rotated))
		if resp.StatusCode != 200 || rotated.Key == nil || *rotated.Key == testKey || rotated.Integration.PreviousKeyExpiresAt == nil ||
			time.Until(*rotated.Integration.PreviousKeyExpiresAt) > 2*time.Hour || time.Until(*rotated.Integration.PreviousKeyExpiresAt) < time.Hour {
			t.Fatalf("rotate: %d %s", resp.StatusCode, body)
		}
		// The old key still opens sessions during the grace period.
		if status, _, e := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang", "tenantId": f.cipher.Encrypt("123")}); status != 201 {
			t.Errorf("old key during the grace period: %d %+v", status, e)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations/acme/key/reveal", `{"password":"`+adminPassword+`"}`, con.headers(true))
		if resp.StatusCode != 200 || !strings.Contains(string(body), *rotated.Key) {
			t.Errorf("reveal: %d %s", resp.StatusCode, body)
		}
		var actions []string
		must(t, db.Model(&model.AuditEvent{}).Order("id").Pluck("action", &actions).Error)
		if strings.Join(actions, ",") != "integration.update,key.rotate,key.reveal" {
			t.Errorf("audit actions %v", actions)
		}
		if strings.Contains(f.logs.String(), *rotated.Key) {
			t.Error("the new key reached the logs")
		}
	})
}

func TestSimulator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		wrong, err := paramcrypt.NewDES("not-the-key-at-all")
		must(t, err)
		simulate := func(input string) api.Simulation {
			t.Helper()
			b, _ := json.Marshal(map[string]string{"integration": "acme", "input": input})
			resp, body := f.do(t, "POST", "/api/v1/admin/simulate", string(b), con.headers(true))
			if resp.StatusCode != 200 {
				t.Fatalf("simulate %q: %d %s", input, resp.StatusCode, body)
			}
			var s api.Simulation
			must(t, json.Unmarshal(body, &s))
			return s
		}
		last := func(s api.Simulation) api.SimulationStep { return s.Steps[len(s.Steps)-1] }
		visitors := f.count(t, &model.Visitor{})

		good := simulate(f.url + "/sidebar/acme?easemobId=1&visitorImId=im-zhang&agentId=" + f.cipher.Encrypt("agent-7") + "&orderNo=" + f.cipher.Encrypt("SO-3"))
		if good.Contact == nil || good.Contact.Name != "张三" || good.Match == nil || good.Match.Status != api.Linked || good.Layout == nil || good.Layout.Name != "default" {
			t.Errorf("good URL: %+v", good)
		}
		if st := last(good); st.Step != api.SimulationStepStepLayout || st.Status != api.SimulationStepStatusOk {
			t.Errorf("good URL ends with %+v", st)
		}
		decrypted := map[string]string{}
		for _, p := range good.Params {
			if p.How == api.SimulationParamHowDecrypted {
				decrypted[p.Name] = p.Value
			}
		}
		if decrypted["agentId"] != "agent-7" || decrypted["orderNo"] != "SO-3" {
			t.Errorf("decrypted params %v", decrypted)
		}
		sawIdentity := false
		for _, st := range good.Steps {
			sawIdentity = sawIdentity || st.Step == api.SimulationStepStepMatch && strings.Contains(st.Detail, "easemob id im-zhang")
		}
		if !sawIdentity {
			t.Errorf("no matching step names the identity: %+v", good.Steps)
		}

		// An optional param under another key is dropped, not fatal: the
		// decode step warns with the key advice and names the param.
		bad := simulate("easemobId=1&visitorImId=im-zhang&agentId=" + wrong.Encrypt("agent-7"))
		var decode *api.SimulationStep
		for i := range bad.Steps {
			if bad.Steps[i].Step == api.SimulationStepStepDecode {
				decode = &bad.Steps[i]
			}
		}
		if bad.Input != api.Query || decode == nil || decode.Status != api.SimulationStepStatusWarning || !strings.Contains(decode.Detail, "自定义信息接口") {
			t.Errorf("wrong key: decode step %+v", decode)
		}
		droppedAgent := false
		for _, p := range bad.Params {
			droppedAgent = droppedAgent || p.Name == "agentId" && p.How == api.SimulationParamHowDropped && p.Dropped != nil && *p.Dropped == api.DroppedNotDecryptable && p.Value == ""
		}
		if !droppedAgent || bad.Contact == nil || bad.Contact.Name != "张三" {
			t.Errorf("wrong key: agentId should be dropped as not_decryptable and the visitor still found: %+v", bad)
		}

		push := simulate(`{"ext":{"cmd":{"updateVisitorInfoSrc":{"params":{"name":"` + f.cipher.Encrypt("Jack") + `"}}}}}`)
		if push.Input != api.UpdateVisitorInfoSrc || len(push.Params) != 1 || push.Params[0].Value != "Jack" || last(push).Status != api.SimulationStepStatusOk {
			t.Errorf("updateVisitorInfoSrc: %+v", push)
		}
		unknown := simulate(f.url + "/sidebar/nope?visitorImId=x")
		if st := last(unknown); st.Step != api.SimulationStepStepIntegration || st.Status != api.SimulationStepStatusFailed {
			t.Errorf("unknown slug: %+v", unknown)
		}
		unmatched := simulate("visitorImId=im-nobody")
		if unmatched.Match == nil || unmatched.Match.Status != api.NotLinked || unmatched.Contact != nil {
			t.Errorf("unmatched: %+v", unmatched)
		}
		if n := f.count(t, &model.Visitor{}); n != visitors {
			t.Errorf("the simulator wrote visitors: %d before, %d after", visitors, n)
		}
		var n int64
		must(t, db.Model(&model.AuditEvent{}).Where("action = ?", "simulate").Count(&n).Error)
		if n != 5 {
			t.Errorf("%d simulations audited, want 5", n)
		}
		if strings.Contains(f.logs.String(), "agent-7") {
			t.Error("a decrypted param reached the logs")
		}
	})
}

func TestLayoutPreviewSavesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		draft := `{"layout":{"name":"draft","scope":{"default":true},"panels":[` +
			`{"object":"contact","fields":["name","phone"],"masked":["phone"],"labels":{"name":{"zh":"客户姓名","en":"Customer"}}},` +
			`{"object":"orders","fields":["order_no","amount"],"limit":2,"sort":"placed_at"}]},"contactId":"` + itoa(f.contact.ID) + `"}`
		resp, body := f.do(t, "POST", "/api/v1/admin/layouts/preview", draft, con.headers(true))
		if resp.StatusCode != 200 {
			t.Fatalf("preview: %d %s", resp.StatusCode, body)
		}
		if strings.Contains(string(body), secretPhone) || strings.Contains(string(body), secretEmail) || strings.Contains(string(body), "采购经理") {
			t.Errorf("the preview shows a masked or unnamed field: %s", body)
		}
		var ctx api.SidebarContext
		must(t, json.Unmarshal(body, &ctx))
		if len(ctx.Panels) != 2 || len(ctx.Panels[0].Fields) != 2 || ctx.Panels[0].Fields[0].Label.En != "Customer" || !ctx.Panels[0].Fields[1].Masked ||
			len(ctx.Panels[1].Records) != 2 || *ctx.Panels[1].Records[0].Values["order_no"] != "SO-1" || ctx.Layout.Name != "draft" {
			t.Errorf("preview context: %s", body)
		}
		if n := f.count(t, &model.Layout{}); n != 0 {
			t.Errorf("the preview saved a layout")
		}
		var ev model.AuditEvent
		must(t, db.Where("action = ?", "layout.preview").Take(&ev).Error)
		if ev.ContactID == nil || *ev.ContactID != f.contact.ID || ev.Actor != "admin:ops@example.com" {
			t.Errorf("audit %+v", ev)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/layouts/preview", strings.Replace(draft, `"contactId":"`+itoa(f.contact.ID), `"contactId":"99999`, 1), con.headers(true))
		if resp.StatusCode != 404 || !strings.Contains(string(body), "contactId") {
			t.Errorf("unknown contact: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "GET", "/api/v1/admin/contacts?q="+urlQuery("张"), "", con.headers(false))
		if resp.StatusCode != 200 || !strings.Contains(string(body), "张三") || strings.Contains(string(body), secretPhone) {
			t.Errorf("contacts to preview with: %d %s", resp.StatusCode, body)
		}
	})
}

func TestAgentsGroupsAndFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		csv := "platform,platform_id,email,name,groups\neasemob,a-1,li@example.com,Li,vip-team\neasemob,a-2,wang@example.com,Wang,\n"
		b, _ := json.Marshal(map[string]string{"format": "csv", "content": csv})
		resp, body := f.do(t, "POST", "/api/v1/admin/agents/import", string(b), con.headers(true))
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"created":2`) {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		b, _ = json.Marshal(map[string]string{"format": "csv", "content": "platform,platform_id\neasemob,\n"})
		resp, body = f.do(t, "POST", "/api/v1/admin/agents/import", string(b), con.headers(true))
		if e := apiError(t, body); resp.StatusCode != 400 || !strings.Contains(e.Error.Message, "line 2") || len(fieldsOf(e)) != 1 {
			t.Errorf("bad import: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "PUT", "/api/v1/admin/layouts", `{"name":"vip","scope":{"groups":["vip-team"]},"panels":[{"object":"contact","fields":["name"]}]}`, con.headers(true))
		if resp.StatusCode != 200 {
			t.Fatalf("layout: %d %s", resp.StatusCode, body)
		}
		list := func() map[string]api.AdminAgent {
			resp, body := f.do(t, "GET", "/api/v1/admin/agents", "", con.headers(false))
			if resp.StatusCode != 200 {
				t.Fatalf("agents: %d %s", resp.StatusCode, body)
			}
			var l api.AgentList
			must(t, json.Unmarshal(body, &l))
			out := map[string]api.AdminAgent{}
			for _, a := range l.Agents {
				out[a.PlatformId] = a
			}
			return out
		}
		agents := list()
		if a := agents["a-1"]; a.Layout.Name != "vip" || !strings.Contains(a.Layout.Reason, "group vip-team") || len(a.Groups) != 1 {
			t.Errorf("a-1: %+v", a)
		}
		if a := agents["a-2"]; a.Layout.Name != "default" {
			t.Errorf("a-2: %+v", a)
		}
		resp, body = f.do(t, "PUT", "/api/v1/admin/agents/"+agents["a-2"].Id+"/groups", `{"groups":["vip-team","night"]}`, con.headers(true))
		var a2 api.AdminAgent
		must(t, json.Unmarshal(body, &a2))
		if resp.StatusCode != 200 || a2.Layout.Name != "vip" || strings.Join(a2.Groups, ",") != "night,vip-team" {
			t.Errorf("assign: %d %s", resp.StatusCode, body)
		}
		resp, _ = f.do(t, "PUT", "/api/v1/admin/agents/424242/groups", `{"groups":[]}`, con.headers(true))
		if resp.StatusCode != 404 {
			t.Errorf("unknown agent: %d", resp.StatusCode)
		}

		resp, body = f.do(t, "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"会员等级","en":"VIP level"},"type":"enum"}`, con.headers(true))
		if resp.StatusCode != 200 {
			t.Fatalf("add field: %d %s", resp.StatusCode, body)
		}
		resp, _ = f.do(t, "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"Level"},"type":"enum"}`, con.headers(true))
		if resp.StatusCode != 200 {
			t.Errorf("relabel: %d", resp.StatusCode)
		}
		fieldOf := func() *api.CatalogField {
			_, body := f.do(t, "GET", "/api/v1/admin/fields", "", con.headers(false))
			var cat api.FieldCatalog
			must(t, json.Unmarshal(body, &cat))
			for _, o := range cat.Objects {
				for _, fd := range o.Fields {
					if o.Object == api.Contact && fd.Key == "vip_level" {
						return &fd
					}
				}
			}
			return nil
		}
		if fd := fieldOf(); fd == nil || fd.Label.En != "Level" || !fd.Custom || fd.Retired || fd.Filterable {
			t.Errorf("catalog field: %+v", fd)
		}
		resp, body = f.do(t, "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"Level"},"type":"enum","values":["gold","silver","gold"]}`, con.headers(true))
		if resp.StatusCode != 400 || !strings.Contains(string(body), `"field":"values"`) {
			t.Errorf("duplicate allowed values: %d %s, want 400 on field values", resp.StatusCode, body)
		}
		resp, _ = f.do(t, "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"Level"},"type":"enum","values":["gold","silver"]}`, con.headers(true))
		if fd := fieldOf(); resp.StatusCode != 200 || fd == nil || fd.Values == nil || strings.Join(*fd.Values, ",") != "gold,silver" {
			t.Errorf("allowed values: %d %+v", resp.StatusCode, fd)
		}
		resp, _ = f.do(t, "DELETE", "/api/v1/admin/fields/contact/vip_level", "", con.headers(true))
		if fd := fieldOf(); resp.StatusCode != 204 || fd == nil || !fd.Retired {
			t.Errorf("retire: %d %+v", resp.StatusCode, fd)
		}
		resp, _ = f.do(t, "DELETE", "/api/v1/admin/fields/contact/none_such", "", con.headers(true))
		if resp.StatusCode != 404 {
			t.Errorf("retire an unknown field: %d", resp.StatusCode)
		}
	})
}

func TestAuditExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		for i := 0; i < 3; i++ {
			if status, _, e := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"}); status != 201 {
				t.Fatalf("session: %+v", e)
			}
		}
		f.do(t, "POST", "/api/v1/admin/integrations/acme/key/reveal", `{"password":"`+adminPassword+`"}`, con.headers(true))
		resp, body := f.do(t, "GET", "/api/v1/admin/audit/export?action=key.reveal", "", con.headers(false))
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || len(lines) != 1 || !strings.Contains(lines[0], `"action":"key.reveal"`) {
			t.Errorf("export: %d %v %s", resp.StatusCode, resp.Header, body)
		}
		resp, body = f.do(t, "GET", "/api/v1/admin/audit/export?contactId=abc", "", con.headers(false))
		if resp.StatusCode != 400 {
			t.Errorf("bad filter: %d %s", resp.StatusCode, body)
		}
	})
}

// TestAdminChangeWithoutItsAuditIsNotMade: every admin change is written
// in one transaction with its audit record, so when the record cannot be
// written (the audit table is away) the change is not made either: the
// admin gets a 500 and finds everything as it was.
func TestAdminChangeWithoutItsAuditIsNotMade(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		csv := "platform,platform_id,email,name,groups\neasemob,a-1,li@example.com,Li,vip-team\n"
		b, _ := json.Marshal(map[string]string{"format": "csv", "content": csv})
		if resp, body := f.do(t, "POST", "/api/v1/admin/agents/import", string(b), con.headers(true)); resp.StatusCode != 200 {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"等级","en":"Level"},"type":"enum"}`, con.headers(true)); resp.StatusCode != 200 {
			t.Fatalf("field: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "PUT", "/api/v1/admin/layouts", `{"name":"vip","scope":{"groups":["vip-team"]},"panels":[{"object":"contact","fields":["name"]}]}`, con.headers(true)); resp.StatusCode != 200 {
			t.Fatalf("layout: %d %s", resp.StatusCode, body)
		}
		var agentID int64
		must(t, db.Model(&model.Agent{}).Where("platform_id = ?", "a-1").Select("id").Scan(&agentID).Error)

		// state is everything the changes below could touch.
		state := func() string {
			var ins []model.Integration
			var layouts []model.Layout
			var fields []model.CustomField
			var members []model.AgentGroupMember
			var agentRows []model.Agent
			must(t, db.Order("id").Find(&agentRows).Error)
			must(t, db.Order("id").Find(&ins).Error)
			must(t, db.Order("id").Find(&layouts).Error)
			must(t, db.Order("id").Find(&fields).Error)
			must(t, db.Order("agent_id, group_id").Find(&members).Error)
			var s strings.Builder
			for _, in := range ins {
				fmt.Fprintf(&s, "integration %s %s %s %s %s|", in.Slug, in.Name, in.Key, in.Origins, in.UpdatedAt.UTC())
			}
			for _, l := range layouts {
				fmt.Fprintf(&s, "layout %s %d %s|", l.Name, l.Version, l.Panels)
			}
			for _, cf := range fields {
				fmt.Fprintf(&s, "field %s.%s %s %v|", cf.Object, cf.FieldKey, cf.LabelEN, cf.Retired)
			}
			for _, a := range agentRows {
				fmt.Fprintf(&s, "agent %s %s|", a.PlatformID, a.Name)
			}
			fmt.Fprintf(&s, "members %v", members)
			return s.String()
		}
		before := state()
		must(t, db.Exec("ALTER TABLE audit_events RENAME TO audit_events_away").Error)
		defer func() { must(t, db.Exec("ALTER TABLE audit_events_away RENAME TO audit_events").Error) }()

		tests := []struct{ name, method, path, body string }{
			{"create an integration", "POST", "/api/v1/admin/integrations", `{"kind":"easemob","slug":"new-kefu"}`},
			{"edit an integration", "PATCH", "/api/v1/admin/integrations/acme", `{"name":"Renamed","origins":["https://example.com"]}`},
			{"rotate a key", "POST", "/api/v1/admin/integrations/acme/key/rotate", `{"password":"` + adminPassword + `"}`},
			{"change a layout", "PUT", "/api/v1/admin/layouts", `{"name":"vip","version":1,"scope":{"groups":["vip-team"]},"panels":[{"object":"contact","fields":["name","email"]}]}`},
			{"relabel a field", "PUT", "/api/v1/admin/fields/contact/vip_level", `{"label":{"zh":"会员","en":"Member"},"type":"enum"}`},
			{"retire a field", "DELETE", "/api/v1/admin/fields/contact/vip_level", ""},
			{"set an agent's groups", "PUT", "/api/v1/admin/agents/" + strconv.FormatInt(agentID, 10) + "/groups", `{"groups":["night"]}`},
			{"import agents", "POST", "/api/v1/admin/agents/import", `{"format":"csv","content":"platform,platform_id,email,name,groups\neasemob,a-1,li@example.com,Li Renamed,night\neasemob,a-9,zhao@example.com,Zhao,\n"}`},
		}
		for _, tc := range tests {
			resp, body := f.do(t, tc.method, tc.path, tc.body, con.headers(true))
			if resp.StatusCode != http.StatusInternalServerError || apiError(t, body).Error.Code == "" {
				t.Errorf("%s with the audit table away: %d %s, want a 500 error", tc.name, resp.StatusCode, body)
			}
			if after := state(); after != before {
				t.Errorf("%s was made without its audit record:\nbefore %s\nafter  %s", tc.name, before, after)
			}
		}
	})
}
