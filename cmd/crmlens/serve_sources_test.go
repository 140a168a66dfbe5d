package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeOpensLiveSources: serve opens the stored sources at start; one
// whose url_env is not set is left out with a warning naming it (never a
// URL), one that is down does not stop the start, and /readyz does not
// look at either.
func TestServeOpensLiveSources(t *testing.T) {
	vars := sqliteVars(t)
	t.Setenv("CRMLENS_DATABASE_URL", vars["CRMLENS_DATABASE_URL"])
	t.Setenv("SHOP_URL_NOT_SET", "")
	dir := t.TempDir()
	for name, body := range map[string]string{
		"shop.yaml": "name: shop\nurl_env: SHOP_URL_NOT_SET\nobjects:\n  orders: {table: t_trade, key: tid, contact: member_id}\n",
		// Nobody listens on port 1: the source is down.
		"erp.yaml": "name: erp\nurl: mysql://reader:pw-not-logged@127.0.0.1:1/erp\nobjects:\n  tickets: {table: t_ticket, key: id, contact: member_id}\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := run(t, "source", "apply", "--no-check", p); err != nil {
			t.Fatalf("apply %s: %v %s", name, err, out)
		}
	}
	in := startInstance(t, vars)
	if resp, body := in.do(t, "GET", "/readyz", "", nil); resp.StatusCode != 200 {
		t.Fatalf("readyz with a source down and one left out: %d %s", resp.StatusCode, body)
	}
	logs := in.logs.String()
	if !strings.Contains(logs, "live source left out") || !strings.Contains(logs, `source \"shop\"`) || !strings.Contains(logs, "SHOP_URL_NOT_SET is not set") {
		t.Errorf("no warning naming the source left out:\n%s", logs)
	}
	if strings.Contains(logs, `source \"erp\"`) || strings.Contains(logs, "pw-not-logged") || strings.Contains(logs, "127.0.0.1:1/") {
		t.Errorf("the logs name the down source or its URL:\n%s", logs)
	}
}
