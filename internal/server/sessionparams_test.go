package server_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
)

// orderedBody is a sessions body whose params object lists pairs in the
// order given (json.Marshal of a map would sort them).
func orderedBody(t *testing.T, slug string, pairs [][2]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"integration":`)
	s, err := json.Marshal(slug)
	must(t, err)
	b.Write(s)
	b.WriteString(`,"params":{`)
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p[0])
		v, _ := json.Marshal(p[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteString("}}")
	return b.String()
}

// udeskSigned signs pairs as Udesk's assist component does: the MD5 of the
// query in its order, sign left out, then "&" and the key (Udesk's
// "辅助组件鉴权说明", internal/adapter/udesk).
func udeskSigned(pairs [][2]string, key string) [][2]string {
	parts := make([]string, 0, len(pairs))
	for _, p := range pairs {
		parts = append(parts, p[0]+"="+p[1])
	}
	sum := md5.Sum([]byte(strings.Join(parts, "&") + "&" + key))
	return append(append([][2]string(nil), pairs...), [2]string{"sign", hex.EncodeToString(sum[:])})
}

// The params object's member order is the URL's, and it reaches the
// adapter: a Udesk URL signed in one order opens a session when posted in
// that order and is refused when the same params come in another; a name
// given twice is refused before anything is decoded.
func TestSessionParamsKeepTheirOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		const key = "udesk-secret-key-957a5428"
		f.create(t, integration.Input{Slug: "udesk-1", Kind: model.KindUdesk, Key: key})
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		inOrder := udeskSigned([][2]string{{"customer_token", "cust-42"}, {"cellphone", "13800138000"},
			{"agent_email", "li@example.cn"}, {"timestamp", ts}}, key)
		swapped := append([][2]string{inOrder[1], inOrder[0]}, inOrder[2:]...)
		visitors := f.count(t, &model.Visitor{})
		for _, tt := range []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"another order", orderedBody(t, "udesk-1", swapped), 401, "invalid_token"},
			{"duplicate member", orderedBody(t, "udesk-1", append(inOrder, [2]string{"cellphone", "13900000000"})), 400, "duplicate_param"},
			{"null params", `{"integration":"udesk-1","params":null}`, 400, "missing_params"},
			{"params not an object", `{"integration":"udesk-1","params":["a"]}`, 400, "invalid_json"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", tt.body, nil)
				var e api.Error
				if resp.StatusCode != tt.status || json.Unmarshal(body, &e) != nil || e.Error.Code != tt.code || e.Error.Message == "" {
					t.Fatalf("status %d body %s, want %d %s", resp.StatusCode, body, tt.status, tt.code)
				}
			})
		}
		if got := f.count(t, &model.Visitor{}); got != visitors {
			t.Errorf("refused sessions wrote visitors: %d -> %d", visitors, got)
		}
		resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", orderedBody(t, "udesk-1", inOrder), nil)
		var ok api.SessionResponse
		if resp.StatusCode != 201 || json.Unmarshal(body, &ok) != nil {
			t.Fatalf("the URL's order: status %d body %s", resp.StatusCode, body)
		}
		if ok.Visitor.Channel != "udesk" || ok.Visitor.ExternalId != "cust-42" {
			t.Errorf("visitor = %+v, want udesk/cust-42", ok.Visitor)
		}
	})
}
