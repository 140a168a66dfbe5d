package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

// TestSourceCommands applies, lists, checks and deletes a live source over
// a MariaDB schema crmlens does not own; crmlens's own store is SQLite.
func TestSourceCommands(t *testing.T) {
	shopURL := dbtest.NewURL(t, database.MySQL)
	shop, _, err := database.Open(context.Background(), shopURL, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(shop)
	for _, stmt := range []string{
		"CREATE TABLE t_member (member_id VARCHAR(32) PRIMARY KEY, nick VARCHAR(64), mobile VARCHAR(32), im_uid VARCHAR(64), KEY ix_mobile (mobile), KEY ix_im (im_uid))",
		"CREATE TABLE t_trade (tid VARCHAR(32) PRIMARY KEY, member_id VARCHAR(32), payment DECIMAL(12,2))",
	} {
		if err := shop.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	storeURL := "sqlite://" + filepath.Join(dir, "c.db")
	t.Setenv("CRMLENS_DATABASE_URL", storeURL)
	t.Setenv("SHOP_DATABASE_URL", shopURL)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const objects = `objects:
  orders:
    table: t_trade
    key: tid
    contact: member_id
    fields: {amount: payment}
    defaults: {currency: CNY}
`
	good := write("shop.yaml", "name: shop\nurl_env: SHOP_DATABASE_URL\n"+objects)
	// Live contacts are not read yet: a file mapping them is refused.
	contacts := write("contacts.yaml", "name: shop\nurl_env: SHOP_DATABASE_URL\nobjects:\n  contacts: {table: t_member, key: member_id, fields: {name: nick}}\n"+strings.TrimPrefix(objects, "objects:\n"))
	if _, err := run(t, "source", "apply", contacts); err == nil || !strings.Contains(err.Error(), "does not read live yet") {
		t.Fatalf("a contacts mapping: %v", err)
	}
	if out, err := run(t, "source", "apply", good); err != nil || !strings.Contains(out, `source "shop" created`) || !strings.Contains(out, "checked") {
		t.Fatalf("apply: %v %s", err, out)
	}
	if out, err := run(t, "source", "apply", good); err != nil || !strings.Contains(out, `source "shop" replaced`) {
		t.Fatalf("apply again: %v %s", err, out)
	}
	missing := write("missing.yaml", "name: shop\nurl_env: SHOP_DATABASE_URL\n"+strings.Replace(objects, "contact: member_id", "contact: buyer_id", 1))
	if _, err := run(t, "source", "apply", missing); err == nil || !strings.Contains(err.Error(), `table "t_trade" has no column "buyer_id"`) {
		t.Fatalf("a missing column: %v", err)
	}
	t.Setenv("SHOP_DATABASE_URL", "mysql://reader@127.0.0.1:1/shop?timeout=1s")
	if _, err := run(t, "source", "apply", good); err == nil || !strings.Contains(err.Error(), `source "shop" unavailable`) {
		t.Fatalf("apply while the database is down: %v", err)
	}
	if out, err := run(t, "source", "apply", "--no-check", good); err != nil || !strings.Contains(out, "not checked (--no-check)") {
		t.Fatalf("apply --no-check: %v %s", err, out)
	}
	t.Setenv("SHOP_DATABASE_URL", shopURL)
	out, err := run(t, "source", "check", "shop")
	if err != nil {
		t.Fatalf("check: %v %s", err, out)
	}
	for _, want := range []string{"t_trade.payment", "decimal(12,2)", "warning: orders: the lookup by contact (t_trade.member_id) reads all of table t_trade"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if out, err := run(t, "source", "list"); err != nil || !strings.Contains(out, "env SHOP_DATABASE_URL") || !strings.Contains(out, "orders=t_trade") {
		t.Errorf("list: %v %s", err, out)
	}
	// An object mapped twice is refused; an inline url is sealed.
	inline := write("crm.yaml", "name: crm\nurl: "+strings.Replace(shopURL, "root@", "root:pw-not-stored@", 1)+"\n"+objects)
	if _, err := run(t, "source", "apply", inline); err == nil || !strings.Contains(err.Error(), `already mapped by source "shop"`) {
		t.Fatalf("an object mapped twice: %v", err)
	}
	if out, err := run(t, "source", "delete", "shop"); err != nil || !strings.Contains(out, `source "shop" deleted`) {
		t.Fatalf("delete: %v %s", err, out)
	}
	if _, err := run(t, "source", "delete", "shop"); err == nil || !strings.Contains(err.Error(), `no source is named "shop"`) {
		t.Fatalf("delete again: %v", err)
	}
	if out, err := run(t, "source", "apply", inline); err != nil || strings.Contains(out, "pw-not-stored") {
		t.Fatalf("apply an inline url: %v %s", err, out)
	}
	store, _, err := database.Open(context.Background(), storeURL, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(store)
	var row model.Source
	if err := store.Where("name = ?", "crm").Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row.Spec, "pw-not-stored") || strings.Contains(row.URLSealed, "pw-not-stored") || row.URLSealed == "" {
		t.Fatalf("the inline url is not sealed: spec %q, sealed %q", row.Spec, row.URLSealed)
	}
	if out, err := run(t, "source", "check", "crm"); err != nil || !strings.Contains(out, "t_trade.payment") {
		t.Fatalf("check through the sealed url: %v %s", err, out)
	}
	if out, err := run(t, "audit", "export", "--action", "source.apply"); err != nil || strings.Count(out, `"source.apply"`) != 4 {
		t.Errorf("audit of applies: %v %s", err, out)
	}
}
