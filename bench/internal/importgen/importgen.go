// Package importgen writes the NDJSON files crmlens-bench imports: accounts,
// then contacts (four in five belonging to an account, each with one Easemob
// identity), in the format of docs/import.md.
package importgen

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Files are the generated import files.
type Files struct {
	Accounts string
	Contacts string
	// NumAccounts and NumContacts are the records in each file.
	NumAccounts int
	NumContacts int
	// Bytes is the size of each file.
	AccountBytes int64
	ContactBytes int64
}

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}
	given    = []string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰"}
	first    = []string{"Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Zoe", "Leo"}
	last     = []string{"Johnson", "Smith", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark"}
	titles   = []string{"采购经理", "Buyer", "CTO", "运营总监", "Office Manager", "财务"}
	tiers    = []string{"enterprise", "smb", "mid-market"}
)

// Write writes contacts contact records and contacts/5 (at least 1) account
// records into dir. step, if not nil, is called with the number of records
// written so far every 1000 records.
func Write(ctx context.Context, dir string, contacts int, step func(n int)) (Files, error) {
	accounts := max(1, contacts/5)
	f := Files{
		Accounts: filepath.Join(dir, "accounts.ndjson"), Contacts: filepath.Join(dir, "contacts.ndjson"),
		NumAccounts: accounts, NumContacts: contacts,
	}
	var err error
	f.AccountBytes, err = write(ctx, f.Accounts, accounts, func(b []byte, i int) []byte {
		b = append(b, `{"external_id":"A`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","name":"Account `...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","industry":"Software","tier":"`...)
		b = append(b, tiers[i%len(tiers)]...)
		b = append(b, `","owner":"王磊"}`...)
		return b
	}, nil)
	if err != nil {
		return Files{}, err
	}
	f.ContactBytes, err = write(ctx, f.Contacts, contacts, func(b []byte, i int) []byte {
		b = append(b, `{"external_id":"C`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","name":"`...)
		if i%2 == 0 {
			b = append(b, surnames[i%len(surnames)]...)
			b = append(b, given[(i/10)%len(given)]...)
		} else {
			b = append(b, first[i%len(first)]...)
			b = append(b, ' ')
			b = append(b, last[(i/10)%len(last)]...)
		}
		b = append(b, `","phone":"1`...)
		b = append(b, fmt.Sprintf("%010d", (uint64(i)*48271+20240601)%10_000_000_000)...)
		b = append(b, `","email":"c`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `@example.com","title":"`...)
		b = append(b, titles[i%len(titles)]...)
		b = append(b, `","owner":"Sarah Chen"`...)
		if i%5 != 0 {
			b = append(b, `,"account_external_id":"A`...)
			b = strconv.AppendInt(b, int64(i%accounts), 10)
			b = append(b, '"')
		}
		b = append(b, `,"identities":[{"channel":"easemob","external_id":"import-visitor-`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `"}]}`...)
		return b
	}, step)
	if err != nil {
		return Files{}, err
	}
	return f, nil
}

func write(ctx context.Context, path string, n int, line func([]byte, int) []byte, step func(int)) (int64, error) {
	file, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(file, 1<<20)
	var size int64
	buf := make([]byte, 0, 512)
	for i := range n {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				_ = file.Close()
				return 0, err
			}
			if step != nil && i > 0 {
				step(i)
			}
		}
		buf = append(line(buf[:0], i), '\n')
		m, err := w.Write(buf)
		size += int64(m)
		if err != nil {
			_ = file.Close()
			return 0, err
		}
	}
	if step != nil {
		step(n)
	}
	if err := w.Flush(); err != nil {
		_ = file.Close()
		return 0, err
	}
	return size, file.Close()
}
