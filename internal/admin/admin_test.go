package admin_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestCreateAndAuthenticate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := admin.New(db, bcrypt.MinCost)
		a, err := svc.Create(ctx, " Ops@Example.com ", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if a.PasswordHash == "correct horse battery" || a.Email != "ops@example.com" {
			t.Errorf("stored admin = %+v", a)
		}
		for _, tt := range []struct{ email, password, code string }{
			{"not-an-email", "correct horse battery", admin.CodeInvalidAdmin},
			{"x@example.com", "short", admin.CodeInvalidAdmin},
			{"ops@example.com", "another long password", "admin_exists"},
		} {
			_, err := svc.Create(ctx, tt.email, tt.password)
			if e := apperr.As(err); e == nil || e.Code != tt.code {
				t.Errorf("Create(%q) = %v, want %s", tt.email, err, tt.code)
			}
		}
		var n int64
		db.Model(&model.Admin{}).Count(&n)
		if n != 1 {
			t.Errorf("admins = %d after refused creates, want 1", n)
		}
		if got, err := svc.Authenticate(ctx, "OPS@example.com", "correct horse battery"); err != nil || got.ID != a.ID {
			t.Errorf("Authenticate = %+v, %v", got, err)
		}
		for _, tt := range [][2]string{{"ops@example.com", "wrong password!"}, {"nobody@example.com", "correct horse battery"}} {
			_, err := svc.Authenticate(ctx, tt[0], tt[1])
			if e := apperr.As(err); e == nil || e.Code != admin.CodeBadCredentials || e.Message != "wrong email or password" {
				t.Errorf("Authenticate(%s) = %v", tt[0], err)
			}
		}
		if err := svc.Confirm(ctx, a.ID, "correct horse battery"); err != nil {
			t.Errorf("Confirm: %v", err)
		}
		if err := svc.Confirm(ctx, a.ID, "nope"); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("Confirm with a wrong password: %v", err)
		}
	})
}

func TestRemoveNeverLeavesNoAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := admin.New(db, bcrypt.MinCost)
		a, err := svc.Create(ctx, "a@example.com", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		noop := func(*gorm.DB, model.Admin) error { return nil }
		if err := svc.Remove(ctx, a.ID, a.ID, noop); apperr.As(err) == nil || apperr.As(err).Code != admin.CodeAdminSelf {
			t.Errorf("remove yourself: %v", err)
		}
		// Another admin (as the CLI could be) removing the last one.
		if err := svc.Remove(ctx, a.ID+100, a.ID, noop); apperr.As(err) == nil || apperr.As(err).Code != admin.CodeLastAdmin {
			t.Errorf("remove the last admin: %v", err)
		}
		b, err := svc.Create(ctx, "b@example.com", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Remove(ctx, a.ID, b.ID, func(*gorm.DB, model.Admin) error { return apperr.New(apperr.Internal, "x", "audit failed") }); err == nil {
			t.Error("a failing audit did not undo the removal")
		}
		if l, _ := svc.List(ctx); len(l) != 2 {
			t.Errorf("admins after an undone removal: %d", len(l))
		}
		var removed string
		if err := svc.Remove(ctx, a.ID, b.ID, func(_ *gorm.DB, r model.Admin) error { removed = r.Email; return nil }); err != nil || removed != "b@example.com" {
			t.Errorf("remove: %v %q", err, removed)
		}
		if _, err := svc.CurrentStamp(ctx, b.ID); apperr.KindOf(err) != apperr.Unauthorized {
			t.Errorf("the removed admin's sessions go on: %v", err)
		}
	})
}
