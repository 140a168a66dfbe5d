package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Bug: an unknown --slug got the sidebar's advice ("check the URL
// configured in the platform"), which means nothing at the CLI.
func TestUnknownSlugPointsAtIntegrationList(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	if _, err := run(t, "integration", "create", "--slug", "acme-kefu", "--kind", "easemob", "--key", "kefu2024secret"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"integration", "update", "--slug", "acme-kefo", "--origin", "https://kefu.easemob.com"},
		{"integration", "update", "--slug", "acme-kefo", "--agent-actions", "read"},
		{"integration", "rotate-key", "--slug", "acme-kefo"},
		{"integration", "disable", "--slug", "acme-kefo"},
		{"integration", "enable", "--slug", "acme-kefo"},
		{"integration", "delete", "--slug", "acme-kefo"},
		{"integration", "reveal-key", "--slug", "acme-kefo"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			_, err := run(t, args...)
			if err == nil {
				t.Fatal("an unknown slug was accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, `no integration has the slug "acme-kefo"; `+"`crmlens integration list` lists the integrations in ") || !strings.Contains(msg, "c.db") ||
				strings.Contains(msg, "check the URL") {
				t.Errorf("err = %s", msg)
			}
		})
	}
}

// Bug: the created-database notice said "set CRMLENS_DATABASE_URL to use
// another" to someone who had set it.
func TestCreatedDatabaseNoticeWhenTheURLWasSet(t *testing.T) {
	file := filepath.Join(t.TempDir(), "new.db")
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+file)
	out, err := run(t, "field", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "created a new SQLite database at "+file) || strings.Contains(out, "set CRMLENS_DATABASE_URL") {
		t.Errorf("notice with CRMLENS_DATABASE_URL set:\n%s", out)
	}
}

// Bug: create and rotate-key said a generated key was "shown once", while
// the console reveals it later; now they say how to see it again, and
// reveal-key does it at the CLI, audited.
func TestGeneratedKeysSayHowToSeeThemAgain(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(dir, "c.db"))
	keyLine := regexp.MustCompile(`(?m)^generated key: (\S+)\n  \(` + "`crmlens integration reveal-key --slug kefu`" + ` or the console's Reveal key shows it again`)
	reveal := func(want string) {
		t.Helper()
		out, err := run(t, "integration", "reveal-key", "--slug", "kefu")
		if err != nil || out != want+"\n" {
			t.Errorf("reveal-key = %q, %v; want %q", out, err, want)
		}
	}
	for _, args := range [][]string{
		{"integration", "create", "--slug", "kefu", "--kind", "easemob"},
		{"integration", "rotate-key", "--slug", "kefu"},
	} {
		out, err := run(t, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", args[1], err, out)
		}
		m := keyLine.FindStringSubmatch(out)
		if m == nil || strings.Contains(out, "shown once") {
			t.Fatalf("%s does not say how to see the key again:\n%s", args[1], out)
		}
		reveal(m[1])
	}
	out, err := run(t, "audit", "export", "--action", "key.reveal")
	if err != nil || strings.Count(out, `"action":"key.reveal"`) != 2 || !strings.Contains(out, `"actor":"cli"`) {
		t.Errorf("the reveals are not audited: %v\n%s", err, out)
	}
	if _, err := run(t, "integration", "create", "--slug", "cwt", "--kind", "chatwoot"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "integration", "reveal-key", "--slug", "cwt"); err == nil || !strings.Contains(err.Error(), "has no key") {
		t.Errorf("reveal-key of a kind without a key: %v", err)
	}
}

// Bug: "it holds 1 contacts"; every count the CLI prints agrees with it.
func TestCountsAgreeWithTheirNumber(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "contacts", "0 contacts"},
		{1, "contacts", "1 contact"},
		{2, "contacts", "2 contacts"},
		{1, "identities", "1 identity"},
		{3, "identities", "3 identities"},
		{1, "audit events", "1 audit event"},
		{1, "migrations", "1 migration"},
	} {
		if got := count(c.n, c.noun); got != c.want {
			t.Errorf("count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	out, err := run(t, "migrate")
	if err != nil || !regexp.MustCompile(`(?m)^sqlite database migrated: \d+ migrations applied$`).MatchString(out) {
		t.Errorf("first migrate: %v %q", err, out)
	}
	out, err = run(t, "migrate")
	if err != nil || out != "sqlite database already up to date: no migration to apply\n" {
		t.Errorf("second migrate: %v %q", err, out)
	}
}

// Bug: make help's fuzz line read "alias: make fuzz FUZZTIME=10m ...": a
// target's line says what it does, not its own name again.
func TestMakeHelpLinesDescribeTheirTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "-s", "--no-print-directory", "help")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "make" {
			continue
		}
		n++
		desc := strings.Join(f[2:], " ")
		if strings.Contains(desc, "make "+f[1]+" ") || strings.HasPrefix(desc, "alias") {
			t.Errorf("make %s: %q describes itself", f[1], desc)
		}
	}
	if n == 0 {
		t.Fatalf("make help listed nothing:\n%s", out)
	}
}

// Bug: backticks in a flag's help become its value name in --help
// ("--name crmlens integration list"); every flag's value name is a type.
func TestFlagHelpHasNoBacktickValueNames(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			n++
			if name, _ := pflag.UnquoteUsage(f); strings.ContainsAny(name, " `") {
				t.Errorf("%s --%s shows the value name %q", c.CommandPath(), f.Name, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot())
	if n < 20 {
		t.Fatalf("only %d flags visited", n)
	}
}
