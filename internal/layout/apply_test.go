package layout_test

import (
	"context"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// The version-control workflow of docs/layouts.md: export, commit, edit,
// apply, and apply the committed file again.
func TestApplyingAnUnchangedFileIsANoOp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := layout.NewStore(db, nil)
		records := 0
		record := func(tx *gorm.DB, d layout.Doc) error {
			records++
			return tx.Create(&model.AuditEvent{Action: "layout.change", Actor: "test", Detail: "{}", CreatedAt: time.Now()}).Error
		}
		if _, err := s.ApplyAll(ctx, []layout.Doc{parse(t, "name: vip\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name, email]}\n")}, false, record); err != nil {
			t.Fatal(err)
		}
		// Export it, as `crmlens layout export` does, and parse it back.
		docs, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exported, err := yaml.Marshal(docs[0])
		if err != nil {
			t.Fatal(err)
		}
		file := parse(t, string(exported))
		if file.Version != 1 {
			t.Fatalf("exported version %d, want 1", file.Version)
		}
		for i := range 2 {
			got, err := s.ApplyAll(ctx, []layout.Doc{file}, false, record)
			if err != nil {
				t.Fatalf("apply %d of the unchanged export: %v", i+1, err)
			}
			if !got[0].Unchanged || got[0].Version != 1 {
				t.Fatalf("apply %d = %+v, want unchanged at version 1", i+1, got[0])
			}
		}
		if records != 1 {
			t.Errorf("%d audit records, want 1: an unchanged apply records nothing", records)
		}
		// An edit of the committed file applies once; applying the same
		// file again is a no-op, not a stale update.
		file.Panels[0].Fields = []string{"name", "phone"}
		for i, want := range []bool{false, true} {
			got, err := s.ApplyAll(ctx, []layout.Doc{file}, false, record)
			if err != nil || got[0].Unchanged != want || got[0].Version != 2 {
				t.Fatalf("apply %d of the edited file = %+v, %v; want version 2, unchanged %v", i+1, got, err, want)
			}
		}
		// Someone changes it in the console (version 3): the file, based on
		// version 1, no longer overwrites it.
		console := file
		console.Version = 2
		console.Panels = []layout.PanelDoc{{Object: "contact", Fields: []string{"name"}}}
		if _, err := s.Put(ctx, console, true, nil); err != nil {
			t.Fatal(err)
		}
		file.Panels[0].Fields = []string{"name", "phone", "email"}
		if _, err := s.ApplyAll(ctx, []layout.Doc{file}, false, record); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("apply over someone else's change = %v, want a conflict", err)
		}
		// The admin API (requireVersion) still refuses a save based on
		// another version, even of the stored content.
		console.Version = 1
		if _, err := s.Put(ctx, console, true, nil); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("an API save on an old version = %v, want a conflict", err)
		}
	})
}

func TestDeleteLayout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := layout.NewStore(db, nil)
		if _, err := s.Put(ctx, parse(t, "name: vip\nscope: {default: true}\npanels:\n  - {object: contact, fields: [name]}\n"), false, nil); err != nil {
			t.Fatal(err)
		}
		var deleted []layout.Doc
		record := func(tx *gorm.DB, d layout.Doc) error {
			deleted = append(deleted, d)
			return tx.Create(&model.AuditEvent{Action: layout.ActionDelete, Actor: "test", Detail: "{}", CreatedAt: time.Now()}).Error
		}
		if err := s.Delete(ctx, "vip", record); err != nil {
			t.Fatal(err)
		}
		if len(deleted) != 1 || deleted[0].Name != "vip" || deleted[0].Version != 1 {
			t.Errorf("recorded %+v", deleted)
		}
		if docs, _ := s.List(ctx); len(docs) != 0 {
			t.Errorf("layouts after delete: %+v", docs)
		}
		if l, _, err := s.Resolve(ctx, layout.Who{}); err != nil || l.Name != layout.Default().Name {
			t.Errorf("after delete resolve = %q, %v; want the built-in default", l.Name, err)
		}
		if err := s.Delete(ctx, "vip", record); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("deleting it again = %v, want not found", err)
		}
		var n int64
		db.Model(&model.AuditEvent{}).Count(&n)
		if n != 1 {
			t.Errorf("%d audit events, want the deletion's", n)
		}
	})
}
