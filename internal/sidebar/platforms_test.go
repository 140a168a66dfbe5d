package sidebar_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// udeskURL is a sidebar URL as Udesk's assist component makes it: the
// query in its order, then sign, the MD5 of the query and "&" and the key
// (Udesk's "辅助组件鉴权说明", internal/adapter/udesk).
func udeskURL(slug, key string, pairs [][2]string) string {
	parts := make([]string, 0, len(pairs))
	enc := make([]string, 0, len(pairs)+1)
	for _, p := range pairs {
		parts = append(parts, p[0]+"="+p[1])
		enc = append(enc, url.QueryEscape(p[0])+"="+url.QueryEscape(p[1]))
	}
	enc = append(enc, "sign="+md5Hex(strings.Join(parts, "&")+"&"+key))
	return "https://crm.example.com/sidebar/" + slug + "?" + strings.Join(enc, "&")
}

// The simulator asks each platform what to show of its params and decodes
// with the platform's decoder, the URL's order included: a pasted Udesk URL
// verifies and matches its customer by identity; the same params in
// another order do not verify, with the platform's advice.
func TestSimulateRegisteredPlatforms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		f := newFixture(t, db)
		svc := sidebar.New(sidebar.Deps{DB: db, Tokens: f.tokens, Integrations: f.integrations})
		const udeskKey, sobotKey = "udesk-secret-957a5428", "sobot-key-1"
		for _, in := range []integration.Input{
			{Slug: "udesk-1", Kind: model.KindUdesk, Key: udeskKey},
			{Slug: "sobot-1", Kind: model.KindSobot, Key: sobotKey, Options: integration.Options{SobotSysNum: "b2a9c1"}},
		} {
			if _, _, err := f.integrations.Create(ctx, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		zhang := contact(t, db, "张三", "udesk", "cust-42")
		now := time.Now()
		ts := strconv.FormatInt(now.Unix(), 10)
		pairs := [][2]string{{"customer_token", "cust-42"}, {"cellphone", "13800138000"}, {"agent_email", "li@example.cn"}, {"timestamp", ts}}
		swapped := udeskURL("udesk-1", udeskKey, pairs)
		swapped = strings.Replace(swapped, "customer_token=cust-42&cellphone=13800138000", "cellphone=13800138000&customer_token=cust-42", 1)
		ms := strconv.FormatInt(now.UnixMilli(), 10)
		sobotQuery := url.Values{"partnerId": {"p-7"}, "email": {"li@example.cn"}, "timestamp": {ms},
			"sign": {md5Hex("b2a9c1" + sobotKey + ms + "p-7")}}
		for _, tt := range []struct {
			name      string
			input     string
			params    []string // shown in this order
			lastStep  sidebar.StepName
			status    sidebar.StepStatus
			contactID int64
			advice    string
		}{
			{"udesk in the URL's order", udeskURL("udesk-1", udeskKey, pairs),
				[]string{"customer_token", "cellphone", "agent_email", "timestamp", "sign", "verified.phone"}, sidebar.StepLayout, sidebar.StatusOK, zhang.ID, ""},
			{"udesk in another order", swapped,
				[]string{"cellphone", "customer_token", "agent_email", "timestamp", "sign"}, sidebar.StepDecode, sidebar.StatusFailed, 0, "sim.advice.decrypt.udesk"},
			{"sobot", "https://crm.example.com/sidebar/sobot-1?" + sobotQuery.Encode(),
				[]string{"email", "partnerId", "sign", "timestamp"}, sidebar.StepLayout, sidebar.StatusOK, 0, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in, err := sidebar.ParseSimulationInput(tt.input)
				if err != nil {
					t.Fatal(err)
				}
				sim, err := svc.Simulate(ctx, "", in, "admin:test", "req-1")
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, p := range sim.Params {
					names = append(names, p.Name)
					want := sidebar.HowPlain
					if strings.HasPrefix(p.Name, "verified.") {
						want = sidebar.HowVerified
					}
					if p.How != want {
						t.Errorf("param %s shown as %s", p.Name, p.How)
					}
				}
				if strings.Join(names, ",") != strings.Join(tt.params, ",") {
					t.Errorf("params shown %v, want %v", names, tt.params)
				}
				last := sim.Steps[len(sim.Steps)-1]
				if last.Step != tt.lastStep || last.Status != tt.status {
					t.Fatalf("last step %s %s (%s), want %s %s", last.Step, last.Status, last.Detail, tt.lastStep, tt.status)
				}
				if tt.advice != "" && (len(last.Notes) == 0 || last.Notes[0].Code != tt.advice) {
					t.Errorf("failed step notes %v, want %s", last.Notes, tt.advice)
				}
				if tt.contactID != 0 && (sim.Contact == nil || sim.Contact.ID != tt.contactID) {
					t.Errorf("contact = %+v, want %d", sim.Contact, tt.contactID)
				}
			})
		}
	})
}
