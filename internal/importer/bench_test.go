package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/audit"
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

// BenchmarkSyncContacts sends requests of 1,000 contacts (each with an
// account and two identities, half of them new and half updates of the
// previous request's) to Sync, as the sync API does, and reports
// contacts/s.
func BenchmarkSyncContacts(b *testing.B) {
	const perRequest, accounts = 1000, 200
	var acc bytes.Buffer
	for i := range accounts {
		fmt.Fprintf(&acc, `{"external_id":"A%d","name":"Account %d"}`+"\n", i, i)
	}
	// request k holds contacts k*500 ... k*500+999: the first half were in
	// request k-1, a second earlier.
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	request := func(k int) []byte {
		var body bytes.Buffer
		for i := k * perRequest / 2; i < k*perRequest/2+perRequest; i++ {
			fmt.Fprintf(&body, `{"external_id":"C%d","name":"Contact %d","phone":"1380000%04d","email":"c%d@example.com","account_external_id":"A%d","updated_at":"%s",`+
				`"identities":[{"channel":"easemob","external_id":"v%d"},{"channel":"wechat","external_id":"o%d"}]}`+"\n",
				i, i, i%10000, i, i%accounts, at.Add(time.Duration(k)*time.Second).Format(time.RFC3339), i, i)
		}
		return body.Bytes()
	}
	for _, d := range dbtest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := dbtest.Open(b, d)
			im := importer.New(db)
			ctx := context.Background()
			if _, err := im.Sync(ctx, "accounts", bytes.NewReader(acc.Bytes()), importer.NDJSON, audit.Event{Actor: "token:bench"}); err != nil {
				b.Fatal(err)
			}
			var elapsed time.Duration
			k := 0
			for b.Loop() {
				b.StopTimer()
				body := request(k)
				b.StartTimer()
				start := time.Now()
				res, err := im.Sync(ctx, "contacts", bytes.NewReader(body), importer.NDJSON, audit.Event{Actor: "token:bench"})
				elapsed += time.Since(start)
				if err != nil || res.Created+res.Updated != perRequest {
					b.Fatalf("request %d: %+v, %v", k, res, err)
				}
				k++
			}
			b.ReportMetric(float64(perRequest*k)/elapsed.Seconds(), "contacts/s")
		})
	}
}
