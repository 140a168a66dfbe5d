package audit

import (
	"context"

	"gorm.io/gorm"
)

// OnTx writes the audit record of a change on tx, the transaction that
// makes the change, given the value as changed: services that change
// something an admin must see in the trail (integrations, fields, agents,
// layouts, imports) take one and run it before they commit, so that a change
// whose record cannot be written is not made.
type OnTx[T any] func(tx *gorm.DB, changed T) error

// Run calls h on tx with changed; a nil h records nothing.
func (h OnTx[T]) Run(tx *gorm.DB, changed T) error {
	if h == nil {
		return nil
	}
	return h(tx, changed)
}

// RecordOn writes ev on tx, the transaction of the change it records, so
// that both are written or neither is.
func RecordOn(ctx context.Context, tx *gorm.DB, ev Event) error {
	return New(tx).Record(ctx, ev)
}
