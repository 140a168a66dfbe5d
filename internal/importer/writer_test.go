package importer

import (
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
)

// TestWriterPreparesOnce checks that inside a transaction the writer finds
// the *sql.Tx and so prepares each INSERT once instead of on every use.
func TestWriterPreparesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		err := db.Transaction(func(tx *gorm.DB) error {
			w := newWriter(tx)
			defer w.close()
			if w.raw == nil {
				t.Errorf("writer found no *sql.Tx in %T", tx.Statement.ConnPool)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
