package sessiontoken_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestIssueAndParse(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	is, err := sessiontoken.New(ctx, db, testKeys(t), clock)
	if err != nil {
		t.Fatal(err)
	}
	tok, exp, err := is.Issue(sessiontoken.Claims{IntegrationID: 3, VisitorID: 42, Agent: "a-1", Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(15 * time.Minute); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v", exp, want)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, &jwt.RegisteredClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header["kid"] == nil || parsed.Header["alg"] != "HS256" {
		t.Errorf("header = %v, want HS256 with a kid", parsed.Header)
	}
	got, err := is.Parse(ctx, tok)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got.VisitorID != 42 || got.IntegrationID != 3 || got.Agent != "a-1" || got.Lang != "zh" {
		t.Errorf("claims = %+v", got)
	}

	// Another instance on the same database accepts it.
	other, err := sessiontoken.New(ctx, db, testKeys(t), clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Parse(ctx, tok); err != nil {
		t.Errorf("second instance refused the token: %v", err)
	}

	now = now.Add(16 * time.Minute)
	_, err = is.Parse(ctx, tok)
	if e := apperr.As(err); e == nil || e.Code != sessiontoken.CodeExpired {
		t.Errorf("expired token: err = %v, want %s", err, sessiontoken.CodeExpired)
	}
}

func TestParseRefuses(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	is, err := sessiontoken.New(ctx, db, testKeys(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	good, _, err := is.Issue(sessiontoken.Claims{VisitorID: 1})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	hdr, _, _ := jwt.NewParser().ParseUnverified(good, &jwt.RegisteredClaims{})
	kid := hdr.Header["kid"].(string)

	sign := func(method jwt.SigningMethod, key any, claims jwt.Claims, kid string) string {
		tok := jwt.NewWithClaims(method, claims)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	future := jwt.NewNumericDate(time.Now().Add(time.Hour))
	tests := map[string]string{
		"empty":         "",
		"garbage":       "not.a.jwt",
		"tampered":      parts[0] + "." + parts[1] + "x." + parts[2],
		"alg none":      sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"sidebar"}, ExpiresAt: future}, kid),
		"wrong key":     sign(jwt.SigningMethodHS256, []byte("0123456789abcdef0123456789abcdef"), jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"sidebar"}, ExpiresAt: future}, kid),
		"unknown kid":   sign(jwt.SigningMethodHS256, []byte("x"), jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"sidebar"}, ExpiresAt: future}, "deadbeef"),
		"wrong aud":     signWith(t, db, kid, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"admin"}, ExpiresAt: future}),
		"no expiry":     signWith(t, db, kid, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"sidebar"}}),
		"no kid header": sign(jwt.SigningMethodHS256, []byte("x"), jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"sidebar"}, ExpiresAt: future}, ""),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := is.Parse(ctx, tok)
			if apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("Parse accepted or misclassified: %v", err)
			}
		})
	}
}

// signWith signs claims with the real key of kid, to test claim checks alone.
func signWith(t *testing.T, db *gorm.DB, kid string, claims jwt.Claims) string {
	t.Helper()
	var row model.SigningKey
	if err := db.Where("kid = ?", kid).First(&row).Error; err != nil {
		t.Fatal(err)
	}
	secret := row.Secret
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAdminTokens(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	is, err := sessiontoken.New(ctx, db, testKeys(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := is.IssueAdmin(7, "ops@example.com", "stamp")
	if err != nil {
		t.Fatal(err)
	}
	c, err := is.ParseAdmin(ctx, tok)
	if err != nil || c.AdminID != 7 || c.Email != "ops@example.com" {
		t.Fatalf("ParseAdmin = %+v, %v", c, err)
	}
	sidebarTok, _, _ := is.Issue(sessiontoken.Claims{VisitorID: 1})
	if _, err := is.ParseAdmin(ctx, sidebarTok); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a sidebar token on admin routes: %v, want forbidden", err)
	}
	if _, err := is.Parse(ctx, tok); apperr.KindOf(err) != apperr.Unauthorized {
		t.Errorf("an admin token as a sidebar session: %v, want unauthorized", err)
	}
	if _, err := is.ParseAdmin(ctx, "x.y.z"); apperr.KindOf(err) != apperr.Unauthorized {
		t.Errorf("garbage: %v", err)
	}
}

// testKeys is the master keyring every issuer of a test shares.
func testKeys(t *testing.T) *keyring.Keyring {
	t.Helper()
	k, err := keyring.New(bytes.Repeat([]byte{7}, keyring.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSigningKeysAreSealed: the database holds no raw signing key; a key
// stored raw (before keys were sealed) is still accepted and sealed in
// place; another master key cannot open the keys.
func TestSigningKeysAreSealed(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	keys := testKeys(t)
	is, err := sessiontoken.New(ctx, db, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	var row model.SigningKey
	if err := db.Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(row.Secret), "v1:") {
		t.Fatalf("stored signing key is not sealed: %d bytes", len(row.Secret))
	}

	// A raw key from before: tokens it signed still verify, and it is
	// sealed once read.
	raw := bytes.Repeat([]byte{0x5a}, 32)
	legacy := model.SigningKey{Kid: "legacy0000000000", Secret: raw, CreatedAt: time.Now()}
	if err := db.Create(&legacy).Error; err != nil {
		t.Fatal(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, sessiontoken.Claims{IntegrationID: 1, VisitorID: 2,
		RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{sessiontoken.Audience}, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute)), ID: "j1"}})
	tok.Header["kid"] = legacy.Kid
	signed, err := tok.SignedString(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.Parse(ctx, signed); err != nil {
		t.Fatalf("a token signed with a raw stored key: %v", err)
	}
	if err := db.Where("kid = ?", legacy.Kid).Take(&legacy).Error; err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(legacy.Secret, raw) || !strings.HasPrefix(string(legacy.Secret), "v1:") {
		t.Errorf("the raw key was not sealed in place")
	}

	other, _ := keyring.New(bytes.Repeat([]byte{8}, keyring.KeySize))
	if _, err := sessiontoken.New(ctx, db, other, nil); err == nil || !strings.Contains(err.Error(), "CRMLENS_MASTER_KEY") {
		t.Errorf("another master key: %v, want an error naming CRMLENS_MASTER_KEY", err)
	}
	if _, err := sessiontoken.New(ctx, db, nil, nil); err == nil {
		t.Error("no sealer: no error")
	}
}

// TestTokensBeforePlatformsNameNoAgent: a token issued before tokens carried
// the agents' platform (no "plt") may name an agent nothing vouched for (a
// Chatwoot context's), so its agent id and e-mail are dropped: such a token
// chooses no agent or group layout for the rest of its life.
func TestTokensBeforePlatformsNameNoAgent(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	ctx := context.Background()
	is, err := sessiontoken.New(ctx, db, testKeys(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		platform          string
		wantID, wantEmail string
	}{
		{"a current token", "easemob", "a-vip", "vip@example.com"},
		{"a token from before", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, _, err := is.Issue(sessiontoken.Claims{IntegrationID: 1, IntegrationSlug: "kefu", VisitorID: 7, Agent: "a-vip",
				Platform: tt.platform, AgentID: "a-vip", AgentEmail: "vip@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := is.Parse(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if got.AgentID != tt.wantID || got.AgentEmail != tt.wantEmail || got.Agent != "a-vip" || got.Platform != tt.platform {
				t.Errorf("claims = %+v, want agent %q %q", got, tt.wantID, tt.wantEmail)
			}
		})
	}
}
