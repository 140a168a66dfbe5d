package integration_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/platforms"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := newService(t, db, nil)
		tests := []struct {
			name     string
			in       integration.Input
			wantCode string
		}{
			{name: "easemob", in: integration.Input{Slug: "acme-kefu", Kind: "easemob", Key: "kefu2024secret", Origins: []string{"https://kefu.easemob.com/"}}},
			{name: "easemob without key", in: integration.Input{Slug: "acme-plain", Kind: "easemob"}},
			{name: "generated slug", in: integration.Input{Kind: "easemob", Key: "kefu2024secret"}},
			{name: "sharecrm", in: integration.Input{Slug: "acme-web", Kind: "sharecrm", Key: "MDEyMzQ1Njc4OWFiY2RlZg=="}},
			{name: "duplicate slug", in: integration.Input{Slug: "acme-kefu", Kind: "easemob"}, wantCode: "slug_taken"},
			{name: "short easemob key", in: integration.Input{Slug: "x-short", Kind: "easemob", Key: "12345678"}, wantCode: "invalid_key"},
			{name: "generated sharecrm key", in: integration.Input{Slug: "gen-aes", Kind: "sharecrm"}},
			{name: "signed", in: integration.Input{Slug: "app-signed", Kind: "signed"}},
			{name: "bad matching field", in: integration.Input{Slug: "x-match", Kind: "sharecrm", Options: integration.Options{MatchingFields: [][]string{{"birthday"}}}}, wantCode: "invalid_option"},
			{name: "tenant pin on chatwoot", in: integration.Input{Slug: "x-pin", Kind: "chatwoot", Options: integration.Options{TenantID: "1"}}, wantCode: "invalid_option"},
			{name: "bad aes key", in: integration.Input{Slug: "x-aes", Kind: "sharecrm", Key: "abc"}, wantCode: "invalid_key"},
			{name: "unknown kind", in: integration.Input{Slug: "x-kind", Kind: "zendesk"}, wantCode: "invalid_kind"},
			{name: "origin with path", in: integration.Input{Slug: "x-origin", Kind: "easemob", Origins: []string{"https://a.com/path"}}, wantCode: "invalid_origin"},
			{name: "origin not a url", in: integration.Input{Slug: "x-origin2", Kind: "easemob", Origins: []string{"kefu.easemob.com"}}, wantCode: "invalid_origin"},
			{name: "bad slug", in: integration.Input{Slug: "Has Spaces", Kind: "easemob"}, wantCode: "invalid_slug"},
			{name: "easemob, no key", in: integration.Input{Slug: "acme-clear", Kind: "easemob", NoKey: true}},
			{name: "no key and a key", in: integration.Input{Slug: "x-both", Kind: "easemob", NoKey: true, Key: "kefu2024secret"}, wantCode: "invalid_key"},
			{name: "sharecrm cannot go without a key", in: integration.Input{Slug: "x-aes-none", Kind: "sharecrm", NoKey: true}, wantCode: "invalid_key"},
			{name: "signed cannot go without a key", in: integration.Input{Slug: "x-jwt-none", Kind: "signed", NoKey: true}, wantCode: "invalid_key"},
			{name: "no key with encrypted system params", in: integration.Input{Slug: "x-none-enc", Kind: "easemob", NoKey: true, Options: integration.Options{EncryptedSystemParams: true}}, wantCode: "invalid_option"},
			{name: "no key with a tenant pin", in: integration.Input{Slug: "x-none-pin", Kind: "easemob", NoKey: true, Options: integration.Options{TenantID: "1"}}, wantCode: "invalid_option"},
			{name: "udesk", in: integration.Input{Slug: "acme-udesk", Kind: "udesk", Key: "957a542817ebcda1cccacd9a7c1fc711"}},
			{name: "udesk makes its own key", in: integration.Input{Slug: "x-udesk-gen", Kind: "udesk"}, wantCode: "invalid_key"},
			{name: "udesk cannot go without a key", in: integration.Input{Slug: "x-udesk-none", Kind: "udesk", NoKey: true}, wantCode: "invalid_key"},
			{name: "udesk identity param that is udesk's own", in: integration.Input{Slug: "x-udesk-id", Kind: "udesk", Key: "k1", Options: integration.Options{IdentityParam: "sign"}}, wantCode: "invalid_option"},
			{name: "sobot", in: integration.Input{Slug: "acme-sobot", Kind: "sobot", Key: "sobot-key", Options: integration.Options{SobotSysNum: "b2a9c1"}}},
			{name: "sobot without a key", in: integration.Input{Slug: "acme-sobot-clear", Kind: "sobot", NoKey: true, Options: integration.Options{SobotSysNum: "b2a9c1"}}},
			{name: "sobot makes its own key", in: integration.Input{Slug: "x-sobot-gen", Kind: "sobot", Options: integration.Options{SobotSysNum: "b2a9c1"}}, wantCode: "invalid_key"},
			{name: "sobot without its sysNum", in: integration.Input{Slug: "x-sobot-num", Kind: "sobot", Key: "sobot-key"}, wantCode: "invalid_option"},
			{name: "a sobot option on easemob", in: integration.Input{Slug: "x-em-sobot", Kind: "easemob", Options: integration.Options{SobotSysNum: "b2a9c1"}}, wantCode: "invalid_option"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var before int64
				db.Model(&model.Integration{}).Count(&before)
				got, clear, err := svc.Create(ctx, tt.in, nil)
				if tt.wantCode != "" {
					if e := apperr.As(err); e == nil || e.Code != tt.wantCode {
						t.Fatalf("Create error = %v, want %s", err, tt.wantCode)
					}
					var after int64
					db.Model(&model.Integration{}).Count(&after)
					if after != before {
						t.Fatalf("a refused Create wrote a row (%d -> %d)", before, after)
					}
					return
				}
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if tt.in.Slug == "" && len(got.Slug) != 26 {
					t.Errorf("generated slug %q, want 26 base32 characters (128 bits)", got.Slug)
				}
				if clear != "" && (strings.Contains(got.Key, clear) || !keyring.IsSealed(got.Key)) {
					t.Errorf("the key is stored unsealed: %q", got.Key)
				}
				if tt.in.Key != "" && clear != tt.in.Key {
					t.Errorf("Create returned key %q, want the admin's", clear)
				}
			})
		}
		var clearRow model.Integration
		if err := db.Where("slug = ?", "acme-clear").Take(&clearRow).Error; err != nil {
			t.Fatal(err)
		}
		if keys, err := svc.Keys(clearRow); clearRow.Key != "" || err != nil || len(keys) != 0 {
			t.Errorf("a keyless integration stored key %q (keys %v, %v)", clearRow.Key, keys, err)
		}
		var row model.Integration
		if err := db.Where("slug = ?", "acme-kefu").Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		if row.Origins != `["https://kefu.easemob.com"]` {
			t.Errorf("origins stored as %s", row.Origins)
		}
	})
}

func newService(t *testing.T, db *gorm.DB, now func() time.Time) *integration.Service {
	t.Helper()
	k, err := keyring.New(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return integration.New(db, k, platforms.Default(), 24*time.Hour, now)
}

func TestRotateKeyKeepsThePreviousDuringGrace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		svc := newService(t, db, func() time.Time { return now })
		in, _, err := svc.Create(ctx, integration.Input{Slug: "acme", Kind: "easemob", Key: "first-key-123"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if keys, _ := svc.Keys(in); len(keys) != 1 || keys[0] != "first-key-123" {
			t.Fatalf("keys before rotation = %v", keys)
		}
		if _, _, err := svc.RotateKey(ctx, "acme", "short", -1, nil); apperr.As(err) == nil || apperr.As(err).Code != "invalid_key" {
			t.Fatalf("rotate to a short key: %v", err)
		}
		in, _, err = svc.RotateKey(ctx, "acme", "second-key-456", 2*time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		if keys, _ := svc.Keys(in); len(keys) != 2 || keys[0] != "second-key-456" || keys[1] != "first-key-123" {
			t.Fatalf("keys during grace = %v", keys)
		}
		now = now.Add(2*time.Hour + time.Second)
		if keys, _ := svc.Keys(in); len(keys) != 1 || keys[0] != "second-key-456" {
			t.Fatalf("keys after grace = %v", keys)
		}
		if _, revealed, err := svc.Reveal(ctx, "acme"); err != nil || revealed != "second-key-456" {
			t.Errorf("Reveal = %q, %v", revealed, err)
		}
		if m := svc.Masked(in); m != "••••••••••-456" {
			t.Errorf("Masked = %q", m)
		}
		if _, _, err := svc.RotateKey(ctx, "nope", "", -1, nil); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("rotate unknown: %v", err)
		}
	})
}

func TestProtectionLevels(t *testing.T) {
	tests := []struct {
		name    string
		in      model.Integration
		opts    integration.Options
		origins []string
		level   string
		says    string
	}{
		{"easemob without key", model.Integration{Kind: "easemob"}, integration.Options{}, nil, "low", "every parameter travels in clear"},
		{"easemob without key: any visitor", model.Integration{Kind: "easemob"}, integration.Options{}, []string{"https://kefu.easemob.com"}, "low", "anyone who has this URL can open any visitor"},
		{"easemob plain system params", model.Integration{Kind: "easemob", Key: "x"}, integration.Options{}, []string{"https://kefu.easemob.com"}, "low", "turn on encrypted system params"},
		{"easemob hardened", model.Integration{Kind: "easemob", Key: "x"}, integration.Options{EncryptedSystemParams: true, TenantID: "1", RequireKnownAgent: true}, []string{"https://kefu.easemob.com"}, "medium", "replayed"},
		{"sharecrm", model.Integration{Kind: "sharecrm", Key: "x"}, integration.Options{}, nil, "medium", "customParams"},
		{"chatwoot without token", model.Integration{Kind: "chatwoot"}, integration.Options{}, nil, "low", "Chatwoot API token"},
		{"chatwoot with token", model.Integration{Kind: "chatwoot", APIToken: "x"}, integration.Options{ChatwootURL: "https://app.chatwoot.com"}, nil, "medium", "checked against Chatwoot's API"},
		{"signed", model.Integration{Kind: "signed", Key: "x"}, integration.Options{}, []string{"https://a.example"}, "high", "works once"},
		{"udesk", model.Integration{Kind: "udesk", Key: "x"}, integration.Options{}, nil, "medium", "replayable within its 5-minute window"},
		{"sobot", model.Integration{Kind: "sobot", Key: "x"}, integration.Options{SobotSysNum: "n"}, nil, "medium", "only partnerId and timestamp are signed"},
		{"sobot without a key", model.Integration{Kind: "sobot"}, integration.Options{SobotSysNum: "n"}, []string{"https://a.example"}, "low", "authenticates nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := integration.ProtectionOf(opened(t, tt.in, tt.opts), tt.origins)
			if p.Level != tt.level || !strings.Contains(p.Summary, tt.says) {
				t.Errorf("protection = %+v, want %s saying %q", p, tt.level, tt.says)
			}
			if len(tt.origins) == 0 && !strings.Contains(strings.Join(p.Advice, ";"), "no platform can frame the sidebar") {
				t.Errorf("no word that no platform can frame it: %v", p.Advice)
			}
			if len(tt.origins) > 0 && strings.Contains(strings.Join(p.Advice, ";"), "origin") {
				t.Errorf("advice about origins although %v are set: %v", tt.origins, p.Advice)
			}
		})
	}
}

func TestUsualOriginAndFraming(t *testing.T) {
	for kind, want := range map[string]string{"easemob": "https://kefu.easemob.com", "chatwoot": "https://app.chatwoot.com", "sharecrm": "", "signed": ""} {
		p, _ := platforms.Default().Get(kind)
		if got := p.Spec().UsualOrigin; got != want {
			t.Errorf("UsualOrigin(%s) = %q, want %q", kind, got, want)
		}
	}
	if got := integration.Framing(nil); !strings.Contains(got, "no platform can show this sidebar") {
		t.Errorf("Framing(none) = %q", got)
	}
	if got := integration.Framing([]string{"https://kefu.easemob.com"}); !strings.Contains(got, "framed only by https://kefu.easemob.com") {
		t.Errorf("Framing(easemob) = %q", got)
	}
}

func TestApplyUpdate(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	svc := newService(t, db, nil)
	if _, _, err := svc.Create(ctx, integration.Input{Slug: "acme", Kind: "easemob"}, nil); err != nil {
		t.Fatal(err)
	}
	newSlug := integration.NewSlug()
	bad := []string{"not a url"}
	if _, err := svc.Apply(ctx, "acme", integration.Update{NewSlug: &newSlug, Origins: &bad}, nil); apperr.As(err) == nil {
		t.Fatalf("Apply with a bad origin: %v", err)
	}
	if _, err := svc.Get(ctx, "acme"); err != nil {
		t.Fatalf("a refused update changed the slug: %v", err)
	}
	opts := integration.Options{EncryptedSystemParams: true}
	in, err := svc.Apply(ctx, "acme", integration.Update{NewSlug: &newSlug, Options: &opts}, nil)
	if err != nil || in.Slug != newSlug {
		t.Fatalf("Apply = %+v, %v", in, err)
	}
	stored, err := svc.Get(ctx, newSlug)
	if got := stored.Options; err != nil || !got.EncryptedSystemParams {
		t.Errorf("options = %+v", got)
	}
}

// opened is row with options o as Service.Get returns it.
func opened(t testing.TB, row model.Integration, o integration.Options) integration.Integration {
	t.Helper()
	p, ok := platforms.Default().Get(row.Kind)
	if !ok {
		t.Fatalf("no platform of kind %q", row.Kind)
	}
	return integration.Integration{Integration: row, Options: p.Defaults(o), Platform: p}
}
