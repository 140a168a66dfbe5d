package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/ratelimit"
	"github.com/crmlens/crmlens/internal/seed"
	"github.com/crmlens/crmlens/internal/server"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const testKey = "kefu2024secret"

// Values the logs must never contain.
const (
	secretPhone = "15912345678"
	secretEmail = "zhang.san@example.com"
)

var assets = fstest.MapFS{
	"index.html":          {Data: []byte("<!doctype html><title>playground</title>")},
	"sidebar.html":        {Data: []byte("<!doctype html><html><head><title>sidebar</title></head></html>")},
	"admin.html":          {Data: []byte("<!doctype html><html><head><title>admin</title></head></html>")},
	"assets/app-abc1.js":  {Data: []byte("console.log(1)")},
	"assets/app-abc1.css": {Data: []byte("body{}")},
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	keys         *keyring.Keyring
	integrations *integration.Service
	admins       *admin.Service

	db      *gorm.DB
	url     string
	logs    *syncBuffer
	cipher  *paramcrypt.Cipher
	contact model.Contact
}

// start runs a real crmlens HTTP server on a fresh database with one easemob
// integration "acme" and one contact, Zhang San, with six orders.
func start(t *testing.T, db *gorm.DB) *fixture {
	t.Helper()
	return startWith(t, db, 1000)
}

// startWith is start with a failure allowance of failures per address.
func startWith(t *testing.T, db *gorm.DB, failures int) *fixture {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := keyring.New(bytes.Repeat([]byte{9}, 32))
	must(t, err)
	integrations := integration.New(db, keys, platforms.Default(), time.Hour, nil)
	_, _, err = integrations.Create(ctx, integration.Input{Slug: "acme", Kind: "easemob", Name: "Acme", Key: testKey, Origins: []string{"https://kefu.easemob.com"}}, nil)
	must(t, err)
	acct := model.Account{ExternalID: "A-1", Name: "上海示例贸易有限公司", Industry: "Retail", Tier: "gold", Owner: "Li"}
	must(t, db.Create(&acct).Error)
	c := withMatchKeys(model.Contact{ExternalID: "C-1", AccountID: &acct.ID, Name: "张三", Phone: secretPhone, Email: secretEmail, Title: "采购经理", Owner: "Li"})
	must(t, db.Create(&c).Error)
	must(t, db.Create(&model.ContactIdentity{ContactID: c.ID, Channel: "easemob", ExternalID: "im-zhang"}).Error)
	for i := 1; i <= 6; i++ {
		must(t, db.Create(&model.Order{ExternalID: "O-" + string(rune('0'+i)), ContactID: &c.ID, OrderNo: "SO-" + string(rune('0'+i)),
			AmountMinor: int64(i) * 10050, Currency: "CNY", Status: "paid", PlacedAt: now.Add(-time.Duration(i) * 24 * time.Hour)}).Error)
	}
	must(t, db.Create(&model.Ticket{ExternalID: "T-1", ContactID: &c.ID, Subject: "发票抬头错误", Status: "open", Priority: "high"}).Error)
	must(t, db.Create(&model.Ticket{ExternalID: "T-2", ContactID: &c.ID, Subject: "old", Status: "closed", Priority: "low"}).Error)
	must(t, db.Create(&model.Lead{ExternalID: "L-1", ContactID: &c.ID, Title: "年度续约", Status: "open", Source: "web"}).Error)

	tokens, err := sessiontoken.New(ctx, db, keys, nil)
	must(t, err)
	admins := admin.New(db, bcrypt.MinCost)
	// Wired as serve wires it: one agents service for every consumer.
	agentDir := agents.New(db, nil)
	layouts := layout.NewStore(db, nil).WithAgentGroups(agentDir)
	h := server.New(server.Deps{
		DB: db, Tokens: tokens, Assets: assets, Logger: log, Layouts: layouts, Agents: agentDir,
		Sidebar:      sidebar.New(sidebar.Deps{DB: db, Tokens: tokens, Integrations: integrations, Layouts: layouts, Agents: agentDir}),
		Playground:   playground.New(db, integrations),
		Integrations: integrations, Admins: admins,
		Failures: ratelimit.New(failures, 1, nil),
		// Every success answer of these tests matches openapi.yaml.
		CheckResponse: func(op string, err error) { t.Errorf("%s answered what openapi.yaml does not say: %v", op, err) },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cipher, err := paramcrypt.NewDES(testKey)
	must(t, err)
	return &fixture{db: db, url: srv.URL, logs: logs, cipher: cipher, contact: c, keys: keys, integrations: integrations, admins: admins}
}

// withMatchKeys is c with its match columns set, as the importer and every
// other write path sets them (internal/matchkey, default region).
func withMatchKeys(c model.Contact) model.Contact {
	n := matchkey.Normalizer{}
	c.PhoneMatch, c.EmailMatch = n.Phone(c.Phone), n.Email(c.Email)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) do(t *testing.T, method, path, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.url+path, r)
	must(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp, b
}

func (f *fixture) count(t *testing.T, m any) int64 {
	t.Helper()
	var n int64
	must(t, f.db.Model(m).Count(&n).Error)
	return n
}

func sessionBody(t *testing.T, slug string, params map[string]string) string {
	b, err := json.Marshal(map[string]any{"integration": slug, "params": params})
	must(t, err)
	return string(b)
}

func TestPagesAndHeaders(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	tests := []struct {
		name    string
		path    string
		status  int
		headers map[string]string
		body    string
	}{
		{name: "healthz", path: "/healthz", status: 200, body: `"ok"`},
		{name: "readyz", path: "/readyz", status: 200, body: `"ok"`},
		{name: "sidebar shell", path: "/sidebar/acme?visitorImId=x", status: 200, body: `<meta name="crmlens-frame-origins" content="https://kefu.easemob.com"><title>sidebar</title>`, headers: map[string]string{
			"Cache-Control":           "no-store",
			"Referrer-Policy":         "no-referrer",
			"Content-Security-Policy": "frame-ancestors 'self' https://kefu.easemob.com",
		}},
		{name: "unknown slug still explains itself", path: "/sidebar/nope", status: 404, body: "<title>sidebar</title>", headers: map[string]string{
			"Cache-Control": "no-store", "Content-Security-Policy": "frame-ancestors *",
		}},
		{name: "playground", path: "/", status: 200, body: "<title>playground</title>", headers: map[string]string{"Cache-Control": "no-store"}},
		{name: "hashed asset", path: "/assets/app-abc1.js", status: 200, body: "console.log", headers: map[string]string{
			"Cache-Control": "public, max-age=31536000, immutable", "Content-Type": "javascript",
		}},
		{name: "missing asset", path: "/assets/nope.js", status: 404, body: `"code":"not_found"`},
		{name: "traversal", path: "/assets/..%2f..%2fetc/passwd", status: 404, body: `"code":"not_found"`},
		{name: "unknown route", path: "/nope", status: 404, body: `"code":"not_found"`},
		{name: "playground without demo", path: "/api/v1/playground/conversations", status: 404, body: `"code":"demo_not_loaded"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", tt.path, "", nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body %q lacks %q", body, tt.body)
			}
			for k, v := range tt.headers {
				if got := resp.Header.Get(k); !strings.Contains(got, v) {
					t.Errorf("%s = %q, want it to contain %q", k, got, v)
				}
			}
		})
	}
}

func TestSessionErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		// The Easemob workbench sends params crmlens may not read (empty,
		// unknown, under an old key): only those that identify the visitor
		// or, as configured, the tenant and the agent fail a session. This
		// integration pins the tenant, so a tenantId that does not open is
		// refused the way every failing param is.
		_, _, err := f.integrations.Create(context.Background(), integration.Input{Slug: "acme-pinned", Kind: "easemob", Name: "Acme pinned",
			Key: testKey, Origins: []string{"https://kefu.easemob.com"}, Options: integration.Options{TenantID: "t-1"}}, nil)
		must(t, err)
		other, _ := paramcrypt.NewDES("some-other-key")
		big := strings.Repeat("a", server.MaxBodyBytes+1)
		tests := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"unknown integration", sessionBody(t, "nope", map[string]string{"visitorImId": "im-zhang"}), 404, "integration_not_found"},
			{"missing visitorImId", sessionBody(t, "acme", map[string]string{"easemobId": "x"}), 400, "missing_param"},
			{"not hex", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "im-zhang", "tenantId": "t-1!"}), 400, "invalid_param"},
			{"partial block", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "im-zhang", "tenantId": "0a1b2c"}), 400, "invalid_param"},
			{"wrong key", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "im-zhang", "tenantId": other.Encrypt("t-1")}), 400, "decrypt_failed"},
			{"bad padding", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "im-zhang", "tenantId": "50a0f4e259a3dbbf"}), 400, "decrypt_failed"},
			{"another tenant", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "im-zhang", "tenantId": f.cipher.Encrypt("t-2")}), 403, "tenant_mismatch"},
			{"not json", "{", 400, "invalid_json"},
			{"empty body", "", 400, "invalid_json"},
			{"param not a string", `{"integration":"acme","params":{"visitorImId":5}}`, 400, "invalid_json"},
			{"unknown field", `{"integration":"acme","params":{},"x":1}`, 400, "invalid_json"},
			{"no integration", `{"params":{"visitorImId":"v"}}`, 400, "missing_integration"},
			{"no params", `{"integration":"acme"}`, 400, "missing_params"},
			{"too large", `{"integration":"acme","params":{"visitorImId":"` + big + `"}}`, 413, "body_too_large"},
		}
		visitors := f.count(t, &model.Visitor{})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", tt.body, nil)
				if resp.StatusCode != tt.status {
					t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, body)
				}
				var e api.Error
				if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
					t.Fatalf("body = %s, want error code %s with a message", body, tt.code)
				}
			})
		}
		if got := f.count(t, &model.Visitor{}); got != visitors {
			t.Errorf("refused sessions wrote visitors: %d -> %d", visitors, got)
		}
		// No padding oracle: the two post-decryption failures answer alike.
		_, a := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "v", "tenantId": other.Encrypt("t-1")}), nil)
		_, b := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme-pinned", map[string]string{"visitorImId": "v", "tenantId": "50a0f4e259a3dbbf"}), nil)
		if !bytes.Equal(a, b) {
			t.Errorf("decrypt failures differ:\n%s\n%s", a, b)
		}
	})
}

// What the workbench sends beside the visitor's ids that crmlens cannot
// read never fails a session: an optional param that is not hex, not whole
// blocks, under another key or badly padded is dropped, and the session is
// the one the same URL without it opens (and names no agent from it).
func TestSessionDropsUnreadableOptionalParams(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		other, _ := paramcrypt.NewDES("some-other-key")
		for name, v := range map[string]string{
			"not hex": "Amy!", "partial block": "0a1b2c", "wrong key": other.Encrypt("Amy"), "bad padding": "50a0f4e259a3dbbf", "empty": "",
		} {
			t.Run(name, func(t *testing.T) {
				params := map[string]string{"visitorImId": "im-zhang", "agentName": v, "nickname": v, "ssid": v, "desc": ""}
				resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", params), nil)
				if resp.StatusCode != 201 {
					t.Fatalf("status = %d, want 201; body %s", resp.StatusCode, body)
				}
				var sess api.SessionResponse
				must(t, json.Unmarshal(body, &sess))
				if sess.Match.Status != api.Linked || sess.Contact == nil || sess.Contact.Name != "张三" {
					t.Fatalf("session = %s, want Zhang San linked by identity", body)
				}
				if strings.Contains(string(body), "Amy") {
					t.Errorf("a dropped param reached the session: %s", body)
				}
			})
		}
	})
}

func TestSessionAndContext(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		agentName := f.cipher.Encrypt("小王")
		params := map[string]string{"easemobId": "kefu", "visitorImId": "im-zhang", "agentName": agentName,
			"agentId": f.cipher.Encrypt("agent-7"), "lang": "en", "email": f.cipher.Encrypt("agent@example.com")}
		resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", params), nil)
		if resp.StatusCode != 201 {
			t.Fatalf("create session: %d %s", resp.StatusCode, body)
		}
		var sess api.SessionResponse
		must(t, json.Unmarshal(body, &sess))
		if sess.Token == "" || sess.Match.Status != api.Linked || sess.Contact == nil || sess.Contact.Name != "张三" || sess.Lang != api.En {
			t.Fatalf("session = %s", body)
		}
		if sess.Match.Method == nil || *sess.Match.Method != api.Identity || !strings.Contains(sess.Match.Reason, "im-zhang") {
			t.Errorf("match = %+v, want identity with a reason naming the id", sess.Match)
		}

		resp, body = f.do(t, "GET", "/api/v1/sidebar/context", "", nil)
		if resp.StatusCode != 401 || !strings.Contains(string(body), `"unauthorized"`) {
			t.Fatalf("context without token: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token + "x"})
		if resp.StatusCode != 401 {
			t.Fatalf("context with a bad token: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
		if resp.StatusCode != 200 {
			t.Fatalf("context: %d %s", resp.StatusCode, body)
		}
		var ctx api.SidebarContext
		must(t, json.Unmarshal(body, &ctx))
		panels := map[string]api.Panel{}
		for _, p := range ctx.Panels {
			panels[p.Key] = p
		}
		contact := panels["contact"]
		if len(contact.Records) != 1 {
			t.Fatalf("contact panel = %+v", contact)
		}
		v := contact.Records[0].Values
		if v["name"] == nil || *v["name"] != "张三" || v["phone"] == nil || *v["phone"] != "159****5678" || *v["email"] != secretEmail {
			t.Errorf("contact values = %s", body)
		}
		if len(panels["orders"].Records) != 5 || *panels["orders"].Records[0].Values["order_no"] != "SO-1" || *panels["orders"].Records[0].Values["amount"] != "100.50" {
			t.Errorf("orders panel = %+v, want the 5 latest, newest first", panels["orders"].Records)
		}
		if len(panels["tickets"].Records) != 1 || *panels["tickets"].Records[0].Values["subject"] != "发票抬头错误" {
			t.Errorf("tickets panel shows %d records, want the one open ticket", len(panels["tickets"].Records))
		}
		if len(panels["account"].Records) != 1 || len(panels["leads"].Records) != 1 {
			t.Errorf("account/leads panels = %+v / %+v", panels["account"], panels["leads"])
		}
		// Projection: nothing the layout does not name leaves the server.
		for _, p := range ctx.Panels {
			named := map[string]bool{}
			for _, fd := range p.Fields {
				named[fd.Key] = true
			}
			for _, r := range p.Records {
				for k := range r.Values {
					if !named[k] {
						t.Errorf("panel %s leaks field %s", p.Key, k)
					}
				}
			}
		}
		if strings.Contains(string(body), "C-1") || strings.Contains(string(body), "A-1") {
			t.Errorf("context leaks external ids the layout does not name: %s", body)
		}
		var ev model.AuditEvent
		must(t, db.Where("action = ?", audit.ActionContextRead).Take(&ev).Error)
		if ev.ContactID == nil || *ev.ContactID != f.contact.ID || ev.Actor != "agent-7" || ev.RequestID == "" {
			t.Errorf("audit event = %+v", ev)
		}

		// The same visitor again reuses its link; a stranger is not linked.
		resp, body = f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", params), nil)
		sess = api.SessionResponse{}
		must(t, json.Unmarshal(body, &sess))
		if resp.StatusCode != 201 || sess.Match.Method == nil || *sess.Match.Method != api.Identity {
			t.Errorf("second session = %d %s", resp.StatusCode, body)
		}
		if n := f.count(t, &model.Visitor{}); n != 1 {
			t.Errorf("visitors = %d after two sessions of one visitor, want 1", n)
		}
		resp, body = f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", map[string]string{"visitorImId": "im-stranger"}), nil)
		sess = api.SessionResponse{}
		must(t, json.Unmarshal(body, &sess))
		if resp.StatusCode != 201 || sess.Match.Status != api.NotLinked || sess.Contact != nil {
			t.Errorf("stranger session = %d %s", resp.StatusCode, body)
		}
		_, body = f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
		ctx = api.SidebarContext{}
		must(t, json.Unmarshal(body, &ctx))
		if ctx.Contact != nil || len(ctx.Panels) != 0 || ctx.Match.Status != api.NotLinked {
			t.Errorf("stranger context = %s", body)
		}

		logs := f.logs.String()
		for _, secret := range []string{testKey, agentName, secretPhone, secretEmail, sess.Token, "agent@example.com"} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain a secret value %q", secret)
			}
		}
		if !strings.Contains(logs, `"route":"/api/v1/sidebar/sessions"`) {
			t.Errorf("request log lines missing: %s", logs)
		}
	})
}

func TestReadyzWhenDatabaseIsDown(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	must(t, database.Close(db))
	resp, body := f.do(t, "GET", "/readyz", "", nil)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "database_unavailable") {
		t.Fatalf("readyz with a closed database = %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, "GET", "/healthz", "", nil); resp.StatusCode != 200 {
		t.Errorf("healthz = %d while the database is down, want 200", resp.StatusCode)
	}
}

// TestConcurrentFirstSessions opens many first sessions of one new visitor at
// once: every one succeeds and there is exactly one visitor row.
func TestConcurrentFirstSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		body := sessionBody(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		var wg sync.WaitGroup
		statuses := make([]int, 12)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Post(f.url+"/api/v1/sidebar/sessions", "application/json", strings.NewReader(body))
				if err != nil {
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Errorf("request %d: status %d", i, s)
			}
		}
		if n := f.count(t, &model.Visitor{}); n != 1 {
			t.Errorf("visitors = %d, want 1", n)
		}
	})
}

// TestPlaygroundURLsOpenSessions follows each demo conversation's sidebar URL
// as the browser would: its params, encrypted as Easemob does, open a session
// for that visitor.
func TestPlaygroundURLsOpenSessions(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	if _, err := seed.Demo(context.Background(), db, seed.Options{Contacts: 30, SealKey: f.keys.Seal}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(t, "GET", "/api/v1/playground/conversations", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("conversations: %d %s", resp.StatusCode, body)
	}
	var list api.ConversationList
	must(t, json.Unmarshal(body, &list))
	if len(list.Conversations) < 3 {
		t.Fatalf("conversations = %d", len(list.Conversations))
	}
	demoCipher, err := paramcrypt.NewDES(seed.DemoKey)
	must(t, err)
	for _, cv := range list.Conversations {
		u, err := url.Parse(cv.SidebarUrl)
		must(t, err)
		q := u.Query()
		if q.Get("visitorImId") != cv.Id || q.Get("easemobId") == "" {
			t.Errorf("%s: system params not in clear: %s", cv.Id, cv.SidebarUrl)
		}
		if name, err := demoCipher.Decrypt(q.Get("nickname")); err != nil || name != cv.VisitorName {
			t.Errorf("%s: nickname decrypts to %q, %v; want %q", cv.Id, name, err, cv.VisitorName)
		}
		params := map[string]string{}
		for k := range q {
			params[k] = q.Get(k)
		}
		slug := strings.TrimPrefix(u.Path, "/sidebar/")
		resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, slug, params), nil)
		var sess api.SessionResponse
		must(t, json.Unmarshal(body, &sess))
		if resp.StatusCode != 201 {
			t.Fatalf("%s: session %d %s", cv.Id, resp.StatusCode, body)
		}
		wantLinked := cv.Id != seed.UnknownVisitorImID
		if (sess.Match.Status == api.Linked) != wantLinked || (wantLinked && sess.Contact.Name != cv.VisitorName) {
			t.Errorf("%s: session = %s", cv.Id, body)
		}
	}
}
