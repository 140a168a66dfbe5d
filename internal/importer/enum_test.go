package importer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// TestEnumAllowedValues: a custom enum field with allowed values takes only
// those (the whole file is refused, naming the line and the values, on one
// outside them); one defined without values takes any value.
func TestEnumAllowedValues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, _ database.Dialect) {
		ctx := context.Background()
		fields := layout.NewStore(db, nil)
		for key, values := range map[string][]string{"vip_level": {"gold", "silver"}, "segment": nil} {
			if _, err := fields.PutField(ctx, layout.FieldInput{Object: layout.Contact, Key: key, Type: layout.Enum,
				Label: layout.Label{ZH: "等级", EN: "Level"}, Values: values}, nil); err != nil {
				t.Fatal(err)
			}
		}
		importtest.MustImport(t, db, "contacts", importer.CSV, "external_id,name,vip_level,segment\nC1,张伟,gold,whatever\n")
		_, err := importtest.New(db).Import(ctx, "contacts", strings.NewReader(
			"external_id,name,vip_level,segment\nC2,李娜,silver,a\nC3,王芳,Gold,b\n"), importer.CSV)
		var le *importer.LineErrors
		if !errors.As(err, &le) || len(le.Errors) != 1 {
			t.Fatalf("import error = %v, want one line error", err)
		}
		if e := le.Errors[0]; e.Line != 3 || e.Column != "vip_level" || !strings.Contains(e.Message, "gold, silver") {
			t.Fatalf("line error = %+v, want line 3, vip_level, naming gold, silver", e)
		}
		var n int64
		if err := db.Model(&model.Contact{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("contacts = %d, %v; want only C1 (the refused file wrote nothing)", n, err)
		}
	})
}
