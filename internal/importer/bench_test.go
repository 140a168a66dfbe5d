package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
)

// BenchmarkImportContacts imports 20,000 contacts (each with an account and
// an identity) into a fresh database per iteration and reports contacts/s.
func BenchmarkImportContacts(b *testing.B) {
	const n = 20_000
	var accounts, contacts bytes.Buffer
	for i := range n / 5 {
		fmt.Fprintf(&accounts, `{"external_id":"A%d","name":"Account %d","tier":"smb"}`+"\n", i, i)
	}
	for i := range n {
		fmt.Fprintf(&contacts, `{"external_id":"C%d","name":"Contact %d","phone":"1380000%04d","email":"c%d@example.com","account_external_id":"A%d","identities":[{"channel":"easemob","external_id":"v%d"}]}`+"\n",
			i, i, i%10000, i, i/5, i)
	}
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			iterations := 0
			for b.Loop() {
				b.StopTimer()
				db, _ := dbtest.Open(b, d)
				im := importtest.New(db)
				if _, err := im.Import(context.Background(), "accounts", bytes.NewReader(accounts.Bytes()), importer.NDJSON); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				res, err := im.Import(context.Background(), "contacts", bytes.NewReader(contacts.Bytes()), importer.NDJSON)
				elapsed += time.Since(start)
				if err != nil || res.Created != n {
					b.Fatalf("import: %+v, %v", res, err)
				}
				iterations++
			}
			b.ReportMetric(float64(n*iterations)/elapsed.Seconds(), "contacts/s")
		})
	}
}
