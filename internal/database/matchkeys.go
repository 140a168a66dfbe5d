package database

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/crmlens/crmlens/internal/matchkey"
)

// matchKeysVersion is the Go migration that fills contacts.phone_match and
// email_match (added empty by 00007) for the rows that existed before.
const matchKeysVersion = 8

// matchKeysBatch is how many contacts one UPDATE fills: 5 placeholders a
// row stay far below SQLite's 32,766 and MySQL's 65,535.
const matchKeysBatch = 1000

// matchKeysMigration fills the match columns in batches of matchKeysBatch,
// in id order, each batch its own statement: a long table is never locked
// by one huge transaction, and a migration stopped half-way is simply run
// again (goose records the version only at the end; filled rows are filled
// again with the same values).
//
// On SQLite the batches run in goose's transaction instead: the pool has one
// connection (one writer is all SQLite allows), which goose holds while the
// migration runs, so a migration asking the pool for another would wait
// forever.
func matchKeysMigration(dialect Dialect, norm matchkey.Normalizer) *goose.Migration {
	up := &goose.GoFunc{Mode: goose.TransactionDisabled, RunDB: func(ctx context.Context, db *sql.DB) error {
		_, err := FillMatchKeys(ctx, db, norm, matchKeysBatch)
		return err
	}}
	// Down has nothing to undo: 00007's down drops the columns.
	down := &goose.GoFunc{Mode: goose.TransactionDisabled}
	if dialect == SQLite {
		up = &goose.GoFunc{Mode: goose.TransactionEnabled, RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := FillMatchKeys(ctx, tx, norm, matchKeysBatch)
			return err
		}}
		down = &goose.GoFunc{Mode: goose.TransactionEnabled}
	}
	return goose.NewGoMigration(matchKeysVersion, up, down)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// FillMatchKeys writes the normalized phone and e-mail of every contact, batch
// rows at a time, and returns how many contacts it read. It is what
// migration 8 runs; the bench times it.
func FillMatchKeys(ctx context.Context, db querier, norm matchkey.Normalizer, batch int) (int, error) {
	var after int64
	total := 0
	for {
		rows, err := db.QueryContext(ctx, "SELECT id, phone, email FROM contacts WHERE id > ? ORDER BY id LIMIT ?", after, batch)
		if err != nil {
			return total, fmt.Errorf("read contacts after id %d: %w", after, err)
		}
		type row struct {
			id           int64
			phone, email string
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.phone, &r.email); err != nil {
				_ = rows.Close()
				return total, fmt.Errorf("read contacts after id %d: %w", after, err)
			}
			got = append(got, r)
		}
		if err := rows.Close(); err != nil {
			return total, fmt.Errorf("read contacts after id %d: %w", after, err)
		}
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("read contacts after id %d: %w", after, err)
		}
		if len(got) == 0 {
			return total, nil
		}
		// One UPDATE ... CASE per batch: the same statement on both engines.
		var phones, emails, ids strings.Builder
		args := make([]any, 0, 5*len(got))
		phoneArgs := make([]any, 0, 2*len(got))
		emailArgs := make([]any, 0, 2*len(got))
		idArgs := make([]any, 0, len(got))
		for i, r := range got {
			phones.WriteString(" WHEN ? THEN ?")
			emails.WriteString(" WHEN ? THEN ?")
			if i > 0 {
				ids.WriteString(",")
			}
			ids.WriteString("?")
			phoneArgs = append(phoneArgs, r.id, norm.Phone(r.phone))
			emailArgs = append(emailArgs, r.id, norm.Email(r.email))
			idArgs = append(idArgs, r.id)
		}
		args = append(append(append(args, phoneArgs...), emailArgs...), idArgs...)
		q := "UPDATE contacts SET phone_match = CASE id" + phones.String() + " ELSE phone_match END, email_match = CASE id" +
			emails.String() + " ELSE email_match END WHERE id IN (" + ids.String() + ")"
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return total, fmt.Errorf("fill the match columns of contacts %d to %d: %w", got[0].id, got[len(got)-1].id, err)
		}
		total += len(got)
		after = got[len(got)-1].id
	}
}
