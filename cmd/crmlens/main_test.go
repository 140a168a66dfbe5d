package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/paramcrypt/paramcrypttest"
)

// run executes the CLI with args and returns its output and error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestCryptoCommandMatchesJDKVectors(t *testing.T) {
	vectors := paramcrypttest.Load(t)
	v := map[string][]paramcrypttest.Vector{"des": vectors.DES, "aes": vectors.AES}
	n := 0
	for scheme, list := range v {
		for _, vec := range list {
			out, err := run(t, "crypto", "encrypt", "--scheme", scheme, "--key", vec.Key, vec.Plaintext)
			if err != nil || strings.TrimSuffix(out, "\n") != vec.Ciphertext {
				t.Errorf("encrypt %s %q = %q, %v; want %s", scheme, vec.Plaintext, out, err, vec.Ciphertext)
			}
			for _, ct := range []string{vec.Ciphertext, strings.ToLower(vec.Ciphertext), strings.ToUpper(vec.Ciphertext)} {
				out, err = run(t, "crypto", "decrypt", "--scheme", scheme, "--key", vec.Key, ct)
				if err != nil || strings.TrimSuffix(out, "\n") != vec.Plaintext {
					t.Errorf("decrypt %s %s = %q, %v; want %q", scheme, ct, out, err, vec.Plaintext)
				}
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no vectors checked")
	}
	if _, err := run(t, "crypto", "decrypt", "--scheme", "des", "--key", "kefu2024secret", "xyz!"); err == nil {
		t.Error("decrypt of non-hex succeeded")
	}
	if _, err := run(t, "crypto", "encrypt", "--scheme", "des", "--key", "12345678", "x"); err == nil || !strings.Contains(err.Error(), "longer than 8") {
		t.Errorf("an 8-character DES key: err = %v, want a reason", err)
	}
}

func TestIntegrationCreatePrintsURL(t *testing.T) {
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	t.Setenv("CRMLENS_PUBLIC_URL", "https://crm.example.com")
	out, err := run(t, "integration", "create", "--slug", "acme-kefu", "--kind", "easemob", "--key", "kefu2024secret", "--origin", "https://kefu.easemob.com")
	if err != nil {
		t.Fatalf("integration create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "https://crm.example.com/sidebar/acme-kefu") || !strings.Contains(out, "自定义信息接口") {
		t.Errorf("output = %s", out)
	}
	if strings.Contains(out, "kefu2024secret") {
		t.Errorf("output repeats the key: %s", out)
	}
	if _, err := run(t, "integration", "create", "--slug", "acme-kefu", "--kind", "easemob"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate slug: err = %v", err)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Setenv("CRMLENS_DATABASE_URL", "postgres://nope")
	if _, err := run(t, "migrate"); err == nil || !strings.Contains(err.Error(), "CRMLENS_DATABASE_URL") {
		t.Errorf("migrate with a bad URL: err = %v", err)
	}
}

func TestImportAndSeedCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	accounts := filepath.Join(dir, "accounts.csv")
	if err := os.WriteFile(accounts, []byte("external_id,name\nA-1,Acme\nA-2,Globex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "import", "--object", "accounts", accounts)
	if err != nil || !strings.Contains(out, "imported 2 accounts from") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "contacts.ndjson")
	if err := os.WriteFile(bad, []byte(`{"external_id":"C-1","name":"Ann","account_external_id":"A-1"}`+"\n"+`{"external_id":"C-2"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "import", "--object", "contacts", bad); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("import of a bad file: err = %v, want the line number", err)
	}
	if _, err := run(t, "import", "--object", "contacts", filepath.Join(dir, "contacts.xlsx")); err == nil {
		t.Error("import of an unknown format succeeded")
	}
	out, err = run(t, "seed", "--demo", "--contacts", "20")
	if err != nil || !regexp.MustCompile(`^demo data loaded: \d+ accounts, 20 contacts, \d+ identities, \d+ orders, \d+ tickets and \d+ leads\n$`).MatchString(out) {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err = run(t, "seed", "--demo", "--contacts", "20")
	if err != nil || !strings.Contains(out, "already loaded") {
		t.Errorf("second seed: %v\n%s", err, out)
	}
}

func TestIntegrationLifecycleCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	out, err := run(t, "integration", "create", "--kind", "sharecrm")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if !strings.Contains(out, "generated key: ") || !strings.Contains(out, "protection: medium") {
		t.Errorf("create output = %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Errorf("the embedded default did not create its master key beside the database: %v", err)
	}
	if _, err := run(t, "integration", "create", "--slug", "kefu", "--kind", "easemob", "--key", "kefu2024secret"); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "integration", "list")
	if err != nil || !strings.Contains(out, "kefu") || !strings.Contains(out, "••••cret") || strings.Contains(out, "kefu2024secret") ||
		!strings.Contains(out, "turn on encrypted system params") {
		t.Errorf("list: %v\n%s", err, out)
	}
	out, err = run(t, "integration", "update", "--slug", "kefu", "--require-encrypted-system-params", "--origin", "https://kefu.easemob.com")
	if err != nil || !strings.Contains(out, "protection: medium") {
		t.Errorf("update: %v\n%s", err, out)
	}
	out, err = run(t, "integration", "rotate-key", "--slug", "kefu", "--key", "kefu2025secret", "--grace", "2h")
	if err != nil || !strings.Contains(out, "previous key is accepted until") {
		t.Errorf("rotate-key: %v\n%s", err, out)
	}
	if _, err := run(t, "integration", "rotate-key", "--slug", "kefu", "--key", "short"); err == nil || !strings.Contains(err.Error(), "longer than 8") {
		t.Errorf("rotate to a short key: %v", err)
	}
	out, err = run(t, "integration", "update", "--slug", "kefu", "--regenerate-slug")
	if err != nil || !strings.Contains(out, "/sidebar/") || strings.Contains(out, "/sidebar/kefu ") {
		t.Errorf("regenerate slug: %v\n%s", err, out)
	}
	if _, err := run(t, "admin", "create", "--email", "ops@example.com", "--password", "short"); err == nil {
		t.Error("admin create accepted a short password")
	}
	if out, err := run(t, "admin", "create", "--email", "ops@example.com", "--password", "long enough password"); err != nil || !strings.Contains(out, "created") {
		t.Errorf("admin create: %v %s", err, out)
	}
}

func TestFieldsLayoutsAndAuditCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if out, err := run(t, "field", "add", "--object", "contact", "--key", "vip_level", "--type", "enum", "--label-zh", "会员等级", "--label-en", "VIP level", "--values", "gold,silver"); err != nil || !strings.Contains(out, "enum: gold, silver") {
		t.Fatalf("field add: %v %s", err, out)
	}
	if out, err := run(t, "field", "list"); err != nil || !strings.Contains(out, "gold,silver") {
		t.Errorf("field list does not show the allowed values: %v %s", err, out)
	}
	if _, err := run(t, "import", "--object", "contacts", write("platinum.csv", "external_id,name,vip_level\nC-9,Bo,platinum\n")); err == nil || !strings.Contains(err.Error(), "gold, silver") {
		t.Errorf("a value outside the allowed ones: %v", err)
	}
	if _, err := run(t, "field", "add", "--object", "contact", "--key", "phone", "--type", "text", "--label-zh", "x", "--label-en", "x"); err == nil {
		t.Error("redefining a built-in field succeeded")
	}
	contacts := write("contacts.csv", "external_id,name,vip_level\nC-1,Ann,gold\n")
	if out, err := run(t, "import", "--object", "contacts", contacts); err != nil {
		t.Fatalf("import with a custom column: %v %s", err, out)
	}
	layoutFile := write("vip.yaml", "name: vip\nscope: {default: true}\npanels:\n  - object: contact\n    fields: [name, vip_level]\n")
	out, err := run(t, "layout", "apply", layoutFile)
	if err != nil || !strings.Contains(out, "version 1") {
		t.Fatalf("layout apply: %v %s", err, out)
	}
	// A new layout before a stale one in the same file: neither is written.
	stale := write("stale.yaml", "name: fresh\nscope: {groups: [g]}\npanels:\n  - object: contact\n    fields: [name]\n---\n"+
		"name: vip\nversion: 7\nscope: {default: true}\npanels:\n  - object: contact\n    fields: [name]\n")
	if _, err := run(t, "layout", "apply", stale); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Errorf("stale apply: %v", err)
	}
	bad := write("bad.yaml", "name: other\nscope: {default: true}\npanels:\n  - object: contact\n    fields: [name, shoe_size]\n")
	if _, err := run(t, "layout", "apply", bad); err == nil || !strings.Contains(err.Error(), "shoe_size") {
		t.Errorf("bad apply: %v", err)
	}
	out, err = run(t, "layout", "export")
	if err != nil || !strings.Contains(out, "vip_level") || !strings.Contains(out, "version: 1") || strings.Contains(out, "other") || strings.Contains(out, "fresh") {
		t.Errorf("export: %v\n%s", err, out)
	}
	if _, err := run(t, "field", "retire", "--object", "contact", "--key", "vip_level"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "import", "--object", "contacts", contacts); err == nil || !strings.Contains(err.Error(), "unknown column") {
		t.Errorf("import of a retired field: %v", err)
	}
	out, err = run(t, "audit", "export", "--action", "layout.change")
	if err != nil || strings.Count(out, `"action":"layout.change"`) != 1 || !strings.Contains(out, `"layout":"vip"`) || !strings.Contains(out, "1 audit event exported") {
		t.Errorf("audit export: %v\n%s", err, out)
	}
	if _, err := run(t, "audit", "export", "--since", "yesterday"); err == nil || !strings.Contains(err.Error(), "--since") {
		t.Errorf("audit export with a bad time: %v", err)
	}
}
