package servicetoken_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/servicetoken"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestAuthenticate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := servicetoken.NewStore(db)
		tok, secret, err := s.Create(ctx, "crm-nightly", servicetoken.ScopeSync, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "crml_sync_") || len(secret) != len("crml_sync_")+43 || tok.Name != "crm-nightly" {
			t.Fatalf("Create = %+v, %q", tok, secret)
		}
		_, revokedSecret, err := s.Create(ctx, "old", servicetoken.ScopeSync, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Revoke(ctx, "old", "cli"); err != nil {
			t.Fatal(err)
		}
		// A token of another scope: written directly, as no second scope
		// exists yet.
		other := "crml_read_" + strings.Repeat("A", 43)
		if err := db.Exec("INSERT INTO service_tokens (name, scope, token_hash, created_at) VALUES (?, ?, ?, ?)",
			"reader", "read", hashHex(other), time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, token string
			kind        apperr.Kind
			code        string
		}{
			{"valid", secret, apperr.Internal, ""},
			{"revoked", revokedSecret, apperr.Unauthorized, servicetoken.CodeRevoked},
			{"unknown", "crml_sync_" + strings.Repeat("x", 43), apperr.Unauthorized, servicetoken.CodeUnauthorized},
			{"not a service token", "eyJhbGciOiJIUzI1NiJ9.e30.sig", apperr.Unauthorized, servicetoken.CodeUnauthorized},
			{"empty", "", apperr.Unauthorized, servicetoken.CodeUnauthorized},
			{"wrong scope", other, apperr.Forbidden, servicetoken.CodeForbidden},
			{"one character off", secret[:len(secret)-1] + flip(secret[len(secret)-1]), apperr.Unauthorized, servicetoken.CodeUnauthorized},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.Authenticate(ctx, tc.token, servicetoken.ScopeSync)
				if tc.code == "" {
					if err != nil || got.Name != "crm-nightly" || got.LastUsedAt == nil {
						t.Fatalf("Authenticate = %+v, %v", got, err)
					}
					return
				}
				e := apperr.As(err)
				if e == nil || e.Kind != tc.kind || e.Code != tc.code {
					t.Fatalf("Authenticate = %v; want %v %s", err, tc.kind, tc.code)
				}
				if strings.Contains(e.Message, tc.token) && tc.token != "" {
					t.Errorf("the message quotes the token: %s", e.Message)
				}
			})
		}
		var rows []model.ServiceToken
		if err := db.Order("name").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(r.TokenHash, "crml_") || len(r.TokenHash) != 64 {
				t.Errorf("token %s stored as %q, not as its hash", r.Name, r.TokenHash)
			}
		}
		events, err := audit.New(db).List(ctx, audit.Filter{Actor: "token:old"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev.Action)
		}
		if strings.Join(actions, ",") != "token.revoke,token.create" {
			t.Errorf("audit of token old = %v; want token.revoke,token.create", actions)
		}
	})
}

func TestCreateAndRevokeRefuse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := servicetoken.NewStore(db)
		if _, _, err := s.Create(ctx, "taken", servicetoken.ScopeSync, "cli"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, token string
			scope       servicetoken.Scope
			code        string
		}{
			{"name taken", "taken", servicetoken.ScopeSync, servicetoken.CodeNameTaken},
			{"empty name", "", servicetoken.ScopeSync, servicetoken.CodeInvalidName},
			{"upper case", "CRM", servicetoken.ScopeSync, servicetoken.CodeInvalidName},
			{"space", "crm nightly", servicetoken.ScopeSync, servicetoken.CodeInvalidName},
			{"too long", strings.Repeat("a", 65), servicetoken.ScopeSync, servicetoken.CodeInvalidName},
			{"unknown scope", "ok", "admin", servicetoken.CodeInvalidScope},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := s.Create(ctx, tc.token, tc.scope, "cli")
				if e := apperr.As(err); e == nil || e.Code != tc.code {
					t.Fatalf("Create(%q, %q) = %v; want %s", tc.token, tc.scope, err, tc.code)
				}
			})
		}
		if _, err := s.Revoke(ctx, "nobody", "cli"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("Revoke(nobody) = %v; want not found", err)
		}
		list, err := s.List(ctx)
		if err != nil || len(list) != 1 || list[0].Name != "taken" || list[0].RevokedAt != nil {
			t.Fatalf("List = %+v, %v", list, err)
		}
	})
}

func TestLastUsedAtWrittenOncePerMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		clocked := db.Session(&gorm.Session{NowFunc: func() time.Time { return now }})
		s := servicetoken.NewStore(clocked)
		_, secret, err := s.Create(ctx, "crm", servicetoken.ScopeSync, "cli")
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			after time.Duration
			want  time.Time
		}{
			{0, now},
			{30 * time.Second, now},
			{59 * time.Second, now},
			{61 * time.Second, now.Add(61 * time.Second)},
		} {
			now = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).Add(step.after)
			if _, err := s.Authenticate(ctx, secret, servicetoken.ScopeSync); err != nil {
				t.Fatal(err)
			}
			var row model.ServiceToken
			if err := db.Take(&row, "name = ?", "crm").Error; err != nil {
				t.Fatal(err)
			}
			if row.LastUsedAt == nil || !row.LastUsedAt.Equal(step.want) {
				t.Errorf("after %v: last_used_at = %v; want %v", step.after, row.LastUsedAt, step.want)
			}
		}
	})
}

func TestFromHeader(t *testing.T) {
	for _, tc := range []struct {
		header, want string
		ok           bool
	}{
		{"Bearer crml_sync_abc", "crml_sync_abc", true},
		{"bearer  crml_sync_abc ", "crml_sync_abc", true},
		{"Basic Zm9vOmJhcg==", "", false},
		{"Bearer", "", false},
		{"", "", false},
	} {
		got, err := servicetoken.FromHeader(tc.header)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("FromHeader(%q) = %q, %v", tc.header, got, err)
		}
		if err != nil && apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("FromHeader(%q) error kind %v; want unauthorized", tc.header, apperr.KindOf(err))
		}
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
