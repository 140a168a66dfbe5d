package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unsetenv removes name for the test (t.Setenv restores it after).
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "")
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}

// Bug: run outside the repository, the CLI silently created an empty
// database and master key under ./data.
func TestCommandsNameTheDatabaseTheyCreate(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, v := range []string{"CRMLENS_DATABASE_URL", "CRMLENS_DATABASE_URL_FILE", "CRMLENS_MASTER_KEY", "CRMLENS_MASTER_KEY_FILE"} {
		unsetenv(t, v)
	}
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "created a new SQLite database at " + filepath.Join(abs, "data", "crmlens.db") + "; set CRMLENS_DATABASE_URL to use another"
	out, err := run(t, "integration", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, want) && !strings.Contains(out, strings.Replace(want, abs, dir, 1)) {
		t.Errorf("first command: want %q in\n%s", want, out)
	}
	if !strings.Contains(out, "no integration in") || !strings.Contains(out, "crmlens integration create") || !strings.Contains(out, "CRMLENS_DATABASE_URL") {
		t.Errorf("integration list on an empty database:\n%s", out)
	}
	out, err = run(t, "field", "list")
	if err != nil || strings.Contains(out, "created a new SQLite database") {
		t.Errorf("a command on the existing database: %v\n%s", err, out)
	}
}

// Bug: applying an unchanged exported file bumped the version, and the
// same committed file then failed as stale.
func TestLayoutApplyOfAnUnchangedFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	file := filepath.Join(dir, "layouts.yaml")
	write := func(body string) {
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("name: vip\nscope: {default: true}\npanels:\n  - object: contact\n    fields: [name, email]\n")
	if out, err := run(t, "layout", "apply", file); err != nil || !strings.Contains(out, `layout "vip" applied: version 1`) {
		t.Fatalf("first apply: %v %s", err, out)
	}
	exported, err := run(t, "layout", "export")
	if err != nil {
		t.Fatal(err)
	}
	write(exported)
	for i := range 2 {
		out, err := run(t, "layout", "apply", file)
		if err != nil || !strings.Contains(out, `layout "vip" unchanged: the stored layout (version 1) is what the file describes`+"\n") {
			t.Fatalf("apply %d of the exported file: %v %s", i+1, err, out)
		}
	}
	// Edit the committed file: it applies once, then is unchanged.
	write(strings.Replace(exported, "- email", "- phone", 1))
	if out, err := run(t, "layout", "apply", file); err != nil || !strings.Contains(out, "version 2") || !strings.Contains(out, "export again") {
		t.Fatalf("apply of the edit: %v %s", err, out)
	}
	// The file still says version 1, the stored layout is at 2: the
	// sentence names the stored version and says the file's is older.
	if out, err := run(t, "layout", "apply", file); err != nil ||
		!strings.Contains(out, `layout "vip" unchanged: the stored layout (version 2) is what the file describes; the file still carries version 1`) {
		t.Fatalf("apply of the committed edit again: %v %s", err, out)
	}
	// Another edit on the old version: someone's change (version 2) is not
	// overwritten.
	write(strings.Replace(exported, "- email", "- title", 1))
	if _, err := run(t, "layout", "apply", file); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("a stale edit: %v", err)
	}
	if out, err := run(t, "layout", "delete", "vip"); err != nil || !strings.Contains(out, `layout "vip" deleted`) {
		t.Fatalf("delete: %v %s", err, out)
	}
	if _, err := run(t, "layout", "delete", "vip"); err == nil || !strings.Contains(err.Error(), "no layout is named") {
		t.Errorf("delete again: %v", err)
	}
	out, err := run(t, "audit", "export", "--action", "layout.delete")
	if err != nil || !strings.Contains(out, `"action":"layout.delete"`) || !strings.Contains(out, "1 audit event exported") {
		t.Errorf("audit of the deletion: %v\n%s", err, out)
	}
}

func TestIntegrationDisableEnableDelete(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	if out, err := run(t, "integration", "create", "--slug", "acme-kefu", "--kind", "easemob", "--name", "Easemob 上海", "--key", "kefu2024secret"); err != nil || !strings.Contains(out, `named "Easemob 上海"`) {
		t.Fatalf("create: %v %s", err, out)
	}
	out, err := run(t, "integration", "list")
	if err != nil || !regexp.MustCompile(`(?m)^SLUG\s+NAME\s+KIND\s+STATE`).MatchString(out) || !regexp.MustCompile(`acme-kefu\s+Easemob 上海\s+easemob\s+enabled`).MatchString(out) {
		t.Fatalf("list shows the name and state: %v\n%s", err, out)
	}
	if out, err := run(t, "integration", "disable", "--slug", "acme-kefu"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %v %s", err, out)
	}
	if out, err := run(t, "integration", "disable", "--slug", "acme-kefu"); err != nil || !strings.Contains(out, "already disabled") {
		t.Errorf("disable twice: %v %s", err, out)
	}
	if out, _ := run(t, "integration", "list"); !regexp.MustCompile(`acme-kefu\s+Easemob 上海\s+easemob\s+disabled`).MatchString(out) || !strings.Contains(out, "disabled since") {
		t.Errorf("list of a disabled integration:\n%s", out)
	}
	if out, err := run(t, "integration", "enable", "--slug", "acme-kefu"); err != nil || !strings.Contains(out, "enabled") {
		t.Fatalf("enable: %v %s", err, out)
	}
	if out, err := run(t, "integration", "delete", "--slug", "acme-kefu"); err != nil || !strings.Contains(out, "deleted with 0 visitors") {
		t.Fatalf("delete: %v %s", err, out)
	}
	if out, _ := run(t, "integration", "list"); !strings.Contains(out, "no integration in") {
		t.Errorf("list after delete:\n%s", out)
	}
	out, err = run(t, "audit", "export", "--since", "2000-01-01")
	if err != nil {
		t.Fatalf("audit export --since a day: %v", err)
	}
	for _, a := range []string{"integration.create", "integration.disable", "integration.enable", "integration.delete"} {
		if !strings.Contains(out, `"action":"`+a+`"`) {
			t.Errorf("audit trail lacks %s:\n%s", a, out)
		}
	}
	if !strings.Contains(out, `"name":"Easemob 上海"`) {
		t.Errorf("the deletion's audit record does not name it:\n%s", out)
	}
	if _, err := run(t, "audit", "export", "--action", "integration.delet"); err == nil || !strings.Contains(err.Error(), "integration.delete") {
		t.Errorf("an unknown --action: %v", err)
	}
	if out, err := run(t, "audit", "export", "--until", "2000-01-02"); err != nil || !strings.Contains(out, "0 audit events exported") {
		t.Errorf("--until a day: %v %s", err, out)
	}
	if _, err := run(t, "integration", "delete", "--slug", "acme-kefu"); err == nil || !strings.Contains(err.Error(), "no integration") {
		t.Errorf("delete again: %v", err)
	}
}

func TestImportSaysASentenceAndFieldListAligns(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	good := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(good, []byte("external_id,name\nC-1,Ann\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "import", "--object", "contacts", good)
	if err != nil || !regexp.MustCompile(`imported 1 contact from \S+contacts.csv in \S+: 1 new, 0 updated\.`).MatchString(out) || strings.Contains(out, "{") {
		t.Errorf("import: %v %s", err, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("external_id,name,email\nC-1,Ann,x\nC-2,,y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = run(t, "import", "--object", "contacts", bad)
	if err == nil {
		t.Fatal("a bad file was imported")
	}
	lines := strings.Split(err.Error(), "\n")
	if last := lines[len(lines)-1]; last != "3 problems on 2 lines" || strings.Contains(err.Error(), "import_invalid") {
		t.Errorf("the count is not on its own line:\n%s", err)
	}
	for _, f := range [][]string{{"vip_level", "会员等级", "VIP level"}, {"wechat", "微信号", "WeChat"}, {"nps", "NPS", "NPS"}} {
		if out, err := run(t, "field", "add", "--object", "contact", "--key", f[0], "--type", "text", "--label-zh", f[1], "--label-en", f[2]); err != nil {
			t.Fatalf("field add: %v %s", err, out)
		}
	}
	out, err = run(t, "field", "list")
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		i := -1
		for _, en := range []string{"EN", "VIP level", "WeChat", "NPS"} {
			if j := strings.LastIndex(l, en); j >= 0 {
				i = displayWidth(l[:j])
				break
			}
		}
		if col == -1 {
			col = i
		}
		if i != col || i < 0 {
			t.Errorf("EN column at %d, want %d:\n%s", i, col, out)
		}
	}
}

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "会员等级": 8, "Ａ": 2, "é": 1, "e\u0301": 1, "": 0} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

// `make help` lists every target a person runs.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	var phony []string
	for _, m := range regexp.MustCompile(`(?m)^\.PHONY: (.+)$`).FindAllStringSubmatch(string(b), -1) {
		phony = append(phony, strings.Fields(m[1])...)
	}
	cmd := exec.Command("make", "-s", "--no-print-directory", "help")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "make" {
			listed = append(listed, f[1])
		}
	}
	for _, p := range phony {
		if !slices.Contains(listed, p) {
			t.Errorf("make help does not list %s:\n%s", p, out)
		}
	}
}
