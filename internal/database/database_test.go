package database_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestParseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		dialect database.Dialect
		dsnHas  []string
		wantErr string
	}{
		{name: "sqlite", url: "sqlite://./data/crmlens.db", dialect: database.SQLite, dsnHas: []string{"./data/crmlens.db?", "foreign_keys"}},
		{name: "mysql", url: "mysql://app:s3cret@db.internal:3307/crm?tls=true", dialect: database.MySQL,
			dsnHas: []string{"app:s3cret@tcp(db.internal:3307)/crm?", "parseTime=true", "loc=UTC", "tls=true", "charset=utf8mb4"}},
		{name: "mysql default port", url: "mysql://app@db/crm", dialect: database.MySQL, dsnHas: []string{"app@tcp(db:3306)/crm?"}},
		{name: "no scheme", url: "postgres://x", wantErr: "must start with sqlite:// or mysql://"},
		{name: "sqlite without path", url: "sqlite://", wantErr: "needs a file path"},
		{name: "mysql without db", url: "mysql://u:p@host:3306/", wantErr: "needs a host and a database name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := database.ParseURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL(%q) error = %v, want it to contain %q", tt.url, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "p@") {
					t.Fatalf("error repeats the URL's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.url, err)
			}
			if got.Dialect != tt.dialect {
				t.Errorf("dialect = %s, want %s", got.Dialect, tt.dialect)
			}
			for _, s := range tt.dsnHas {
				if !strings.Contains(got.DSN, s) {
					t.Errorf("DSN %q lacks %q", got.DSN, s)
				}
			}
		})
	}
}

// TestSchemaMatchesModels checks, on both engines, that the migrated tables
// have exactly the columns the GORM models map, so a model change without a
// migration (or the reverse) fails here rather than in production.
func TestSchemaMatchesModels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, dialect database.Dialect) {
		pending, err := database.Pending(context.Background(), db, dialect)
		if err != nil || pending {
			t.Fatalf("after Migrate: pending=%v err=%v", pending, err)
		}
		for _, m := range model.All() {
			stmt := &gorm.Statement{DB: db}
			if err := stmt.Parse(m); err != nil {
				t.Fatalf("parse model %T: %v", m, err)
			}
			table := stmt.Schema.Table
			cols, err := db.Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatalf("columns of %s: %v", table, err)
			}
			if len(cols) == 0 {
				t.Fatalf("table %s is missing from the migrated schema", table)
			}
			var got []string
			nullable := map[string]bool{}
			for _, c := range cols {
				got = append(got, c.Name())
				if n, ok := c.Nullable(); ok {
					nullable[c.Name()] = n
				}
			}
			var want []string
			for _, f := range stmt.Schema.Fields {
				if f.DBName == "" {
					continue
				}
				want = append(want, f.DBName)
				if n, ok := nullable[f.DBName]; ok && !f.PrimaryKey {
					if wantNull := isPointer(f); n != wantNull {
						t.Errorf("%s.%s: nullable=%v in the schema, but the model field %s says %v", table, f.DBName, n, f.Name, wantNull)
					}
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s columns differ\n schema: %v\n model:  %v", table, got, want)
			}
		}
	})
}

// isPointer says whether a model field can hold NULL: a pointer, or a slice
// stored with the JSON serializer (a nil slice is written as NULL).
func isPointer(f *schema.Field) bool {
	switch f.FieldType.Kind().String() {
	case "ptr":
		return true
	case "slice":
		return f.Serializer != nil
	}
	return false
}

func TestMigrateIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, dialect database.Dialect) {
		n, err := database.Migrate(context.Background(), db, dialect, matchkey.Normalizer{})
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if n != 0 {
			t.Fatalf("second Migrate applied %d migrations, want 0", n)
		}
	})
}
