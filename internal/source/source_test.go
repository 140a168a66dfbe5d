package source

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/metrics"
)

// server is this package's own MariaDB: the outage test halts it, so it is
// not the one other packages' tests share. dbtest uses it too (through
// CRMLENS_TEST_MYSQL_URL) for the sources table's MariaDB runs.
var server *mariadbtest.Server

func TestMain(m *testing.M) {
	if os.Getenv("CRMLENS_TEST_MYSQL_URL") == "" {
		s, err := mariadbtest.Start(context.Background(), mariadbtest.Options{TempPrefix: "crmlens-source-"})
		if err == nil {
			server = s
			os.Setenv("CRMLENS_TEST_MYSQL_URL", s.URL)
		} else {
			fmt.Fprintf(os.Stderr, "no MariaDB for live-source tests: %v\n", err)
		}
	}
	code := func() int {
		defer func() {
			if server != nil {
				server.Stop()
			}
		}()
		return m.Run()
	}()
	os.Exit(code)
}

// shopSchema is a company database crmlens does not own: its own names, a
// view over two tables, a column that fails when selected (boom) and no
// index on t_trade.member_id.
var shopSchema = []string{
	"CREATE TABLE t_member (member_id VARCHAR(32) PRIMARY KEY, nick VARCHAR(64), mobile VARCHAR(32), mail VARCHAR(128), im_uid VARCHAR(64), KEY ix_im_uid (im_uid), KEY ix_mobile (mobile))",
	"CREATE TABLE t_trade (tid VARCHAR(32) PRIMARY KEY, member_id VARCHAR(32), payment DECIMAL(12,2), trade_status VARCHAR(16), created DATETIME)",
	// boom fails whenever it is evaluated ("Subquery returns more than 1 row").
	"CREATE VIEW v_member AS SELECT m.member_id, m.nick, m.mobile, m.mail, m.im_uid, (SELECT 1 UNION SELECT 2) AS boom FROM t_member m",
	"INSERT INTO t_member VALUES ('M1', '张三', '13800001111', 'zs@example.com', 'im-zs'), ('M2', 'Li Lei', '+86 139 0000 2222', 'LiLei@Example.com', 'im-ll')",
	"INSERT INTO t_trade VALUES ('T1', 'M1', 199.50, 'paid', '2026-12-01 10:00:00'), ('T2', 'M1', 20.00, 'refunded', '2026-12-02 11:00:00'), ('T3', 'M2', 5.00, 'paid', '2026-12-02 12:00:00')",
}

// shopSpec maps contacts onto the view and orders onto t_trade.
const shopSpec = `
name: shop
url_env: SHOP_DATABASE_URL
objects:
  contacts:
    table: v_member
    key: member_id
    fields: {name: nick, phone: mobile, email: mail, title: boom}
    identities: {easemob: im_uid}
  orders:
    table: t_trade
    key: tid
    contact: member_id
    fields: {order_no: tid, amount: payment, status: trade_status, placed_at: created}
    defaults: {currency: CNY}
`

// shopOrdersSpec maps orders only, as Store.Apply accepts (Spec.Served).
const shopOrdersSpec = `
name: shop
url_env: SHOP_DATABASE_URL
objects:
  orders:
    table: t_trade
    key: tid
    contact: member_id
    fields: {order_no: tid, amount: payment, status: trade_status, placed_at: created}
    defaults: {currency: CNY}
`

// newShop creates a fresh shop database and returns its source URL.
func newShop(t testing.TB) string {
	t.Helper()
	if server == nil {
		t.Skip("live-source tests need mariadbd (apt-get install mariadb-server)")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "shop_" + hex.EncodeToString(b)
	admin, err := sql.Open("mysql", server.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", server.DSN(name)+"&charset=utf8mb4")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range shopSchema {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	return server.URL + name
}

func openShop(t testing.TB, specText string, opts Options) *Source {
	t.Helper()
	u := newShop(t)
	spec, err := Parse([]byte(specText))
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(layout.Builtin()); err != nil {
		t.Fatal(err)
	}
	if opts.Norm == (matchkey.Normalizer{}) {
		opts.Norm = matchkey.Must("CN")
	}
	s, err := Open(spec, u, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestValidate(t *testing.T) {
	base := func(objects string) string {
		return "name: shop\nurl_env: SHOP_DATABASE_URL\nobjects:\n" + objects
	}
	tests := []struct {
		name, spec, code, want string
	}{
		{"the issue's example, placed_at for created_at", shopSpec, "", ""},
		{"unknown object", base("  invoices: {table: t, key: id}\n"), CodeUnknownObject, `unknown object "invoices"`},
		{"unknown field", base("  orders: {table: t_trade, key: tid, contact: member_id, fields: {created_at: created}}\n"), CodeUnknownField, `unknown field "created_at"`},
		{"unknown default", base("  orders: {table: t_trade, key: tid, contact: member_id, defaults: {colour: red}}\n"), CodeUnknownField, `unknown field "colour"`},
		{"list without contact", base("  orders: {table: t_trade, key: tid}\n"), CodeInvalidSpec, "needs contact"},
		{"identity on orders", base("  orders: {table: t_trade, key: tid, contact: m, identities: {easemob: x}}\n"), CodeInvalidSpec, "identities are for contacts only"},
		{"quoted identifier", base("  contacts: {table: \"t`x\", key: id}\n"), CodeInvalidSpec, "is not a table or column name"},
		{"live accounts", base("  accounts: {table: t, key: id}\n"), CodeInvalidSpec, "accounts cannot be live"},
		{"no url", "name: shop\nobjects:\n  contacts: {table: t, key: id}\n", CodeInvalidSpec, "give url_env"},
		{"url without user", "name: shop\nurl: mysql://db.internal:3306/shop\nobjects:\n  contacts: {table: t, key: id}\n", CodeInvalidSpec, "has no user"},
		{"url and url_env", "name: shop\nurl: mysql://r@h/shop\nurl_env: X\nobjects:\n  contacts: {table: t, key: id}\n", CodeInvalidSpec, "not both"},
		{"unknown key", "name: shop\nurl_env: X\ncolour: red\nobjects: {}\n", CodeInvalidSpec, "colour"},
		{"bad name", "name: Shop!\nurl_env: X\nobjects:\n  contacts: {table: t, key: id}\n", CodeInvalidSpec, "source name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Parse([]byte(tc.spec))
			if err == nil {
				err = spec.Validate(layout.Builtin())
			}
			if tc.code == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			ae := apperr.As(err)
			if ae == nil || ae.Code != tc.code || !strings.Contains(ae.Message, tc.want) {
				t.Fatalf("want %s containing %q, got %v", tc.code, tc.want, err)
			}
			if ae.Kind != apperr.Invalid {
				t.Fatalf("want an Invalid (4xx) error, got kind %v", ae.Kind)
			}
		})
	}
}

func TestDSN(t *testing.T) {
	dsn, err := DSN("mysql://reader:s3cret@db.internal/shop?loc=Asia%2FShanghai")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dsn, "reader:s3cret@tcp(db.internal:3306)/shop?") || !strings.Contains(dsn, "loc=Asia%2FShanghai") {
		t.Fatalf("dsn %q", dsn)
	}
	if _, err := DSN("mysql://:s3cret@db.internal/shop"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("a URL without user: %v", err)
	}
}

func TestLoadRefusesMissing(t *testing.T) {
	tests := []struct {
		name, objects, code, want string
	}{
		{"missing table", "  contacts: {table: t_members, key: member_id}\n", CodeMissingTable, `no table or view "t_members"`},
		{"missing column", "  orders: {table: t_trade, key: tid, contact: buyer_id}\n", CodeMissingColumn, `table "t_trade" has no column "buyer_id"`},
		{"missing view column", "  contacts: {table: v_member, key: member_id, fields: {name: nickname}}\n", CodeMissingColumn, `view "v_member" has no column "nickname"`},
		{"case as stored", "  contacts: {table: T_MEMBER, key: MEMBER_ID, fields: {name: Nick}}\n", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openShop(t, "name: shop\nurl_env: X\nobjects:\n"+tc.objects, Options{})
			err := s.Load(context.Background())
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				sqlText, _, err := s.Statement(context.Background(), Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), Value: "M1"})
				if err != nil || !strings.Contains(sqlText, "`nick` FROM `t_member` WHERE `member_id` = ?") {
					t.Fatalf("statement %q, %v: want names as information_schema stores them", sqlText, err)
				}
				return
			}
			ae := apperr.As(err)
			if ae == nil || ae.Code != tc.code || !strings.Contains(ae.Message, tc.want) {
				t.Fatalf("want %s containing %q, got %v", tc.code, tc.want, err)
			}
		})
	}
}

func fields(o layout.Object, keys ...string) []layout.Field {
	var out []layout.Field
	for _, k := range keys {
		f, ok := layout.Lookup(o, k)
		if !ok {
			panic(k)
		}
		out = append(out, f)
	}
	return out
}

func TestCheck(t *testing.T) {
	s := openShop(t, shopSpec, Options{})
	rep, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, c := range rep.Columns {
		types[string(c.Object)+" "+c.Use+" "+c.Table+"."+c.Column] = c.Type
	}
	for col, typ := range map[string]string{
		"contact key v_member.member_id":           "varchar(32)",
		"contact field title v_member.boom":        "int",
		"contact identity easemob v_member.im_uid": "varchar(64)",
		"orders contact t_trade.member_id":         "varchar(32)",
		"orders field amount t_trade.payment":      "decimal(12,2)",
		"orders field placed_at t_trade.created":   "datetime",
	} {
		if got, ok := types[col]; !ok || !strings.HasPrefix(got, typ) {
			t.Errorf("%s: type %q (present %v), want %s; all: %v", col, got, ok, typ, types)
		}
	}
	joined := strings.Join(rep.Warnings, "\n")
	for _, want := range []string{"orders: the lookup by contact (t_trade.member_id)", "contact: the lookup by field email (matching and search) (v_member.mail)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	for _, indexed := range []string{"by key", "identity easemob", "field phone"} {
		if strings.Contains(joined, indexed) {
			t.Errorf("warning for the indexed lookup %q:\n%s", indexed, joined)
		}
	}
	// The indexes docs/sources.md has the DBA add silence both warnings.
	admin, err := sql.Open("mysql", dsnOf(t, s))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, stmt := range []string{"CREATE INDEX ix_trade_member ON t_trade (member_id, created)", "CREATE INDEX ix_mail ON t_member (mail)"} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err = s.Check(context.Background()); err != nil || len(rep.Warnings) != 0 {
		t.Fatalf("after adding the indexes: %v %v", rep.Warnings, err)
	}
}

func TestRead(t *testing.T) {
	s := openShop(t, shopSpec, Options{})
	ctx := context.Background()
	contact := fields(layout.Contact, "name", "phone", "email")
	orders := fields(layout.Orders, "order_no", "amount", "status", "placed_at")
	tests := []struct {
		name string
		q    Query
		want []map[string]any
	}{
		{"contact by key", Query{Object: layout.Contact, Fields: contact, By: ByKey, Value: "M1"},
			[]map[string]any{{"id": "M1", "name": "张三", "phone": "13800001111", "email": "zs@example.com"}}},
		{"external_id is the key", Query{Object: layout.Contact, Fields: fields(layout.Contact, "external_id", "owner"), By: ByKey, Value: "M2"},
			[]map[string]any{{"id": "M2", "external_id": "M2", "owner": nil}}},
		{"contact by identity", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByIdentity, Channel: "easemob", Value: "im-ll"},
			[]map[string]any{{"id": "M2", "name": "Li Lei"}}},
		{"identity of an unmapped channel", Query{Object: layout.Contact, Fields: contact, By: ByIdentity, Channel: "chatwoot", Value: "im-ll"}, nil},
		{"phone typed with +86 and spaces, stored bare", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByPhone, Value: "+86 138-0000-1111"},
			[]map[string]any{{"id": "M1", "name": "张三"}}},
		{"phone typed bare, stored +86 spaced", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByPhone, Value: "13900002222"},
			[]map[string]any{{"id": "M2", "name": "Li Lei"}}},
		{"email in another case", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByEmail, Value: " lilei@example.com "},
			[]map[string]any{{"id": "M2", "name": "Li Lei"}}},
		{"name prefix", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByName, Value: "Li "},
			[]map[string]any{{"id": "M2", "name": "Li Lei"}}},
		{"a blank name", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByName, Value: "  "}, nil},
		{"name with a literal %", Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByName, Value: "%"}, nil},
		{"the order pinned by order_no", Query{Object: layout.Orders, Fields: fields(layout.Orders, "status"), By: ByField, Field: "order_no", Value: "T3"},
			[]map[string]any{{"id": "T3", "status": "paid"}}},
		{"orders by contact, newest first, currency by default", Query{Object: layout.Orders, Fields: orders, By: ByContact, Value: "M1", Sort: "placed_at", Limit: 5},
			[]map[string]any{
				{"id": "T2", "order_no": "T2", "amount_minor": "2000", "currency": "CNY", "status": "refunded", "placed_at": "2026-12-02T11:00:00Z"},
				{"id": "T1", "order_no": "T1", "amount_minor": "19950", "currency": "CNY", "status": "paid", "placed_at": "2026-12-01T10:00:00Z"}}},
		{"orders filtered", Query{Object: layout.Orders, Fields: fields(layout.Orders, "status"), By: ByContact, Value: "M1", Filters: []layout.Filter{{Field: "status", Values: []string{"paid"}}}},
			[]map[string]any{{"id": "T1", "status": "paid"}}},
		{"orders limited", Query{Object: layout.Orders, Fields: fields(layout.Orders, "order_no"), By: ByContact, Value: "M1", Limit: 1},
			[]map[string]any{{"id": "T2", "order_no": "T2"}}},
		{"an object the source does not map", Query{Object: layout.Tickets, Fields: fields(layout.Tickets, "subject"), By: ByContact, Value: "M1"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := s.Read(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []map[string]any
			for _, r := range recs {
				if r.Key != r.Row["id"] {
					t.Errorf("key %q, row id %v", r.Key, r.Row["id"])
				}
				got = append(got, r.Row)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestReadSelectsOnlyAskedFields maps title onto the view's boom column,
// which fails whenever it is selected: a layout without title reads the
// contact, one with title cannot.
func TestReadSelectsOnlyAskedFields(t *testing.T) {
	s := openShop(t, shopSpec, Options{})
	ctx := context.Background()
	q := Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), By: ByKey, Value: "M1"}
	if _, err := s.Read(ctx, q); err != nil {
		t.Fatalf("a layout without title: %v", err)
	}
	text, _, _ := s.Statement(ctx, q)
	if !strings.HasPrefix(text, "SET STATEMENT max_statement_time=2.000 FOR SELECT `member_id`, `nick` FROM `v_member` WHERE `member_id` = ?") {
		t.Errorf("statement %q: want the read bounded on the server by the source's timeout", text)
	}
	for _, col := range []string{"mobile", "mail", "boom", "im_uid"} {
		if strings.Contains(text, col) {
			t.Errorf("statement %q selects %s, which the layout does not name", text, col)
		}
	}
	q.Fields = fields(layout.Contact, "name", "title")
	if _, err := s.Read(ctx, q); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a layout with title must select boom and fail, got %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	s := openShop(t, shopSpec, Options{})
	err := s.readOnly(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE t_member SET nick = 'x' WHERE member_id = 'M1'")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "1792") {
		t.Fatalf("a write in the reader's transaction: want mysql error 1792 (read-only transaction), got %v", err)
	}
	recs, err := s.Read(context.Background(), Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), Value: "M1"})
	if err != nil || len(recs) != 1 || recs[0].Row["name"] != "张三" {
		t.Fatalf("after the refused write: %v %v", recs, err)
	}
}

// observer records outcomes.
type observer struct {
	mu       sync.Mutex
	outcomes []string
}

func (o *observer) ObserveSource(source string, _ time.Duration, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes = append(o.outcomes, source+":"+outcome)
}

func (o *observer) last() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.outcomes) == 0 {
		return ""
	}
	return o.outcomes[len(o.outcomes)-1]
}

// TestDeadline locks t_trade from another session: the read waits for the
// lock and gives up at the source's timeout.
func TestDeadline(t *testing.T) {
	obs := &observer{}
	s := openShop(t, shopSpec, Options{Timeout: 300 * time.Millisecond, Observer: obs})
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// The lock is held by a connection of its own, outside the source's pool.
	u := dsnOf(t, s)
	lockDB, err := sql.Open("mysql", u)
	if err != nil {
		t.Fatal(err)
	}
	defer lockDB.Close()
	lc, err := lockDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	if _, err := lc.ExecContext(ctx, "LOCK TABLES t_trade WRITE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Read(ctx, Query{Object: layout.Orders, Fields: fields(layout.Orders, "status"), By: ByContact, Value: "M1"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the read took %s, past its 300ms timeout", took)
	}
	if got := obs.last(); got != "shop:timeout" {
		t.Fatalf("observed %q, want shop:timeout", got)
	}
	if _, err := lc.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		t.Fatal(err)
	}
	// A parent deadline shorter than the source's is honoured too.
	if _, err := lc.ExecContext(ctx, "LOCK TABLES t_trade WRITE"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := s.Read(short, Query{Object: layout.Orders, Fields: fields(layout.Orders, "status"), By: ByContact, Value: "M1"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if took := time.Since(start); took > 280*time.Millisecond {
		t.Fatalf("the read took %s: the request's 50ms deadline was not honoured", took)
	}
	_, _ = lc.ExecContext(ctx, "UNLOCK TABLES")
}

// dsnOf is the DSN of s's database on the test server.
func dsnOf(t testing.TB, s *Source) string {
	t.Helper()
	var name string
	if err := s.DB().QueryRow("SELECT DATABASE()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return server.DSN(name)
}

// TestSourceDown halts the server mid-test: reads fail fast with
// ErrUnavailable, and succeed again once it is back.
func TestSourceDown(t *testing.T) {
	obs := &observer{}
	s := openShop(t, shopSpec, Options{Timeout: 2 * time.Second, Observer: obs})
	ctx := context.Background()
	q := Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), Value: "M1"}
	if _, err := s.Read(ctx, q); err != nil {
		t.Fatal(err)
	}
	server.Halt()
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = server.Resume(context.Background())
		}
	})
	start := time.Now()
	_, err := s.Read(ctx, q)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want ErrUnavailable while the source is down, got %v", err)
	}
	if took := time.Since(start); took > 2500*time.Millisecond {
		t.Fatalf("a down source took %s to answer", took)
	}
	if strings.Contains(err.Error(), "root@") || !strings.Contains(err.Error(), `source "shop" unavailable`) {
		t.Fatalf("error %q", err)
	}
	if got := obs.last(); got != "shop:error" && got != "shop:timeout" {
		t.Fatalf("observed %q", got)
	}
	if err := server.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	resumed = true
	recs, err := s.Read(ctx, q)
	if err != nil || len(recs) != 1 {
		t.Fatalf("after the source came back: %v %v", recs, err)
	}
}

// TestReadAllOnAOneConnectionPool reads several panels in one transaction,
// from goroutines sharing a pool of one connection: statements are
// prepared outside the transaction, so no read waits for a second
// connection while holding the only one.
func TestReadAllOnAOneConnectionPool(t *testing.T) {
	s := openShop(t, shopSpec, Options{MaxOpen: 1})
	ctx := context.Background()
	qs := []Query{
		{Object: layout.Contact, Fields: fields(layout.Contact, "name"), Value: "M1"},
		{Object: layout.Tickets, Fields: fields(layout.Tickets, "subject"), By: ByContact, Value: "M1"},
		{Object: layout.Orders, Fields: fields(layout.Orders, "order_no"), By: ByContact, Value: "M1", Sort: "placed_at"},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.ReadAll(ctx, qs)
			if err == nil && (len(out) != 3 || len(out[0]) != 1 || out[1] != nil || len(out[2]) != 2 || out[2][0].Key != "T2") {
				err = fmt.Errorf("records %v", out)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestMetrics reads a source that answers and one that is down (nothing
// listens on its port) and finds both on /metrics' registry.
func TestMetrics(t *testing.T) {
	m := metrics.New("test")
	up := openShop(t, shopSpec, Options{Observer: m})
	if _, err := up.Read(context.Background(), Query{Object: layout.Contact, Fields: fields(layout.Contact, "name"), Value: "M1"}); err != nil {
		t.Fatal(err)
	}
	spec, _ := Parse([]byte(strings.Replace(shopSpec, "name: shop", "name: erp", 1)))
	down, err := Open(spec, "mysql://reader@127.0.0.1:1/erp?timeout=1s", Options{Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if _, err := down.Read(context.Background(), Query{Object: layout.Contact, Value: "M1"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a source nobody listens for: %v", err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`crmlens_source_query_duration_seconds_count{outcome="ok",source="shop"}`,
		`crmlens_source_query_duration_seconds_count{outcome="error",source="erp"} 1`,
		`crmlens_source_errors_total{outcome="error",source="erp"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `crmlens_source_errors_total{outcome="error",source="shop"}`) {
		t.Error("an error counted for the source that answered")
	}
}

func TestServerBound(t *testing.T) {
	tests := []struct{ version, want string }{
		{"10.11.6-MariaDB-0+deb12u1", "SET STATEMENT max_statement_time=1.500 FOR SELECT `a` FROM `t`"},
		{"8.0.36", "SELECT /*+ MAX_EXECUTION_TIME(1500) */ `a` FROM `t`"},
	}
	for _, tc := range tests {
		tb := &table{bound: serverBound(tc.version, 1500*time.Millisecond)}
		if got := tb.boundSelect("`a` FROM `t`"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.version, got, tc.want)
		}
	}
}

func TestPhoneForms(t *testing.T) {
	cn := matchkey.Must("CN")
	tests := []struct {
		typed string
		want  []string
	}{
		{"13800001111", []string{"13800001111", "+8613800001111", "8613800001111", "+86 13800001111", "138 0000 1111", "+86 138 0000 1111", "138-0000-1111"}},
		{" +86 138-0000-1111 ", []string{"+86 138-0000-1111", "+8613800001111", "8613800001111", "13800001111", "+86 13800001111", "138 0000 1111", "+86 138 0000 1111", "138-0000-1111"}},
		{"+1 415 555 0100", []string{"+1 415 555 0100", "+14155550100", "14155550100", "4155550100", "+1 4155550100"}},
		{"ext", []string{"ext"}},
		{"  ", nil},
	}
	for _, tc := range tests {
		if got := PhoneForms(tc.typed, cn); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// TestDefaultLayoutPanels reads the built-in layout's contact and orders
// panels through ListQuery and ContactQuery, in one transaction: the
// phone is read (the sidebar masks it), title, which the source does not
// map, is empty, and tickets, which it does not map, are nil.
func TestDefaultLayoutPanels(t *testing.T) {
	s := openShop(t, strings.Replace(shopSpec, ", title: boom", "", 1), Options{})
	var qs []Query
	for _, p := range layout.Default().Panels {
		switch p.Object {
		case layout.Contact:
			qs = append(qs, ContactQuery(p, ByIdentity, "easemob", "im-zs"))
		case layout.Orders, layout.Tickets, layout.Leads:
			qs = append(qs, ListQuery(p, "M1"))
		}
	}
	out, err := s.ReadAll(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, recs := range out {
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%s:%s", qs[i].Object, r.Key))
		}
	}
	if want := "[contact:M1 orders:T2 orders:T1]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if out[0][0].Row["phone"] != "13800001111" || out[0][0].Row["title"] != nil {
		t.Fatalf("contact row %v", out[0][0].Row)
	}
}
