package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestAdminsManagedInTheConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		f := start(t, db)
		con := f.signIn(t)
		list := func() []api.AdminUser {
			t.Helper()
			resp, body := f.do(t, "GET", "/api/v1/admin/admins", "", con.headers(false))
			if resp.StatusCode != 200 {
				t.Fatalf("list: %d %s", resp.StatusCode, body)
			}
			var l api.AdminUserList
			must(t, json.Unmarshal(body, &l))
			return l.Admins
		}
		me := list()
		if len(me) != 1 || me[0].Email != "ops@example.com" || !me[0].You {
			t.Fatalf("admins = %+v", me)
		}
		// The last admin, and oneself, cannot be removed: a clear 409.
		resp, body := f.do(t, "DELETE", "/api/v1/admin/admins/"+me[0].Id, "", con.headers(true))
		if e := apiError(t, body); resp.StatusCode != 409 || e.Error.Code != "admin_self" {
			t.Errorf("remove yourself: %d %s", resp.StatusCode, body)
		}

		// Adding asks for your own password again; bad input names its field.
		for _, tt := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"email":"dev@example.com","password":"a long first password","currentPassword":"wrong"}`, 401, "currentPassword"},
			{`{"email":"not an email","password":"a long first password","currentPassword":"` + adminPassword + `"}`, 400, "email"},
			{`{"email":"dev@example.com","password":"short","currentPassword":"` + adminPassword + `"}`, 400, "password"},
			{`{"email":"OPS@example.com","password":"a long first password","currentPassword":"` + adminPassword + `"}`, 409, "email"},
		} {
			resp, body := f.do(t, "POST", "/api/v1/admin/admins", tt.body, con.headers(true))
			if e := apiError(t, body); resp.StatusCode != tt.status || strings.Join(fieldsOf(e), ",") != tt.field {
				t.Errorf("create %s: %d %s", tt.body, resp.StatusCode, body)
			}
		}
		if resp, body := f.do(t, "POST", "/api/v1/admin/admins", `{"email":"dev@example.com","password":"a long first password","currentPassword":"`+adminPassword+`"}`,
			map[string]string{"Cookie": con.cookie}); resp.StatusCode != 403 {
			t.Errorf("create without CSRF: %d %s", resp.StatusCode, body)
		}
		resp, body = f.do(t, "POST", "/api/v1/admin/admins", `{"email":" Dev@Example.com ","password":"a long first password","currentPassword":"`+adminPassword+`"}`, con.headers(true))
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		var dev api.AdminUser
		must(t, json.Unmarshal(body, &dev))
		if dev.Email != "dev@example.com" || dev.You {
			t.Errorf("created %+v", dev)
		}
		if got := list(); len(got) != 2 || got[1].Email != "dev@example.com" || got[1].You {
			t.Errorf("admins after create = %+v", got)
		}
		// The new admin signs in; a reset ends that session and the new password works.
		resp, body = f.do(t, "POST", "/api/v1/admin/session", `{"email":"dev@example.com","password":"a long first password"}`, nil)
		if resp.StatusCode != 201 {
			t.Fatalf("new admin signs in: %d %s", resp.StatusCode, body)
		}
		var devSession api.AdminSession
		must(t, json.Unmarshal(body, &devSession))
		bearer := map[string]string{"Authorization": "Bearer " + devSession.Token}
		if resp, body := f.do(t, "POST", "/api/v1/admin/admins/"+me[0].Id+"/password", `{"password":"taking over the console","currentPassword":"`+adminPassword+`"}`, con.headers(true)); resp.StatusCode != 400 {
			t.Errorf("reset your own password: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "POST", "/api/v1/admin/admins/"+dev.Id+"/password", `{"password":"short","currentPassword":"`+adminPassword+`"}`, con.headers(true)); resp.StatusCode != 400 ||
			strings.Join(fieldsOf(apiError(t, body)), ",") != "password" {
			t.Errorf("reset to a short password: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "POST", "/api/v1/admin/admins/999/password", `{"password":"a reset password!","currentPassword":"`+adminPassword+`"}`, con.headers(true)); resp.StatusCode != 404 {
			t.Errorf("reset an unknown admin: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "POST", "/api/v1/admin/admins/"+dev.Id+"/password", `{"password":"a reset password!","currentPassword":"`+adminPassword+`"}`, con.headers(true)); resp.StatusCode != 204 {
			t.Fatalf("reset: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "GET", "/api/v1/admin/session", "", bearer); resp.StatusCode != 401 {
			t.Errorf("the reset admin's session goes on: %d %s", resp.StatusCode, body)
		}
		if _, err := f.admins.Authenticate(context.Background(), "dev@example.com", "a reset password!"); err != nil {
			t.Errorf("the reset password is refused: %v", err)
		}
		// The other admin cannot remove you when you are the last one left;
		// you can remove them.
		if resp, body := f.do(t, "DELETE", "/api/v1/admin/admins/999", "", con.headers(true)); resp.StatusCode != 404 {
			t.Errorf("remove an unknown admin: %d %s", resp.StatusCode, body)
		}
		if resp, body := f.do(t, "DELETE", "/api/v1/admin/admins/"+dev.Id, "", con.headers(true)); resp.StatusCode != 204 {
			t.Fatalf("remove: %d %s", resp.StatusCode, body)
		}
		if got := list(); len(got) != 1 || !got[0].You {
			t.Errorf("admins after remove = %+v", got)
		}
		var events []model.AuditEvent
		must(t, db.Order("id").Find(&events).Error)
		var got []string
		for _, e := range events {
			got = append(got, e.Action+" "+e.Actor+" "+e.Detail)
		}
		want := []string{
			`admin.create admin:ops@example.com {"email":"dev@example.com"}`,
			`admin.password_reset admin:ops@example.com {"email":"dev@example.com"}`,
			`admin.remove admin:ops@example.com {"email":"dev@example.com"}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if strings.Contains(f.logs.String(), "a long first password") || strings.Contains(f.logs.String(), "a reset password!") {
			t.Error("a password reached the logs")
		}
	})
}
