package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
)

func TestImportReportsProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
		var b strings.Builder
		const n = 2500
		for i := range n {
			ids := ""
			if i%2 == 0 { // every other contact lists one identity
				ids = fmt.Sprintf(`,"identities":[{"channel":"easemob","external_id":"v%d"}]`, i)
			}
			fmt.Fprintf(&b, `{"external_id":"P%d","name":"n","account_external_id":"A1"%s}`+"\n", i, ids)
		}
		var calls, last, lastTotal int
		im := importtest.New(db).WithProgress(func(written, total int) {
			if written < last {
				t.Errorf("progress went back from %d to %d", last, written)
			}
			calls++
			last, lastTotal = written, total
		})
		res, err := im.Import(context.Background(), "contacts", strings.NewReader(b.String()), importer.NDJSON)
		if err != nil {
			t.Fatal(err)
		}
		want := n + n/2
		if res.Created != n || res.Identities != n/2 {
			t.Fatalf("import: %+v", res)
		}
		if last != want || lastTotal != want {
			t.Errorf("last report %d of %d, want %d of %d", last, lastTotal, want, want)
		}
		if calls < 3 {
			t.Errorf("%d reports for %d rows: want one per batch", calls, want)
		}

		// A file with a problem writes nothing and reports nothing.
		calls = 0
		_, err = im.Import(context.Background(), "contacts", strings.NewReader(`{"external_id":"Q1","name":"n","account_external_id":"nope"}`+"\n"), importer.NDJSON)
		if err == nil || calls != 0 {
			t.Errorf("bad file: err %v, %d progress reports; want an error and none", err, calls)
		}
	})
}
