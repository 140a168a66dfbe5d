package playground_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/adapter/easemob"
	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/seed"
)

// TestSidebarURLDecodes: the demo URLs carry `to` as the real workbench does
// (the IM service number for App visitors, the official account's original
// id for WeChat ones) and still decode to the demo visitor on its channel.
func TestSidebarURLDecodes(t *testing.T) {
	const key = "kefu2024secret"
	c, err := paramcrypt.NewDES(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := easemob.New([]string{key}, easemob.Options{TenantID: "10001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, cv := range []seed.Conversation{
		{VisitorImID: "demo-visitor-0001", Channel: "easemob", VisitorName: "张伟"},
		{VisitorImID: "oDemo0123456789abcdef0123", Channel: "wechat", VisitorName: "Ann"},
	} {
		raw := playground.SidebarURL("demo-easemob", c, cv)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u.Path, "/sidebar/demo-easemob") || u.Query().Get("to") == "" {
			t.Fatalf("URL %s: want /sidebar/demo-easemob with a to param", raw)
		}
		params := map[string]string{}
		for k, v := range u.Query() {
			params[k] = v[0]
		}
		claims, err := a.Decode(params)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if claims.Channel != cv.Channel || claims.VisitorID != cv.VisitorImID || claims.DisplayName != cv.VisitorName || len(claims.Dropped) != 0 {
			t.Errorf("%s decodes to %+v, want channel %s visitor %s", raw, claims, cv.Channel, cv.VisitorImID)
		}
	}
}
