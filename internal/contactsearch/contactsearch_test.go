package contactsearch_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/contactsearch"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Contacts as a CRM export writes them, imported the way crmlens imports
// them, then searched the way agents type.
const contactsCSV = `external_id,name,phone,email
C1,Li Lei,+86 139-0013-9000,li_lei@example.com
C2,Lily,139 0013 9001,LILY@Example.com
C3,王五,13700000000,wang@example.com
C4,赵六,137-0000-0000,liXlei@example.com
C5,Shop,(0755) 8888-1234,shop%sale@example.com
C6,Odd,12345,
C7,100% Li,008613900139002,
`

func TestFind(t *testing.T) {
	tests := []struct {
		term string
		want []string // external ids, sorted
	}{
		{"139-0013", []string{"C1", "C2", "C7"}},
		{"+86 139 0013", []string{"C1", "C2", "C7"}},
		{"0086 139 0013 9000", []string{"C1"}},
		{"13900139001", []string{"C2"}},
		{"（0755）8888", []string{"C5"}},
		{"755 8888", []string{"C5"}},
		{"123", []string{"C6"}},
		{"137-0000", []string{"C3", "C4"}},
		{"Lily@EXAMPLE", []string{"C2"}},
		{"li_lei@", []string{"C1"}}, // '_' is literal: not liXlei
		{"shop%", nil},              // no '@': a name
		{"shop%sale@", []string{"C5"}},
		{"100%", []string{"C7"}},     // '%' is literal
		{"Li", []string{"C1", "C2"}}, // name prefix, any case
		{"li", []string{"C1", "C2"}},
		{"王", []string{"C3"}},
		{"nobody", nil},
		{"", []string{"C1", "C2", "C3", "C4", "C5", "C6", "C7"}},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		norm := matchkey.Must("CN")
		if _, err := importer.New(db).WithNormalizer(norm).Import(context.Background(), "contacts", stringsReader(contactsCSV), importer.CSV); err != nil {
			t.Fatal(err)
		}
		s := contactsearch.New(db, norm)
		for _, tt := range tests {
			found, err := s.Find(context.Background(), tt.term, 10)
			if err != nil {
				t.Fatalf("Find(%q): %v", tt.term, err)
			}
			got := make([]string, 0, len(found))
			for _, c := range found {
				got = append(got, externalID(t, db, c.ID))
			}
			slices.Sort(got) // which contacts, not in which order
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("Find(%q) = %v, want %v", tt.term, got, tt.want)
			}
		}
	})
}

func TestFindLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		now := time.Now().UTC()
		for i := range 15 {
			if err := db.Create(&model.Contact{ExternalID: "x" + string(rune('a'+i)), Name: "Same", PhoneMatch: "+8613900000000", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				t.Fatal(err)
			}
		}
		found, err := contactsearch.New(db, matchkey.Must("")).Find(context.Background(), "139", 10)
		if err != nil || len(found) != 10 {
			t.Fatalf("Find = %d contacts, %v; want the limit, 10", len(found), err)
		}
	})
}

func externalID(t *testing.T, db *gorm.DB, id int64) string {
	t.Helper()
	var c model.Contact
	if err := db.Select("external_id").First(&c, id).Error; err != nil {
		t.Fatal(err)
	}
	return c.ExternalID
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// With a field found only whole, a prefix finds nothing and the whole value,
// however written, finds it; names are still found by prefix.
func TestFindWholeValues(t *testing.T) {
	tests := []struct {
		term string
		want []string
	}{
		{"139-0013", nil},
		{"1390013900", nil},
		{"+86 139-0013-9000", []string{"C1"}},
		{"13900139000", []string{"C1"}},
		{"0086 139 0013 9000", []string{"C1"}},
		{"（0755）8888-1234", []string{"C5"}},
		{"123", nil},
		{"12345", []string{"C6"}},
		{"lily@", nil},
		{"LILY@example.com", []string{"C2"}},
		{"li", []string{"C1", "C2"}},
	}
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		norm := matchkey.Must("CN")
		if _, err := importer.New(db).WithNormalizer(norm).Import(context.Background(), "contacts", stringsReader(contactsCSV), importer.CSV); err != nil {
			t.Fatal(err)
		}
		s := contactsearch.New(db, norm)
		for _, tt := range tests {
			found, err := s.FindWith(context.Background(), tt.term, 10, contactsearch.Options{ExactPhone: true, ExactEmail: true})
			if err != nil {
				t.Fatalf("FindWith(%q): %v", tt.term, err)
			}
			got := make([]string, 0, len(found))
			for _, c := range found {
				got = append(got, externalID(t, db, c.ID))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("FindWith(%q) = %v, want %v", tt.term, got, tt.want)
			}
		}
	})
}
