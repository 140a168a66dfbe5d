package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/source"
)

// TestContextOfADownSource: orders live from a source nobody answers for
// (a closed port), contacts imported: the context is a 200 whose orders
// panel carries unavailable: true and no records while the contact and the
// tickets show, and /metrics counts the source's failed query.
func TestContextOfADownSource(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	m := metrics.New("test")
	spec, err := source.Parse([]byte("name: shop\nurl_env: SHOP_DATABASE_URL\nobjects:\n  orders: {table: t_trade, key: tid, contact: member_id, fields: {order_no: tid, amount: payment}, defaults: {currency: CNY}}\n"))
	must(t, err)
	must(t, spec.Validate(layout.Builtin()))
	src, err := source.Open(spec, "mysql://reader@127.0.0.1:1/shop?timeout=1s", source.Options{Observer: m})
	must(t, err)
	set := source.NewSet()
	set.Put(src)
	t.Cleanup(set.Close)
	f := startOpts(t, db, fixtureOptions{failures: 1000, sources: set, metrics: m})

	params := map[string]string{"easemobId": "kefu", "visitorImId": "im-zhang", "agentName": f.cipher.Encrypt("小王")}
	resp, body := f.do(t, "POST", "/api/v1/sidebar/sessions", sessionBody(t, "acme", params), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("create session: %d %s", resp.StatusCode, body)
	}
	var sess struct{ Token string }
	must(t, json.Unmarshal(body, &sess))
	resp, body = f.do(t, "GET", "/api/v1/sidebar/context", "", map[string]string{"Authorization": "Bearer " + sess.Token})
	if resp.StatusCode != 200 {
		t.Fatalf("context: %d %s", resp.StatusCode, body)
	}
	// The JSON itself, not the generated type: a field the client reads.
	var ctx struct {
		Panels []map[string]json.RawMessage `json:"panels"`
	}
	must(t, json.Unmarshal(body, &ctx))
	seen := map[string]bool{}
	for _, p := range ctx.Panels {
		var object string
		must(t, json.Unmarshal(p["object"], &object))
		seen[object] = true
		unavailable, has := p["unavailable"]
		switch object {
		case "orders":
			if string(unavailable) != "true" || string(p["records"]) != "[]" {
				t.Errorf("orders panel: unavailable %s, records %s; want true and []", unavailable, p["records"])
			}
		default:
			if has {
				t.Errorf("%s panel carries unavailable: %s; want it absent", object, unavailable)
			}
			if object != "account" && string(p["records"]) == "[]" {
				t.Errorf("%s panel shows no records while only orders are down", object)
			}
		}
	}
	if !seen["orders"] || !seen["contact"] || !seen["tickets"] {
		t.Fatalf("panels %v", seen)
	}
	if strings.Contains(f.logs.String(), "127.0.0.1:1") {
		t.Errorf("a log line names the source's address:\n%s", f.logs)
	}

	// /metrics: the failed query, by source.
	resp, body = f.do(t, "GET", "/metrics", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`crmlens_source_errors_total{outcome="error",source="shop"} 1`,
		`crmlens_source_query_duration_seconds_count{outcome="error",source="shop"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
