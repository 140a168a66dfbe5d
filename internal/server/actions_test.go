package server_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
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
		// Search by name prefix, phone however typed and email in any case;
		// hints are masked.
		searches := map[string]string{"张": "张", "139123": "张伟", "139-1234": "张伟", "+86 139 1234": "张伟",
			"0086 1391234": "张伟", "zhang.wei@": "张伟", "Zhang.Wei@Example": "张伟"}
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
		if status != 200 || m.Status != api.NotLinked || m.ReasonCode == nil || *m.ReasonCode != "not_this_person" {
			t.Fatalf("not this person: %d %s", status, b)
		}
		_, again, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		if again.Match.Status != api.NotLinked {
			t.Errorf("automatic matching relinked a rejected contact: %+v", again.Match)
		}
		// A manual link beats everything and survives new sessions.
		status, m, b = post("/api/v1/sidebar/link", `{"contactId":"`+itoa(other.ID)+`"}`)
		if status != 200 || m.Status != api.Linked || m.Method == nil || *m.Method != api.Manual || m.ReasonCode == nil || *m.ReasonCode != "manual" {
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
