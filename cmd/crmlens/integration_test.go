package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestIntegrationCreateKeyFlags(t *testing.T) {
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	t.Setenv("CRMLENS_PUBLIC_URL", "https://crm.example.com")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"empty --key", []string{"--slug", "e1", "--kind", "easemob", "--key", ""}, "use --no-key"},
		{"blank --key", []string{"--slug", "e2", "--kind", "easemob", "--key", "  "}, "--key is empty"},
		{"--no-key with --key", []string{"--slug", "e3", "--kind", "easemob", "--no-key", "--key", "kefu2024secret"}, "contradict"},
		{"--no-key with an empty --key", []string{"--slug", "e4", "--kind", "easemob", "--no-key", "--key", ""}, "contradict"},
		{"--no-key for sharecrm", []string{"--slug", "e5", "--kind", "sharecrm", "--no-key"}, "cannot work without a key"},
		{"--no-key with encrypted system params", []string{"--slug", "e6", "--kind", "easemob", "--no-key", "--require-encrypted-system-params"}, "needs a key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, append([]string{"integration", "create"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, out)
			}
		})
	}
	out, err := run(t, "integration", "list")
	if err != nil || strings.Contains(out, "e1") {
		t.Fatalf("a refused create left an integration: %v\n%s", err, out)
	}

	out, err = run(t, "integration", "create", "--slug", "clear-kefu", "--kind", "easemob", "--no-key")
	if err != nil {
		t.Fatalf("--no-key: %v\n%s", err, out)
	}
	for _, want := range []string{
		"/sidebar/clear-kefu",
		"every parameter travels in clear",
		"anyone who has the URL can open any visitor",
		"leaving its encryption key empty",
		"origin: https://kefu.easemob.com, the usual one for easemob",
		"framing: framed only by https://kefu.easemob.com",
		"protection: low",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--no-key output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "generated key") {
		t.Errorf("--no-key generated a key:\n%s", out)
	}
	out, err = run(t, "integration", "list")
	if err != nil {
		t.Fatal(err)
	}
	line := lineWith(out, "clear-kefu  ")
	if !strings.Contains(line, "(none)") || !strings.Contains(line, "https://kefu.easemob.com") || !strings.Contains(line, "low") {
		t.Errorf("list line for the keyless integration = %q\n%s", line, out)
	}
	if !strings.Contains(out, "anyone who has this URL can open any visitor") {
		t.Errorf("list does not say what no key exposes:\n%s", out)
	}
}

func TestIntegrationCreateOrigins(t *testing.T) {
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	out, err := run(t, "integration", "create", "--slug", "cwt", "--kind", "chatwoot")
	if err != nil || !strings.Contains(out, "origin: https://app.chatwoot.com, the usual one for chatwoot") ||
		!strings.Contains(out, "framing: framed only by https://app.chatwoot.com") {
		t.Errorf("chatwoot without --origin: %v\n%s", err, out)
	}
	out, err = run(t, "integration", "create", "--slug", "own", "--kind", "easemob", "--key", "kefu2024secret", "--origin", "https://kefu.example.cn")
	if err != nil || strings.Contains(out, "the usual one") || !strings.Contains(out, "framing: framed only by https://kefu.example.cn") {
		t.Errorf("easemob with --origin: %v\n%s", err, out)
	}
	out, err = run(t, "integration", "create", "--slug", "web", "--kind", "sharecrm")
	if err != nil || strings.Contains(out, "the usual one") ||
		!strings.Contains(out, "framing: no origin set: no platform can show this sidebar, only crmlens's own pages can frame it") ||
		!strings.Contains(out, "no origin is set, so no platform can frame the sidebar") {
		t.Errorf("sharecrm without --origin: %v\n%s", err, out)
	}

	// list is truthful about framing: an integration without origins is
	// framed by no platform, never "any site".
	out, err = run(t, "integration", "list")
	if err != nil {
		t.Fatal(err)
	}
	if line := lineWith(out, "web  "); !strings.Contains(line, "(none: no platform can frame it)") {
		t.Errorf("list line for an integration without origins = %q\n%s", line, out)
	}
	if line := lineWith(out, "cwt  "); !strings.Contains(line, "https://app.chatwoot.com") {
		t.Errorf("list line for chatwoot = %q\n%s", line, out)
	}
	if strings.Contains(out, "so no other site can frame") {
		t.Errorf("list still says other sites can frame an integration without origins:\n%s", out)
	}
	// Removing every origin says so too.
	out, err = run(t, "integration", "update", "--slug", "cwt", "--origin", "")
	if err != nil || !strings.Contains(out, "framing: no origin set: no platform can show this sidebar") {
		t.Errorf("update to no origins: %v\n%s", err, out)
	}
}

// lineWith returns the first line of out that starts with prefix.
func lineWith(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// Udesk and Sobot come from the registry like every platform: their kinds,
// flags, keys (which they make themselves), where to paste the URL and
// their protection.
func TestIntegrationCreateUdeskAndSobot(t *testing.T) {
	t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	t.Setenv("CRMLENS_PUBLIC_URL", "https://crm.example.com")
	for _, tt := range []struct {
		name string
		args []string
		want []string
		fail bool
	}{
		{"udesk", []string{"--slug", "udesk-1", "--kind", "udesk", "--key", "udesk-secret-957a5428"},
			[]string{"/sidebar/udesk-1", "系统 > 辅助组件 > 外部网页", "protection: medium", "replayable within its 5-minute window"}, false},
		{"udesk without a key", []string{"--slug", "udesk-2", "--kind", "udesk"}, []string{"makes its own key", "系统设置 - 密钥"}, true},
		{"udesk with a sobot option", []string{"--slug", "udesk-3", "--kind", "udesk", "--key", "k", "--sobot-sysnum", "n"},
			[]string{"sobotSysNum is not an option of udesk"}, true},
		{"udesk with a bad field param", []string{"--slug", "udesk-4", "--kind", "udesk", "--key", "k", "--field-param", "phone"},
			[]string{"is not FIELD=PARAM"}, true},
		{"sobot", []string{"--slug", "sobot-1", "--kind", "sobot", "--key", "sobot-key-1", "--sobot-sysnum", "b2a9c1"},
			[]string{"/sidebar/sobot-1", "iFrame 接入", "protection: medium", "only partnerId and timestamp are signed"}, false},
		{"sobot without a key", []string{"--slug", "sobot-2", "--kind", "sobot", "--no-key", "--sobot-sysnum", "b2a9c1"},
			[]string{"protection: low", "authenticates nothing"}, false},
		{"sobot without its sysNum", []string{"--slug", "sobot-3", "--kind", "sobot", "--key", "sobot-key-1"}, []string{"sysNum"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, append([]string{"integration", "create"}, tt.args...)...)
			got := out
			if err != nil {
				got += err.Error()
			}
			if (err != nil) != tt.fail {
				t.Fatalf("err = %v, want failure %v\n%s", err, tt.fail, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
	out, _ := run(t, "integration", "create", "--help")
	for _, w := range []string{"--kind easemob|sharecrm|chatwoot|signed|udesk|sobot", "udesk: the param naming the customer", "sobot: the company's sysNum", "easemob, sobot: no key"} {
		if !strings.Contains(out, w) {
			t.Errorf("help lacks %q:\n%s", w, out)
		}
	}
}
