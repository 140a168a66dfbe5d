// Package audit writes the audit trail: every read of customer data and
// every sensitive action (key reveals, later links and layout changes), with
// who, which integration, visitor and contact, the request id and when.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/model"
)

// Actions recorded.
const (
	ActionContextRead = "context.read"
	ActionKeyReveal   = "key.reveal"
)

// Event is one audited action.
type Event struct {
	Action        string
	Actor         string
	IntegrationID *int64
	VisitorID     *int64
	ContactID     *int64
	RequestID     string
	// Detail is extra context, stored as JSON; never secrets.
	Detail map[string]string
	At     time.Time // zero: now
}

// Log writes events to a database.
type Log struct {
	db *gorm.DB
}

// New returns a Log over db.
func New(db *gorm.DB) *Log { return &Log{db: db} }

// Record writes ev.
func (l *Log) Record(ctx context.Context, ev Event) error {
	detail := "{}"
	if len(ev.Detail) > 0 {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = string(b)
	}
	at := ev.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	row := model.AuditEvent{
		Action: ev.Action, Actor: truncate(ev.Actor, 255), IntegrationID: ev.IntegrationID, VisitorID: ev.VisitorID,
		ContactID: ev.ContactID, RequestID: truncate(ev.RequestID, 64), Detail: detail, CreatedAt: at,
	}
	if err := l.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("write audit event %s: %w", ev.Action, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
