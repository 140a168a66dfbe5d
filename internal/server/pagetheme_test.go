package server_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
)

// The sidebar page posts every param its URL carries, its own display
// param theme=light|dark|auto included (frontend/src/sidebar/params.ts): it
// may be part of what the platform signed. Each kind keeps a param it does
// not know as an extra (an Easemob integration with a key drops one in
// clear), so theme never fails a session; for Udesk it is signed with the
// rest of the query.
func TestSessionTakesThePageThemeParam(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		const shareKey = "MDEyMzQ1Njc4OWFiY2RlZg=="
		const udeskKey = "udesk-secret-key-957a5428"
		secret := strings.Repeat("s", 40)
		f.create(t, integration.Input{Slug: "hard", Kind: "easemob", Key: testKey, Options: integration.Options{EncryptedSystemParams: true}})
		f.create(t, integration.Input{Slug: "web", Kind: "sharecrm", Key: shareKey})
		f.create(t, integration.Input{Slug: "app", Kind: "signed", Key: secret})
		f.create(t, integration.Input{Slug: "cw-open", Kind: "chatwoot"})
		f.create(t, integration.Input{Slug: "udesk-1", Kind: "udesk", Key: udeskKey})
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-1", "jti": "theme-1",
			"exp": time.Now().Add(2 * time.Minute).Unix()}).SignedString([]byte(secret))
		must(t, err)
		enc := f.cipher.Encrypt
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		// The JDK-made vector of seed 003's example (TestShareCRMIdentityVerification).
		vector := "97F17E755BA61E5E60E506A04C015ECCDDC187181F52F3FBED272FCF7D454917F2DA736CBED718234C2667793AB0A5F2"
		for _, tt := range []struct {
			name  string
			slug  string
			pairs [][2]string
		}{
			{"easemob with a key, theme in clear", "acme", [][2]string{{"visitorImId", "im-zhang"}, {"theme", "dark"}}},
			{"easemob with encrypted system params", "hard", [][2]string{{"theme", "light"}, {"easemobId", enc("kefu")}, {"visitorImId", enc("im-zhang")}}},
			{"sharecrm", "web", [][2]string{{"customParams", vector}, {"theme", "auto"}}},
			{"signed link", "app", [][2]string{{"token", tok}, {"theme", "dark"}}},
			{"chatwoot without a token", "cw-open", [][2]string{{"account_id", "1"}, {"conversation_id", "10"}, {"contact_id", "42"}, {"theme", "dark"}}},
			{"udesk, theme signed with the query", "udesk-1", udeskSigned([][2]string{{"customer_token", "cust-42"}, {"theme", "dark"},
				{"agent_email", "li@example.cn"}, {"timestamp", ts}}, udeskKey)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", orderedBody(t, tt.slug, tt.pairs), nil)
				var ok api.SessionResponse
				if resp.StatusCode != 201 || json.Unmarshal(body, &ok) != nil || ok.Token == "" {
					t.Fatalf("status %d body %s, want 201 and a session", resp.StatusCode, body)
				}
			})
		}
	})
}
