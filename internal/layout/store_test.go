package layout_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func parse(t *testing.T, yaml string) layout.Doc {
	t.Helper()
	docs, err := layout.ParseDocs([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return docs[0]
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"ok", "name: a\nscope: {default: true}\npanels:\n  - {object: orders, fields: [order_no, amount], limit: 5, sort: placed_at, filter: {status: [paid]}}\n", ""},
		{"unknown object", "name: a\nscope: {default: true}\npanels:\n  - {object: invoices, fields: [x]}\n", "unknown object"},
		{"unknown field", "name: a\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name, shoe_size]}\n", `unknown field "shoe_size"`},
		{"filter not filterable", "name: a\nscope: {default: true}\npanels:\n  - {object: orders, fields: [order_no], filter: {order_no: [x]}}\n", "cannot be filtered"},
		{"sort by text", "name: a\nscope: {default: true}\npanels:\n  - {object: orders, fields: [order_no], sort: order_no}\n", "not a date, number or money"},
		{"mask not shown", "name: a\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name], masked: [phone]}\n", "does not show"},
		{"no panels", "name: a\nscope: {default: true}\npanels: []\n", "no panels"},
		{"empty scope", "name: a\nscope: {}\npanels:\n  - {object: contact, fields: [name]}\n", "scope is empty"},
		{"limit too big", "name: a\nscope: {default: true}\npanels:\n  - {object: orders, fields: [order_no], limit: 500}\n", "limit 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parse(t, tt.yaml).Validate(layout.Builtin())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || !strings.Contains(e.Message, tt.wantErr) {
				t.Fatalf("Validate = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if _, err := layout.ParseDocs([]byte("name: a\nscop: {}\n")); err == nil {
		t.Error("a misspelled key was accepted")
	}
}

func TestPutVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := layout.NewStore(db, nil)
		d := parse(t, "name: vip\nscope: {groups: [vip]}\npanels:\n  - {object: contact, fields: [name]}\n")
		got, err := s.Put(ctx, d, true, nil)
		if err != nil || got.Version != 1 {
			t.Fatalf("create = %+v, %v", got, err)
		}
		d.Version = 1
		d.Panels[0].Fields = []string{"name", "email"}
		if got, err = s.Put(ctx, d, true, nil); err != nil || got.Version != 2 {
			t.Fatalf("update = %+v, %v", got, err)
		}
		d.Panels[0].Fields = []string{"name", "phone"} // still based on version 1
		if _, err := s.Put(ctx, d, true, nil); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("stale update = %v, want a conflict", err)
		}
		docs, _ := s.List(ctx)
		if len(docs) != 1 || strings.Join(docs[0].Panels[0].Fields, ",") != "name,email" || docs[0].Version != 2 {
			t.Errorf("after a refused stale update: %+v", docs)
		}
		bad := parse(t, "name: vip\nscope: {groups: [vip]}\npanels:\n  - {object: contact, fields: [nope]}\n")
		bad.Version = 2
		if _, err := s.Put(ctx, bad, true, nil); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("invalid update = %v", err)
		}
		if docs, _ := s.List(ctx); docs[0].Version != 2 {
			t.Error("an invalid update changed the version")
		}
	})
}

// TestPutAllIsWholeOrNothing: a set of layouts (a `layout apply` file) is
// stored with its audit records in one transaction; a stale doc, a name
// given twice, an invalid doc or a record that cannot be written leaves
// every layout as it was.
func TestPutAllIsWholeOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := layout.NewStore(db, nil)
		doc := func(name, fields string) layout.Doc {
			return parse(t, "name: "+name+"\nscope: {groups: ["+name+"]}\npanels:\n  - {object: contact, fields: ["+fields+"]}\n")
		}
		var recorded []string
		record := func(tx *gorm.DB, d layout.Doc) error {
			recorded = append(recorded, d.Name)
			return tx.Create(&model.AuditEvent{Action: "layout_change", Actor: "test", CreatedAt: time.Now()}).Error
		}
		if _, err := s.PutAll(ctx, []layout.Doc{doc("vip", "name")}, false, record); err != nil {
			t.Fatal(err)
		}
		stale := doc("vip", "name,email")
		stale.Version = 7
		failing := func(*gorm.DB, layout.Doc) error { return errors.New("audit table is full") }
		tests := []struct {
			name     string
			docs     []layout.Doc
			record   audit.OnTx[layout.Doc]
			wantKind apperr.Kind
			wantErr  string
		}{
			{"a stale doc after a new one", []layout.Doc{doc("gold", "name"), stale}, record, apperr.Conflict, "changed since you loaded it"},
			{"a name twice", []layout.Doc{doc("gold", "name"), doc("gold", "email")}, record, apperr.Invalid, "appears twice"},
			{"an invalid doc", []layout.Doc{doc("gold", "name"), doc("silver", "shoe_size")}, record, apperr.Invalid, "shoe_size"},
			{"the audit record fails", []layout.Doc{doc("gold", "name"), doc("vip", "email")}, failing, apperr.Internal, "audit table is full"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				recorded = nil
				if _, err := s.PutAll(ctx, tt.docs, false, tt.record); apperr.KindOf(err) != tt.wantKind || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PutAll = %v, want a %v error saying %q", err, tt.wantKind, tt.wantErr)
				}
				docs, err := s.List(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(docs) != 1 || docs[0].Name != "vip" || docs[0].Version != 1 || strings.Join(docs[0].Panels[0].Fields, ",") != "name" {
					t.Errorf("after a refused set: %+v, want vip at version 1 alone", docs)
				}
				var events int64
				db.Model(&model.AuditEvent{}).Count(&events)
				if events != 1 {
					t.Errorf("audit events = %d, want the first set's 1", events)
				}
			})
		}
		// The whole set lands together, each with its record.
		recorded = nil
		vip := doc("vip", "name,email")
		vip.Version = 1
		got, err := s.PutAll(ctx, []layout.Doc{doc("gold", "name"), vip}, false, record)
		if err != nil || len(got) != 2 || got[0].Version != 1 || got[1].Version != 2 {
			t.Fatalf("PutAll = %+v, %v", got, err)
		}
		if strings.Join(recorded, ",") != "gold,vip" {
			t.Errorf("recorded %v, want gold,vip", recorded)
		}
	})
}

func TestResolvePrecedence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Now()
		clock := now
		s := layout.NewStore(db, func() time.Time { return clock }).WithAgentGroups(agents.New(db, nil))
		l, why, err := s.Resolve(ctx, layout.Who{Integration: "acme", Agent: []string{"a-1"}})
		if err != nil || l.Name != "default" || !strings.Contains(why, "built-in") {
			t.Fatalf("nothing stored: %s %q %v", l.Name, why, err)
		}
		ag := model.Agent{Platform: "easemob", PlatformID: "a-1", Email: "amy@example.com", Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&ag).Error; err != nil {
			t.Fatal(err)
		}
		g := model.AgentGroup{Name: "vip-team", CreatedAt: now}
		if err := db.Create(&g).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&model.AgentGroupMember{AgentID: ag.ID, GroupID: g.ID}).Error; err != nil {
			t.Fatal(err)
		}
		for _, y := range []string{
			"name: base\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name]}\n",
			"name: team\nscope: {groups: [vip-team]}\npanels:\n  - {object: contact, fields: [name]}\n",
			"name: amy\nscope: {agents: [AMY@example.com]}\npanels:\n  - {object: contact, fields: [name]}\n",
			"name: kefu\nscope: {integrations: [acme]}\npanels:\n  - {object: contact, fields: [name]}\n",
		} {
			if _, err := s.Put(ctx, parse(t, y), true, nil); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			who  layout.Who
			want string
			why  string
		}{
			{layout.Who{Integration: "acme", Agent: []string{"a-1"}}, "kefu", "integration acme"},
			{layout.Who{Integration: "other", Agent: []string{"x", "amy@example.com"}}, "amy", "this agent"},
			{layout.Who{Integration: "other", Platform: "easemob", Agent: []string{"a-1"}}, "team", "agent group vip-team"},
			{layout.Who{Integration: "other", Agent: []string{"stranger"}}, "base", "is the default"},
		}
		for _, tt := range tests {
			l, why, err := s.Resolve(ctx, tt.who)
			if err != nil || l.Name != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("Resolve(%+v) = %s %q %v, want %s", tt.who, l.Name, why, err, tt.want)
			}
		}
		// The same reasons as codes with their parameters, for the console
		// and the sidebar to word.
		codes := []struct {
			who    layout.Who
			code   string
			params map[string]string
		}{
			{tests[0].who, layout.ReasonIntegration, map[string]string{"name": "kefu", "integration": "acme"}},
			{tests[1].who, layout.ReasonAgent, map[string]string{"name": "amy", "agent": "amy@example.com"}},
			{tests[2].who, layout.ReasonGroup, map[string]string{"name": "team", "group": "vip-team"}},
			{tests[3].who, layout.ReasonDefault, map[string]string{"name": "base"}},
		}
		for _, tt := range codes {
			_, r, err := s.ResolveReason(ctx, tt.who)
			if err != nil || r.Code != tt.code || !maps.Equal(r.Params, tt.params) || r.Text == "" {
				t.Errorf("ResolveReason(%+v) = %+v %v, want %s %v", tt.who, r, err, tt.code, tt.params)
			}
		}
	})
}

// TestGroupsAreThoseOfThePlatformsAgents: a session's agent is looked up
// among its integration's platform's agents only, so another platform's
// agent with the same e-mail or id does not bring the group's layout (issue
// 15: a Chatwoot message naming an Easemob VIP's e-mail got the VIP's
// unmasked layout).
func TestGroupsAreThoseOfThePlatformsAgents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Now()
		s := layout.NewStore(db, nil).WithAgentGroups(agents.New(db, nil))
		for _, in := range []model.Integration{{Slug: "kefu", Kind: "easemob"}, {Slug: "cw", Kind: "chatwoot"}, {Slug: "app", Kind: "signed"}} {
			in.Origins, in.Options, in.CreatedAt, in.UpdatedAt = "[]", "{}", now, now
			if err := db.Create(&in).Error; err != nil {
				t.Fatal(err)
			}
		}
		vip := model.Agent{Platform: "easemob", PlatformID: "a-vip", Email: "vip@example.com", Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now}
		// The same id on another platform is another agent, in no group.
		other := model.Agent{Platform: "signed", PlatformID: "a-7", Email: "seven@example.com", Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now}
		g := model.AgentGroup{Name: "vip-team", CreatedAt: now}
		for _, row := range []any{&vip, &other, &g} {
			if err := db.Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Create(&model.AgentGroupMember{AgentID: vip.ID, GroupID: g.ID}).Error; err != nil {
			t.Fatal(err)
		}
		for _, y := range []string{
			"name: base\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name], masked: [name]}\n",
			"name: unmasked\nscope: {groups: [vip-team]}\npanels:\n  - {object: contact, fields: [name]}\n",
		} {
			if _, err := s.Put(ctx, parse(t, y), true, nil); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			who  layout.Who
			want string
		}{
			{"the Easemob VIP on Easemob", layout.Who{Integration: "kefu", Agent: []string{"a-vip", ""}}, "unmasked"},
			{"the VIP's e-mail on Easemob", layout.Who{Integration: "kefu", Agent: []string{"", "vip@example.com"}}, "unmasked"},
			{"the VIP's e-mail from a signed link", layout.Who{Integration: "app", Agent: []string{"a-7", "vip@example.com"}}, "base"},
			{"the VIP's id from a signed link", layout.Who{Integration: "app", Agent: []string{"a-vip", ""}}, "base"},
			{"the VIP's e-mail from Chatwoot", layout.Who{Integration: "cw", Agent: []string{"3", "vip@example.com"}}, "base"},
			{"a platform given", layout.Who{Integration: "kefu", Platform: "signed", Agent: []string{"a-vip", "vip@example.com"}}, "base"},
			{"an integration that does not exist", layout.Who{Integration: "gone", Agent: []string{"a-vip"}}, "base"},
			{"an admin previewing the agent", layout.Who{Agent: []string{"a-vip", "vip@example.com"}}, "unmasked"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l, why, err := s.Resolve(ctx, tt.who)
				if err != nil || l.Name != tt.want {
					t.Errorf("Resolve(%+v) = %s (%s) %v, want %s", tt.who, l.Name, why, err, tt.want)
				}
			})
		}
	})
}
