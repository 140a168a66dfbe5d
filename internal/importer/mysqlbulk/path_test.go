package mysqlbulk_test

import (
	"database/sql"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/mysqlbulk"
	"github.com/crmlens/crmlens/internal/model"
)

// TestBeginAppliesToEmptyTablesOnly: the bulk path takes a transaction
// only on MariaDB and only when every table it will write is empty, and
// puts the session's checks back at its end.
func TestBeginAppliesToEmptyTablesOnly(t *testing.T) {
	tests := []struct {
		name    string
		dialect database.Dialect
		account bool // an account is there before
		tables  []string
		want    bool
	}{
		{"SQLite", database.SQLite, false, []string{"accounts"}, false},
		{"MariaDB, empty", database.MySQL, false, []string{"accounts", "contacts"}, true},
		{"MariaDB, one table not empty", database.MySQL, true, []string{"contacts", "accounts"}, false},
		{"MariaDB, no tables", database.MySQL, false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := dbtest.Open(t, tt.dialect)
			if tt.account {
				now := time.Now().UTC()
				if err := db.Create(&model.Account{ExternalID: "A1", Name: "A", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
					t.Fatal(err)
				}
			}
			path := mysqlbulk.New(db)
			err := db.Connection(func(conn *gorm.DB) error {
				var bt importer.BulkTx
				txErr := conn.Transaction(func(tx *gorm.DB) error {
					raw, _ := tx.Statement.ConnPool.(*sql.Tx)
					var err error
					bt, err = path.Begin(tx, raw, tt.tables, func(int) {})
					return err
				})
				if (bt != nil) != tt.want {
					t.Errorf("Begin = %v, want the bulk path %v", bt, tt.want)
				}
				if bt != nil {
					if err := bt.End(conn, txErr); err != nil {
						return err
					}
					if !bt.Loads() {
						t.Error("the test server takes no LOAD DATA LOCAL")
					}
				}
				if tt.dialect == database.MySQL {
					var unique, fk int
					if err := conn.Raw("SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks").Row().Scan(&unique, &fk); err != nil {
						return err
					}
					if unique != 1 || fk != 1 {
						t.Errorf("after the transaction: unique_checks=%d foreign_key_checks=%d, want 1 and 1", unique, fk)
					}
				}
				return txErr
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
