package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestImportEachObject(t *testing.T) {
	tests := []struct {
		name   string
		object string
		format importer.Format
		body   string
		want   importer.Result
		check  func(t *testing.T, db *gorm.DB)
	}{
		{
			// The setup imported this file already: every record is updated.
			name: "accounts csv", object: "accounts", format: importer.CSV, body: importtest.AccountsCSV,
			want: importer.Result{Object: "accounts", Records: 2, Updated: 2},
			check: func(t *testing.T, db *gorm.DB) {
				a := importtest.First[model.Account](t, db, "external_id = ?", "A1")
				if a.Name != "上海星辰科技有限公司" || a.Industry != "Software" || a.Tier != "enterprise" || a.Owner != "王磊" {
					t.Errorf("account A1 = %+v", a)
				}
			},
		},
		{
			name: "accounts ndjson, singular object", object: "account", format: importer.NDJSON,
			body: "{\"external_id\":\"A9\",\"name\":\"Acme\",\"tier\":null}\n\n",
			want: importer.Result{Object: "accounts", Records: 1, Created: 1},
			check: func(t *testing.T, db *gorm.DB) {
				if a := importtest.First[model.Account](t, db, "external_id = ?", "A9"); a.Name != "Acme" || a.Tier != "" {
					t.Errorf("account A9 = %+v", a)
				}
			},
		},
		{
			name: "contacts ndjson", object: "contacts", format: importer.NDJSON, body: importtest.ContactsNDJSON,
			want: importer.Result{Object: "contacts", Records: 2, Updated: 2, Identities: 2},
			check: func(t *testing.T, db *gorm.DB) {
				c := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
				a := importtest.First[model.Account](t, db, "external_id = ?", "A1")
				if c.Name != "张伟" || c.Phone != "13800138000" || c.Email != "wei.zhang@example.cn" || c.Title != "采购经理" || c.AccountID == nil || *c.AccountID != a.ID {
					t.Errorf("contact C1 = %+v (account A1 id %d)", c, a.ID)
				}
				if got := importtest.IdentitiesOf(t, db, "C1"); got != "easemob:visitor-1;wechat:oAbC123" {
					t.Errorf("identities of C1 = %q", got)
				}
			},
		},
		{
			name: "contacts csv", object: "contacts", format: importer.CSV,
			body: "\uFEFFExternal_ID,name,phone,email,title,owner,account_external_id,identities\n" +
				"C3,王芳,+86 139 0000 0000,fang.wang@example.cn,CTO,王磊,A1,easemob:v-3; WeChat:oX:Y;\n" +
				"C4,\"Johnson, Emma\",,,,,,\n",
			want: importer.Result{Object: "contacts", Records: 2, Created: 2, Identities: 2},
			check: func(t *testing.T, db *gorm.DB) {
				if got := importtest.IdentitiesOf(t, db, "C3"); got != "easemob:v-3;wechat:oX:Y" {
					t.Errorf("identities of C3 = %q", got)
				}
				if c := importtest.First[model.Contact](t, db, "external_id = ?", "C4"); c.Name != "Johnson, Emma" || c.AccountID != nil {
					t.Errorf("contact C4 = %+v", c)
				}
			},
		},
		{
			name: "leads ndjson", object: "leads", format: importer.NDJSON,
			body: `{"external_id":"L1","contact_external_id":"C1","title":"年度采购","status":"Open","source":"wechat","created_at":"2026-01-15"}
{"external_id":"L2","title":"Website inquiry","status":"qualified"}
`,
			want: importer.Result{Object: "leads", Records: 2, Created: 2},
			check: func(t *testing.T, db *gorm.DB) {
				l := importtest.First[model.Lead](t, db, "external_id = ?", "L1")
				c := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
				if l.Status != "open" || l.ContactID == nil || *l.ContactID != c.ID || !l.CreatedAt.Equal(time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("lead L1 = %+v", l)
				}
				if l2 := importtest.First[model.Lead](t, db, "external_id = ?", "L2"); l2.ContactID != nil || l2.CreatedAt.IsZero() {
					t.Errorf("lead L2 = %+v", l2)
				}
			},
		},
		{
			name: "leads csv", object: "leads", format: importer.CSV,
			body: "external_id,contact_external_id,title,status,source,created_at\nL3,C2,Renewal,won,referral,2026-02-01T09:30:00+08:00\n",
			want: importer.Result{Object: "leads", Records: 1, Created: 1},
			check: func(t *testing.T, db *gorm.DB) {
				if l := importtest.First[model.Lead](t, db, "external_id = ?", "L3"); !l.CreatedAt.Equal(time.Date(2026, 2, 1, 1, 30, 0, 0, time.UTC)) || l.Source != "referral" {
					t.Errorf("lead L3 = %+v", l)
				}
			},
		},
		{
			name: "tickets ndjson", object: "tickets", format: importer.NDJSON,
			body: `{"external_id":"T1","contact_external_id":"C1","subject":"发票抬头错误","status":"open","priority":"HIGH","created_at":"2026-03-01T08:00:00Z","updated_at":"2026-03-02T08:00:00Z"}
{"external_id":"T2","contact_external_id":"C2","subject":"Where is my parcel?","status":"pending"}
`,
			want: importer.Result{Object: "tickets", Records: 2, Created: 2},
			check: func(t *testing.T, db *gorm.DB) {
				tk := importtest.First[model.Ticket](t, db, "external_id = ?", "T1")
				if tk.Priority != "high" || !tk.UpdatedAt.Equal(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)) {
					t.Errorf("ticket T1 = %+v", tk)
				}
				if t2 := importtest.First[model.Ticket](t, db, "external_id = ?", "T2"); t2.Priority != "normal" {
					t.Errorf("ticket T2 priority = %q, want the default normal", t2.Priority)
				}
			},
		},
		{
			name: "tickets csv", object: "tickets", format: importer.CSV,
			body: "external_id,contact_external_id,subject,status,priority,created_at,updated_at\nT3,C1,Refund request,solved,low,2026-01-01,2026-01-03\n",
			want: importer.Result{Object: "tickets", Records: 1, Created: 1},
			check: func(t *testing.T, db *gorm.DB) {
				if tk := importtest.First[model.Ticket](t, db, "external_id = ?", "T3"); tk.Status != "solved" || tk.Priority != "low" {
					t.Errorf("ticket T3 = %+v", tk)
				}
			},
		},
		{
			name: "orders ndjson", object: "orders", format: importer.NDJSON,
			body: `{"external_id":"O1","contact_external_id":"C1","order_no":"SO-1","amount":199.50,"currency":"CNY","status":"paid","created_at":"2026-02-03T04:05:06Z"}
{"external_id":"O2","contact_external_id":"C1","order_no":"SO-2","amount":"1500","currency":"jpy","status":"shipped","created_at":"2026-02-04"}
{"external_id":"O3","order_no":"SO-3","amount":"1.234","currency":"KWD","status":"delivered","created_at":"2026-02-05"}
`,
			want: importer.Result{Object: "orders", Records: 3, Created: 3},
			check: func(t *testing.T, db *gorm.DB) {
				for ext, want := range map[string]struct {
					minor    int64
					currency string
				}{"O1": {19950, "CNY"}, "O2": {1500, "JPY"}, "O3": {1234, "KWD"}} {
					o := importtest.First[model.Order](t, db, "external_id = ?", ext)
					if o.AmountMinor != want.minor || o.Currency != want.currency {
						t.Errorf("order %s = %d %s, want %d %s", ext, o.AmountMinor, o.Currency, want.minor, want.currency)
					}
				}
				if o := importtest.First[model.Order](t, db, "external_id = ?", "O1"); !o.PlacedAt.Equal(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)) || o.Status != "paid" {
					t.Errorf("order O1 = %+v", o)
				}
			},
		},
		{
			name: "orders csv", object: "orders", format: importer.CSV,
			body: "external_id,contact_external_id,order_no,amount,currency,status,created_at\nO4,C2,SO-4,199.5,CNY,refunded,2026-02-06\nO5,C2,SO-5,12,USD,pending,2026-02-07T10:00:00Z\n",
			want: importer.Result{Object: "orders", Records: 2, Created: 2},
			check: func(t *testing.T, db *gorm.DB) {
				if o := importtest.First[model.Order](t, db, "external_id = ?", "O4"); o.AmountMinor != 19950 {
					t.Errorf("order O4 amount = %d, want 19950", o.AmountMinor)
				}
				if o := importtest.First[model.Order](t, db, "external_id = ?", "O5"); o.AmountMinor != 1200 || o.Currency != "USD" {
					t.Errorf("order O5 = %d %s, want 1200 USD", o.AmountMinor, o.Currency)
				}
			},
		},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := importtest.MustImport(t, db, tt.object, tt.format, tt.body)
				if got != tt.want {
					t.Errorf("result = %+v, want %+v", got, tt.want)
				}
				tt.check(t, db)
			})
		}
	})
}

func TestReimportUpdates(t *testing.T) {
	tests := []struct {
		name   string
		object string
		format importer.Format
		before string
		after  string
		count  func(db *gorm.DB) int64
		check  func(t *testing.T, db *gorm.DB)
	}{
		{
			name: "contacts ndjson", object: "contacts", format: importer.NDJSON,
			before: importtest.ContactsNDJSON,
			after:  `{"external_id":"C1","name":"张伟 (VIP)","phone":"13800138001","identities":[{"channel":"easemob","external_id":"visitor-1b"}]}` + "\n",
			count:  importtest.CountOf[model.Contact],
			check: func(t *testing.T, db *gorm.DB) {
				c := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
				if c.Name != "张伟 (VIP)" || c.Phone != "13800138001" || c.Email != "" || c.AccountID != nil {
					t.Errorf("contact C1 after re-import = %+v", c)
				}
				if got := importtest.IdentitiesOf(t, db, "C1"); got != "easemob:visitor-1b" {
					t.Errorf("identities of C1 = %q, want them replaced", got)
				}
				// C2 was not in the second file and keeps everything.
				if c2 := importtest.First[model.Contact](t, db, "external_id = ?", "C2"); c2.Email != "emma@example.com" {
					t.Errorf("contact C2 = %+v", c2)
				}
			},
		},
		{
			name: "contacts csv without identities column keeps identities", object: "contacts", format: importer.CSV,
			before: importtest.ContactsCSV,
			after:  "external_id,name\nC1,Zhang Wei\n",
			count:  importtest.CountOf[model.Contact],
			check: func(t *testing.T, db *gorm.DB) {
				if c := importtest.First[model.Contact](t, db, "external_id = ?", "C1"); c.Name != "Zhang Wei" {
					t.Errorf("name = %q", c.Name)
				}
				if got := importtest.IdentitiesOf(t, db, "C1"); got != "easemob:visitor-1;wechat:oAbC123" {
					t.Errorf("identities of C1 = %q, want them kept", got)
				}
			},
		},
		{
			name: "orders csv", object: "orders", format: importer.CSV,
			before: "external_id,order_no,amount,currency,status,created_at\nO1,SO-1,10,CNY,pending,2026-01-01\n",
			after:  "external_id,order_no,amount,currency,status,created_at\nO1,SO-1,12.5,CNY,paid,2026-01-01\n",
			count:  importtest.CountOf[model.Order],
			check: func(t *testing.T, db *gorm.DB) {
				if o := importtest.First[model.Order](t, db, "external_id = ?", "O1"); o.AmountMinor != 1250 || o.Status != "paid" {
					t.Errorf("order O1 = %+v", o)
				}
			},
		},
		{
			name: "leads keep created_at when the file has none", object: "leads", format: importer.NDJSON,
			before: `{"external_id":"L1","title":"A","status":"open","created_at":"2025-05-05"}` + "\n",
			after:  `{"external_id":"L1","title":"B","status":"won"}` + "\n",
			count:  importtest.CountOf[model.Lead],
			check: func(t *testing.T, db *gorm.DB) {
				l := importtest.First[model.Lead](t, db, "external_id = ?", "L1")
				if l.Title != "B" || l.Status != "won" || !l.CreatedAt.Equal(time.Date(2025, 5, 5, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("lead L1 = %+v", l)
				}
			},
		},
		{
			name: "tickets", object: "tickets", format: importer.CSV,
			before: "external_id,subject,status\nT1,Broken,open\n",
			after:  "external_id,subject,status,priority\nT1,Broken,closed,urgent\n",
			count:  importtest.CountOf[model.Ticket],
			check: func(t *testing.T, db *gorm.DB) {
				if tk := importtest.First[model.Ticket](t, db, "external_id = ?", "T1"); tk.Status != "closed" || tk.Priority != "urgent" {
					t.Errorf("ticket T1 = %+v", tk)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
				importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
				first := importtest.MustImport(t, db, tt.object, tt.format, tt.before)
				n := tt.count(db)
				res := importtest.MustImport(t, db, tt.object, tt.format, tt.after)
				if res.Updated != res.Records || res.Created != 0 {
					t.Errorf("re-import result = %+v, want every record counted as updated", res)
				}
				if got := tt.count(db); got != n {
					t.Errorf("rows after re-import = %d, want %d (first import: %+v)", got, n, first)
				}
				tt.check(t, db)
			})
		})
	}
}

func TestBadFileWritesNothing(t *testing.T) {
	longName := strings.Repeat("名", 256)
	tests := []struct {
		name     string
		object   string
		format   importer.Format
		body     string
		wantLine int
		wantCol  string
		wantMsg  string
		secret   string // must not appear in the error
	}{
		{name: "unknown column csv", object: "contacts", format: importer.CSV,
			body: "external_id,name,fax\nC9,X,123\n", wantLine: 1, wantCol: "fax", wantMsg: `unknown column "fax"`},
		{name: "unknown column ndjson", object: "accounts", format: importer.NDJSON,
			body: "{\"external_id\":\"A8\",\"name\":\"ok\"}\n{\"external_id\":\"A9\",\"name\":\"x\",\"revenue\":5}\n", wantLine: 2, wantCol: "revenue", wantMsg: `unknown column "revenue"`},
		{name: "header-less csv does not echo data", object: "contacts", format: importer.CSV,
			body: "C9,张三,13912345678\n", wantLine: 1, wantMsg: "unknown column #3", secret: "13912345678"},
		{name: "missing account", object: "contacts", format: importer.NDJSON,
			body: importtest.ContactsNDJSON + `{"external_id":"C3","name":"李娜","account_external_id":"NOPE"}` + "\n", wantLine: 3, wantCol: "account_external_id",
			wantMsg: `account "NOPE" not found; import accounts first`},
		{name: "missing contact", object: "orders", format: importer.CSV,
			body: "external_id,contact_external_id,order_no,amount,currency,status,created_at\nO1,GHOST,SO-1,1,CNY,paid,2026-01-01\n", wantLine: 2, wantCol: "contact_external_id",
			wantMsg: `contact "GHOST" not found; import contacts first`},
		{name: "bad email not echoed", object: "contacts", format: importer.CSV,
			body: "external_id,name,email\nC1,A,a@x.com\nC2,B,not-an-email@\n", wantLine: 3, wantCol: "email", wantMsg: "email does not look like an email address", secret: "not-an-email"},
		{name: "too long", object: "accounts", format: importer.CSV,
			body: "external_id,name\nA1,ok\nA2," + longName + "\n", wantLine: 3, wantCol: "name", wantMsg: "name is 256 characters long, at most 255"},
		{name: "phone too long not echoed", object: "contacts", format: importer.NDJSON,
			body: `{"external_id":"C1","name":"A","phone":"` + strings.Repeat("9", 65) + `"}` + "\n", wantLine: 1, wantCol: "phone", wantMsg: "phone is 65 characters long", secret: "99999"},
		{name: "required", object: "leads", format: importer.CSV,
			body: "external_id,title,status\nL1,,open\n", wantLine: 2, wantCol: "title", wantMsg: "title is required"},
		{name: "duplicate external_id", object: "accounts", format: importer.CSV,
			body: "external_id,name\nA1,x\nA2,y\na1,z\n", wantLine: 4, wantCol: "external_id", wantMsg: "also on line 2"},
		{name: "ticket status", object: "tickets", format: importer.NDJSON,
			body: `{"external_id":"T1","subject":"s","status":"escalated"}` + "\n", wantLine: 1, wantCol: "status", wantMsg: "status must be one of open, pending, solved, closed"},
		{name: "bad date", object: "leads", format: importer.NDJSON,
			body: `{"external_id":"L1","title":"t","status":"open","created_at":"03/01/2026"}` + "\n", wantLine: 1, wantCol: "created_at", wantMsg: "created_at must be an RFC 3339 time"},
		{name: "CNY with 3 decimals", object: "orders", format: importer.NDJSON,
			body: `{"external_id":"O1","order_no":"1","amount":"1.234","currency":"CNY","status":"paid","created_at":"2026-01-01"}` + "\n", wantLine: 1, wantCol: "amount", wantMsg: "more decimal places than CNY allows (2)"},
		{name: "float exponent", object: "orders", format: importer.NDJSON,
			body: `{"external_id":"O1","order_no":"1","amount":1e3,"currency":"CNY","status":"paid","created_at":"2026-01-01"}` + "\n", wantLine: 1, wantCol: "amount", wantMsg: "amount must be a plain decimal number"},
		{name: "currency", object: "orders", format: importer.CSV,
			body: "external_id,order_no,amount,currency,status,created_at\nO1,1,5,RMB1,paid,2026-01-01\n", wantLine: 2, wantCol: "currency", wantMsg: "currency must be an ISO 4217 code"},
		{name: "order without created_at", object: "orders", format: importer.CSV,
			body: "external_id,order_no,amount,currency,status,created_at\nO1,1,5,CNY,paid,\n", wantLine: 2, wantCol: "created_at", wantMsg: "created_at is required"},
		{name: "csv missing required column", object: "orders", format: importer.CSV,
			body: "external_id,order_no,amount,currency,status\nO1,1,5,CNY,paid\n", wantLine: 1, wantCol: "created_at", wantMsg: `lacks the required column "created_at"`},
		{name: "csv field count", object: "accounts", format: importer.CSV,
			body: "external_id,name\nA1,x\nA2,y,z\n", wantLine: 3, wantMsg: "has 3 fields, the header row has 2"},
		{name: "csv one field", object: "accounts", format: importer.CSV,
			body: "external_id,name\nA1,x\nA2\n", wantLine: 3, wantMsg: "has 1 field, the header row has 2"},
		{name: "not json", object: "accounts", format: importer.NDJSON,
			body: "{\"external_id\":\"A1\",\"name\":\"x\"}\n{external_id: A2}\n", wantLine: 2, wantMsg: "not valid JSON"},
		{name: "json type", object: "accounts", format: importer.NDJSON,
			body: `{"external_id":"A1","name":{"first":"x"}}` + "\n", wantLine: 1, wantCol: "name", wantMsg: "name must be a string or a number"},
		{name: "bad channel", object: "contacts", format: importer.CSV,
			body: "external_id,name,identities\nC1,x,we-chat:o1\n", wantLine: 2, wantCol: "identities", wantMsg: "identities entry #1: channel must be"},
		{name: "identity without colon", object: "contacts", format: importer.CSV,
			body: "external_id,name,identities\nC1,x,easemob:v1;13912345678\n", wantLine: 2, wantCol: "identities", wantMsg: "identities entry #2 must be channel:external_id", secret: "13912345678"},
		{name: "identity on two lines", object: "contacts", format: importer.NDJSON,
			body: `{"external_id":"C1","name":"x","identities":[{"channel":"wechat","external_id":"o1"}]}` + "\n" +
				`{"external_id":"C2","name":"y","identities":[{"channel":"wechat","external_id":"o1"}]}` + "\n",
			wantLine: 2, wantCol: "identities", wantMsg: "is also listed on line 1"},
		{name: "identity key", object: "contacts", format: importer.NDJSON,
			body: `{"external_id":"C1","name":"x","identities":[{"channel":"wechat","openid":"o1"}]}` + "\n", wantLine: 1, wantCol: "identities", wantMsg: `unknown key "openid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
				importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
				importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
				before := importtest.Snapshot(t, db)
				_, err := importtest.New(db).Import(context.Background(), tt.object, strings.NewReader(tt.body), tt.format)
				ae := apperr.As(err)
				if ae == nil || ae.Kind != apperr.Invalid || ae.Code != importer.CodeInvalid {
					t.Fatalf("Import error = %v, want an Invalid %s error", err, importer.CodeInvalid)
				}
				var le *importer.LineErrors
				if !errors.As(err, &le) {
					t.Fatalf("error %v carries no *LineErrors", err)
				}
				found := false
				for _, e := range le.Errors {
					if e.Line == tt.wantLine && e.Column == tt.wantCol && strings.Contains(e.Message, tt.wantMsg) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error on line %d, column %q containing %q; got %+v", tt.wantLine, tt.wantCol, tt.wantMsg, le.Errors)
				}
				if want := fmt.Sprintf("line %d: ", tt.wantLine); !strings.Contains(ae.Message, want) {
					t.Errorf("message %q does not name %q", ae.Message, want)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Errorf("error echoes a value: %v", err)
				}
				if after := importtest.Snapshot(t, db); after != before {
					t.Errorf("tables changed although the file was rejected:\n before %s\n after  %s", before, after)
				}
			})
		})
	}
}

func TestIdentities(t *testing.T) {
	tests := []struct {
		name    string
		format  importer.Format
		body    string
		want    map[string]string // contact → identities
		wantErr string
	}{
		{name: "csv", format: importer.CSV,
			body: "external_id,name,identities\nC5,x,easemob:v5;wechat:o5\nC6,y,\n",
			want: map[string]string{"C5": "easemob:v5;wechat:o5", "C6": ""}},
		{name: "ndjson string form", format: importer.NDJSON,
			body: `{"external_id":"C5","name":"x","identities":"easemob:v5"}` + "\n",
			want: map[string]string{"C5": "easemob:v5"}},
		{name: "ndjson empty list removes", format: importer.NDJSON,
			body: `{"external_id":"C1","name":"张伟","identities":[]}` + "\n",
			want: map[string]string{"C1": "", "C2": ""}},
		{name: "move between contacts in one file", format: importer.NDJSON,
			body: `{"external_id":"C1","name":"张伟","identities":[]}` + "\n" +
				`{"external_id":"C2","name":"Emma","identities":[{"channel":"wechat","external_id":"oAbC123"},{"channel":"wechat","external_id":"oAbC123"}]}` + "\n",
			want: map[string]string{"C1": "", "C2": "wechat:oAbC123"}},
		{name: "case-sensitive ids", format: importer.NDJSON,
			body: `{"external_id":"C2","name":"Emma","identities":[{"channel":"wechat","external_id":"OABC123"}]}` + "\n",
			want: map[string]string{"C1": "easemob:visitor-1;wechat:oAbC123", "C2": "wechat:OABC123"}},
		{name: "owned by a contact not in the file", format: importer.CSV,
			body:    "external_id,name,identities\nC2,Emma,wechat:oAbC123\n",
			wantErr: `line 2: a wechat identity listed here already belongs to contact "C1"`},
		{name: "owned by a contact in the file without identities", format: importer.CSV,
			body:    "external_id,name\nC1,x\n",
			want:    map[string]string{"C1": "easemob:visitor-1;wechat:oAbC123"},
			wantErr: ""},
		{name: "too long", format: importer.NDJSON,
			body:    `{"external_id":"C7","name":"x","identities":[{"channel":"easemob","external_id":"` + strings.Repeat("v", 192) + `"}]}` + "\n",
			wantErr: "line 1: identities entry #1: external_id is 192 characters long, at most 191"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
				importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
				importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
				before := importtest.Snapshot(t, db)
				_, err := importtest.New(db).Import(context.Background(), "contacts", strings.NewReader(tt.body), tt.format)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
					}
					if after := importtest.Snapshot(t, db); after != before {
						t.Errorf("tables changed:\n before %s\n after  %s", before, after)
					}
					return
				}
				if err != nil {
					t.Fatalf("import: %v", err)
				}
				for contact, want := range tt.want {
					if got := importtest.IdentitiesOf(t, db, contact); got != want {
						t.Errorf("identities of %s = %q, want %q", contact, got, want)
					}
				}
			})
		})
	}
}

func TestImportRejectsUnknownObjectAndFormat(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		im := importtest.New(db)
		_, err := im.Import(context.Background(), "invoices", strings.NewReader(""), importer.CSV)
		if ae := apperr.As(err); ae == nil || ae.Kind != apperr.Invalid || !strings.Contains(ae.Message, "accounts, contacts, leads, tickets, orders") {
			t.Errorf("unknown object: error = %v, want Invalid listing the objects", err)
		}
		_, err = im.Import(context.Background(), "accounts", strings.NewReader(""), importer.Format(42))
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("unknown format: error = %v, want Invalid", err)
		}
		for _, f := range []importer.Format{importer.CSV, importer.NDJSON} {
			res, err := im.Import(context.Background(), "accounts", strings.NewReader(""), f)
			if err != nil || res.Records != 0 {
				t.Errorf("empty %s file: %+v, %v; want nothing imported and no error", f, res, err)
			}
		}
	})
}

func TestReportCapsMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		var b strings.Builder
		b.WriteString("external_id,name\n")
		for i := range 60 {
			fmt.Fprintf(&b, "A%d,\n", i)
		}
		_, err := importtest.New(db).Import(context.Background(), "accounts", strings.NewReader(b.String()), importer.CSV)
		var le *importer.LineErrors
		if !errors.As(err, &le) || len(le.Errors) != 60 || le.Lines() != 60 {
			t.Fatalf("error = %v, want 60 line errors", err)
		}
		msg := apperr.As(err).Message
		if got := strings.Count(msg, "\nline "); got != importer.MaxReported {
			t.Errorf("message lists %d lines, want %d", got, importer.MaxReported)
		}
		if !strings.Contains(msg, "60 lines with problems") || !strings.Contains(msg, "... and 10 more problems") {
			t.Errorf("message lacks the counts: %q", msg)
		}
		if !strings.Contains(msg, "line 2: name is required") {
			t.Errorf("message does not start with line 2: %q", msg)
		}
	})
}

func TestImportAgents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		im := importtest.New(db)
		now := time.Now()
		// An agent crmlens has only seen on a session becomes a declared one.
		if err := db.Create(&model.Agent{Platform: "easemob", PlatformID: "a-1", Name: "seen", Origin: model.AgentSeen, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		csv := "platform,platform_id,email,name,groups\neasemob,a-1,Amy@Example.com,Amy,vip-team;night shift\nchatwoot,3,bob@example.com,Bob,\n"
		res, err := im.Import(ctx, "agents", strings.NewReader(csv), importer.CSV)
		if err != nil {
			t.Fatal(err)
		}
		if res.Records != 2 || res.Updated != 1 || res.Created != 1 {
			t.Errorf("result = %+v", res)
		}
		var a model.Agent
		if err := db.Where("platform = ? AND platform_id = ?", "easemob", "a-1").Take(&a).Error; err != nil {
			t.Fatal(err)
		}
		if a.Origin != model.AgentImported || a.Email != "amy@example.com" || a.Name != "Amy" {
			t.Errorf("agent = %+v", a)
		}
		var groups []string
		if err := db.Table("agent_groups g").Joins("JOIN agent_group_members m ON m.group_id = g.id").
			Where("m.agent_id = ?", a.ID).Order("g.name").Pluck("g.name", &groups).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Join(groups, ",") != "night shift,vip-team" {
			t.Errorf("groups of a-1 = %v", groups)
		}
		// Re-importing with other groups replaces them.
		if _, err := im.Import(ctx, "agents", strings.NewReader("platform,platform_id,groups\neasemob,a-1,vip-team\n"), importer.CSV); err != nil {
			t.Fatal(err)
		}
		var members int64
		db.Model(&model.AgentGroupMember{}).Where("agent_id = ?", a.ID).Count(&members)
		if members != 1 {
			t.Errorf("a-1 is in %d groups after re-import, want 1", members)
		}
		var n int64
		db.Model(&model.Agent{}).Count(&n)
		bad := "platform,platform_id\nzendesk,1\neasemob,a-2\neasemob,a-2\n"
		_, err = im.Import(ctx, "agents", strings.NewReader(bad), importer.CSV)
		if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 4") {
			t.Fatalf("bad agents file: %v", err)
		}
		var after int64
		db.Model(&model.Agent{}).Count(&after)
		if after != n {
			t.Errorf("a bad file wrote agents: %d -> %d", n, after)
		}
	})
}

// TestReimportKeepsUnchangedIdentities: re-importing a contact with its
// identities keeps the rows of those it already had (id and created_at),
// drops the ones no longer listed and adds the new ones.
func TestReimportKeepsUnchangedIdentities(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
		before := importtest.First[model.ContactIdentity](t, db, "channel = ? AND external_id = ?", "easemob", "visitor-1")
		// A day earlier, so that a rewritten row would show.
		if err := db.Model(&model.ContactIdentity{}).Where("id = ?", before.ID).
			Update("created_at", before.CreatedAt.Add(-24*time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		before = importtest.First[model.ContactIdentity](t, db, "id = ?", before.ID)

		res := importtest.MustImport(t, db, "contacts", importer.NDJSON,
			`{"external_id":"C1","name":"张伟","identities":[{"channel":"easemob","external_id":"visitor-1"},{"channel":"wechat","external_id":"oNew"}]}`+"\n")
		if res.Updated != 1 || res.Identities != 2 {
			t.Fatalf("re-import: %+v, want 1 updated and 2 identities", res)
		}
		if got := importtest.IdentitiesOf(t, db, "C1"); got != "easemob:visitor-1;wechat:oNew" {
			t.Fatalf("identities of C1 = %q", got)
		}
		after := importtest.First[model.ContactIdentity](t, db, "channel = ? AND external_id = ?", "easemob", "visitor-1")
		if after.ID != before.ID || !after.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("the kept identity was rewritten: id %d → %d, created_at %v → %v", before.ID, after.ID, before.CreatedAt, after.CreatedAt)
		}
		if n := importtest.CountOf[model.ContactIdentity](db.Where("external_id = ?", "oAbC123")); n != 0 {
			t.Errorf("the identity no longer listed is still there (%d)", n)
		}
	})
}

// TestFirstImportWithoutBulk: an Importer given no bulk path writes a first
// import of contacts, identities and all, with INSERTs on every database.
func TestFirstImportWithoutBulk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		im := importer.New(db)
		ctx := context.Background()
		if _, err := im.Import(ctx, "accounts", strings.NewReader(importtest.AccountsCSV), importer.CSV); err != nil {
			t.Fatal(err)
		}
		res, err := im.Import(ctx, "contacts", strings.NewReader(importtest.ContactsNDJSON), importer.NDJSON)
		if err != nil || res.Created != 2 || res.Identities != 2 {
			t.Fatalf("import = %+v, %v; want 2 contacts and 2 identities created", res, err)
		}
		if got := importtest.IdentitiesOf(t, db, "C1"); got != "easemob:visitor-1;wechat:oAbC123" {
			t.Errorf("identities of C1 = %q", got)
		}
		c := importtest.First[model.Contact](t, db, "external_id = ?", "C2")
		if c.AccountID == nil || importtest.First[model.Account](t, db, "id = ?", *c.AccountID).ExternalID != "A2" {
			t.Errorf("C2's account = %v, want A2's", c.AccountID)
		}
	})
}
