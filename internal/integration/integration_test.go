package integration_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := integration.New(db)
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
			{name: "bad aes key", in: integration.Input{Slug: "x-aes", Kind: "sharecrm", Key: "abc"}, wantCode: "invalid_key"},
			{name: "unknown kind", in: integration.Input{Slug: "x-kind", Kind: "zendesk"}, wantCode: "invalid_kind"},
			{name: "origin with path", in: integration.Input{Slug: "x-origin", Kind: "easemob", Origins: []string{"https://a.com/path"}}, wantCode: "invalid_origin"},
			{name: "origin not a url", in: integration.Input{Slug: "x-origin2", Kind: "easemob", Origins: []string{"kefu.easemob.com"}}, wantCode: "invalid_origin"},
			{name: "bad slug", in: integration.Input{Slug: "Has Spaces", Kind: "easemob"}, wantCode: "invalid_slug"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var before int64
				db.Model(&model.Integration{}).Count(&before)
				got, err := svc.Create(ctx, tt.in)
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
			})
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
