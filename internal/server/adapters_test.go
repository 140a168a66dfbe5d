package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
)

// session posts params for slug and decodes the answer.
func (f *fixture) session(t *testing.T, slug string, params map[string]string) (int, api.SessionResponse, api.Error) {
	t.Helper()
	resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, slug, params), nil)
	var ok api.SessionResponse
	var bad api.Error
	if resp.StatusCode == http.StatusCreated {
		must(t, json.Unmarshal(body, &ok))
	} else {
		must(t, json.Unmarshal(body, &bad))
	}
	return resp.StatusCode, ok, bad
}

func (f *fixture) create(t *testing.T, in integration.Input) {
	t.Helper()
	if _, _, err := f.integrations.Create(context.Background(), in, nil); err != nil {
		t.Fatalf("create integration %s: %v", in.Slug, err)
	}
}

func TestShareCRMIdentityVerification(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		const key = "MDEyMzQ1Njc4OWFiY2RlZg=="
		f.create(t, integration.Input{Slug: "web", Kind: "sharecrm", Key: key})
		// Zhang San's phone is unique (the fixture's contact); two contacts
		// share 13800138000, only one of them is 李四.
		for _, c := range []model.Contact{
			withMatchKeys(model.Contact{ExternalID: "C-2", Name: "李四", Phone: "13800138000"}),
			withMatchKeys(model.Contact{ExternalID: "C-3", Name: "李四的同事", Phone: "13800138000"}),
		} {
			must(t, db.Create(&c).Error)
		}
		aes, err := paramcrypt.NewAES(key)
		must(t, err)

		// The JDK-made vector of seed 003's example.
		vector := "97F17E755BA61E5E60E506A04C015ECCDDC187181F52F3FBED272FCF7D454917F2DA736CBED718234C2667793AB0A5F2"
		must(t, db.Model(&model.Contact{}).Where("id = ?", f.contact.ID).Update("name", "Zhang San").Error)
		status, sess, e := f.session(t, "web", map[string]string{"customParams": vector})
		if status != 201 || sess.Match.Status != api.Linked || sess.Contact.Name != "Zhang San" || sess.Match.MatchedOn == nil || (*sess.Match.MatchedOn)[0] != "phone" ||
			sess.Match.ReasonCode == nil || *sess.Match.ReasonCode != "fields" {
			t.Fatalf("vector session = %d %+v %+v", status, sess, e)
		}
		status, again, _ := f.session(t, "web", map[string]string{"customParams": strings.ToLower(vector)})
		if status != 201 || again.Visitor.Id != sess.Visitor.Id {
			t.Errorf("the same verified visitor got another visitor: %s vs %s", again.Visitor.Id, sess.Visitor.Id)
		}

		// Java pages serialize with Jackson: unset fields are null, numbers
		// and booleans unquoted, lists and objects nested, sometimes after a
		// byte order mark. None of it is a key error.
		status, jackson, e := f.session(t, "web", map[string]string{"customParams": aes.Encrypt(`{"full_name":"Zhang San","phone":"15800001111","email":null}`)})
		if status != 201 || jackson.Visitor.Id == "" || jackson.Visitor.Id == sess.Visitor.Id {
			t.Fatalf("Jackson payload with a null email = %d %+v %+v", status, jackson, e)
		}
		status, jackson, e = f.session(t, "web", map[string]string{"customParams": aes.Encrypt("\ufeff" +
			`{"full_name":"Zhang San","phone":15912345678,"email":null,"vip":true,"age":40,"tags":["a","b"],"address":{"city":"上海"}}`)})
		if status != 201 || jackson.Visitor.Id != sess.Visitor.Id || jackson.Contact == nil || jackson.Contact.Name != "Zhang San" {
			t.Fatalf("Jackson payload with a numeric phone = %d %+v %+v, want Zhang San's visitor %s", status, jackson, e, sess.Visitor.Id)
		}

		status, sess, _ = f.session(t, "web", map[string]string{"customParams": aes.Encrypt(`{"full_name":"李四","phone":"13800138000"}`)})
		if status != 201 || sess.Match.Status != api.Linked || sess.Contact.Name != "李四" || strings.Join(*sess.Match.MatchedOn, "+") != "full_name+phone" {
			t.Errorf("name + phone session = %d %+v", status, sess.Match)
		}

		status, sess, _ = f.session(t, "web", map[string]string{"customParams": aes.Encrypt(`{"full_name":"王五","phone":"13800138000"}`)})
		if status != 201 || sess.Match.Status != api.NotLinked || sess.Contact != nil || sess.Match.Candidates == nil || len(*sess.Match.Candidates) != 2 ||
			sess.Match.ReasonCode == nil || *sess.Match.ReasonCode != "candidates" {
			t.Fatalf("ambiguous session = %d %+v", status, sess.Match)
		}
		for _, c := range *sess.Match.Candidates {
			if strings.Contains(c.Hint, "13800138000") || !strings.Contains(c.Hint, "****") {
				t.Errorf("candidate hint %q is not masked", c.Hint)
			}
		}

		var visitors int64
		db.Model(&model.Visitor{}).Count(&visitors)
		for _, tt := range []struct{ name, params, code string }{
			{"missing", "", "missing_param"},
			{"not hex", "zz-top", "invalid_param"},
			{"bad padding", "97F17E755BA61E5E60E506A04C015ECD", "decrypt_failed"},
			{"no phone", aes.Encrypt(`{"full_name":"Zhang San"}`), "missing_claim"},
			{"null phone", aes.Encrypt(`{"full_name":"Zhang San","phone":null}`), "missing_claim"},
			{"phone is a list", aes.Encrypt(`{"full_name":"Zhang San","phone":["15912345678"]}`), "invalid_claim"},
			{"a JSON list", aes.Encrypt(`[{"full_name":"Zhang San","phone":"15912345678"}]`), "decrypt_failed"},
			{"not json", aes.Encrypt(`hello`), "decrypt_failed"},
		} {
			params := map[string]string{}
			if tt.params != "" {
				params["customParams"] = tt.params
			}
			status, _, e := f.session(t, "web", params)
			if status < 400 || status >= 500 || e.Error.Code != tt.code {
				t.Errorf("%s: %d %+v, want %s", tt.name, status, e, tt.code)
			}
		}
		var after int64
		db.Model(&model.Visitor{}).Count(&after)
		if after != visitors {
			t.Errorf("refused sessions wrote visitors: %d -> %d", visitors, after)
		}
	})
}

func TestSignedLinksWorkOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		secret := strings.Repeat("s", 40)
		f.create(t, integration.Input{Slug: "app", Kind: "signed", Key: secret})
		must(t, db.Create(&model.ContactIdentity{ContactID: f.contact.ID, Channel: "app", ExternalID: "user-1"}).Error)
		sign := func(claims jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
			must(t, err)
			return s
		}
		now := time.Now()
		tok := sign(jwt.MapClaims{"sub": "user-1", "channel": "app", "jti": "j-1", "exp": now.Add(2 * time.Minute).Unix()})
		status, sess, e := f.session(t, "app", map[string]string{"token": tok})
		if status != 201 || sess.Match.Status != api.Linked {
			t.Fatalf("signed session = %d %+v %+v", status, sess, e)
		}
		if status, _, e := f.session(t, "app", map[string]string{"token": tok}); status != 401 || e.Error.Code != "token_replayed" {
			t.Errorf("replay = %d %+v", status, e)
		}
		long := sign(jwt.MapClaims{"sub": "user-1", "jti": "j-2", "exp": now.Add(time.Hour).Unix()})
		if status, _, e := f.session(t, "app", map[string]string{"token": long}); status < 400 || status >= 500 || e.Error.Code != "token_lifetime" {
			t.Errorf("an hour-long token = %d %+v", status, e)
		}
		forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "jti": "j-3", "exp": now.Add(time.Minute).Unix()}).SignedString([]byte(strings.Repeat("x", 40)))
		if status, _, e := f.session(t, "app", map[string]string{"token": forged}); status != 401 && status != 400 || e.Error.Code != "invalid_token" {
			t.Errorf("forged token = %d %+v", status, e)
		}
	})
}

func TestChatwootContextIsChecked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /api/v1/accounts/1/conversations/10", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("api_access_token") != "cw-token" {
				http.Error(w, "unauthorized", 401)
				return
			}
			w.Write([]byte(`{"id":10,"meta":{"sender":{"id":42}}}`))
		})
		cw := httptest.NewServer(mux)
		t.Cleanup(cw.Close)
		f.create(t, integration.Input{Slug: "cw-test", Kind: "chatwoot", APIToken: "cw-token", Options: integration.Options{ChatwootURL: cw.URL}})
		params := map[string]string{"account_id": "1", "conversation_id": "10", "contact_id": "42", "contact_email": secretEmail, "agent_id": "3", "agent_name": "Amy"}
		status, sess, e := f.session(t, "cw-test", params)
		if status != 201 || sess.Match.Status != api.Linked || strings.Join(*sess.Match.MatchedOn, ",") != "email" {
			t.Fatalf("chatwoot session = %d %+v %+v", status, sess, e)
		}
		params["contact_id"] = "43"
		if status, _, e := f.session(t, "cw-test", params); status != 403 || e.Error.Code != "chatwoot_mismatch" {
			t.Errorf("a contact not in the conversation = %d %+v", status, e)
		}
	})
}

func TestEasemobHardeningAndRotation(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	ctx := context.Background()
	opts := integration.Options{EncryptedSystemParams: true, TenantID: "88", RequireKnownAgent: true}
	f.create(t, integration.Input{Slug: "hard", Kind: "easemob", Key: testKey, Options: opts})
	enc := f.cipher.Encrypt
	good := map[string]string{"easemobId": enc("kefu"), "visitorImId": enc("im-zhang"), "tenantId": enc("88"), "agentId": enc("a-1")}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range good {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	if status, _, e := f.session(t, "hard", good); status != 403 || e.Error.Code != "unknown_agent" {
		t.Errorf("unknown agent = %d %+v", status, e)
	}
	now := time.Now()
	must(t, db.Create(&model.Agent{Platform: "easemob", PlatformID: "a-1", Name: "Amy", Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now}).Error)
	if status, sess, e := f.session(t, "hard", good); status != 201 || sess.Match.Status != api.Linked {
		t.Fatalf("hardened session = %d %+v", status, e)
	}
	if status, _, e := f.session(t, "hard", with("visitorImId", "im-zhang")); status != 422 || e.Error.Code != "plain_system_param" {
		t.Errorf("plain visitorImId = %d %+v", status, e)
	}
	if status, _, e := f.session(t, "hard", with("tenantId", enc("99"))); status != 403 || e.Error.Code != "tenant_mismatch" {
		t.Errorf("another tenant = %d %+v", status, e)
	}

	if _, _, err := f.integrations.RotateKey(ctx, "hard", "brand-new-key-2026", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if status, _, e := f.session(t, "hard", good); status != 201 {
		t.Errorf("old key during the grace period = %d %+v", status, e)
	}
	fresh, _ := paramcrypt.NewDES("brand-new-key-2026")
	newParams := map[string]string{"easemobId": fresh.Encrypt("kefu"), "visitorImId": fresh.Encrypt("im-zhang"), "tenantId": fresh.Encrypt("88"), "agentId": fresh.Encrypt("a-1")}
	if status, _, e := f.session(t, "hard", newParams); status != 201 {
		t.Errorf("new key = %d %+v", status, e)
	}
	stranger, _ := paramcrypt.NewDES("never-this-key")
	// A system param that does not open with any valid key gets the one
	// answer for system params, whether it was plain or another key's.
	if status, _, e := f.session(t, "hard", map[string]string{"easemobId": stranger.Encrypt("kefu"), "visitorImId": stranger.Encrypt("im-zhang")}); status != 422 || e.Error.Code != "plain_system_param" {
		t.Errorf("a third key on system params = %d %+v", status, e)
	}
	if status, _, e := f.session(t, "hard", with("agentId", stranger.Encrypt("a-1"))); status != 400 || e.Error.Code != "decrypt_failed" {
		t.Errorf("a third key on an add-on param = %d %+v", status, e)
	}
}

// TestPushedOrderComesFirst: an order number the app pushed with Easemob's
// updateVisitorInfoSrc puts that order first in the orders panel.
func TestPushedOrderComesFirst(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	status, sess, e := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang", "orderNo": f.cipher.Encrypt("SO-6")})
	if status != 201 {
		t.Fatalf("session = %d %+v", status, e)
	}
	_, body := f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
	var ctx api.SidebarContext
	must(t, json.Unmarshal(body, &ctx))
	for _, p := range ctx.Panels {
		if p.Key == "orders" {
			if len(p.Records) != 5 || *p.Records[0].Values["order_no"] != "SO-6" || *p.Records[1].Values["order_no"] != "SO-1" {
				t.Errorf("orders = %s", body)
			}
			return
		}
	}
	t.Fatal("no orders panel")
}

func TestRepeatedFailuresAreRateLimited(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := startWith(t, db, 3)
	bad := map[string]string{"easemobId": "e-1"} // no visitorImId: missing_param
	for i := 0; i < 3; i++ {
		if status, _, _ := f.session(t, "acme", bad); status != 400 {
			t.Fatalf("failure %d: status %d", i, status)
		}
	}
	resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", bad), nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"rate_limited"`) {
		t.Fatalf("after 3 failures: %d %s", resp.StatusCode, body)
	}
	// A request that verifies is not refused for the others' failures.
	if status, _, e := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"}); status != 201 {
		t.Fatalf("valid request after 3 failures: %d %+v", status, e)
	}
}

func TestAdminRoutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		ctx := context.Background()
		if _, err := f.admins.Create(ctx, "ops@example.com", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", nil)
		if resp.StatusCode != 401 {
			t.Errorf("no token: %d %s", resp.StatusCode, body)
		}
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		resp, body = f.do(t, "GET", "/api/v1/admin/integrations", "", map[string]string{"Authorization": "Bearer " + sess.Token})
		if resp.StatusCode != 403 {
			t.Errorf("a sidebar token: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"wrong password"}`, nil)
		if resp.StatusCode != 401 || !strings.Contains(string(body), "bad_credentials") {
			t.Errorf("wrong password: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"correct horse battery"}`, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("sign in: %d %s", resp.StatusCode, body)
		}
		var as api.AdminSession
		must(t, json.Unmarshal(body, &as))
		auth := map[string]string{"Authorization": "Bearer " + as.Token}
		resp, body = f.do(t, "GET", "/api/v1/admin/integrations", "", auth)
		if resp.StatusCode != 200 || strings.Contains(string(body), testKey) {
			t.Fatalf("list: %d %s", resp.StatusCode, body)
		}
		var list api.IntegrationList
		must(t, json.Unmarshal(body, &list))
		if len(list.Integrations) != 1 || list.Integrations[0].Protection.Level != api.Low ||
			!strings.Contains(list.Integrations[0].Protection.Summary, "turn on encrypted system params") || !strings.HasSuffix(list.Integrations[0].KeyMasked, "cret") {
			t.Errorf("list = %s", body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations/acme/key/reveal", `{"password":"nope nope nope"}`, auth)
		if resp.StatusCode != 401 {
			t.Errorf("reveal with a wrong password: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations/acme/key/reveal", `{"password":"correct horse battery"}`, auth)
		if resp.StatusCode != 200 || !strings.Contains(string(body), testKey) {
			t.Fatalf("reveal: %d %s", resp.StatusCode, body)
		}
		var ev model.AuditEvent
		must(t, db.Where("action = ?", "key.reveal").Take(&ev).Error)
		if ev.Actor != "admin:ops@example.com" || ev.IntegrationID == nil || ev.RequestID == "" {
			t.Errorf("audit = %+v", ev)
		}
		resp, _ = f.do(t, "POST", "/api/v1/admin/integrations/nope/key/reveal", `{"password":"correct horse battery"}`, auth)
		if resp.StatusCode != 404 {
			t.Errorf("reveal of an unknown slug: %d", resp.StatusCode)
		}
		if strings.Contains(f.logs.String(), testKey) || strings.Contains(f.logs.String(), "correct horse battery") {
			t.Error("logs contain a key or a password")
		}
	})
}

// TestKeylessEasemobOverHTTP: Easemob's mode without a key is an explicit
// choice (noKey); such an integration takes every param in clear.
func TestKeylessEasemobOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		if _, err := f.admins.Create(context.Background(), "ops@example.com", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"correct horse battery"}`, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("sign in: %d %s", resp.StatusCode, body)
		}
		var as api.AdminSession
		must(t, json.Unmarshal(body, &as))
		auth := map[string]string{"Authorization": "Bearer " + as.Token}

		for _, tt := range []struct{ name, body, code, field string }{
			{"noKey with a key", `{"kind":"easemob","slug":"x-both","noKey":true,"key":"kefu2024secret"}`, "invalid_key", "key"},
			{"noKey for sharecrm", `{"kind":"sharecrm","slug":"x-web","noKey":true}`, "invalid_key", "key"},
			{"noKey with encrypted system params", `{"kind":"easemob","slug":"x-enc","noKey":true,"options":{"encryptedSystemParams":true}}`, "invalid_option", "options"},
		} {
			resp, body := f.do(t, "POST", "/api/v1/admin/integrations", tt.body, auth)
			var e api.Error
			if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Error.Code != tt.code || e.Error.Fields == nil || len(*e.Error.Fields) == 0 || (*e.Error.Fields)[0].Field != tt.field {
				t.Errorf("%s: %d %s, want 400 %s on %s", tt.name, resp.StatusCode, body, tt.code, tt.field)
			}
		}

		resp, body = f.do(t, "POST", "/api/v1/admin/integrations", `{"kind":"easemob","slug":"clear-kefu","noKey":true,"origins":["https://kefu.easemob.com"]}`, auth)
		if resp.StatusCode != 201 {
			t.Fatalf("create a keyless integration: %d %s", resp.StatusCode, body)
		}
		var created api.CreatedIntegration
		must(t, json.Unmarshal(body, &created))
		p := created.Integration.Protection
		if created.Key != nil || created.Integration.KeySet || p.Level != api.Low ||
			!strings.Contains(p.Summary, "every parameter travels in clear") || !strings.Contains(p.Summary, "anyone who has this URL can open any visitor") {
			t.Fatalf("keyless integration = %s", body)
		}
		status, sess, e := f.session(t, "clear-kefu", map[string]string{
			"visitorImId": "im-zhang", "easemobId": "e-1", "tenantId": "12345", "agentName": "Amy", "agentId": "a-1", "nickname": "张三", "lang": "zh",
		})
		if status != 201 || sess.Contact == nil || sess.Match.Status != api.Linked {
			t.Fatalf("clear params on a keyless integration: %d %+v %+v", status, sess, e)
		}

		// Without origins the view says no platform can frame it.
		resp, body = f.do(t, "POST", "/api/v1/admin/integrations", `{"kind":"easemob","slug":"unframed","noKey":true}`, auth)
		must(t, json.Unmarshal(body, &created))
		if resp.StatusCode != 201 || len(created.Integration.Origins) != 0 ||
			!strings.Contains(strings.Join(created.Integration.Protection.Advice, ";"), "no platform can frame the sidebar") {
			t.Errorf("integration without origins: %d %s", resp.StatusCode, body)
		}
	})
}
