package integration_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
)

func TestDisableEnable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := newService(t, db, nil)
		if _, _, err := svc.Create(ctx, integration.Input{Slug: "acme-kefu", Kind: "easemob", Key: "kefu2024secret"}, nil); err != nil {
			t.Fatal(err)
		}
		records := 0
		record := func(tx *gorm.DB, row model.Integration) error {
			records++
			return audit.New(tx).Record(ctx, audit.Event{Action: integration.ActionDisable, Actor: "test", IntegrationID: &row.ID})
		}
		row, changed, err := svc.SetDisabled(ctx, "acme-kefu", true, record)
		if err != nil || !changed || row.DisabledAt == nil {
			t.Fatalf("disable = %+v, %v, %v", row, changed, err)
		}
		got, err := svc.Get(ctx, "acme-kefu")
		if err != nil {
			t.Fatal(err)
		}
		e := apperr.As(integration.CheckEnabled(got.Integration))
		if e == nil || e.Kind != apperr.Forbidden || e.Code != integration.CodeDisabled {
			t.Fatalf("CheckEnabled of a disabled integration = %v", e)
		}
		if _, changed, err := svc.SetDisabled(ctx, "acme-kefu", true, record); err != nil || changed {
			t.Errorf("disabling twice = %v, %v; want no change", changed, err)
		}
		row, changed, err = svc.SetDisabled(ctx, "acme-kefu", false, record)
		if err != nil || !changed || row.DisabledAt != nil || integration.CheckEnabled(row) != nil {
			t.Fatalf("enable = %+v, %v, %v", row, changed, err)
		}
		if records != 2 {
			t.Errorf("%d records, want 2 (a no-op records nothing)", records)
		}
		if _, _, err := svc.SetDisabled(ctx, "nope-nope", true, nil); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown slug = %v", err)
		}
	})
}

func TestDeleteKeepsContactsAndTheAuditTrail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		svc := newService(t, db, nil)
		row, _, err := svc.Create(ctx, integration.Input{Slug: "acme-kefu", Kind: "easemob", Name: "Acme", Key: "kefu2024secret"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := svc.Create(ctx, integration.Input{Slug: "other-kefu", Kind: "easemob", Key: "kefu2024secret"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		contact := model.Contact{ExternalID: "C-1", Name: "Ann", CreatedAt: now, UpdatedAt: now}
		if err := db.Create(&contact).Error; err != nil {
			t.Fatal(err)
		}
		for i, in := range []int64{row.ID, row.ID, other.ID} {
			v := model.Visitor{IntegrationID: in, Channel: "webim", ExternalID: string(rune('a' + i)), ContactID: &contact.ID, CreatedAt: now, LastSeenAt: now}
			if err := db.Create(&v).Error; err != nil {
				t.Fatal(err)
			}
			if err := audit.New(db).Record(ctx, audit.Event{Action: audit.ActionContextRead, Actor: "agent", IntegrationID: &in, VisitorID: &v.ID}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := svc.Delete(ctx, "acme-kefu", func(tx *gorm.DB, d integration.Deleted) error {
			return audit.New(tx).Record(ctx, audit.Event{Action: integration.ActionDelete, Actor: "test", IntegrationID: &d.Integration.ID,
				Detail: integration.DeletedDetail(d)})
		})
		if err != nil || d.Visitors != 2 || d.Integration.Slug != "acme-kefu" {
			t.Fatalf("delete = %+v, %v", d, err)
		}
		if _, err := svc.Get(ctx, "acme-kefu"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("get after delete = %v", err)
		}
		var visitors, contacts, events, deletions int64
		db.Model(&model.Visitor{}).Count(&visitors)
		db.Model(&model.Contact{}).Count(&contacts)
		db.Model(&model.AuditEvent{}).Count(&events)
		db.Model(&model.AuditEvent{}).Where("action = ? AND detail LIKE ?", integration.ActionDelete, `%"name":"Acme"%`).Count(&deletions)
		if visitors != 1 || contacts != 1 || events != 4 || deletions != 1 {
			t.Errorf("after delete: %d visitors (want the other integration's 1), %d contacts (want 1), %d audit events (want 3 reads and the deletion), %d deletions naming it",
				visitors, contacts, events, deletions)
		}
		if _, err := svc.Delete(ctx, "acme-kefu", nil); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("deleting again = %v", err)
		}
	})
}
