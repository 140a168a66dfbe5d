package source

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

func TestStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		keys, err := keyring.New(make([]byte, keyring.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		st := NewStore(db, keys)
		ctx := context.Background()
		parse := func(text string) Spec {
			s, err := Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		inline := parse("name: crm\nurl: mysql://reader:hunter2@db.internal/crm\nobjects:\n  tickets: {table: t_ticket, key: id, contact: member_id}\n")
		steps := []struct {
			name    string
			spec    Spec
			created bool
			code    string
		}{
			{"live contacts", parse(shopSpec), false, CodeNotServed},
			{"create", parse(shopOrdersSpec), true, ""},
			{"replace", parse(shopOrdersSpec), false, ""},
			{"an inline url", inline, true, ""},
			{"an object another source maps", parse("name: erp\nurl_env: ERP_URL\nobjects:\n  orders: {table: o, key: id, contact: c}\n"), false, CodeObjectTaken},
			{"an unknown field", parse("name: erp\nurl_env: ERP_URL\nobjects:\n  leads: {table: l, key: id, contact: c, fields: {budget: b}}\n"), false, CodeUnknownField},
		}
		for _, s := range steps {
			created, err := st.Apply(ctx, s.spec, layout.Builtin(), nil)
			if s.code != "" {
				if ae := apperr.As(err); ae == nil || ae.Code != s.code {
					t.Fatalf("%s: want %s, got %v", s.name, s.code, err)
				}
				continue
			}
			if err != nil || created != s.created {
				t.Fatalf("%s: created %v, %v", s.name, created, err)
			}
		}
		var row model.Source
		if err := db.Where("name = ?", "crm").Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(row.Spec, "hunter2") || strings.Contains(row.URLSealed, "hunter2") || !keyring.IsSealed(row.URLSealed) {
			t.Fatalf("inline url not sealed: %+v", row)
		}
		all, err := st.List(ctx)
		if err != nil || len(all) != 2 || all[0].Spec.Name != "crm" || all[1].Spec.Name != "shop" {
			t.Fatalf("list: %+v %v", all, err)
		}
		if u, err := st.URL(all[0], nil); err != nil || u != inline.URL {
			t.Fatalf("sealed url opened as %q, %v", u, err)
		}
		env := map[string]string{"SHOP_DATABASE_URL": "mysql://r@h/shop"}
		if u, err := st.URL(all[1], func(k string) string { return env[k] }); err != nil || u != "mysql://r@h/shop" {
			t.Fatalf("url_env read as %q, %v", u, err)
		}
		if _, err := st.URL(all[1], func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "SHOP_DATABASE_URL is not set") {
			t.Fatalf("an unset url_env: %v", err)
		}
		set, skipped, err := OpenAll(ctx, st, func(k string) string { return env[k] }, Options{})
		if err != nil || len(skipped) != 0 {
			t.Fatalf("open all: %v %v", skipped, err)
		}
		defer set.Close()
		if src, ok := set.For(layout.Orders); !ok || src.Name() != "shop" {
			t.Fatalf("orders served by %v", src)
		}
		if src, ok := set.For(layout.Tickets); !ok || src.Name() != "crm" {
			t.Fatalf("tickets served by %v", src)
		}
		if _, ok := set.For(layout.Leads); ok {
			t.Fatal("leads are not mapped")
		}
		if err := st.Delete(ctx, "shop", nil); err != nil {
			t.Fatal(err)
		}
		if ae := apperr.As(st.Delete(ctx, "shop", nil)); ae == nil || ae.Kind != apperr.NotFound {
			t.Fatalf("delete again: %v", ae)
		}
	})
}
