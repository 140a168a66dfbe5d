package mysqlbulk_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The first import into empty tables takes MariaDB's bulk-load path
// (unique and foreign key checks off for the transaction). These tests hold
// that path to the guarantees of the ordinary one, on one connection so that
// what the import leaves in its session is visible.

func oneConnection(t *testing.T, db *gorm.DB) {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
}

func TestFirstImportRefusesDuplicatesTheDatabaseSees(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, d database.Dialect) {
		oneConnection(t, db)
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		// Different strings that MySQL's collation compares equal: the file
		// check (case folding) lets them through, the database must not.
		body := `{"external_id":"Cafe-1","name":"One","identities":[{"channel":"easemob","external_id":"v-1"}]}
{"external_id":"Café-1","name":"Two","identities":[{"channel":"easemob","external_id":"v-2"}]}
`
		res, err := importtest.New(db).Import(context.Background(), "contacts", strings.NewReader(body), importer.NDJSON)
		var n int64
		if cerr := db.Model(&model.Contact{}).Count(&n).Error; cerr != nil {
			t.Fatal(cerr)
		}
		if d == database.SQLite {
			// SQLite compares external ids byte by byte: two contacts.
			if err != nil || res.Created != 2 || n != 2 {
				t.Fatalf("sqlite: got %+v, %v and %d contacts; want 2 created", res, err, n)
			}
			return
		}
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Conflict || !strings.Contains(e.Message, "nothing was imported") {
			t.Fatalf("got %+v, %v; want a Conflict saying nothing was imported", res, err)
		}
		var idents int64
		if cerr := db.Model(&model.ContactIdentity{}).Count(&idents).Error; cerr != nil {
			t.Fatal(cerr)
		}
		if n != 0 || idents != 0 {
			t.Errorf("after the failed import: %d contacts and %d identities, want none", n, idents)
		}
		assertChecksOn(t, db)
	})
}

func TestFirstImportLeavesTheSessionAsItFoundIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, d database.Dialect) {
		oneConnection(t, db)
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		res := importtest.MustImport(t, db, "contacts", importer.NDJSON, importtest.ContactsNDJSON)
		if res.Created != 2 || res.Identities != 2 {
			t.Fatalf("import: %+v, want 2 contacts and 2 identities created", res)
		}
		// The identities point at the contacts that were written.
		var owners []string
		if err := db.Table("contact_identities").Joins("JOIN contacts ON contacts.id = contact_identities.contact_id").
			Order("contact_identities.external_id").Pluck("contacts.external_id", &owners).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Join(owners, ",") != "C1,C1" {
			t.Errorf("identities belong to %v, want C1,C1", owners)
		}
		if d == database.MySQL {
			assertChecksOn(t, db)
		}
	})
}

// assertChecksOn fails unless the (only) connection has unique and foreign
// key checks on.
func assertChecksOn(t *testing.T, db *gorm.DB) {
	t.Helper()
	var unique, fk int
	if err := db.Raw("SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks").Row().Scan(&unique, &fk); err != nil {
		t.Fatal(err)
	}
	if unique != 1 || fk != 1 {
		t.Errorf("after the import the connection has unique_checks=%d foreign_key_checks=%d, want 1 and 1", unique, fk)
	}
}
