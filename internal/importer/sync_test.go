package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/model"
)

var syncer = audit.Event{Actor: "token:crm", RequestID: "req-1"}

func mustSync(t *testing.T, db *gorm.DB, object string, format importer.Format, body string) importer.SyncResult {
	t.Helper()
	res, err := importer.New(db).Sync(context.Background(), object, strings.NewReader(body), format, syncer)
	if err != nil {
		t.Fatalf("sync %s: %v", object, err)
	}
	return res
}

// TestSyncSteps runs requests one after the other on one database and
// checks each one's counts and what the contact C1 then is.
func TestSyncSteps(t *testing.T) {
	const (
		t1 = "2026-11-01T08:00:00Z"
		t2 = "2026-11-02T08:00:00Z"
	)
	contact := func(name, updated string, idents string) string {
		s := `{"external_id":"C1","name":"` + name + `","account_external_id":"A1"`
		if updated != "" {
			s += `,"updated_at":"` + updated + `"`
		}
		if idents != "" {
			s += `,"identities":` + idents
		}
		return s + "}"
	}
	steps := []struct {
		name      string
		object    string
		format    importer.Format
		body      string
		want      importer.SyncResult
		wantName  string
		wantIdent string
	}{
		{name: "account", object: "accounts", format: importer.NDJSON, body: `{"external_id":"A1","name":"Acme"}` + "\n",
			want: importer.SyncResult{Object: "accounts", Records: 1, Created: 1}},
		{name: "create, JSON array", object: "contacts", format: importer.JSONArray,
			body: "[" + contact("v1", t1, `[{"channel":"easemob","external_id":"v-1"},{"channel":"wechat","external_id":"o-1"}]`) + "]",
			want: importer.SyncResult{Object: "contacts", Records: 1, Created: 1, Identities: 2}, wantName: "v1", wantIdent: "easemob:v-1;wechat:o-1"},
		{name: "newer: updated", object: "contacts", format: importer.NDJSON, body: contact("v2", t2, `[{"channel":"easemob","external_id":"v-1"}]`),
			want: importer.SyncResult{Object: "contacts", Records: 1, Updated: 1, Identities: 1}, wantName: "v2", wantIdent: "easemob:v-1"},
		{name: "older: skipped", object: "contacts", format: importer.NDJSON, body: contact("v1 late", t1, `[]`),
			want: importer.SyncResult{Object: "contacts", Records: 1, Skipped: 1}, wantName: "v2", wantIdent: "easemob:v-1"},
		{name: "same version again: unchanged", object: "contacts", format: importer.NDJSON, body: contact("v2 again", t2, ""),
			want: importer.SyncResult{Object: "contacts", Records: 1, Unchanged: 1}, wantName: "v2", wantIdent: "easemob:v-1"},
		{name: "no updated_at: written", object: "contacts", format: importer.JSONArray, body: "[" + contact("v3", "", "") + "]",
			want: importer.SyncResult{Object: "contacts", Records: 1, Updated: 1}, wantName: "v3", wantIdent: "easemob:v-1"},
		{name: "lead of C1", object: "leads", format: importer.NDJSON,
			body: `{"external_id":"L1","contact_external_id":"C1","title":"Renewal","status":"open","updated_at":"` + t1 + `"}`,
			want: importer.SyncResult{Object: "leads", Records: 1, Created: 1}, wantName: "v3", wantIdent: "easemob:v-1"},
		{name: "an empty array writes nothing", object: "orders", format: importer.JSONArray, body: " [ ]\n",
			want: importer.SyncResult{Object: "orders"}, wantName: "v3", wantIdent: "easemob:v-1"},
		{name: "agents have no updated_at to compare", object: "agents", format: importer.NDJSON,
			body: `{"platform":"easemob","platform_id":"a-1","name":"Li"}`,
			want: importer.SyncResult{Object: "agents", Records: 1, Created: 1}, wantName: "v3", wantIdent: "easemob:v-1"},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		for _, s := range steps {
			got := mustSync(t, db, s.object, s.format, s.body)
			if got != s.want {
				t.Errorf("%s: %+v; want %+v", s.name, got, s.want)
			}
			if s.wantName == "" {
				continue
			}
			c := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
			if c.Name != s.wantName || importtest.IdentitiesOf(t, db, "C1") != s.wantIdent {
				t.Errorf("%s: C1 is %q with %q; want %q with %q", s.name, c.Name, importtest.IdentitiesOf(t, db, "C1"), s.wantName, s.wantIdent)
			}
		}
		c := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
		if c.UpdatedAt.Year() == 2026 && c.UpdatedAt.Month() == 11 {
			t.Errorf("C1 updated_at = %v; the last write had no updated_at and should have the time of the request", c.UpdatedAt)
		}
		l := importtest.First[model.Lead](t, db, "external_id = ?", "L1")
		if want, _ := time.Parse(time.RFC3339, t1); !l.UpdatedAt.Equal(want) {
			t.Errorf("L1 updated_at = %v; want the record's %v", l.UpdatedAt, want)
		}
		events, err := audit.New(db).List(context.Background(), audit.Filter{Actor: "token:crm", Action: audit.ActionSyncUpsert})
		if err != nil || len(events) != len(steps) {
			t.Fatalf("sync.upsert events = %d, %v; want %d", len(events), err, len(steps))
		}
		if d := events[len(events)-1].Detail; !strings.Contains(d, `"created":"1"`) || !strings.Contains(d, `"object":"accounts"`) || events[0].RequestID != "req-1" {
			t.Errorf("first sync.upsert event = %+v", events[len(events)-1])
		}
	})
}

// TestSyncRejects checks requests that write nothing, and what their error
// says.
func TestSyncRejects(t *testing.T) {
	var thousand strings.Builder
	for i := 1; i <= 1000; i++ {
		email := fmt.Sprintf("c%d@example.com", i)
		if i == 700 {
			email = "not an email"
		}
		fmt.Fprintf(&thousand, `{"external_id":"N%d","name":"New %d","email":"%s","identities":[{"channel":"easemob","external_id":"nv-%d"}]}`+"\n", i, i, email, i)
	}
	var tooMany strings.Builder
	tooMany.WriteString("[")
	for i := range importer.MaxSyncRecords + 1 {
		if i > 0 {
			tooMany.WriteString(",")
		}
		fmt.Fprintf(&tooMany, `{"external_id":"X%d","name":"x"}`, i)
	}
	tooMany.WriteString("]")
	tests := []struct {
		name     string
		object   string
		format   importer.Format
		body     string
		kind     apperr.Kind
		code     string
		line     int
		column   string
		inMesage string
	}{
		{"bad record on line 700 of 1000", "contacts", importer.NDJSON, thousand.String(), apperr.Unprocessable, importer.CodeSyncInvalid, 700, "email", "line 700: email does not look like an email address"},
		{"bad record in an array", "accounts", importer.JSONArray, `[{"external_id":"A7","name":"ok"},{"external_id":"A8"}]`, apperr.Unprocessable, importer.CodeSyncInvalid, 2, "name", "record 2: name is required"},
		{"unknown column", "accounts", importer.NDJSON, `{"external_id":"A7","name":"ok","colour":"red"}`, apperr.Unprocessable, importer.CodeSyncInvalid, 1, "colour", "unknown column"},
		{"bad updated_at", "leads", importer.NDJSON, `{"external_id":"L7","title":"t","status":"open","updated_at":"yesterday"}`, apperr.Unprocessable, importer.CodeSyncInvalid, 1, "updated_at", "RFC 3339"},
		{"missing account", "contacts", importer.NDJSON, `{"external_id":"C7","name":"x","account_external_id":"nope"}`, apperr.Unprocessable, importer.CodeSyncInvalid, 1, "account_external_id", "not found"},
		{"not an array", "accounts", importer.JSONArray, `{"external_id":"A7","name":"ok"}`, apperr.Unprocessable, importer.CodeSyncInvalid, 1, "", "JSON array"},
		{"array not closed", "accounts", importer.JSONArray, `[{"external_id":"A7","name":"ok"}`, apperr.Unprocessable, importer.CodeSyncInvalid, 1, "", "not closed"},
		{"too many records", "accounts", importer.JSONArray, tooMany.String(), apperr.TooLarge, importer.CodeSyncTooLarge, 0, "", "at most 5000"},
		{"too many bytes", "accounts", importer.NDJSON, strings.Repeat(" ", importer.MaxSyncBytes+1), apperr.TooLarge, importer.CodeSyncTooLarge, 0, "", "several requests"},
		{"unknown object", "visitors", importer.NDJSON, `{}`, apperr.NotFound, importer.CodeSyncObject, 0, "", "the objects are accounts, contacts"},
		{"CSV is for imports", "accounts", importer.CSV, "external_id,name\nA7,x\n", apperr.Invalid, importer.CodeSyncFormat, 0, "", "NDJSON"},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
		before := importtest.Snapshot(t, db)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := importer.New(db).Sync(context.Background(), tc.object, strings.NewReader(tc.body), tc.format, syncer)
				e := apperr.As(err)
				if e == nil || e.Kind != tc.kind || e.Code != tc.code || !strings.Contains(e.Message, tc.inMesage) {
					t.Fatalf("Sync = %v; want %v %s mentioning %q", err, tc.kind, tc.code, tc.inMesage)
				}
				if tc.line > 0 {
					var le *importer.LineErrors
					if !errors.As(err, &le) || len(le.Errors) == 0 || le.Errors[0].Line != tc.line || le.Errors[0].Column != tc.column {
						t.Fatalf("line errors = %+v; want line %d column %q", le, tc.line, tc.column)
					}
					if len(e.Fields) == 0 || e.Fields[0].Field != tc.column {
						t.Errorf("fields = %+v; want %q first", e.Fields, tc.column)
					}
				}
				if strings.Contains(e.Message, "not an email") {
					t.Errorf("the message quotes an email value: %s", e.Message)
				}
				if after := importtest.Snapshot(t, db); after != before {
					t.Errorf("a rejected request wrote: %s, was %s", after, before)
				}
			})
		}
	})
}

func TestSyncFormat(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		want        importer.Format
	}{
		{"application/x-ndjson", importer.NDJSON},
		{"application/x-ndjson; charset=utf-8", importer.NDJSON},
		{"application/jsonl", importer.NDJSON},
		{"application/json", importer.JSONArray},
		{"text/csv", 0},
		{"", 0},
	} {
		got, err := importer.SyncFormat(tc.contentType)
		if got != tc.want || (err == nil) != (tc.want != 0) {
			t.Errorf("SyncFormat(%q) = %v, %v; want %v", tc.contentType, got, err, tc.want)
		}
	}
}

func TestSyncDelete(t *testing.T) {
	tests := []struct {
		name, object, key string
		kind              apperr.Kind
		code              string
		inMessage         string
		gone              func(db *gorm.DB) bool
	}{
		{name: "contact with identities, a visitor and a rejection", object: "contacts", key: "C1", gone: func(db *gorm.DB) bool {
			var v model.Visitor
			db.First(&v)
			return importtest.CountOf[model.ContactIdentity](db) == 0 && importtest.CountOf[model.VisitorRejection](db) == 0 &&
				importtest.CountOf[model.ReachableContact](db) == 0 && v.ContactID == nil &&
				db.Where("external_id = ?", "C1").Find(&[]model.Contact{}).RowsAffected == 0
		}},
		{name: "contact with an order and a ticket", object: "contacts", key: "C2", kind: apperr.Conflict, code: importer.CodeSyncReferenced, inMessage: "1 ticket and 1 order still point at it"},
		{name: "account with a contact", object: "accounts", key: "A2", kind: apperr.Conflict, code: importer.CodeSyncReferenced, inMessage: "1 contact still point"},
		{name: "account without contacts", object: "accounts", key: "A1", gone: func(db *gorm.DB) bool {
			return db.Where("external_id = ?", "A1").Find(&[]model.Account{}).RowsAffected == 0
		}},
		{name: "order", object: "orders", key: "O1", gone: func(db *gorm.DB) bool { return importtest.CountOf[model.Order](db) == 0 }},
		{name: "agent", object: "agents", key: "easemob:a-1", gone: func(db *gorm.DB) bool {
			return importtest.CountOf[model.Agent](db) == 0 && importtest.CountOf[model.AgentGroupMember](db) == 0
		}},
		{name: "agent key without platform", object: "agents", key: "a-1", kind: apperr.Invalid, code: "invalid_agent_key", inMessage: "PLATFORM:PLATFORM_ID"},
		{name: "not found", object: "contacts", key: "C404", kind: apperr.NotFound, code: importer.CodeSyncNotFound, inMessage: `no contact with external_id "C404"`},
		{name: "deleted already", object: "contacts", key: "C1", kind: apperr.NotFound, code: importer.CodeSyncNotFound},
		{name: "unknown object", object: "visitors", key: "1", kind: apperr.NotFound, code: importer.CodeSyncObject},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
		mustSync(t, db, "orders", importer.NDJSON, `{"external_id":"O1","contact_external_id":"C2","order_no":"NO-1","status":"paid","amount":"10.00","currency":"CNY","created_at":"2026-11-01"}`)
		mustSync(t, db, "tickets", importer.NDJSON, `{"external_id":"T1","contact_external_id":"C2","subject":"s","status":"open"}`)
		mustSync(t, db, "agents", importer.NDJSON, `{"platform":"easemob","platform_id":"a-1","groups":"vip"}`)
		c1 := importtest.First[model.Contact](t, db, "external_id = ?", "C1")
		now := time.Now().UTC()
		in := model.Integration{Slug: "kefu", Kind: model.KindEasemob, Name: "kefu", Origins: "[]", Options: "{}", CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&in).Error; err != nil {
			t.Fatal(err)
		}
		v := model.Visitor{IntegrationID: in.ID, Channel: "easemob", ExternalID: "visitor-1", ContactID: &c1.ID, LinkMethod: "identity", Claims: "{}", CreatedAt: now, LastSeenAt: now}
		if err := db.Create(&v).Error; err != nil {
			t.Fatal(err)
		}
		for _, row := range []any{
			&model.VisitorRejection{VisitorID: v.ID, ContactID: c1.ID, CreatedAt: now},
			&model.ReachableContact{SessionID: "s1", VisitorID: v.ID, ContactID: c1.ID, How: model.ReachSearch, ExpiresAt: now},
		} {
			if err := db.Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := importtest.Snapshot(t, db)
				err := importer.New(db).Delete(context.Background(), tc.object, tc.key, syncer)
				if tc.code != "" {
					e := apperr.As(err)
					if e == nil || e.Kind != tc.kind || e.Code != tc.code || !strings.Contains(e.Message, tc.inMessage) {
						t.Fatalf("Delete = %v; want %v %s mentioning %q", err, tc.kind, tc.code, tc.inMessage)
					}
					if after := importtest.Snapshot(t, db); after != before {
						t.Errorf("a refused delete wrote: %s, was %s", after, before)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !tc.gone(db) {
					t.Errorf("%s %s (or what belongs to it) is still there", tc.object, tc.key)
				}
			})
		}
		events, err := audit.New(db).List(context.Background(), audit.Filter{Action: audit.ActionSyncDelete})
		if err != nil || len(events) != 4 {
			t.Errorf("sync.delete events = %d, %v; want 4 (one per deletion)", len(events), err)
		}
	})
}

// TestSyncConcurrent sends two requests of the same new contacts with
// identities at once, several times: both succeed and every contact and
// identity is there once.
func TestSyncConcurrent(t *testing.T) {
	const n = 300
	var body strings.Builder
	for i := range n {
		fmt.Fprintf(&body, `{"external_id":"P%d","name":"P %d","identities":[{"channel":"easemob","external_id":"pv-%d"}]}`+"\n", i, i, i)
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		for round := range 3 {
			var wg sync.WaitGroup
			results := make([]importer.SyncResult, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for g := range 2 {
				wg.Go(func() {
					<-start
					results[g], errs[g] = importer.New(db).Sync(context.Background(), "contacts", strings.NewReader(body.String()), importer.NDJSON, syncer)
				})
			}
			close(start)
			wg.Wait()
			for g, err := range errs {
				if err != nil {
					t.Fatalf("round %d request %d: %v", round, g, err)
				}
			}
			created := results[0].Created + results[1].Created
			if want := map[bool]int{true: n, false: 0}[round == 0]; created != want || results[0].Records != n || results[1].Records != n {
				t.Errorf("round %d: results %+v; want %d created in all", round, results, want)
			}
			if c, i := importtest.CountOf[model.Contact](db), importtest.CountOf[model.ContactIdentity](db); c != n || i != n {
				t.Fatalf("round %d: %d contacts and %d identities; want %d of each", round, c, i, n)
			}
		}
		// A newer and an older version of every contact at once: whichever
		// commits first, the newer one is what stays.
		version := func(name, at string) string {
			var b strings.Builder
			for i := range n {
				fmt.Fprintf(&b, `{"external_id":"P%d","name":"%s","updated_at":"%s"}`+"\n", i, name, at)
			}
			return b.String()
		}
		bodies := []string{version("newer", "2026-12-02T00:00:00Z"), version("older", "2026-12-01T00:00:00Z")}
		for round := range 3 {
			if err := db.Exec("UPDATE contacts SET name = 'first', updated_at = ?", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)).Error; err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			results := make([]importer.SyncResult, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for g := range 2 {
				wg.Go(func() {
					<-start
					results[g], errs[g] = importer.New(db).Sync(context.Background(), "contacts", strings.NewReader(bodies[g]), importer.NDJSON, syncer)
				})
			}
			close(start)
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("round %d: %v, %v", round, errs[0], errs[1])
			}
			newer, older := results[0], results[1]
			if newer.Updated != n || older.Updated+older.Skipped != n {
				t.Errorf("round %d: newer %+v, older %+v; want the newer to update all and the older to update or skip each", round, newer, older)
			}
			var names []string
			if err := db.Model(&model.Contact{}).Distinct().Pluck("name", &names).Error; err != nil || len(names) != 1 || names[0] != "newer" {
				t.Fatalf("round %d: names %v, %v; want only newer", round, names, err)
			}
		}
	})
}
