package layout_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/layout"
)

// TestEnumValues: an enum field keeps the allowed values it was given, in
// order, through the catalog; a relabel without values keeps them, with
// values replaces them; bad lists are refused on the "values" field and
// leave the stored field as it was.
func TestEnumValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		s := layout.NewStore(db, nil)
		put := func(typ layout.FieldType, values ...string) error {
			_, err := s.PutField(ctx, layout.FieldInput{Object: layout.Contact, Key: "vip_level", Type: typ,
				Label: layout.Label{ZH: "会员等级", EN: "VIP level"}, Values: values}, nil)
			return err
		}
		stored := func() []string {
			t.Helper()
			cat, err := s.Catalog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := cat.Lookup(layout.Contact, "vip_level")
			if !ok {
				t.Fatal("vip_level is not in the catalog")
			}
			return f.Values
		}
		if err := put(layout.Enum, " gold", "silver ", "bronze"); err != nil {
			t.Fatal(err)
		}
		if got, want := stored(), []string{"gold", "silver", "bronze"}; !slices.Equal(got, want) {
			t.Fatalf("values = %q, want %q (trimmed, in order)", got, want)
		}
		if err := put(layout.Enum); err != nil {
			t.Fatal(err)
		}
		if got := stored(); len(got) != 3 {
			t.Fatalf("a relabel without values left %q, want the three kept", got)
		}
		for _, tc := range []struct {
			name   string
			typ    layout.FieldType
			values []string
			want   string
		}{
			{"duplicate", layout.Enum, []string{"gold", "gold"}, "twice"},
			{"empty value", layout.Enum, []string{"gold", " "}, "empty"},
			{"too long", layout.Enum, []string{strings.Repeat("长", layout.MaxEnumValueLen+1)}, "longer than"},
			{"too many", layout.Enum, slices.Repeat([]string{"x"}, layout.MaxEnumValues+1), "at most"},
			{"control character", layout.Enum, []string{"go\x00ld"}, "control"},
			{"values on a text field", layout.Text, []string{"a"}, "only enum"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := put(tc.typ, tc.values...)
				e := apperr.As(err)
				if e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "values" || !strings.Contains(e.Message, tc.want) {
					t.Fatalf("err = %v, want an invalid \"values\" error saying %q", err, tc.want)
				}
				if got := stored(); !slices.Equal(got, []string{"gold", "silver", "bronze"}) {
					t.Fatalf("a refused change left %q", got)
				}
			})
		}
		if err := put(layout.Enum, "platinum"); err != nil {
			t.Fatal(err)
		}
		if got := stored(); !slices.Equal(got, []string{"platinum"}) {
			t.Fatalf("values = %q after a replace, want [platinum]", got)
		}
	})
}
