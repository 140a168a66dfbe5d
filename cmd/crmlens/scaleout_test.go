package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/dbtest/mariadbtest"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/replay"
)

// mysqlVars are the variables of an instance on the MySQL database url.
func mysqlVars(url string) map[string]string {
	return map[string]string{"CRMLENS_DATABASE_URL": url, "CRMLENS_MASTER_KEY": testMasterKey}
}

// TestTwoInstancesOneDatabase runs two instances on one MariaDB: a layout
// changed through one is served by the other within 5 seconds, a signed
// token used on one is refused by the other, and a session opened on one
// is accepted by the other. It also reads both instances' /metrics.
func TestTwoInstancesOneDatabase(t *testing.T) {
	url := dbtest.NewURL(t, database.MySQL)
	a := startInstance(t, mysqlVars(url))
	b := startInstance(t, mysqlVars(url))
	const slug = "app-7f3a9c-secret-slug"
	seedSigned(t, a, slug, "user-1", "Zhang San")

	t.Run("a signed token is used once across instances", func(t *testing.T) {
		body := sessionJSON(t, slug, signedToken(t, signedSecret, "user-1", "jti-once"))
		if resp, b := a.do(t, "POST", "/api/v1/sidebar/sessions", body, nil); resp.StatusCode != http.StatusCreated {
			t.Fatalf("first use on A: %d %s", resp.StatusCode, b)
		}
		resp, got := b.do(t, "POST", "/api/v1/sidebar/sessions", body, nil)
		if resp.StatusCode != http.StatusUnauthorized || errorCode(got) != replay.CodeTokenReplayed {
			t.Fatalf("replay on B: %d %s, want 401 %s", resp.StatusCode, got, replay.CodeTokenReplayed)
		}
	})

	t.Run("a layout changed on A is served by B within 5 s", func(t *testing.T) {
		token := a.openSession(t, slug, "user-1", "jti-layout")
		// B accepts A's session token: the signing keys are shared.
		resp, body := b.do(t, "GET", "/api/v1/sidebar/context", "", bearer(token))
		if resp.StatusCode != 200 {
			t.Fatalf("context on B with A's token: %d %s", resp.StatusCode, body)
		}
		var before api.SidebarContext
		must(t, json.Unmarshal(body, &before))
		if before.Layout.Name == "scaled" {
			t.Fatal("the layout exists before it is created")
		}
		doc := `{"name":"scaled","scope":{"default":true},"panels":[{"object":"contact","fields":["name"]}]}`
		if resp, body := a.do(t, "PUT", "/api/v1/admin/layouts", doc, bearer(a.adminToken(t))); resp.StatusCode != 200 {
			t.Fatalf("put layout on A: %d %s", resp.StatusCode, body)
		}
		var got api.SidebarContext
		if !eventually(5*time.Second, func() bool {
			resp, body := b.do(t, "GET", "/api/v1/sidebar/context", "", bearer(token))
			got = api.SidebarContext{}
			must(t, json.Unmarshal(body, &got))
			return resp.StatusCode == 200 && got.Layout.Name == "scaled"
		}) {
			t.Fatalf("B still served layout %q 5 s after the change", got.Layout.Name)
		}
		if len(got.Panels) != 1 || got.Panels[0].Object != "contact" {
			t.Errorf("B serves the new layout's name but panels %+v", got.Panels)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		forged := sessionJSON(t, slug, signedToken(t, strings.Repeat("x", 40), "user-1", "jti-forged"))
		if resp, body := a.do(t, "POST", "/api/v1/sidebar/sessions", forged, nil); resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("forged token: %d %s", resp.StatusCode, body)
		}
		resp, body := a.do(t, "GET", "/metrics", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("metrics: %d", resp.StatusCode)
		}
		text := string(body)
		var id int64
		must(t, a.e.db.Model(&model.Integration{}).Where("slug = ?", slug).Select("id").Scan(&id).Error)
		for _, want := range []string{
			`crmlens_sidebar_sessions_total{adapter="signed"} 2`,
			`crmlens_decrypt_failures_total{integration="App ` + slug + `",integration_id="` + strconv.FormatInt(id, 10) + `",kind="signed"} 1`,
			`crmlens_http_request_duration_seconds_count{method="POST",route="/api/v1/sidebar/sessions",status="201"} 2`,
			`crmlens_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"}`,
			`go_sql_max_open_connections{db_name="primary"} 50`,
			`crmlens_build_info{version="dev"} 1`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// Each instance counts its own: B opened no session.
		_, bm := b.do(t, "GET", "/metrics", "", nil)
		if strings.Contains(string(bm), `crmlens_sidebar_sessions_total{adapter="signed"}`) {
			t.Error("B counts sessions opened on A")
		}
		// A path no route matches is one series, whatever the path.
		a.do(t, "GET", "/sidebar-nope/"+slug+"/x", "", nil)
		_, body = a.do(t, "GET", "/metrics", "", nil)
		if strings.Contains(strings.ReplaceAll(string(body), "App "+slug, ""), slug) {
			t.Error("/metrics repeats the integration's slug")
		}
	})
}

// TestReadReplica: with CRMLENS_DATABASE_REPLICA_URLS the sidebar context is
// read from a real MariaDB replica, while writes (sessions, visitors) go
// to the primary; a visitor not yet on the replica is read from the
// primary; an unreachable replica stops start-up.
func TestReadReplica(t *testing.T) {
	if os.Getenv("CRMLENS_TEST_MYSQL_URL") != "" && os.Getenv("CI") != "true" {
		t.Skip("an external CRMLENS_TEST_MYSQL_URL server cannot be replicated here")
	}
	ctx := context.Background()
	primary := startMariaDB(t, mariadbtest.Options{ServerID: 1, LogBin: true, TempPrefix: "crmlens-primary-"})
	replica := startMariaDB(t, mariadbtest.Options{ServerID: 2, TempPrefix: "crmlens-replica-"})
	if err := replica.ReplicateFrom(ctx, primary); err != nil {
		t.Fatal(err)
	}
	url, err := primary.CreateSchema(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	replicaURL := replica.URL + "crm"

	t.Run("an unreachable replica stops start-up", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "mysql://root@" + ln.Addr().String() + "/crm"
		ln.Close()
		e, err := openEnvWith(ctx, mustConfig(t, map[string]string{"CRMLENS_DATABASE_URL": url, "CRMLENS_MASTER_KEY": testMasterKey,
			"CRMLENS_DATABASE_REPLICA_URLS": replicaURL + "," + closed}), true, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer e.close()
		if _, err := newApp(ctx, e); err == nil || !strings.Contains(err.Error(), "CRMLENS_DATABASE_REPLICA_URLS: entry 2") {
			t.Fatalf("newApp with a closed replica port: err = %v", err)
		}
	})

	vars := mysqlVars(url)
	vars["CRMLENS_DATABASE_REPLICA_URLS"] = replicaURL
	in := startInstance(t, vars)
	seedSigned(t, in, "app", "user-1", "Zhang San")
	token := in.openSession(t, "app", "user-1", "jti-1")
	if err := replica.CaughtUp(ctx, primary, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rdb, err := sql.Open("mysql", replica.DSN("crm"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	// Rename the contact on the replica alone: the context must show the
	// replica's name, which the primary never had.
	if _, err := rdb.ExecContext(ctx, "UPDATE contacts SET name = 'Replica Zhang' WHERE external_id = 'C-user-1'"); err != nil {
		t.Fatal(err)
	}
	// And give the contact an order only the replica has: the list panels
	// (one UNION statement) must read it there too.
	if _, err := rdb.ExecContext(ctx, "INSERT INTO orders (external_id, contact_id, order_no, amount_minor, currency, status, placed_at, created_at, updated_at) "+
		"SELECT 'O-R', id, 'SO-REPLICA', 100, 'CNY', 'paid', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM contacts WHERE external_id = 'C-user-1'"); err != nil {
		t.Fatal(err)
	}
	got, raw := contextRaw(t, in, token)
	if got.Contact == nil || got.Contact.Name != "Replica Zhang" {
		t.Fatalf("context contact = %+v, want the replica's row", got.Contact)
	}
	if !strings.Contains(raw, "SO-REPLICA") {
		t.Fatalf("the orders panel does not come from the replica: %s", raw)
	}
	// Writes went to the primary: the visitor is there.
	var visitors int64
	must(t, in.e.db.Model(&model.Visitor{}).Where("external_id = ?", "user-1").Count(&visitors).Error)
	if visitors != 1 {
		t.Fatalf("visitors on the primary = %d, want 1", visitors)
	}

	// With replication stopped, a new visitor exists on the primary only:
	// its context still opens (from the primary), and the panels still
	// come from the replica.
	if _, err := rdb.ExecContext(ctx, "STOP SLAVE"); err != nil {
		t.Fatal(err)
	}
	c := model.Contact{ExternalID: "C-user-2", Name: "Li Si"}
	must(t, in.e.db.Create(&c).Error)
	must(t, in.e.db.Create(&model.ContactIdentity{ContactID: c.ID, Channel: "signed", ExternalID: "user-2"}).Error)
	token2 := in.openSession(t, "app", "user-2", "jti-2")
	got = contextOf(t, in, token2)
	if got.Visitor.ExternalId != "user-2" || got.Contact == nil || got.Contact.Name != "Li Si" {
		t.Fatalf("context of a visitor only the primary has: %+v", got)
	}

	// The replica goes down: from the first call on, the context is read
	// from the primary (the contact's name there), every call answered; the
	// next check takes the replica out of rotation, and the log says so
	// once; when the replica is back, reads return to it.
	replica.Halt()
	contactName := func() (int, string) {
		resp, body := in.do(t, "GET", "/api/v1/sidebar/context", "", bearer(token))
		var c api.SidebarContext
		if resp.StatusCode == 200 {
			must(t, json.Unmarshal(body, &c))
		}
		if c.Contact == nil {
			return resp.StatusCode, ""
		}
		return resp.StatusCode, c.Contact.Name
	}
	waitFor := func(want string) {
		t.Helper()
		if !eventually(5*database.CheckInterval, func() bool { _, name := contactName(); return name == want }) {
			t.Fatalf("the context never showed %q", want)
		}
	}
	for i := range 20 {
		if code, name := contactName(); code != 200 || name != "Zhang San" {
			t.Fatalf("call %d with the replica down: %d %q, want 200 from the primary", i, code, name)
		}
	}
	replicaUp := func(want string) {
		t.Helper()
		line := `crmlens_db_replica_up{db_name="replica-1"} ` + want
		if !eventually(5*database.CheckInterval, func() bool {
			_, body := in.do(t, "GET", "/metrics", "", nil)
			return strings.Contains(string(body), line)
		}) {
			t.Fatalf("metrics lack %s", line)
		}
	}
	replicaUp("0")
	if err := replica.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor("Replica Zhang")
	replicaUp("1")
	logs := in.logs.String()
	if n := strings.Count(logs, "read replica does not answer"); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, "read replica answers again") {
		t.Errorf("the recovery was not logged:\n%s", logs)
	}
}

func contextOf(t *testing.T, in *instance, token string) api.SidebarContext {
	t.Helper()
	got, _ := contextRaw(t, in, token)
	return got
}

func contextRaw(t *testing.T, in *instance, token string) (api.SidebarContext, string) {
	t.Helper()
	resp, body := in.do(t, "GET", "/api/v1/sidebar/context", "", bearer(token))
	if resp.StatusCode != 200 {
		t.Fatalf("context: %d %s", resp.StatusCode, body)
	}
	var got api.SidebarContext
	must(t, json.Unmarshal(body, &got))
	return got, string(body)
}

// startMariaDB starts a dedicated throwaway server, failing under CI=true
// and skipping otherwise when MariaDB is not installed.
func startMariaDB(t *testing.T, opts mariadbtest.Options) *mariadbtest.Server {
	t.Helper()
	s, err := mariadbtest.Start(context.Background(), opts)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MariaDB is required under CI=true: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

func mustConfig(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	c, err := config.LoadFrom(vars)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
