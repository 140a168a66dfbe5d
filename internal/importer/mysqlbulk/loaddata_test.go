package mysqlbulk

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm/schema"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/model"
)

func TestAppendEscaped(t *testing.T) {
	tests := map[string]string{
		"plain 张伟":     "plain 张伟",
		"tab\there":    `tab\there`,
		"line\nbreak":  `line\nbreak`,
		"cr\rhere":     `cr\rhere`,
		`back\slash`:   `back\\slash`,
		`\N`:           `\\N`,
		"nul\x00byte":  `nul\0byte`,
		"":             "",
		"trailing\\":   `trailing\\`,
		"\t\n\\\x00\r": `\t\n\\\0\r`,
	}
	for in, want := range tests {
		if got := string(appendEscaped(nil, in)); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteTSV(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 30, 0, 123e6, time.UTC)
	later := now.Add(time.Second)
	account := int64(7)
	custom := `{"vip":"yes"}`
	rows := []model.Contact{
		{ExternalID: "C1", Name: "张伟", AccountID: &account, CreatedAt: now, UpdatedAt: now},
		{ExternalID: "C2", Name: "tab\there", Custom: &custom, CreatedAt: now, UpdatedAt: later},
	}
	cols, err := columnsOf(reflect.TypeFor[model.Contact](), schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	reported := 0
	n, err := writeTSV(context.Background(), &out, cols, sliceRows(reflect.ValueOf(rows)), func(k int) { reported += k }, nil, nil)
	if err != nil || n != 2 || reported != 2 {
		t.Fatalf("writeTSV = %d, %v (reported %d); want 2 rows", n, err, reported)
	}
	// external_id account_id name phone email phone_match email_match title owner custom created_at updated_at
	want := "C1\t7\t张伟\t\t\t\t\t\t\t\\N\t2026-11-23 08:30:00.123\t2026-11-23 08:30:00.123\n" +
		"C2\t\\N\ttab\\there\t\t\t\t\t\t\t{\"vip\":\"yes\"}\t2026-11-23 08:30:00.123\t2026-11-23 08:30:01.123\n"
	if got := out.String(); got != want {
		t.Errorf("columns %v, rows:\n%q\nwant\n%q", cols.names, got, want)
	}
}

// TestWriteTSVChecksFixedColumns: a column the load sets once for all rows
// must hold that value in every row; a row that differs stops the load.
func TestWriteTSVChecksFixedColumns(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	cols, err := columnsOf(reflect.TypeFor[model.Contact](), schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	created := cols.fields[len(cols.fields)-2]
	if created.DBName != "created_at" {
		t.Fatalf("column order changed: %v", cols.names)
	}
	rows := []model.Contact{{ExternalID: "C1", CreatedAt: now}, {ExternalID: "C2", CreatedAt: now.Add(time.Millisecond)}}
	_, err = writeTSV(context.Background(), &bytes.Buffer{}, cols, sliceRows(reflect.ValueOf(rows)), func(int) {}, []*schema.Field{created}, fixed{"created_at": now})
	if err == nil || !strings.Contains(err.Error(), "created_at") {
		t.Fatalf("writeTSV = %v, want an error naming created_at", err)
	}
}

func TestSameInAll(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)
	account := int64(7)
	rows := []model.Contact{
		{ExternalID: "C1", CreatedAt: now, UpdatedAt: now},
		{ExternalID: "C2", AccountID: &account, CreatedAt: now, UpdatedAt: now.Add(time.Second)},
	}
	got := sameInAll(context.Background(), schema.NamingStrategy{}, reflect.ValueOf(rows))
	if len(got) != 2 || got["custom"] != nil || !got["created_at"].(time.Time).Equal(now) {
		t.Errorf("sameInAll = %v, want created_at and custom (NULL) only", got)
	}
	if _, ok := got["custom"]; !ok {
		t.Errorf("sameInAll = %v, lacks custom (NULL in every row)", got)
	}
}

// TestNoWarningsNamesCodesOnly: a statement that left a warning fails the
// load, and the error names the warning's code, not the value it quotes.
func TestNoWarningsNamesCodesOnly(t *testing.T) {
	db, _ := dbtest.Open(t, database.MySQL)
	pool, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := noWarnings(ctx, tx, "contacts"); err != nil {
		t.Fatalf("no statement yet: %v", err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT CAST('13912345678x' AS SIGNED)"); err != nil {
		t.Fatal(err)
	}
	err = noWarnings(ctx, tx, "contacts")
	if err == nil || !strings.Contains(err.Error(), "1292") || strings.Contains(err.Error(), "13912345678") {
		t.Fatalf("noWarnings = %v, want the code 1292 and not the value", err)
	}
}

func TestHasBulkPath(t *testing.T) {
	tests := []struct {
		version string
		want    bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.11.11-MariaDB", true},
		{"10.11.10-MariaDB", false}, // MDEV-34703 not yet fixed
		{"10.6.21-MariaDB", false},
		{"11.4.5-MariaDB", true},
		{"11.4.4-MariaDB", false},
		{"11.5.2-MariaDB", false},
		{"11.7.2-MariaDB", true},
		{"12.0.1-MariaDB", true},
		{"8.0.39", false}, // MySQL: unique_checks=0 only skips checks
		{"8.4.2-MariaDB-lookalike", false},
		{"garbage-MariaDB", false},
	}
	for _, tt := range tests {
		if got := hasBulkPath(tt.version); got != tt.want {
			t.Errorf("hasBulkPath(%q) = %v, want %v", tt.version, got, tt.want)
		}
	}
}
