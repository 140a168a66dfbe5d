package importer_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// Every import path (a first import, streamed into MariaDB, and a re-import,
// upserted) stores the phone and e-mail as written and, beside them, the
// forms matching compares, in the formats real CRM exports write.
func TestImportWritesMatchKeys(t *testing.T) {
	first := `external_id,name,phone,email
C1,王五,13700000000,Wang@Example.com
C2,赵六,137-0000-0000,
C3,Li Lei,+86 139 0000 1111,li_lei@example.com
C4,Shop,(0755) 8888-1234,
C5,Odd,12345,
C7,Abroad,+999 12345,
C6,Zero,008613900139000,
`
	again := `external_id,name,phone,email
C2,赵六,+86 (137) 0000-0001,ZHAO@example.com
`
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		im := importtest.New(db).WithNormalizer(matchkey.Must("CN"))
		for _, body := range []string{first, again} {
			if _, err := im.Import(context.Background(), "contacts", strings.NewReader(body), importer.CSV); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string][3]string{ // phone as written, phone_match, email_match
			"C1": {"13700000000", "+8613700000000", "wang@example.com"},
			"C2": {"+86 (137) 0000-0001", "+8613700000001", "zhao@example.com"},
			"C3": {"+86 139 0000 1111", "+8613900001111", "li_lei@example.com"},
			"C4": {"(0755) 8888-1234", "+8675588881234", ""},
			"C5": {"12345", "+8612345", ""},
			"C7": {"+999 12345", "+99912345", ""}, // no such country code: kept as its digits
			"C6": {"008613900139000", "+8613900139000", ""},
		}
		var got []model.Contact
		if err := db.Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d contacts, want %d", len(got), len(want))
		}
		for _, c := range got {
			w := want[c.ExternalID]
			if c.Phone != w[0] || c.PhoneMatch != w[1] || c.EmailMatch != w[2] {
				t.Errorf("%s: (%q, %q, %q), want %q", c.ExternalID, c.Phone, c.PhoneMatch, c.EmailMatch, w)
			}
		}
	})
}
