package seed_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/seed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var refNow = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)

func mustSeed(t *testing.T, db *gorm.DB, contacts int) seed.Summary {
	t.Helper()
	sum, err := seed.Demo(context.Background(), db, seed.Options{Contacts: contacts, Now: refNow})
	if err != nil {
		t.Fatalf("seed.Demo: %v", err)
	}
	return sum
}

func count(t *testing.T, db *gorm.DB, m any, where ...any) int {
	t.Helper()
	q := db.Model(m)
	if len(where) > 0 {
		q = q.Where(where[0], where[1:]...)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("count %T: %v", m, err)
	}
	return int(n)
}

func TestDemoCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		sum := mustSeed(t, db, 50)
		checks := []struct {
			name      string
			got, want int
		}{
			{"summary contacts", sum.Contacts, 50},
			{"summary accounts", sum.Accounts, 10},
			{"summary identities", sum.Identities, 55},
			{"contacts", count(t, db, &model.Contact{}), 50},
			{"accounts", count(t, db, &model.Account{}), 10},
			{"identities", count(t, db, &model.ContactIdentity{}), sum.Identities},
			{"easemob identities", count(t, db, &model.ContactIdentity{}, "channel = ?", "easemob"), 50},
			{"wechat identities", count(t, db, &model.ContactIdentity{}, "channel = ? AND external_id LIKE ?", "wechat", "oDemo%"), 5},
			{"orders", count(t, db, &model.Order{}), sum.Orders},
			{"tickets", count(t, db, &model.Ticket{}), sum.Tickets},
			{"leads", count(t, db, &model.Lead{}), sum.Leads},
			{"integration", count(t, db, &model.Integration{}, "slug = ? AND kind = ? AND `key` = ?", seed.DemoSlug, "easemob", seed.DemoKey), 1},
			{"orders outside the last year", count(t, db, &model.Order{}, "placed_at > ? OR placed_at <= ?", refNow, refNow.AddDate(-1, 0, 0)), 0},
			{"orders with a bad status", count(t, db, &model.Order{}, "status NOT IN ?", []string{"paid", "shipped", "delivered", "refunded", "pending"}), 0},
			{"tickets with a bad status", count(t, db, &model.Ticket{}, "status NOT IN ?", []string{"open", "pending", "solved", "closed"}), 0},
			{"leads with a bad status", count(t, db, &model.Lead{}, "status NOT IN ?", []string{"open", "qualified", "won", "lost"}), 0},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
			}
		}
		// Between 0 and 10 orders (five on average), 0 and 3 tickets, 0 and 2 leads per contact.
		if sum.Orders > 50*10 || sum.Tickets > 50*3 || sum.Leads > 50*2 || sum.Orders < 50 || sum.Tickets < 20 || sum.Leads < 10 {
			t.Errorf("implausible summary %+v", sum)
		}
		var contacts []model.Contact
		db.Order("id").Find(&contacts)
		zh := 0
		for _, c := range contacts {
			if hasHan(c.Name) {
				zh++
			}
			if len(c.Phone) != 11 || c.Phone[0] != '1' || c.Phone[1] < '3' || c.Phone[1] > '9' {
				t.Errorf("contact %s phone %q is not 1[3-9]xxxxxxxxx", c.ExternalID, c.Phone)
			}
		}
		if zh < 15 || zh > 35 {
			t.Errorf("%d of 50 contacts have Chinese names, want about half", zh)
		}
		if got := count(t, db, &model.Order{}, "order_no = ?", "SO-2026-000001"); got != 1 {
			t.Errorf("order SO-2026-000001 exists %d times", got)
		}
	})
}

func TestDemoIsDeterministic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, dialect database.Dialect) {
		other, _ := dbtest.Open(t, dialect)
		mustSeed(t, db, 60)
		mustSeed(t, other, 60)
		if a, b := fingerprint(t, db), fingerprint(t, other); a != b {
			t.Errorf("two seeds differ:\n%s\n%s", a, b)
		}
	})
}

// fingerprint summarizes the demo data: every contact's name and phone, and
// the order totals per currency.
func fingerprint(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var contacts []model.Contact
	if err := db.Order("external_id").Find(&contacts).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range contacts {
		fmt.Fprintf(&b, "%s %s %s %s|", c.ExternalID, c.Name, c.Phone, c.Email)
	}
	var totals []struct {
		Currency string
		N        int64
		Total    int64
	}
	if err := db.Model(&model.Order{}).Select("currency, COUNT(*) AS n, SUM(amount_minor) AS total").Group("currency").Order("currency").Scan(&totals).Error; err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "\norders %v", totals)
	return b.String()
}

func TestDemoIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		mustSeed(t, db, 20)
		before := count(t, db, &model.Contact{}) + count(t, db, &model.Order{})
		sum := mustSeed(t, db, 40)
		if !sum.AlreadySeeded || sum.Contacts != 0 {
			t.Errorf("second seed = %+v, want AlreadySeeded and nothing written", sum)
		}
		if after := count(t, db, &model.Contact{}) + count(t, db, &model.Order{}); after != before {
			t.Errorf("second seed wrote rows: %d → %d", before, after)
		}
	})
}

func TestDemoRecoversFromInterruptedSeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		// A customer's own record, which must survive.
		mine := model.Contact{ExternalID: "CRM-1", Name: "Mine", CreatedAt: refNow, UpdatedAt: refNow}
		if err := db.Create(&mine).Error; err != nil {
			t.Fatal(err)
		}
		mustSeed(t, db, 30)
		// Simulate a seed that died before creating the integration.
		if err := db.Where("slug = ?", seed.DemoSlug).Delete(&model.Integration{}).Error; err != nil {
			t.Fatal(err)
		}
		sum := mustSeed(t, db, 30)
		if sum.AlreadySeeded || sum.Contacts != 30 {
			t.Fatalf("re-seed = %+v", sum)
		}
		if got := count(t, db, &model.Contact{}); got != 31 {
			t.Errorf("contacts = %d, want 30 demo + 1 own", got)
		}
		if got := count(t, db, &model.Order{}); got != sum.Orders {
			t.Errorf("orders = %d, want %d", got, sum.Orders)
		}
	})
}

func TestDemoContactOneIsRich(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		mustSeed(t, db, 10)
		var ident model.ContactIdentity
		if err := db.Where("channel = ? AND external_id = ?", "easemob", "demo-visitor-0001").First(&ident).Error; err != nil {
			t.Fatalf("identity demo-visitor-0001: %v", err)
		}
		var c1 model.Contact
		db.First(&c1, ident.ContactID)
		if !hasHan(c1.Name) || c1.AccountID == nil {
			t.Errorf("contact #1 = %+v, want a Chinese name and an account", c1)
		}
		if n := count(t, db, &model.Order{}, "contact_id = ?", c1.ID); n < 5 {
			t.Errorf("contact #1 has %d orders, want at least 5", n)
		}
		if n := count(t, db, &model.Ticket{}, "contact_id = ? AND status = ?", c1.ID, "open"); n < 1 {
			t.Errorf("contact #1 has no open ticket")
		}
		if n := count(t, db, &model.Lead{}, "contact_id = ? AND status = ?", c1.ID, "open"); n < 1 {
			t.Errorf("contact #1 has no open lead")
		}
		var c2 model.Contact
		db.Where("external_id = ?", "demo-contact-000002").First(&c2)
		if hasHan(c2.Name) || c2.AccountID == nil || count(t, db, &model.Order{}, "contact_id = ?", c2.ID) == 0 {
			t.Errorf("contact #2 = %+v, want an English name, an account and orders", c2)
		}
	})
}

func TestConversations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		_, err := seed.Conversations(context.Background(), db, 5)
		if ae := apperr.As(err); ae == nil || ae.Kind != apperr.NotFound || ae.Code != "demo_not_loaded" {
			t.Fatalf("before seeding: error = %v, want NotFound demo_not_loaded", err)
		}
		mustSeed(t, db, 12)
		convs, err := seed.Conversations(context.Background(), db, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) != 6 {
			t.Fatalf("got %d conversations, want 5 + the unknown visitor", len(convs))
		}
		for i, c := range convs[:5] {
			if want := fmt.Sprintf("demo-visitor-%04d", i+1); c.VisitorImID != want || c.Channel != "easemob" || c.VisitorName == "" {
				t.Errorf("conversation %d = %+v, want visitor %s", i, c, want)
			}
			if hasHan(c.VisitorName) != hasHan(c.Preview) {
				t.Errorf("conversation %d: preview %q is not in the language of %q", i, c.Preview, c.VisitorName)
			}
		}
		first := convs[0]
		if !strings.HasPrefix(first.Preview, "我的订单 SO-2026-") || !strings.HasSuffix(first.Preview, "什么时候发货？") {
			t.Errorf("first preview = %q, want a question about contact #1's latest order", first.Preview)
		}
		last := convs[5]
		if last.VisitorImID != seed.UnknownVisitorImID || last.VisitorName != "访客 Visitor" {
			t.Errorf("last conversation = %+v, want the unknown visitor", last)
		}
		if n := count(t, db, &model.ContactIdentity{}, "external_id = ?", seed.UnknownVisitorImID); n != 0 {
			t.Errorf("the unknown visitor is linked to a contact")
		}
		again, err := seed.Conversations(context.Background(), db, 5)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(convs) {
			t.Errorf("Conversations is not deterministic: %v, %v", again, err)
		}
		all, err := seed.Conversations(context.Background(), db, 100)
		if err != nil || len(all) != 13 {
			t.Errorf("Conversations(100) = %d conversations, %v; want 12 + 1", len(all), err)
		}
	})
}

func TestDemoRejectsNegativeContacts(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	_, err := seed.Demo(context.Background(), db, seed.Options{Contacts: -1})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
		t.Fatalf("error = %v, want Invalid", err)
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// BenchmarkDemoSeed seeds 2,000 contacts into a fresh SQLite database per
// iteration and reports contacts/s. CRMLENS_BENCH_MYSQL=1 adds MariaDB;
// CRMLENS_BENCH_CONTACTS=N seeds N contacts instead.
func BenchmarkDemoSeed(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("CRMLENS_BENCH_CONTACTS")); err == nil && v > 0 {
		n = v
	}
	dialects := []database.Dialect{database.SQLite}
	if os.Getenv("CRMLENS_BENCH_MYSQL") == "1" {
		dialects = append(dialects, database.MySQL)
	}
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			iterations := 0
			for b.Loop() {
				b.StopTimer()
				db, _ := dbtest.Open(b, d)
				b.StartTimer()
				start := time.Now()
				sum, err := seed.Demo(context.Background(), db, seed.Options{Contacts: n, Now: refNow})
				elapsed += time.Since(start)
				iterations++
				if err != nil || sum.Contacts != n {
					b.Fatalf("seed: %+v, %v", sum, err)
				}
			}
			b.ReportMetric(float64(n*iterations)/elapsed.Seconds(), "contacts/s")
		})
	}
}
