package mysqlbulk_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/importtest"
	"github.com/crmlens/crmlens/internal/importer/mysqlbulk"
	"github.com/crmlens/crmlens/internal/model"
)

// A first import of contacts on MariaDB streams the contacts into a LOAD
// DATA while it reads and loads their identities on a second connection
// in an XA branch (internal/importer/contacts_stream.go, xa.go). These tests hold that path to the
// ordinary one's guarantees, with files of several batches (lookupChunk
// is 1,000 contacts) so that rows are on their way to MariaDB when a
// problem shows up.

// streamFile is n contacts in NDJSON; contact i belongs to account A1 or
// A2 and has one identity; line bad (1-based, 0 for none) refers to an
// account that does not exist.
func streamFile(n, bad int) string {
	var b strings.Builder
	for i := range n {
		account := fmt.Sprintf("A%d", i%2+1)
		if i+1 == bad {
			account = "NOPE"
		}
		fmt.Fprintf(&b, `{"external_id":"S%d","name":"Name %d","phone":"139%08d","email":"s%d@example.com","account_external_id":%q,"identities":[{"channel":"easemob","external_id":"v-%d"}]}`+"\n",
			i, i, i, i, account, i)
	}
	return b.String()
}

func mariaDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, _ := dbtest.Open(t, database.MySQL)
	// A branch a failed test left prepared would hold its locks and block
	// dropping the schema: finish it first (cleanups run last first).
	t.Cleanup(func() { _, _ = mysqlbulk.Recover(context.Background(), db) })
	return db
}

func TestStreamedImportWritesEveryRowRight(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
	const n = 3500
	res := importtest.MustImport(t, db, "contacts", importer.NDJSON, streamFile(n, 0))
	if res.Created != n || res.Identities != n {
		t.Fatalf("import: %+v, want %d contacts and identities", res, n)
	}
	// Every identity belongs to its own contact, and every contact to its
	// account, across batches.
	var wrong int64
	err := db.Raw(`SELECT COUNT(*) FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
		WHERE i.external_id <> CONCAT('v-', SUBSTRING(c.external_id, 2))`).Scan(&wrong).Error
	if err != nil || wrong != 0 {
		t.Fatalf("%d identities on the wrong contact (%v)", wrong, err)
	}
	err = db.Raw(`SELECT COUNT(*) FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE a.external_id <> CONCAT('A', MOD(CAST(SUBSTRING(c.external_id, 2) AS UNSIGNED), 2) + 1)`).Scan(&wrong).Error
	if err != nil || wrong != 0 {
		t.Fatalf("%d contacts on the wrong account (%v)", wrong, err)
	}
	if got := importtest.CountOf[model.Contact](db.Where("account_id IS NOT NULL")); got != n {
		t.Errorf("%d contacts with an account, want %d", got, n)
	}
	// The table numbers the next contact after the imported ones.
	var maxID int64
	if err := db.Model(&model.Contact{}).Select("MAX(id)").Scan(&maxID).Error; err != nil {
		t.Fatal(err)
	}
	next := model.Contact{ExternalID: "after", Name: "after", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.Create(&next).Error; err != nil {
		t.Fatal(err)
	}
	if next.ID <= maxID {
		t.Errorf("a contact created after the import got id %d, not above the imported %d", next.ID, maxID)
	}
	// Both connections the import used went back to the pool with the
	// checks on.
	if pool, _ := db.DB(); pool.Stats().Idle < 2 {
		t.Errorf("%d idle connections after the import, want both of its own back", pool.Stats().Idle)
	}
	assertPoolChecksOn(t, db)
	var left int64
	if err := db.Table("import_commits").Count(&left).Error; err != nil || left != 0 {
		t.Errorf("import_commits holds %d rows after the import (%v), want none", left, err)
	}
}

func TestStreamedImportWithAProblemWritesNothing(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		line    int
		message string
	}{
		// Thousands of rows have gone to MariaDB when these show up.
		{"missing account in a late batch", streamFile(3500, 3400), 3400, `account "NOPE" not found`},
		{"bad line at the end", streamFile(3500, 0) + `{"external_id":"S-last","name":""}` + "\n", 3501, "name is required"},
		{"not JSON in the middle", strings.Replace(streamFile(3500, 0), `{"external_id":"S2000"`, `{external_id:"S2000"`, 1), 2001, "not valid JSON"},
		{"duplicate at the end", streamFile(3500, 0) + `{"external_id":"s17","name":"x"}` + "\n", 3501, "also on line 18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mariaDB(t)
			importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
			before := importtest.Snapshot(t, db)
			_, err := importtest.New(db).Import(context.Background(), "contacts", strings.NewReader(tt.body), importer.NDJSON)
			var le *importer.LineErrors
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want line errors", err)
			}
			found := false
			for _, e := range le.Errors {
				found = found || e.Line == tt.line && strings.Contains(e.Message, tt.message)
			}
			if !found {
				t.Errorf("no problem on line %d with %q in %+v", tt.line, tt.message, le.Errors)
			}
			if after := importtest.Snapshot(t, db); after != before {
				t.Errorf("tables changed:\n before %s\n after  %s", before, after)
			}
			// The tables are still empty, so the next import streams too.
			res := importtest.MustImport(t, db, "contacts", importer.NDJSON, streamFile(1500, 0))
			if res.Created != 1500 || res.Identities != 1500 {
				t.Errorf("import after the failed one: %+v", res)
			}
		})
	}
}

func TestStreamedImportRefusesDuplicatesTheDatabaseSees(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
	body := streamFile(2500, 0) + `{"external_id":"Cafe-1","name":"One"}` + "\n" + `{"external_id":"Café-1","name":"Two"}` + "\n"
	before := importtest.Snapshot(t, db)
	_, err := importtest.New(db).Import(context.Background(), "contacts", strings.NewReader(body), importer.NDJSON)
	if e := apperr.As(err); e == nil || e.Kind != apperr.Conflict || e.Code != "import_conflict" {
		t.Fatalf("error %v, want import_conflict", err)
	}
	if after := importtest.Snapshot(t, db); after != before {
		t.Errorf("tables changed:\n before %s\n after  %s", before, after)
	}
}

// TestStreamedImportKeepsText: values with the characters LOAD DATA's text
// format escapes come back as they were.
func TestStreamedImportKeepsText(t *testing.T) {
	db := mariaDB(t)
	names := []string{"tab\there", `back\slash`, `\N`, "quote\"d", `C:\new\table`, "nul\x00byte", "trailing\\", "张伟 🙂"}
	var b strings.Builder
	for i, name := range names {
		q, _ := json.Marshal(name)
		fmt.Fprintf(&b, `{"external_id":"T%d","name":%s,"title":%s,"identities":[{"channel":"wechat","external_id":%s}]}`+"\n", i, q, q, q)
	}
	importtest.MustImport(t, db, "contacts", importer.NDJSON, b.String())
	for i, name := range names {
		c := importtest.First[model.Contact](t, db, "external_id = ?", fmt.Sprintf("T%d", i))
		if c.Name != name || c.Title != name {
			t.Errorf("contact T%d: name %q, title %q; want %q", i, c.Name, c.Title, name)
		}
		if got := importtest.IdentitiesOf(t, db, c.ExternalID); got != "wechat:"+name {
			t.Errorf("contact T%d: identities %q, want %q", i, got, "wechat:"+name)
		}
	}
}

// TestRecoverFinishesPreparedImports: a crash between preparing the
// identities' branch and committing it leaves the branch prepared; Recover
// commits it when the import's transaction committed (its xid is in
// import_commits) and rolls it back when not.
func TestRecoverFinishesPreparedImports(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "contacts", importer.NDJSON, `{"external_id":"R1","name":"x"}`+"\n")
	contact := importtest.First[model.Contact](t, db, "external_id = ?", "R1")
	ctx := context.Background()
	prepare := func(xid, ident string) {
		t.Helper()
		conn := prepareBranch(t, db, xid, contact.ID, ident)
		// The "crash": the connection goes, the prepared branch stays.
		lose(t, db, conn)
	}
	committed := "crmlens-import-00000000000000000000000000000001"
	abandoned := "crmlens-import-00000000000000000000000000000002"
	prepare(committed, "v-committed")
	prepare(abandoned, "v-abandoned")
	if err := db.Exec("INSERT INTO import_commits (xid, created_at) VALUES (?, NOW())", committed).Error; err != nil {
		t.Fatal(err)
	}

	n, err := mysqlbulk.Recover(ctx, db)
	if err != nil || n != 2 {
		t.Fatalf("Recover = %d, %v; want 2 finished", n, err)
	}
	if got := importtest.IdentitiesOf(t, db, "R1"); got != "easemob:v-committed" {
		t.Errorf("identities of R1 = %q, want only the committed branch's", got)
	}
	var left int64
	if err := db.Table("import_commits").Count(&left).Error; err != nil || left != 0 {
		t.Errorf("import_commits holds %d rows (%v), want none", left, err)
	}
	if n, err := mysqlbulk.Recover(ctx, db); err != nil || n != 0 {
		t.Errorf("second Recover = %d, %v; want nothing to do", n, err)
	}
}

// TestRecoverWaitsForALiveImport: while an import's transaction holds its
// import_commits row uncommitted, Recover waits, then follows the decision.
// Here the branch's connection was lost after the branch was prepared.
func TestRecoverWaitsForALiveImport(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "contacts", importer.NDJSON, `{"external_id":"R1","name":"x"}`+"\n")
	contact := importtest.First[model.Contact](t, db, "external_id = ?", "R1")
	ctx := context.Background()
	pool, _ := db.DB()
	xid := "crmlens-import-00000000000000000000000000000003"

	main, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer main.Rollback()
	if _, err := main.ExecContext(ctx, "INSERT INTO import_commits (xid, created_at) VALUES (?, NOW())", xid); err != nil {
		t.Fatal(err)
	}
	branch := prepareBranch(t, db, xid, contact.ID, "v-live")
	lose(t, db, branch)

	type outcome struct {
		n   int
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		n, err := mysqlbulk.Recover(ctx, db)
		done <- outcome{n, err}
	}()
	select {
	case o := <-done:
		t.Fatalf("Recover finished (%d, %v) while the import was still deciding", o.n, o.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := main.Commit(); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil || o.n != 1 {
		t.Fatalf("Recover = %d, %v; want 1", o.n, o.err)
	}
	if got := importtest.IdentitiesOf(t, db, "R1"); got != "easemob:v-live" {
		t.Errorf("identities of R1 = %q, want the live import's", got)
	}
}

// TestRecoverLeavesALiveBranchAlone: a prepared branch whose connection is
// open belongs to an import that will finish it; Recover leaves it and its
// import_commits row.
func TestRecoverLeavesALiveBranchAlone(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "contacts", importer.NDJSON, `{"external_id":"R1","name":"x"}`+"\n")
	contact := importtest.First[model.Contact](t, db, "external_id = ?", "R1")
	ctx := context.Background()
	xid := "crmlens-import-00000000000000000000000000000004"
	branch := prepareBranch(t, db, xid, contact.ID, "v-owned")
	defer func() {
		_ = branch.Raw(func(any) error { return driver.ErrBadConn })
		branch.Close()
	}()
	if err := db.Exec("INSERT INTO import_commits (xid, created_at) VALUES (?, NOW())", xid).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := mysqlbulk.Recover(ctx, db); err != nil || n != 0 {
		t.Fatalf("Recover = %d, %v; want 0 (the branch is its connection's)", n, err)
	}
	var rows int64
	if err := db.Table("import_commits").Where("xid = ?", xid).Count(&rows).Error; err != nil || rows != 1 {
		t.Fatalf("import_commits row: %d (%v), want kept", rows, err)
	}
	if _, err := branch.ExecContext(ctx, "XA COMMIT '"+xid+"'"); err != nil {
		t.Fatalf("the owner could not commit its branch: %v", err)
	}
	if got := importtest.IdentitiesOf(t, db, "R1"); got != "easemob:v-owned" {
		t.Errorf("identities of R1 = %q, want the owner's", got)
	}
}

// prepareBranch prepares an XA branch adding one identity to contactID, on
// a connection of its own, and returns that connection.
func prepareBranch(t *testing.T, db *gorm.DB, xid string, contactID int64, ident string) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	pool, _ := db.DB()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"XA START '" + xid + "'",
		fmt.Sprintf("INSERT INTO contact_identities (contact_id, channel, external_id, created_at) VALUES (%d, 'easemob', '%s', NOW())", contactID, ident),
		"XA END '" + xid + "'", "XA PREPARE '" + xid + "'"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			conn.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	return conn
}

// lose drops conn as a crash would (the pool never reuses it) and waits
// until the server has seen it go: until then its prepared branch still
// belongs to a live session, which Recover rightly leaves alone, and on a
// loaded machine the server can take a while to notice a closed socket.
func lose(t *testing.T, db *gorm.DB, conn *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server still lists connection %d 30 s after it was closed", id)
		}
	}
}

// cancelAfter is a reader that cancels an import's context once n bytes
// have been read: Ctrl-C in the middle of `crmlens import`.
type cancelAfter struct {
	r      *strings.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	if len(p) > 4096 {
		p = p[:4096]
	}
	k, err := c.r.Read(p)
	c.n -= k
	return k, err
}

// TestStreamedImportCancelledWritesNothing: an import cancelled while its
// contacts stream into MariaDB leaves the tables as they were, no prepared
// branch behind, and no connection with the bulk load's settings.
func TestStreamedImportCancelledWritesNothing(t *testing.T) {
	db := mariaDB(t)
	importtest.MustImport(t, db, "accounts", importer.CSV, importtest.AccountsCSV)
	before := importtest.Snapshot(t, db)
	body := streamFile(20000, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := importtest.New(db).Import(ctx, "contacts", &cancelAfter{r: strings.NewReader(body), n: len(body) / 2, cancel: cancel}, importer.NDJSON)
	if err == nil {
		t.Fatal("a cancelled import returned no error")
	}
	if after := importtest.Snapshot(t, db); after != before {
		t.Errorf("tables changed:\n before %s\n after  %s", before, after)
	}
	var prepared int
	rows, err := db.Raw("XA RECOVER").Rows()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		prepared++
	}
	rows.Close()
	if prepared != 0 {
		t.Errorf("%d prepared XA branches left behind", prepared)
	}
	// The next import into the still empty tables streams and succeeds.
	if res := importtest.MustImport(t, db, "contacts", importer.NDJSON, streamFile(1200, 0)); res.Created != 1200 {
		t.Errorf("import after the cancelled one: %+v", res)
	}
	assertPoolChecksOn(t, db)
}

// assertPoolChecksOn fails if any of the pool's idle connections has
// unique or foreign key checks off.
func assertPoolChecksOn(t *testing.T, db *gorm.DB) {
	t.Helper()
	pool, _ := db.DB()
	ctx := context.Background()
	idle := pool.Stats().Idle
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range max(idle, 1) {
		conn, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		var unique, fk int
		if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks").Scan(&unique, &fk); err != nil {
			t.Fatal(err)
		}
		if unique != 1 || fk != 1 {
			t.Errorf("a pooled connection has unique_checks=%d foreign_key_checks=%d", unique, fk)
		}
	}
}
