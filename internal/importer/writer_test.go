package importer

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

// TestWriterPreparesOnce checks that inside a transaction the writer finds
// the *sql.Tx and so prepares each statement once instead of on every use,
// and that it knows when MySQL numbers a multi-row INSERT consecutively.
func TestWriterPreparesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, d database.Dialect) {
		err := db.Transaction(func(tx *gorm.DB) error {
			w, err := newWriter(tx)
			if err != nil {
				return err
			}
			defer w.close()
			if w.raw == nil {
				t.Errorf("writer found no *sql.Tx in %T", tx.Statement.ConnPool)
			}
			// MariaDB's default innodb_autoinc_lock_mode is 1.
			if want := d == database.MySQL; (w.idStep > 0) != want {
				t.Errorf("idStep = %d on %s", w.idStep, d)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestInsertNumbered checks the ids insertNumbered assigns against the ids
// the database stored, across several statements and after existing rows.
// It runs on MySQL only: elsewhere idStep is 0 and the importer looks new
// rows up instead.
func TestInsertNumbered(t *testing.T) {
	db, _ := dbtest.Open(t, database.MySQL)
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := db.Create(&model.Account{ExternalID: "before", Name: "Before", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	rows := make([]model.Account, 25)
	for i := range rows {
		rows[i] = model.Account{ExternalID: fmt.Sprintf("N%02d", i), Name: "n", CreatedAt: now, UpdatedAt: now}
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		w, err := newWriter(tx)
		if err != nil {
			return err
		}
		defer w.close()
		return insertNumbered(w, rows, 10, func(a *model.Account, id int64) { a.ID = id })
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored []model.Account
	if err := db.Where("external_id <> ?", "before").Order("external_id").Find(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(rows) {
		t.Fatalf("stored %d rows, want %d", len(stored), len(rows))
	}
	seen := map[int64]bool{}
	for i, s := range stored {
		if rows[i].ExternalID != s.ExternalID || rows[i].ID != s.ID {
			t.Errorf("row %d: assigned %s=%d, stored %s=%d", i, rows[i].ExternalID, rows[i].ID, s.ExternalID, s.ID)
		}
		if seen[s.ID] || s.ID == 0 {
			t.Errorf("id %d assigned twice or zero", s.ID)
		}
		seen[s.ID] = true
	}
}
