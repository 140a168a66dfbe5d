package server_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/crmlens/crmlens/internal/layout"
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
			if strings.ContainsAny(c.Hint, "0123456789") || !strings.Contains(c.Hint, "****") {
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

// chatwootAnswer is Chatwoot's answer to GET
// /api/v1/accounts/{account}/conversations/{id}, as
// app/views/api/v1/conversations/partials/_conversation.json.jbuilder
// (chatwoot/chatwoot) renders it: the contact under meta.sender (the
// models/_contact partial: id, name, email, phone_number, identifier, null
// when unset), the assignee under meta.assignee (models/_agent), the
// conversation's display id as id and its last message.
func chatwootAnswer(id int, sender, assignee string) string {
	return fmt.Sprintf(`{"meta":{"sender":%s,"channel":"Channel::WebWidget","assignee":%s,"hmac_verified":false},`+
		`"id":%d,"messages":[{"id":900,"content":"hello","conversation_id":%[3]d,"message_type":0}],`+
		`"account_id":1,"uuid":"5e0c7d1a-0000-4000-8000-000000000000","additional_attributes":{},"agent_last_seen_at":0,`+
		`"assignee_last_seen_at":0,"can_reply":true,"contact_last_seen_at":0,"custom_attributes":{},"inbox_id":2,"labels":[],`+
		`"muted":false,"snoozed_until":null,"status":"open","created_at":1763880000,"timestamp":1763884800,"unread_count":1,`+
		`"priority":null,"waiting_since":0,"sla_policy_id":null}`, sender, assignee, id)
}

// chatwootContact is a meta.sender as models/_contact.json.jbuilder renders
// it; "" fields are rendered null, as Chatwoot renders an unset column.
func chatwootContact(id int, name, email, phone, identifier string) string {
	str := func(v string) string {
		if v == "" {
			return "null"
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprintf(`{"additional_attributes":{},"availability_status":"offline","email":%s,"id":%d,"name":%s,`+
		`"phone_number":%s,"blocked":false,"identifier":%s,"thumbnail":"","custom_attributes":{},"last_activity_at":1763884800,"created_at":1763800000}`,
		str(email), id, str(name), str(phone), str(identifier))
}

// chatwootAssignee is a meta.assignee (models/_agent.json.jbuilder).
const chatwootAssignee = `{"id":3,"account_id":1,"availability_status":"online","auto_offline":true,"confirmed":true,` +
	`"email":"vip@example.com","available_name":"Vip","name":"Vip","role":"agent","thumbnail":""}`

// fakeChatwoot answers Chatwoot's conversation API for account 1, with
// token, from conversations (display id to answer), as Chatwoot answers: 401
// for another token, 404 for an unknown conversation.
func fakeChatwoot(t *testing.T, token string, conversations map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/accounts/1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.Header.Get("api_access_token") != token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"You need to sign in or sign up before continuing."}`))
			return
		}
		answer, ok := conversations[r.PathValue("id")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"Resource could not be found"}`))
			return
		}
		w.Write([]byte(answer))
	})
	cw := httptest.NewServer(mux)
	t.Cleanup(cw.Close)
	return cw
}

func TestChatwootContextIsChecked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		cw := fakeChatwoot(t, "cw-token", map[string]string{"10": chatwootAnswer(10, chatwootContact(42, "张三", secretEmail, "", ""), "null")})
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

// TestChatwootMatchesWithChatwootsContact: with an API token, the e-mail,
// phone, identifier and name a session matches with are those Chatwoot's API
// gives for the conversation's contact; the unsigned context's are ignored
// (issue 15: real conversation 42 with its real contact 5, plus another
// customer's contact_email, opened that other customer).
func TestChatwootMatchesWithChatwootsContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		five := withMatchKeys(model.Contact{ExternalID: "C-5", Name: "Wang Wu", Phone: "+8613700000005", Email: "wang5@example.com"})
		must(t, db.Create(&five).Error)
		cw := fakeChatwoot(t, "cw-token", map[string]string{
			"42": chatwootAnswer(42, chatwootContact(5, "Wang Wu", "wang5@example.com", "+8613700000005", ""), chatwootAssignee),
			"43": chatwootAnswer(43, chatwootContact(6, "visitor-6", "", "", ""), "null"),
			"44": chatwootAnswer(44, chatwootContact(7, "Wang Wu", "", "", "C-5"), "null"),
			"45": chatwootAnswer(45, chatwootContact(8, "Wang Wu", "wang5@example.com", "", ""), "null"),
		})
		f.create(t, integration.Input{Slug: "cw-api", Kind: "chatwoot", APIToken: "cw-token", Options: integration.Options{ChatwootURL: cw.URL}})
		other := map[string]string{"contact_email": secretEmail, "contact_phone": secretPhone, "contact_identifier": f.contact.ExternalID, "contact_name": f.contact.Name}
		// Each case is another Chatwoot contact (a visitor stays linked).
		tests := []struct {
			name          string
			conv, contact string
			claims        map[string]string
			want          string // the contact linked, by external id; "" for none
			on            string
		}{
			{"another customer's e-mail, phone and identifier", "42", "5", other, "C-5", "email"},
			{"no contact fields (Chatwoot sent contact {})", "45", "8", nil, "C-5", "email"},
			{"Chatwoot knows no e-mail for the contact", "43", "6", other, "", ""},
			{"Chatwoot's identifier", "44", "7", other, "C-5", "identifier"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				params := map[string]string{"account_id": "1", "conversation_id": tt.conv, "contact_id": tt.contact}
				for k, v := range tt.claims {
					params[k] = v
				}
				status, sess, e := f.session(t, "cw-api", params)
				if status != 201 {
					t.Fatalf("session = %d %+v", status, e)
				}
				if tt.want == "" {
					if sess.Match.Status == api.Linked {
						t.Fatalf("linked to contact %s (%s), want no contact", sess.Contact.Id, sess.Match.Reason)
					}
					return
				}
				if sess.Match.Status != api.Linked || sess.Contact == nil || sess.Contact.Name != "Wang Wu" || strings.Join(*sess.Match.MatchedOn, ",") != tt.on {
					t.Fatalf("session = %+v %+v, want linked to %s on %s", sess.Match, sess.Contact, tt.want, tt.on)
				}
				_, body := f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
				if strings.Contains(string(body), f.contact.Name) || strings.Contains(string(body), secretEmail) {
					t.Errorf("the context shows the other customer: %s", body)
				}
			})
		}
	})
}

// TestUnvouchedAgentsChooseNoLayout: an agent named by a Chatwoot context
// (with or without an API token: Chatwoot's API cannot say who is looking)
// never selects an agent or group layout, and a group layout is chosen only
// by agents of the session's own platform (issue 15: a Chatwoot message
// naming an Easemob VIP's e-mail got the VIP's unmasked layout).
func TestUnvouchedAgentsChooseNoLayout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		ctx := context.Background()
		now := time.Now()
		vip := model.Agent{Platform: "easemob", PlatformID: "a-vip", Email: "vip@example.com", Name: "Vip", Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now}
		must(t, db.Create(&vip).Error)
		g := model.AgentGroup{Name: "vip-team", CreatedAt: now}
		must(t, db.Create(&g).Error)
		must(t, db.Create(&model.AgentGroupMember{AgentID: vip.ID, GroupID: g.ID}).Error)
		docs, err := layout.ParseDocs([]byte(`name: base
scope: {default: true}
panels:
  - {object: contact, fields: [name, phone, email], masked: [phone, email]}
---
name: vip-agent
scope: {agents: [vip@example.com]}
panels:
  - {object: contact, fields: [name, phone, email]}
---
name: vip-group
scope: {groups: [vip-team]}
panels:
  - {object: contact, fields: [name, phone, email]}
`))
		must(t, err)
		_, err = layout.NewStore(db, nil).PutAll(ctx, docs, false, nil)
		must(t, err)

		cw := fakeChatwoot(t, "cw-token", map[string]string{"42": chatwootAnswer(42, chatwootContact(5, "张三", secretEmail, "", ""), chatwootAssignee)})
		f.create(t, integration.Input{Slug: "cw-api", Kind: "chatwoot", APIToken: "cw-token", Options: integration.Options{ChatwootURL: cw.URL}})
		f.create(t, integration.Input{Slug: "cw-open", Kind: "chatwoot"})
		secret := strings.Repeat("s", 40)
		f.create(t, integration.Input{Slug: "app", Kind: "signed", Key: secret})
		jti := 0
		signed := func(agent map[string]any) map[string]string {
			jti++
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "jti": fmt.Sprint("j-", jti),
				"exp": time.Now().Add(2 * time.Minute).Unix(), "email": secretEmail, "agent": agent}).SignedString([]byte(secret))
			must(t, err)
			return map[string]string{"token": tok}
		}
		chatwoot := func(agent ...string) map[string]string {
			p := map[string]string{"account_id": "1", "conversation_id": "42", "contact_id": "5"}
			for i := 0; i+1 < len(agent); i += 2 {
				p[agent[i]] = agent[i+1]
			}
			return p
		}
		tests := []struct {
			name, slug string
			params     map[string]string
			want       string
		}{
			{"Chatwoot naming the VIP's e-mail", "cw-api", chatwoot("agent_email", "vip@example.com", "agent_id", "3"), "base"},
			{"Chatwoot naming the VIP's Easemob id", "cw-api", chatwoot("agent_id", "a-vip"), "base"},
			{"Chatwoot without a token naming the VIP", "cw-open", chatwoot("agent_email", "vip@example.com", "agent_id", "a-vip"), "base"},
			{"a signed link naming the VIP's Easemob id", "app", signed(map[string]any{"id": "a-vip", "name": "Vip"}), "base"},
			{"the VIP on Easemob", "acme", map[string]string{"visitorImId": "im-zhang", "agentId": f.cipher.Encrypt("a-vip")}, "vip-group"},
			{"a signed link naming the VIP's e-mail", "app", signed(map[string]any{"id": "s-1", "email": "vip@example.com"}), "vip-agent"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, sess, e := f.session(t, tt.slug, tt.params)
				if status != 201 {
					t.Fatalf("session = %d %+v", status, e)
				}
				if sess.Layout == nil || sess.Layout.Name != tt.want {
					t.Errorf("session layout = %+v, want %s", sess.Layout, tt.want)
				}
				_, body := f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
				var sc api.SidebarContext
				must(t, json.Unmarshal(body, &sc))
				if sc.Layout.Name != tt.want {
					t.Errorf("context layout = %+v, want %s", sc.Layout, tt.want)
				}
				if tt.want == "base" && strings.Contains(string(body), secretEmail) {
					t.Errorf("the context shows the e-mail the default layout masks: %s", body)
				}
			})
		}
	})
}

// TestRequireKnownAgentIsPerPlatform: an integration that serves only
// declared agents accepts only agents declared for its platform; another
// platform's agent with the same e-mail is no agent of it.
func TestRequireKnownAgentIsPerPlatform(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		now := time.Now()
		for _, a := range []model.Agent{
			{Platform: "signed", PlatformID: "s-amy", Email: "amy@example.com", Name: "Amy"},
			{Platform: "easemob", PlatformID: "a-bob", Email: "bob@example.com", Name: "Bob"},
		} {
			a.Origin, a.CreatedAt, a.UpdatedAt = model.AgentImported, now, now
			must(t, db.Create(&a).Error)
		}
		f.create(t, integration.Input{Slug: "known", Kind: "easemob", Key: testKey, Options: integration.Options{RequireKnownAgent: true}})
		secret := strings.Repeat("k", 40)
		f.create(t, integration.Input{Slug: "app", Kind: "signed", Key: secret, Options: integration.Options{RequireKnownAgent: true}})
		enc := f.cipher.Encrypt
		jti := 0
		signed := func(agent map[string]any) map[string]string {
			jti++
			tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "jti": fmt.Sprint("k-", jti),
				"exp": time.Now().Add(2 * time.Minute).Unix(), "agent": agent}).SignedString([]byte(secret))
			must(t, err)
			return map[string]string{"token": tok}
		}
		tests := []struct {
			name, slug string
			params     map[string]string
			want       int
		}{
			{"Easemob: a signed-link agent's e-mail", "known", map[string]string{"visitorImId": "im-zhang", "agentId": enc("x-1"), "email": enc("amy@example.com")}, 403},
			{"Easemob: a signed-link agent's e-mail alone", "known", map[string]string{"visitorImId": "im-zhang", "email": enc("amy@example.com")}, 403},
			{"Easemob: a signed-link agent's id", "known", map[string]string{"visitorImId": "im-zhang", "agentId": enc("s-amy")}, 403},
			{"Easemob: its own agent's e-mail", "known", map[string]string{"visitorImId": "im-zhang", "agentId": enc("x-1"), "email": enc("bob@example.com")}, 201},
			{"Easemob: its own agent", "known", map[string]string{"visitorImId": "im-zhang", "agentId": enc("a-bob")}, 201},
			{"signed: an Easemob agent's e-mail", "app", signed(map[string]any{"id": "x-2", "email": "bob@example.com"}), 403},
			{"signed: an Easemob agent's e-mail alone", "app", signed(map[string]any{"email": "bob@example.com"}), 403},
			{"signed: its own agent's e-mail", "app", signed(map[string]any{"email": "amy@example.com"}), 201},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, _, e := f.session(t, tt.slug, tt.params)
				if status != tt.want || (tt.want == 403 && e.Error.Code != "unknown_agent") {
					t.Errorf("session = %d %+v, want %d", status, e, tt.want)
				}
			})
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
