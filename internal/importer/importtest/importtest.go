// Package importtest holds what the importer's tests and mysqlbulk's share:
// an Importer set up as `crmlens import` sets it up, example files, and
// reads of what an import wrote.
package importtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/mysqlbulk"
	"github.com/crmlens/crmlens/internal/model"
)

// New returns an Importer of db with MariaDB's bulk path, as `crmlens
// import` makes it.
func New(db *gorm.DB) *importer.Importer {
	return importer.New(db).WithBulk(mysqlbulk.New(db))
}

// MustImport imports body into db (with New) and fails the test on any
// error.
func MustImport(t testing.TB, db *gorm.DB, object string, format importer.Format, body string) importer.Result {
	t.Helper()
	res, err := New(db).Import(context.Background(), object, strings.NewReader(body), format)
	if err != nil {
		t.Fatalf("import %s (%s): %v", object, format, err)
	}
	return res
}

// AccountsCSV is two accounts, A1 and A2.
const AccountsCSV = `external_id,name,industry,tier,owner
A1,上海星辰科技有限公司,Software,enterprise,王磊
A2,Northwind Trading,Retail,smb,Sarah Chen
`

// ContactsNDJSON is two contacts of AccountsCSV's accounts, C1 with two
// identities.
const ContactsNDJSON = `{"external_id":"C1","name":"张伟","phone":"13800138000","email":"wei.zhang@example.cn","title":"采购经理","owner":"王磊","account_external_id":"A1","identities":[{"channel":"easemob","external_id":"visitor-1"},{"channel":"wechat","external_id":"oAbC123"}]}
{"external_id":"C2","name":"Emma Johnson","email":"emma@example.com","account_external_id":"A2"}
`

// ContactsCSV is ContactsNDJSON as CSV.
const ContactsCSV = `external_id,name,phone,email,title,owner,account_external_id,identities
C1,张伟,13800138000,wei.zhang@example.cn,采购经理,王磊,A1,easemob:visitor-1;wechat:oAbC123
C2,Emma Johnson,,emma@example.com,,,A2,
`

// First loads the one T matching the condition.
func First[T any](t testing.TB, db *gorm.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Where(query, args...).First(&v).Error; err != nil {
		t.Fatalf("load %T where %s %v: %v", v, query, args, err)
	}
	return v
}

// CountOf counts the rows of T's table.
func CountOf[T any](db *gorm.DB) int64 {
	var n int64
	db.Model(new(T)).Count(&n)
	return n
}

// IdentitiesOf lists a contact's identities as "channel:id;..." sorted.
func IdentitiesOf(t testing.TB, db *gorm.DB, contactExt string) string {
	t.Helper()
	var ids []model.ContactIdentity
	err := db.Joins("JOIN contacts ON contacts.id = contact_identities.contact_id").
		Where("contacts.external_id = ?", contactExt).
		Order("contact_identities.channel, contact_identities.external_id").Find(&ids).Error
	if err != nil {
		t.Fatalf("identities of %s: %v", contactExt, err)
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.Channel + ":" + id.ExternalID
	}
	return strings.Join(parts, ";")
}

// Snapshot summarizes every CRM table (row counts and last update), to see
// that a rejected import changed nothing.
func Snapshot(t testing.TB, db *gorm.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"accounts", "contacts", "contact_identities", "leads", "tickets", "orders"} {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		var sum struct{ S int64 }
		if err := db.Table(table).Select("COALESCE(SUM(id), 0) AS s").Scan(&sum).Error; err != nil {
			t.Fatalf("sum %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s=%d/%d ", table, n, sum.S)
	}
	return b.String()
}
