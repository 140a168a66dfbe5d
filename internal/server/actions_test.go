package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func (f *fixture) bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// adminToken signs in a fresh admin.
func (f *fixture) adminToken(t *testing.T) string {
	t.Helper()
	if _, err := f.admins.Create(context.Background(), "ops@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"correct horse battery"}`, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
	var as api.AdminSession
	must(t, json.Unmarshal(body, &as))
	return as.Token
}

func (f *fixture) context(t *testing.T, token string) (api.SidebarContext, string) {
	t.Helper()
	resp, body := f.do(t, "GET", "/api/v1/sidebar/context", "", f.bearer(token))
	if resp.StatusCode != 200 {
		t.Fatalf("context: %d %s", resp.StatusCode, body)
	}
	var ctx api.SidebarContext
	must(t, json.Unmarshal(body, &ctx))
	return ctx, string(body)
}

func TestLayoutsDecideWhatLeavesTheServer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		admin := f.bearer(f.adminToken(t))
		vip := `{"name":"kefu","scope":{"integrations":["acme"]},"panels":[
			{"object":"contact","fields":["name","email"],"masked":["email"],"labels":{"email":{"zh":"电邮","en":"Mail"}}},
			{"object":"orders","fields":["order_no","status"],"limit":2,"sort":"placed_at","filter":{"status":["paid"]}}]}`
		resp, body := f.do(t, "PUT", "/api/v1/admin/layouts", vip, admin)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"version":1`) {
			t.Fatalf("put layout: %d %s", resp.StatusCode, body)
		}
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang", "agentId": f.cipher.Encrypt("a-7")})
		if sess.Layout == nil || sess.Layout.Name != "kefu" || !strings.Contains(sess.Layout.Reason, "integration acme") {
			t.Errorf("the session answer's layout = %+v", sess.Layout)
		}
		ctx, raw := f.context(t, sess.Token)
		if ctx.Layout.Name != "kefu" || !strings.Contains(ctx.Layout.Reason, "integration acme") {
			t.Errorf("layout = %+v", ctx.Layout)
		}
		if len(ctx.Panels) != 2 || len(ctx.Panels[1].Records) != 2 {
			t.Fatalf("panels = %s", raw)
		}
		for _, leak := range []string{secretPhone, "159****5678", secretEmail, "amount", "placed_at", "上海示例", "account"} {
			if strings.Contains(raw, leak) {
				t.Errorf("the context carries %q, which the layout does not show in clear: %s", leak, raw)
			}
		}
		contact := ctx.Panels[0]
		if contact.Fields[1].Label.En != "Mail" || !contact.Fields[1].Masked || *contact.Records[0].Values["email"] != "z***@example.com" {
			t.Errorf("contact panel = %+v", contact)
		}

		// Reveal: the masked email of the linked contact, audited.
		reveal := func(body string) (int, string) {
			resp, b := f.do(t, "POST", "/api/v1/sidebar/reveal", body, f.bearer(sess.Token))
			return resp.StatusCode, string(b)
		}
		status, b := reveal(`{"object":"contact","recordId":"` + contact.Records[0].Id + `","field":"email"}`)
		if status != 200 || !strings.Contains(b, secretEmail) {
			t.Fatalf("reveal: %d %s", status, b)
		}
		var ev model.AuditEvent
		must(t, db.Where("action = ?", "field.reveal").Take(&ev).Error)
		if ev.ContactID == nil || *ev.ContactID != f.contact.ID || !strings.Contains(ev.Detail, "email") || ev.Actor != "a-7" {
			t.Errorf("reveal audit = %+v", ev)
		}
		if status, b := reveal(`{"object":"contact","recordId":"` + contact.Records[0].Id + `","field":"name"}`); status != 400 || !strings.Contains(b, "field_not_masked") {
			t.Errorf("reveal of an unmasked field: %d %s", status, b)
		}
		other := withMatchKeys(model.Contact{ExternalID: "C-9", Name: "Someone", Email: "someone@example.com"})
		must(t, db.Create(&other).Error)
		if status, b := reveal(`{"object":"contact","recordId":"` + itoa(other.ID) + `","field":"email"}`); status != 404 || strings.Contains(b, "someone@") {
			t.Errorf("reveal of another contact's record: %d %s", status, b)
		}
		if status, _ := reveal(`{"object":"contact","recordId":"x","field":"email"}`); status != 400 {
			t.Errorf("reveal with a bad record id: %d", status)
		}

		// A stale update is refused and loses nothing; a bad layout writes nothing.
		stale := strings.Replace(vip, `"name":"kefu"`, `"name":"kefu","version":0`, 1)
		if resp, b := f.do(t, "PUT", "/api/v1/admin/layouts", stale, admin); resp.StatusCode != 409 {
			t.Errorf("stale put: %d %s", resp.StatusCode, b)
		}
		bad := strings.Replace(vip, `"name","email"`, `"name","shoe_size"`, 1)
		bad = strings.Replace(bad, `"name":"kefu"`, `"name":"kefu","version":1`, 1)
		if resp, b := f.do(t, "PUT", "/api/v1/admin/layouts", bad, admin); resp.StatusCode != 400 || !strings.Contains(string(b), "shoe_size") {
			t.Errorf("invalid put: %d %s", resp.StatusCode, b)
		}
		noPanels := `{"name":"empty","scope":{"default":true},"panels":[]}`
		if resp, _ := f.do(t, "PUT", "/api/v1/admin/layouts", noPanels, admin); resp.StatusCode != 400 {
			t.Errorf("a layout with no panels: %d", resp.StatusCode)
		}
		_, body = f.do(t, "GET", "/api/v1/admin/layouts", "", admin)
		if !strings.Contains(string(body), `"version":1`) || strings.Contains(string(body), "shoe_size") || strings.Contains(string(body), `"empty"`) {
			t.Errorf("layouts after refused puts: %s", body)
		}
		if resp, _ := f.do(t, "PUT", "/api/v1/admin/layouts", vip, f.bearer(sess.Token)); resp.StatusCode != 403 {
			t.Errorf("a sidebar token changing layouts: %d", resp.StatusCode)
		}
	})
}

func TestLinkUnlinkAndNotThisPerson(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		other := withMatchKeys(model.Contact{ExternalID: "C-2", Name: "张伟", Phone: "13912345678", Email: "zhang.wei@example.com"})
		must(t, db.Create(&other).Error)
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		auth := f.bearer(sess.Token)
		post := func(path, body string) (int, api.Match, string) {
			resp, b := f.do(t, "POST", path, body, auth)
			var m api.Match
			_ = json.Unmarshal(b, &m)
			return resp.StatusCode, m, string(b)
		}
		// Search by name prefix, the whole phone however typed (the default
		// layout masks phones) and email in any case; hints are masked.
		searches := map[string]string{"张": "张", "13912345678": "张伟", "139-1234-5678": "张伟", "+86 139 1234 5678": "张伟",
			"0086 13912345678": "张伟", "zhang.wei@": "张伟", "Zhang.Wei@Example": "张伟"}
		literal := []string{"zhang_wei@", "zhang%wei@", "%@example.com"}
		for q, want := range searches {
			resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery(q), "", auth)
			if resp.StatusCode != 200 || !strings.Contains(string(b), want) || strings.Contains(string(b), "13912345678") {
				t.Errorf("search %q: %d %s", q, resp.StatusCode, b)
			}
		}
		// '_' and '%' are literal: neither is a wildcard on either engine.
		for _, q := range literal {
			resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery(q), "", auth)
			if resp.StatusCode != 200 || strings.Contains(string(b), "张伟") {
				t.Errorf("search %q: %d %s; want no contact", q, resp.StatusCode, b)
			}
		}
		if resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q=x", "", auth); resp.StatusCode != 400 {
			t.Errorf("a one-letter search: %d %s", resp.StatusCode, b)
		}
		if resp, _ := f.do(t, "GET", "/api/v1/sidebar/contacts", "", auth); resp.StatusCode != 400 {
			t.Errorf("a search without q: %d", resp.StatusCode)
		}

		// Not this person: unlinked, and the identity no longer links it.
		status, m, b := post("/api/v1/sidebar/unlink", `{"notThisPerson":true}`)
		if status != 200 || m.Status != api.NotLinked || m.ReasonCode == nil || *m.ReasonCode != "rejected" {
			t.Fatalf("not this person: %d %s", status, b)
		}
		_, again, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		if again.Match.Status != api.NotLinked {
			t.Errorf("automatic matching relinked a rejected contact: %+v", again.Match)
		}
		// A manual link beats everything and survives new sessions.
		// (acme vouches for no agent, so the link says it is unverified.)
		status, m, b = post("/api/v1/sidebar/link", `{"contactId":"`+itoa(other.ID)+`"}`)
		if status != 200 || m.Status != api.Linked || m.Method == nil || *m.Method != api.Manual || m.ReasonCode == nil || *m.ReasonCode != "manual_unverified" {
			t.Fatalf("link: %d %s", status, b)
		}
		_, again, _ = f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		if again.Contact == nil || again.Contact.Name != "张伟" || *again.Match.Method != api.Manual {
			t.Errorf("after a manual link: %+v", again)
		}
		if status, _, _ := post("/api/v1/sidebar/link", `{"contactId":"999999"}`); status != 404 {
			t.Errorf("link to a missing contact: %d", status)
		}
		var n int64
		db.Model(&model.AuditEvent{}).Where("action IN ?", []string{"visitor.link", "visitor.unlink", "contact.search"}).Count(&n)
		if want := int64(len(searches) + len(literal) + 2); n != want {
			t.Errorf("audited actions = %d, want %d (%d searches, 1 unlink, 1 link)", n, want, len(searches)+len(literal))
		}

		// The audit API filters.
		admin := f.bearer(f.adminToken(t))
		resp, body := f.do(t, "GET", "/api/v1/admin/audit?action=visitor.link", "", admin)
		var list struct {
			Events []api.AuditEvent `json:"events"`
		}
		must(t, json.Unmarshal(body, &list))
		if resp.StatusCode != 200 || len(list.Events) != 1 || *list.Events[0].ContactId != itoa(other.ID) {
			t.Errorf("audit filter: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "GET", "/api/v1/admin/audit?limit=2", "", admin)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"next"`) {
			t.Errorf("audit page: %d %s", resp.StatusCode, body)
		}
		for _, q := range []string{"contactId=abc", "since=yesterday", "limit=0"} {
			if resp, b := f.do(t, "GET", "/api/v1/admin/audit?"+q, "", admin); resp.StatusCode != 400 || !strings.Contains(string(b), `"error"`) {
				t.Errorf("audit ?%s: %d %s", q, resp.StatusCode, b)
			}
		}
		if resp, _ := f.do(t, "GET", "/api/v1/admin/audit", "", auth); resp.StatusCode != 403 {
			t.Errorf("audit with a sidebar token: %d", resp.StatusCode)
		}
	})
}

// "Not this person" says so, with the contact's name, in the answer, the
// context and the next session (not "no contact has the id"); linking that
// contact by hand undoes it; a plain unlink rejects no one.
func TestNotThisPersonIsSaidAndUndone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		params := map[string]string{"visitorImId": "im-zhang"}
		_, sess, _ := f.session(t, "acme", params)
		auth := f.bearer(sess.Token)
		post := func(path, body string) (int, api.Match, string) {
			resp, b := f.do(t, "POST", path, body, auth)
			var m api.Match
			_ = json.Unmarshal(b, &m)
			return resp.StatusCode, m, string(b)
		}
		rejected := func(where string, m api.Match) {
			t.Helper()
			if m.Status != api.NotLinked || m.ReasonCode == nil || *m.ReasonCode != "rejected" || m.Rejected == nil ||
				m.Rejected.Name != "张三" || m.Rejected.Id != itoa(f.contact.ID) || !strings.Contains(m.Reason, "张三 is not this person") {
				t.Errorf("%s: match = %+v, want rejected 张三", where, m)
			}
		}
		status, m, b := post("/api/v1/sidebar/unlink", `{"notThisPerson":true}`)
		if status != 200 {
			t.Fatalf("not this person: %d %s", status, b)
		}
		rejected("the unlink's answer", m)
		ctx, _ := f.context(t, sess.Token)
		rejected("the context", ctx.Match)
		_, again, _ := f.session(t, "acme", params)
		rejected("the next session", again.Match)
		ctx, _ = f.context(t, again.Token)
		rejected("the next session's context", ctx.Match)

		// Linking the rejected contact by hand (no search needed: it was
		// this visitor's) undoes it.
		status, m, b = f.link(t, again.Token, itoa(f.contact.ID))
		if status != 200 || m.Status != api.Linked {
			t.Fatalf("link the rejected contact again: %d %s", status, b)
		}
		var n int64
		must(t, db.Model(&model.VisitorRejection{}).Count(&n).Error)
		if n != 0 {
			t.Errorf("%d rejections left after linking the contact by hand", n)
		}

		// A plain unlink: not linked, nobody rejected, said as an unlink.
		resp, body := f.do(t, "POST", "/api/v1/sidebar/unlink", `{}`, f.bearer(again.Token))
		must(t, json.Unmarshal(body, &m))
		if resp.StatusCode != 200 || m.ReasonCode == nil || *m.ReasonCode != "unlinked" || m.Rejected != nil {
			t.Errorf("plain unlink: %d %s", resp.StatusCode, body)
		}
		must(t, db.Model(&model.VisitorRejection{}).Count(&n).Error)
		if n != 0 {
			t.Errorf("a plain unlink recorded %d rejections", n)
		}
		ctx, _ = f.context(t, again.Token)
		if ctx.Match.ReasonCode == nil || *ctx.Match.ReasonCode != "unlinked" {
			t.Errorf("context after a plain unlink: %+v", ctx.Match)
		}
	})
}

// A money amount keeps its record's currency when the panel does not show
// the currency field; the visitor shows what the platform vouched for, as
// the layout masks it; a search says when more contacts match than it lists.
func TestCurrencyVisitorAndMoreResults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		admin := f.bearer(f.adminToken(t))
		doc := `{"name":"money","scope":{"default":true},"panels":[
			{"object":"contact","fields":["name","phone","email"],"masked":["phone"]},
			{"object":"account","fields":["name"]},
			{"object":"orders","fields":["amount","placed_at"],"limit":2,"sort":"placed_at"}]}`
		if resp, b := f.do(t, "PUT", "/api/v1/admin/layouts", doc, admin); resp.StatusCode != 200 {
			t.Fatalf("put layout: %d %s", resp.StatusCode, b)
		}
		must(t, db.Model(&model.Order{}).Where("order_no = ?", "SO-1").Update("currency", "JPY").Error)
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		ctx, raw := f.context(t, sess.Token)
		orders := ctx.Panels[2]
		if len(orders.Records) != 2 || orders.Fields[0].CurrencyField != nil {
			t.Fatalf("orders = %s", raw)
		}
		for i, want := range []string{"JPY", "CNY"} {
			r := orders.Records[i]
			if r.Currencies == nil || (*r.Currencies)["amount"] != want {
				t.Errorf("record %d currencies = %v, want amount in %s (%s)", i, r.Currencies, want, raw)
			}
		}
		if v := *orders.Records[0].Values["amount"]; v != "10050" {
			t.Errorf("a JPY amount of 10050 minor units = %q, want 10050 (no minor unit)", v)
		}
		if strings.Contains(raw, `"currency"`) {
			t.Errorf("the currency field left the server as a field: %s", raw)
		}

		// The visitor: the platform's name and verified details.
		must(t, db.Model(&model.Visitor{}).Where("id = ?", sess.Visitor.Id).Updates(map[string]any{
			"display_name": "小张", "claims": `{"name":"张三","phone":"13800001111","email":"zs@example.com","identifier":"x"}`}).Error)
		ctx, raw = f.context(t, sess.Token)
		v := ctx.Visitor
		if v.DisplayName == nil || *v.DisplayName != "小张" || v.Verified == nil {
			t.Fatalf("visitor = %s", raw)
		}
		if want := map[string]string{"name": "张三", "phone": "138****1111", "email": "zs@example.com"}; fmt.Sprint(*v.Verified) != fmt.Sprint(want) {
			t.Errorf("verified = %v, want %v", *v.Verified, want)
		}
		if strings.Contains(raw, "13800001111") {
			t.Errorf("the visitor's phone left in clear though the layout masks phones: %s", raw)
		}

		// Search: 12 contacts start with 李; 10 are listed, with more.
		for i := 0; i < 12; i++ {
			c := withMatchKeys(model.Contact{ExternalID: fmt.Sprintf("L-%d", i), Name: fmt.Sprintf("李%02d", i), Email: fmt.Sprintf("li%d@example.com", i), Phone: fmt.Sprintf("1390000%04d", i), AccountID: f.contact.AccountID})
			must(t, db.Create(&c).Error)
		}
		resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery("李"), "", auth(f, sess.Token))
		var list api.CandidateList
		must(t, json.Unmarshal(b, &list))
		if resp.StatusCode != 200 || len(list.Contacts) != sidebar.MaxSearchResults || list.More == nil || !*list.More {
			t.Fatalf("search 李: %d %s", resp.StatusCode, b)
		}
		c0 := list.Contacts[0]
		if c0.Hint != "l***@example.com" || c0.Email != nil || c0.Company == nil || *c0.Company != "上海示例贸易有限公司" {
			t.Errorf("a result = %s", b)
		}
		resp, b = f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery("李01"), "", auth(f, sess.Token))
		list = api.CandidateList{}
		must(t, json.Unmarshal(b, &list))
		if resp.StatusCode != 200 || len(list.Contacts) != 1 || list.More != nil {
			t.Errorf("search 李01: %d %s", resp.StatusCode, b)
		}
	})
}

func auth(f *fixture, token string) map[string]string { return f.bearer(token) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func urlQuery(s string) string { return url.QueryEscape(s) }

func TestCustomFieldsInTheContext(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		store := layout.NewStore(db, nil)
		if _, err := store.PutField(context.Background(), layout.FieldInput{Object: layout.Contact, Key: "vip_level", Type: layout.Enum,
			Label: layout.Label{ZH: "会员等级", EN: "VIP level"}}, nil); err != nil {
			t.Fatal(err)
		}
		must(t, db.Model(&model.Contact{}).Where("id = ?", f.contact.ID).Update("custom", `{"vip_level":"gold"}`).Error)
		admin := f.bearer(f.adminToken(t))
		doc := `{"name":"vip","scope":{"default":true},"panels":[{"object":"contact","fields":["name","vip_level"],"masked":["vip_level"]}]}`
		if resp, b := f.do(t, "PUT", "/api/v1/admin/layouts", doc, admin); resp.StatusCode != 200 {
			t.Fatalf("put: %d %s", resp.StatusCode, b)
		}
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		ctx, raw := f.context(t, sess.Token)
		p := ctx.Panels[0]
		if p.Fields[1].Label.En != "VIP level" || p.Fields[1].Type != api.Enum || *p.Records[0].Values["vip_level"] != "g**d" || strings.Contains(raw, "gold") {
			t.Fatalf("context = %s", raw)
		}
		resp, b := f.do(t, "POST", "/api/v1/sidebar/reveal", `{"object":"contact","recordId":"`+p.Records[0].Id+`","field":"vip_level"}`, f.bearer(sess.Token))
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"gold"`) {
			t.Errorf("reveal custom: %d %s", resp.StatusCode, b)
		}
	})
}

// allowAgentActions lets agents of slug search and link though nothing
// vouches for them (integration.Options.AgentActions "all").
func (f *fixture) allowAgentActions(t *testing.T, slug string) {
	t.Helper()
	if _, err := f.integrations.Apply(context.Background(), slug, integration.Update{Options: &integration.Options{AgentActions: integration.AgentActionsAll}}, nil); err != nil {
		t.Fatal(err)
	}
}

// search runs an agent's search and returns the status, the contacts and
// the body.
func (f *fixture) search(t *testing.T, token, q string) (int, []api.Candidate, string) {
	t.Helper()
	resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery(q), "", f.bearer(token))
	var list api.CandidateList
	_ = json.Unmarshal(b, &list)
	return resp.StatusCode, list.Contacts, string(b)
}

func (f *fixture) link(t *testing.T, token, contactID string) (int, api.Match, string) {
	t.Helper()
	resp, b := f.do(t, "POST", "/api/v1/sidebar/link", `{"contactId":"`+contactID+`"}`, f.bearer(token))
	var m api.Match
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, string(b)
}

func errCode(body string) string {
	var e api.Error
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

// A session reaches its visitor: walking contact ids links nothing, a
// contact its own search returned (or a candidate offered to it) links, one
// another session found does not, and the next agent is told a link made
// where nothing vouched for the agent is unverified. Every audit line names
// an actor: the integration when the platform named no agent.
func TestSessionReachIsItsVisitor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		maxID := f.contact.ID
		for i := 0; i < 20; i++ {
			c := withMatchKeys(model.Contact{ExternalID: "W-" + strconv.Itoa(i), Name: "客户" + strconv.Itoa(i), Phone: "1370000" + strconv.Itoa(1000+i)})
			must(t, db.Create(&c).Error)
			maxID = max(maxID, c.ID)
		}
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-stranger"})
		if sess.Match.Status != api.NotLinked {
			t.Fatalf("stranger: %+v", sess.Match)
		}
		for id := int64(1); id <= maxID+3; id++ {
			if status, _, b := f.link(t, sess.Token, itoa(id)); status != 404 || errCode(b) != "contact_not_reachable" {
				t.Fatalf("link to contact %d, never offered or found: %d %s", id, status, b)
			}
		}
		var v model.Visitor
		must(t, db.Where("external_id = ?", "im-stranger").Take(&v).Error)
		if v.ContactID != nil {
			t.Fatalf("walking ids linked the visitor to %d", *v.ContactID)
		}
		if resp, b := f.do(t, "POST", "/api/v1/sidebar/reveal", `{"object":"contact","recordId":"`+itoa(f.contact.ID)+`","field":"phone"}`, f.bearer(sess.Token)); resp.StatusCode != 404 || strings.Contains(string(b), secretPhone) {
			t.Errorf("reveal without a link: %d %s", resp.StatusCode, b)
		}

		status, found, b := f.search(t, sess.Token, "客户1")
		if status != 200 || len(found) == 0 {
			t.Fatalf("search: %d %s", status, b)
		}
		var ev model.AuditEvent
		must(t, db.Where("action = ?", "contact.search").Order("id DESC").Take(&ev).Error)
		var ids []string
		for _, c := range found {
			ids = append(ids, c.Id)
		}
		if !strings.Contains(ev.Detail, `"contacts":"`+strings.Join(ids, ",")+`"`) || ev.Actor != "integration:acme" {
			t.Errorf("search audit = %+v, want the returned ids %v and the integration as actor", ev, ids)
		}
		// Another session of another visitor did not find it.
		_, otherSess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-someone-else"})
		if status, _, b := f.link(t, otherSess.Token, found[0].Id); status != 404 || errCode(b) != "contact_not_reachable" {
			t.Errorf("link from a session that did not find the contact: %d %s", status, b)
		}
		status, m, b := f.link(t, sess.Token, found[0].Id)
		if status != 200 || m.Status != api.Linked || m.Method == nil || *m.Method != api.Manual || m.ReasonCode == nil || *m.ReasonCode != "manual_unverified" {
			t.Fatalf("link a searched contact: %d %s", status, b)
		}
		// The next agent is told the link is unverified.
		_, again, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-stranger"})
		if again.Contact == nil || again.Contact.Id != found[0].Id || again.Match.ReasonCode == nil || *again.Match.ReasonCode != "manual_unverified" ||
			!strings.Contains(again.Match.Reason, "vouched") {
			t.Errorf("the next session of the visitor: %+v", again.Match)
		}
		f.context(t, again.Token)
		var blank int64
		must(t, db.Model(&model.AuditEvent{}).Where("action IN ? AND actor = ?", []string{"contact.search", "visitor.link", "context.read"}, "").Count(&blank).Error)
		var named int64
		must(t, db.Model(&model.AuditEvent{}).Where("action IN ? AND actor = ?", []string{"visitor.link", "context.read"}, "integration:acme").Count(&named).Error)
		if blank != 0 || named < 2 {
			t.Errorf("audit actors: %d blank, %d naming the integration", blank, named)
		}

		// Candidates offered when a session opens are reachable, others not;
		// their hints show nothing the layout masks (phones, by default).
		f.create(t, integration.Input{Slug: "web", Kind: "sharecrm", Key: "MDEyMzQ1Njc4OWFiY2RlZg=="})
		var pair []model.Contact
		for _, c := range []model.Contact{
			withMatchKeys(model.Contact{ExternalID: "P-1", Name: "李四", Phone: "13800138000"}),
			withMatchKeys(model.Contact{ExternalID: "P-2", Name: "李四的同事", Phone: "13800138000"}),
		} {
			must(t, db.Create(&c).Error)
			pair = append(pair, c)
		}
		aes, err := paramcrypt.NewAES("MDEyMzQ1Njc4OWFiY2RlZg==")
		must(t, err)
		_, amb, _ := f.session(t, "web", map[string]string{"customParams": aes.Encrypt(`{"full_name":"王五","phone":"13800138000"}`)})
		if amb.Match.Candidates == nil || len(*amb.Match.Candidates) != 2 {
			t.Fatalf("ambiguous session: %+v", amb.Match)
		}
		for _, c := range *amb.Match.Candidates {
			if strings.ContainsAny(c.Hint, "0123456789") {
				t.Errorf("candidate hint %q shows digits of a phone the layout masks", c.Hint)
			}
		}
		if status, _, b := f.link(t, amb.Token, itoa(f.contact.ID)); status != 404 {
			t.Errorf("link a contact that is no candidate: %d %s", status, b)
		}
		status, m, b = f.link(t, amb.Token, itoa(pair[1].ID))
		if status != 200 || m.ReasonCode == nil || *m.ReasonCode != "manual" {
			t.Errorf("link a candidate (ShareCRM vouches for its sessions): %d %s", status, b)
		}
	})
}

// A phone or e-mail the layout masks or hides is found only by its whole
// normalized value, and no hint shows what the layout masks: prefix search
// recovers nothing digit by digit. Names are still found by prefix.
func TestMaskedFieldSearchIsNoOracle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		c := withMatchKeys(model.Contact{ExternalID: "C-2", Name: "张伟", Phone: "13912345678", Email: "zhang.wei@example.com"})
		must(t, db.Create(&c).Error)
		admin := f.bearer(f.adminToken(t))
		tests := []struct {
			name   string
			layout string // "" is the built-in default: phone masked, email shown
			hits   []string
			misses []string
			hint   string
		}{
			{name: "default layout masks the phone", hits: []string{"13912345678", "+86 139-1234-5678", "0086 13912345678", "zhang.wei@", "张"},
				misses: []string{"139", "1391", "13912", "1391234", "139123456", "1391234567", "+86 139 1234", "13912345679"}, hint: "z***@example.com"},
			{name: "phone and email masked", layout: `{"object":"contact","fields":["name","phone","email"],"masked":["phone","email"]}`,
				hits: []string{"13912345678", "zhang.wei@example.com", "Zhang.Wei@Example.com", "张伟"}, misses: []string{"1391234", "zhang.wei@", "zhang.wei@example.co"}, hint: "********"},
			{name: "phone hidden", layout: `{"object":"contact","fields":["name","email"]}`,
				hits: []string{"13912345678", "zhang.wei@"}, misses: []string{"1391234"}, hint: "z***@example.com"},
			{name: "phone shown", layout: `{"object":"contact","fields":["name","phone"]}`,
				hits: []string{"139123", "13912345678"}, misses: []string{"zhang.wei@"}, hint: "139****5678"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.layout != "" {
					doc := `{"name":"l","scope":{"default":true},"panels":[` + tt.layout + `]}`
					if i > 1 {
						doc = strings.Replace(doc, `"name":"l"`, `"name":"l","version":`+strconv.Itoa(i-1), 1)
					}
					if resp, b := f.do(t, "PUT", "/api/v1/admin/layouts", doc, admin); resp.StatusCode != 200 {
						t.Fatalf("put layout: %d %s", resp.StatusCode, b)
					}
				}
				_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-" + strconv.Itoa(i)})
				for _, q := range tt.hits {
					status, found, b := f.search(t, sess.Token, q)
					var hit *api.Candidate
					for j := range found {
						if found[j].Id == itoa(c.ID) {
							hit = &found[j]
						}
					}
					if status != 200 || hit == nil {
						t.Errorf("search %q: %d %s, want 张伟", q, status, b)
						continue
					}
					if hit.Hint != tt.hint || strings.Contains(b, "13912345678") || strings.Contains(b, "zhang.wei@example.com") {
						t.Errorf("search %q: hint %q, want %q; body %s", q, hit.Hint, tt.hint, b)
					}
				}
				for _, q := range tt.misses {
					if status, found, b := f.search(t, sess.Token, q); status != 200 || len(found) != 0 {
						t.Errorf("search %q: %d %s, want nothing", q, status, b)
					}
				}
			})
		}
	})
}

// Searches, links and reveals are limited per session and per agent, in
// the database: past a limit they answer 429 rate_limited with Retry-After.
func TestAgentActionLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		f.allowAgentActions(t, "acme")
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		refused := func(resp *http.Response, b []byte, what string) {
			t.Helper()
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode != 429 || errCode(string(b)) != "rate_limited" || err != nil || secs < 1 {
				t.Fatalf("%s past its limit: %d Retry-After %q %s", what, resp.StatusCode, resp.Header.Get("Retry-After"), b)
			}
		}
		for i := 0; i < sidebar.SearchesPerSession; i++ {
			if status, _, b := f.search(t, sess.Token, "张三"); status != 200 {
				t.Fatalf("search %d: %d %s", i+1, status, b)
			}
		}
		resp, b := f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery("张三"), "", f.bearer(sess.Token))
		refused(resp, b, "a session's searches")
		if secs, _ := strconv.Atoi(resp.Header.Get("Retry-After")); secs > int(sessiontoken.TTL.Seconds())+1 {
			t.Errorf("Retry-After %d outlasts the session", secs)
		}
		for i := 0; i < sidebar.LinksPerSession; i++ {
			if status, _, b := f.link(t, sess.Token, itoa(f.contact.ID)); status != 200 {
				t.Fatalf("link %d: %d %s", i+1, status, b)
			}
		}
		resp, b = f.do(t, "POST", "/api/v1/sidebar/link", `{"contactId":"`+itoa(f.contact.ID)+`"}`, f.bearer(sess.Token))
		refused(resp, b, "a session's links")
		reveal := `{"object":"contact","recordId":"` + itoa(f.contact.ID) + `","field":"phone"}`
		for i := 0; i < sidebar.RevealsPerSession; i++ {
			if resp, b := f.do(t, "POST", "/api/v1/sidebar/reveal", reveal, f.bearer(sess.Token)); resp.StatusCode != 200 {
				t.Fatalf("reveal %d: %d %s", i+1, resp.StatusCode, b)
			}
		}
		resp, b = f.do(t, "POST", "/api/v1/sidebar/reveal", reveal, f.bearer(sess.Token))
		refused(resp, b, "a session's reveals")

		// The agent's day spans sessions: this one (no agent named, so the
		// integration) has searched SearchesPerSession times; new sessions
		// take it to the daily limit, and the next search is refused.
		done := sidebar.SearchesPerSession
		for done < sidebar.SearchesPerAgentDay {
			_, s, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
			for i := 0; i < sidebar.SearchesPerSession && done < sidebar.SearchesPerAgentDay; i++ {
				if status, _, b := f.search(t, s.Token, "张三"); status != 200 {
					t.Fatalf("search %d of the day: %d %s", done+1, status, b)
				}
				done++
			}
		}
		_, fresh, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		resp, b = f.do(t, "GET", "/api/v1/sidebar/contacts?q="+urlQuery("张三"), "", f.bearer(fresh.Token))
		refused(resp, b, "an agent's searches of the day")
		if !strings.Contains(string(b), "today") {
			t.Errorf("the daily refusal does not say so: %s", b)
		}
		// Another agent of the same integration is not limited by it.
		_, agent, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang", "agentId": f.cipher.Encrypt("a-2")})
		if status, _, b := f.search(t, agent.Token, "张三"); status != 200 {
			t.Errorf("another agent's search: %d %s", status, b)
		}
	})
}

// Where nothing vouches for the agent, the admin decides: new integrations
// let such agents only read, refusing search, link and unlink with a 403
// that says why and what to change; reading the matched contact and showing
// its masked fields stay. Integrations that vouch for their sessions always
// allow search.
func TestUnvouchedAgentsOnlyRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db) // acme: Easemob with a key, agents not required known
		in, err := f.integrations.Get(context.Background(), "acme")
		must(t, err)
		if opts := in.Options; opts.AgentActions != integration.AgentActionsRead || integration.AgentsMaySearch(in) {
			t.Fatalf("a new unvouched integration's options = %+v", opts)
		}
		if p := integration.ProtectionOf(in, integration.OriginsOf(in.Integration)); !strings.Contains(p.Summary, "read only") {
			t.Errorf("protection does not say agents only read: %s", p.Summary)
		}
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		for _, tt := range []struct{ name, method, path, body string }{
			{"search", "GET", "/api/v1/sidebar/contacts?q=" + urlQuery("张三"), ""},
			{"link", "POST", "/api/v1/sidebar/link", `{"contactId":"` + itoa(f.contact.ID) + `"}`},
			{"unlink", "POST", "/api/v1/sidebar/unlink", `{"notThisPerson":true}`},
		} {
			resp, b := f.do(t, tt.method, tt.path, tt.body, f.bearer(sess.Token))
			if resp.StatusCode != 403 || errCode(string(b)) != "agent_actions_read_only" || !strings.Contains(string(b), "admin") {
				t.Errorf("%s: %d %s", tt.name, resp.StatusCode, b)
			}
		}
		ctx, _ := f.context(t, sess.Token)
		if ctx.Contact == nil {
			t.Fatalf("the matched contact is not shown: %+v", ctx)
		}
		if resp, b := f.do(t, "POST", "/api/v1/sidebar/reveal", `{"object":"contact","recordId":"`+ctx.Contact.Id+`","field":"phone"}`, f.bearer(sess.Token)); resp.StatusCode != 200 {
			t.Errorf("reveal: %d %s", resp.StatusCode, b)
		}
		// The admin opens search and link through the API; an update
		// without the option keeps the choice.
		admin := f.bearer(f.adminToken(t))
		if resp, b := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"options":{"agentActions":"all"}}`, admin); resp.StatusCode != 200 || !strings.Contains(string(b), `"agentActions":"all"`) {
			t.Fatalf("allow agent actions: %d %s", resp.StatusCode, b)
		}
		if resp, b := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"options":{"tenantId":""}}`, admin); resp.StatusCode != 200 || !strings.Contains(string(b), `"agentActions":"all"`) {
			t.Fatalf("an update without the option: %d %s", resp.StatusCode, b)
		}
		if resp, b := f.do(t, "PATCH", "/api/v1/admin/integrations/acme", `{"options":{"agentActions":"some"}}`, admin); resp.StatusCode != 400 {
			t.Errorf("a bad agentActions: %d %s", resp.StatusCode, b)
		}
		if status, _, b := f.search(t, sess.Token, "张三"); status != 200 {
			t.Errorf("search once allowed: %d %s", status, b)
		}
		// A vouched integration (ShareCRM) searches even when set to read.
		key := "MDEyMzQ1Njc4OWFiY2RlZg=="
		f.create(t, integration.Input{Slug: "web", Kind: "sharecrm", Key: key, Options: integration.Options{AgentActions: integration.AgentActionsRead}})
		aes, err := paramcrypt.NewAES(key)
		must(t, err)
		_, web, _ := f.session(t, "web", map[string]string{"customParams": aes.Encrypt(`{"full_name":"王五","phone":"13800138000"}`)})
		if status, _, b := f.search(t, web.Token, "张三"); status != 200 {
			t.Errorf("search in a vouched integration: %d %s", status, b)
		}
	})
}
