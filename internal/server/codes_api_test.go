package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// checkCoded fails when c's code, or a code its params name, is not in
// known: the console could not word it.
func checkCoded(t *testing.T, what string, code string, params *map[string]string, known []string) {
	t.Helper()
	if !slices.Contains(known, code) {
		t.Errorf("%s: code %q is not listed", what, code)
	}
	if params == nil {
		return
	}
	for k, v := range *params {
		switch {
		case strings.HasSuffix(k, "Codes"):
			for _, c := range strings.Split(v, ",") {
				if !slices.Contains(known, c) {
					t.Errorf("%s: param %s names code %q, not listed", what, k, c)
				}
			}
		case strings.HasSuffix(k, "Code") && v != "":
			if !slices.Contains(known, v) && !slices.Contains(layout.ReasonCodes, v) {
				t.Errorf("%s: param %s names code %q, not listed", what, k, v)
			}
		}
	}
}

// The simulator words every step as a code the console knows, matching
// traces included (none left as English only), and the layout reason too.
func TestSimulationStepsAreCoded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		inputs := []string{
			f.url + "/sidebar/acme?easemobId=1&visitorImId=im-zhang&agentId=" + f.cipher.Encrypt("agent-7"),
			"easemobId=1&visitorImId=im-nobody",
			"easemobId=1&visitorImId=im-zhang&agentId=bm90LWVuY3J5cHRlZA",
			`{"ext":{"cmd":{"updateVisitorInfoSrc":{"params":{"name":"` + f.cipher.Encrypt("Jack") + `"}}}}}`,
			f.url + "/sidebar/nope?visitorImId=x",
		}
		for _, in := range inputs {
			b, _ := json.Marshal(map[string]string{"integration": "acme", "input": in})
			resp, body := f.do(t, "POST", "/api/v1/admin/simulate", string(b), con.headers(true))
			if resp.StatusCode != 200 {
				t.Fatalf("simulate %q: %d %s", in, resp.StatusCode, body)
			}
			var s api.Simulation
			must(t, json.Unmarshal(body, &s))
			for _, st := range s.Steps {
				if st.DetailCode == nil || *st.DetailCode == "sim.trace.other" {
					t.Errorf("%q: step %s has no code the console words: %+v", in, st.Step, st)
					continue
				}
				checkCoded(t, string(st.Step), *st.DetailCode, st.Params, sidebar.AllSimulationCodes(platforms.Default()))
				if st.Notes != nil {
					for _, n := range *st.Notes {
						checkCoded(t, string(st.Step)+" note", n.Code, n.Params, sidebar.AllSimulationCodes(platforms.Default()))
					}
				}
			}
			if s.Layout != nil && (s.Layout.ReasonCode == nil || !slices.Contains(layout.ReasonCodes, *s.Layout.ReasonCode)) {
				t.Errorf("%q: layout without a reason code: %+v", in, s.Layout)
			}
		}
		resp, body := f.do(t, "GET", "/api/v1/admin/integrations", "", con.headers(false))
		var list struct{ Integrations []api.Integration }
		if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list.Integrations) == 0 {
			t.Fatalf("integrations: %d %s", resp.StatusCode, body)
		}
		for _, it := range list.Integrations {
			p := it.Protection
			if len(p.SummaryCodes) == 0 || len(p.ExposedCodes) != len(p.Exposed) || len(p.AdviceCodes) != len(p.Advice) {
				t.Errorf("%s: protection codes do not follow its words: %+v", it.Slug, p)
			}
			for _, l := range [][]api.CodedText{p.SummaryCodes, p.ExposedCodes, p.AdviceCodes} {
				for _, c := range l {
					checkCoded(t, it.Slug, c.Code, c.Params, integration.ProtectionCodes(platforms.Default()))
				}
			}
		}
	})
}

// The audit list names what events refer to, filters by those names, and
// leaves the designer's previews out unless asked.
func TestAuditListNamesAndPreviews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		status, sess, e := f.session(t, "acme", map[string]string{"easemobId": "1", "visitorImId": "im-zhang", "agentId": f.cipher.Encrypt("agent-7")})
		if status != 201 {
			t.Fatalf("session: %+v", e)
		}
		f.context(t, sess.Token)
		draft := `{"layout":{"name":"draft","scope":{"default":true},"panels":[{"object":"contact","fields":["name"]}]},"contactId":"` + itoa(f.contact.ID) + `"}`
		for i := 0; i < 3; i++ {
			if resp, body := f.do(t, "POST", "/api/v1/admin/layouts/preview", draft, con.headers(true)); resp.StatusCode != 200 {
				t.Fatalf("preview: %d %s", resp.StatusCode, body)
			}
		}
		list := func(q string) []map[string]any {
			t.Helper()
			resp, body := f.do(t, "GET", "/api/v1/admin/audit"+q, "", con.headers(false))
			if resp.StatusCode != 200 {
				t.Fatalf("audit%s: %d %s", q, resp.StatusCode, body)
			}
			var out struct{ Events []map[string]any }
			must(t, json.Unmarshal(body, &out))
			return out.Events
		}
		count := func(evs []map[string]any, action string) int {
			n := 0
			for _, e := range evs {
				if e["action"] == action {
					n++
				}
			}
			return n
		}
		all := list("")
		if count(all, "layout.preview") != 0 || count(all, "context.read") != 1 {
			t.Errorf("default list: previews hidden, the read shown: %v", all)
		}
		if n := count(list("?previews=true"), "layout.preview"); n != 3 {
			t.Errorf("previews=true: %d previews, want 3", n)
		}
		if n := count(list("?action=layout.preview"), "layout.preview"); n != 3 {
			t.Errorf("action=layout.preview: %d previews, want 3", n)
		}
		var read map[string]any
		for _, e := range all {
			if e["action"] == "context.read" {
				read = e
			}
		}
		if read["integrationName"] != "Acme" || read["integrationSlug"] != "acme" || read["contactName"] != "张三" || !strings.Contains(read["visitorName"].(string), "im-zhang") {
			t.Errorf("names: %v", read)
		}
		if n := count(list("?integration=acme&contact="+urlQuery("张")), "context.read"); n != 1 {
			t.Errorf("by integration and contact name: %d reads", n)
		}
		if n := len(list("?contact=" + urlQuery("李四"))); n != 0 {
			t.Errorf("another contact's name: %d events", n)
		}
		if n := len(list("?contact=" + urlQuery("%"))); n != 0 {
			t.Errorf("%% is no wildcard: %d events", n)
		}
		resp, body := f.do(t, "GET", "/api/v1/admin/audit?integration=nope", "", con.headers(false))
		if resp.StatusCode != 400 || !strings.Contains(string(body), "integration") {
			t.Errorf("unknown integration: %d %s", resp.StatusCode, body)
		}
		// An agent crmlens knows is named, and found by name.
		var ev model.AuditEvent
		must(t, db.Where("action = ?", "context.read").Take(&ev).Error)
		if ev.Actor == "" || strings.Contains(ev.Actor, ":") {
			t.Errorf("the read's actor %q is not the agent", ev.Actor)
		} else {
			res := db.Model(&model.Agent{}).Where("platform_id = ?", ev.Actor).Update("name", "王客服")
			must(t, res.Error)
			if res.RowsAffected == 0 {
				must(t, db.Create(&model.Agent{Platform: "easemob", PlatformID: ev.Actor, Name: "王客服", Origin: "import", CreatedAt: ev.CreatedAt, UpdatedAt: ev.CreatedAt}).Error)
			}
			got := list("?actor=" + urlQuery("王客服"))
			if len(got) != 1 || got[0]["actorName"] != "王客服" {
				t.Errorf("by agent name: %v", got)
			}
		}
	})
}
