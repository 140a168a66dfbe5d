package database_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// Contacts written before the match columns existed (here: rows whose match
// columns are still empty, as 00007 leaves them) are filled by migration 8's
// FillMatchKeys, in batches smaller than the table, on both engines.
func TestFillMatchKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB, dialect database.Dialect) {
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		rows := []model.Contact{
			{ExternalID: "c1", Name: "王五", Phone: "13700000000", Email: "Wang@Example.com"},
			{ExternalID: "c2", Name: "赵六", Phone: "137-0000-0000", Email: " zhao@example.COM "},
			{ExternalID: "c3", Name: "Li Lei", Phone: "+86 139 0000 1111", Email: "li_lei@example.com"},
			{ExternalID: "c4", Name: "Landline", Phone: "(0755) 8888-1234"},
			{ExternalID: "c5", Name: "Odd", Phone: "+999 12345"},
		}
		for i := range rows {
			rows[i].CreatedAt, rows[i].UpdatedAt = now, now
		}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		n, err := database.FillMatchKeys(context.Background(), sqlDB, matchkey.Must("CN"), 2)
		if err != nil || n != len(rows) {
			t.Fatalf("FillMatchKeys = %d, %v; want %d", n, err, len(rows))
		}
		want := map[string][2]string{
			"c1": {"+8613700000000", "wang@example.com"},
			"c2": {"+8613700000000", "zhao@example.com"},
			"c3": {"+8613900001111", "li_lei@example.com"},
			"c4": {"+8675588881234", ""},
			"c5": {"+99912345", ""}, // no such country code: kept as its digits
		}
		var got []model.Contact
		if err := db.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			w := want[c.ExternalID]
			if c.PhoneMatch != w[0] || c.EmailMatch != w[1] {
				t.Errorf("%s: match (%q, %q), want (%q, %q)", c.ExternalID, c.PhoneMatch, c.EmailMatch, w[0], w[1])
			}
			if c.ExternalID == "c2" && c.Phone != "137-0000-0000" {
				t.Errorf("the phone as written changed to %q", c.Phone)
			}
		}
	})
}

// BenchmarkFillMatchKeys times migration 8 over 100,000 contacts written
// the way CRM exports write phones, and reports contacts/s (the README's
// figure for a million contacts comes from it).
func BenchmarkFillMatchKeys(b *testing.B) {
	const n = 100_000
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				db, _ := dbtest.Open(b, d)
				now := time.Now().UTC()
				rows := make([]model.Contact, 0, 1000)
				for i := range n {
					rows = append(rows, model.Contact{ExternalID: "c" + strconv.Itoa(i), Name: "n",
						Phone: fmt.Sprintf("+86 139 %04d %04d", i/10000, i%10000), Email: fmt.Sprintf("C%d@Example.com", i), CreatedAt: now, UpdatedAt: now})
					if len(rows) == cap(rows) {
						if err := db.CreateInBatches(rows, 500).Error; err != nil {
							b.Fatal(err)
						}
						rows = rows[:0]
					}
				}
				sqlDB, err := db.DB()
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if got, err := database.FillMatchKeys(context.Background(), sqlDB, matchkey.Normalizer{}, 1000); err != nil || got != n {
					b.Fatalf("FillMatchKeys = %d, %v", got, err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "contacts/s")
		})
	}
}
