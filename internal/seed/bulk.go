package seed

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// bulk inserts rows with multi-row INSERTs built by GORM but run through
// statements prepared once per transaction. (GORM's own prepared-statement
// mode prepares every statement again inside a transaction: for INSERTs of
// thousands of placeholders that doubles MariaDB's work.)
type bulk struct {
	ctx   context.Context
	db    *gorm.DB
	tx    *sql.Tx
	batch int
	stmts map[string]*sql.Stmt
}

// withBulk runs fn in one transaction of db.
func withBulk(ctx context.Context, db *gorm.DB, batch int, fn func(b *bulk) error) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	tx, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	b := &bulk{ctx: ctx, db: db.Session(&gorm.Session{DryRun: true, NewDB: true}), tx: tx, batch: batch, stmts: map[string]*sql.Stmt{}}
	err = fn(b)
	for _, s := range b.stmts {
		_ = s.Close()
	}
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insert writes rows, a slice of models, b.batch rows per statement.
func insert[T any](b *bulk, rows []T) error {
	for start := 0; start < len(rows); start += b.batch {
		part := rows[start:min(start+b.batch, len(rows))]
		stmt := b.db.Create(&part).Statement
		if stmt.Error != nil {
			return stmt.Error
		}
		query := stmt.SQL.String()
		s, ok := b.stmts[query]
		if !ok {
			var err error
			if s, err = b.tx.PrepareContext(b.ctx, query); err != nil {
				return err
			}
			b.stmts[query] = s
		}
		if _, err := s.ExecContext(b.ctx, stmt.Vars...); err != nil {
			return err
		}
	}
	return nil
}
