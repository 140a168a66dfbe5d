package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/servicetoken"
)

// syncToken creates a service token of scope sync named name.
func (f *fixture) syncToken(t *testing.T, name string) string {
	t.Helper()
	_, secret, err := servicetoken.NewStore(f.db).Create(context.Background(), name, servicetoken.ScopeSync, "test")
	must(t, err)
	return secret
}

// sync sends body with contentType to a sync route as token.
func (f *fixture) sync(t *testing.T, method, path, token, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	return f.do(t, method, path, body, h)
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an error body: %s", body)
	}
	return e.Error.Code
}

const syncAccount = `{"external_id":"S-A1","name":"Acme","updated_at":"2026-12-01T08:00:00Z"}` + "\n"

func TestSyncAuthentication(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		ctx := context.Background()
		good := f.syncToken(t, "crm")
		revoked := f.syncToken(t, "old")
		_, err := servicetoken.NewStore(db).Revoke(ctx, "old", "test")
		must(t, err)
		other := f.syncToken(t, "other")
		// A scope crmlens may grow later: the token is known but not sync's.
		must(t, db.Model(&model.ServiceToken{}).Where("name = ?", "other").Update("scope", "export").Error)
		_, sess, _ := f.session(t, "acme", map[string]string{"visitorImId": "im-zhang"})
		admin := f.adminToken(t)

		for _, tc := range []struct {
			name, method, path, token string
			status                    int
			code                      string
		}{
			{"no token", "POST", "/api/v1/sync/accounts", "", 401, "unauthorized"},
			{"sidebar session", "POST", "/api/v1/sync/accounts", sess.Token, 401, "unauthorized"},
			{"admin session", "POST", "/api/v1/sync/accounts", admin, 401, "unauthorized"},
			{"unknown service token", "POST", "/api/v1/sync/accounts", "crml_sync_" + strings.Repeat("x", 43), 401, "unauthorized"},
			{"revoked", "POST", "/api/v1/sync/accounts", revoked, 401, "token_revoked"},
			{"another scope", "POST", "/api/v1/sync/accounts", other, 403, "forbidden"},
			{"admin session on delete", "DELETE", "/api/v1/sync/accounts/S-A1", admin, 401, "unauthorized"},
			{"sync token on an admin route", "GET", "/api/v1/admin/agents", good, 401, "unauthorized"},
			{"sync token on the sidebar context", "GET", "/api/v1/sidebar/context", good, 401, "unauthorized"},
			{"sync token accepted", "POST", "/api/v1/sync/accounts", good, 200, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := ""
				if tc.method == "POST" && strings.HasPrefix(tc.path, "/api/v1/sync/") {
					body = syncAccount
				}
				resp, b := f.sync(t, tc.method, tc.path, tc.token, "application/x-ndjson", body)
				if resp.StatusCode != tc.status {
					t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, b, tc.status)
				}
				if tc.code != "" {
					if got := errorCode(t, b); got != tc.code {
						t.Errorf("code = %s, want %s (%s)", got, tc.code, b)
					}
				}
				if tc.token == good && tc.status != 200 && !strings.Contains(string(b), "/api/v1/sync only") {
					t.Errorf("the answer does not say a service token is for the sync routes: %s", b)
				}
			})
		}
		if n := f.count(t, &model.Account{}); n != 2 {
			t.Errorf("accounts = %d, want the fixture's and the one accepted sync", n)
		}
	})
}

func TestSyncWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		tok := f.syncToken(t, "crm")
		steps := []struct {
			name, path, contentType, body string
			status                        int
			want                          api.SyncResult // on 200
			code, says                    string         // otherwise
		}{
			{"ndjson accounts created", "/api/v1/sync/accounts", "application/x-ndjson",
				syncAccount + `{"external_id":"S-A2","name":"Bolt","updated_at":"2026-12-01T08:00:00Z"}` + "\n", 200,
				api.SyncResult{Object: "accounts", Records: 2, Created: 2}, "", ""},
			{"the same again is unchanged", "/api/v1/sync/accounts", "application/x-ndjson; charset=utf-8", syncAccount, 200,
				api.SyncResult{Object: "accounts", Records: 1, Unchanged: 1}, "", ""},
			{"json array contacts with identities", "/api/v1/sync/contacts", "application/json",
				`[{"external_id":"S-C1","name":"李娜","phone":"13900001111","account_external_id":"S-A1","updated_at":"2026-12-01T08:00:00Z","identities":[{"channel":"easemob","external_id":"v-1"}]},` +
					`{"external_id":"S-C2","name":"王五","updated_at":"2026-12-01T08:00:00Z"}]`, 200,
				api.SyncResult{Object: "contacts", Records: 2, Created: 2, Identities: 1}, "", ""},
			{"newer updates, older skips", "/api/v1/sync/contacts", "application/x-ndjson",
				`{"external_id":"S-C1","name":"李娜 (new)","updated_at":"2026-12-02T08:00:00Z"}` + "\n" +
					`{"external_id":"S-C2","name":"王五 (stale)","updated_at":"2026-11-01T08:00:00Z"}` + "\n", 200,
				api.SyncResult{Object: "contacts", Records: 2, Updated: 1, Skipped: 1}, "", ""},
			{"a bad line writes nothing", "/api/v1/sync/contacts", "application/x-ndjson",
				`{"external_id":"S-C3","name":"Ok"}` + "\n" + `{"external_id":"S-C4","name":"Bad","email":"not-an-email"}` + "\n", 422,
				api.SyncResult{}, importer.CodeSyncInvalid, "line 2: email"},
			{"a bad array element names its position", "/api/v1/sync/contacts", "application/json",
				`[{"external_id":"S-C5","name":"Ok"},{"external_id":"S-C6","account_external_id":"NOPE","name":"X"}]`, 422,
				api.SyncResult{}, importer.CodeSyncInvalid, "record 2"},
			{"csv is not a sync format", "/api/v1/sync/contacts", "text/csv", "external_id,name\nS-C7,X\n", 400,
				api.SyncResult{}, importer.CodeSyncFormat, "application/x-ndjson"},
		}
		for _, st := range steps {
			resp, b := f.sync(t, "POST", st.path, tok, st.contentType, st.body)
			if resp.StatusCode != st.status {
				t.Fatalf("%s: %d %s, want %d", st.name, resp.StatusCode, b, st.status)
			}
			if st.status == 200 {
				var got api.SyncResult
				must(t, json.Unmarshal(b, &got))
				if got != st.want {
					t.Errorf("%s: %+v, want %+v", st.name, got, st.want)
				}
				continue
			}
			if code := errorCode(t, b); code != st.code || !strings.Contains(string(b), st.says) {
				t.Errorf("%s: %s, want code %s saying %q", st.name, b, st.code, st.says)
			}
		}
		if st := steps[4]; st.status == 422 {
			var e api.Error
			_, b := f.sync(t, "POST", st.path, tok, st.contentType, st.body)
			must(t, json.Unmarshal(b, &e))
			if e.Error.Fields == nil || len(*e.Error.Fields) != 1 || (*e.Error.Fields)[0].Field != "email" {
				t.Errorf("fields of a bad email: %s", b)
			}
		}
		var c1, c2 model.Contact
		must(t, db.Where("external_id = ?", "S-C1").Take(&c1).Error)
		must(t, db.Where("external_id = ?", "S-C2").Take(&c2).Error)
		if c1.Name != "李娜 (new)" || c2.Name != "王五" {
			t.Errorf("names = %q, %q: the newer record is written, the older skipped", c1.Name, c2.Name)
		}
		var n int64
		must(t, db.Model(&model.Contact{}).Where("external_id IN ?", []string{"S-C3", "S-C4", "S-C5", "S-C6", "S-C7"}).Count(&n).Error)
		if n != 0 {
			t.Errorf("%d contacts of refused requests were written", n)
		}
	})
}

func TestSyncDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		tok := f.syncToken(t, "crm")
		resp, b := f.sync(t, "POST", "/api/v1/sync/accounts", tok, "application/x-ndjson", syncAccount)
		if resp.StatusCode != 200 {
			t.Fatalf("sync: %d %s", resp.StatusCode, b)
		}
		for _, tc := range []struct {
			name, path string
			status     int
			code       string
		}{
			{"an account its contacts point at", "/api/v1/sync/accounts/A-1", 409, importer.CodeSyncReferenced},
			{"a contact orders point at", "/api/v1/sync/contacts/C-1", 409, importer.CodeSyncReferenced},
			{"an account", "/api/v1/sync/accounts/S-A1", 204, ""},
			{"it again", "/api/v1/sync/accounts/S-A1", 404, importer.CodeSyncNotFound},
			{"an order", "/api/v1/sync/orders/O-1", 204, ""},
			// The path's object is an enum of openapi.yaml: validate.go answers.
			{"an unknown object", "/api/v1/sync/widgets/W-1", 400, "invalid_request"},
			{"a malformed agent key", "/api/v1/sync/agents/no-platform", 400, "invalid_agent_key"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, b := f.sync(t, "DELETE", tc.path, tok, "", "")
				if resp.StatusCode != tc.status {
					t.Fatalf("DELETE %s: %d %s, want %d", tc.path, resp.StatusCode, b, tc.status)
				}
				if tc.code != "" && errorCode(t, b) != tc.code {
					t.Errorf("DELETE %s: %s, want %s", tc.path, b, tc.code)
				}
			})
		}
		if n := f.count(t, &model.Order{}); n != 5 {
			t.Errorf("orders = %d, want 5", n)
		}
	})
}

func TestSyncBodySize(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		tok := f.syncToken(t, "crm")
		// About 1 MiB of accounts: far over the server's 64 KB default.
		var big strings.Builder
		records := 0
		for big.Len() < 1<<20 {
			records++
			fmt.Fprintf(&big, `{"external_id":"BIG-%05d","name":"Account %05d %s","updated_at":"2026-12-01T08:00:00Z"}`+"\n", records, records, strings.Repeat("x", 200))
		}
		resp, b := f.sync(t, "POST", "/api/v1/sync/accounts", tok, "application/x-ndjson", big.String())
		if resp.StatusCode != 200 {
			t.Fatalf("1 MiB: %d %.300s", resp.StatusCode, b)
		}
		var res api.SyncResult
		must(t, json.Unmarshal(b, &res))
		if res.Created != records {
			t.Errorf("created %d of %d", res.Created, records)
		}
		over := strings.Repeat(" ", importer.MaxSyncBytes+1)
		resp, b = f.sync(t, "POST", "/api/v1/sync/accounts", tok, "application/x-ndjson", over)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || errorCode(t, b) != importer.CodeSyncTooLarge {
			t.Errorf("MaxSyncBytes+1: %d %s", resp.StatusCode, b)
		}
	})
}
