package database_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
)

func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connection refused"}}
	tests := []struct {
		name     string
		err      error
		wantCode string // "" : not an outage
	}{
		{"nil", nil, ""},
		{"dial refused", fmt.Errorf("load visitor: %w", refused), database.CodeUnavailable},
		{"econnrefused", fmt.Errorf("ping: %w", syscall.ECONNREFUSED), database.CodeUnavailable},
		{"bad conn", fmt.Errorf("q: %w", driver.ErrBadConn), database.CodeUnavailable},
		{"invalid conn", fmt.Errorf("q: %w", mysql.ErrInvalidConn), database.CodeUnavailable},
		{"server shutdown", &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, database.CodeUnavailable},
		{"too many connections", &mysql.MySQLError{Number: 1040}, database.CodeUnavailable},
		{"deadline", fmt.Errorf("load visitor: %w", context.DeadlineExceeded), database.CodeTimeout},
		{"duplicate key is not an outage", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '15912345678'"}, ""},
		{"not found is not an outage", gorm.ErrRecordNotFound, ""},
		{"plain error", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := database.Unavailable(tt.err)
			if tt.wantCode == "" {
				if got != nil {
					t.Fatalf("Unavailable(%v) = %v, want nil", tt.err, got)
				}
				return
			}
			if got == nil || got.Kind != apperr.Unavailable || got.Code != tt.wantCode || !errors.Is(got, tt.err) {
				t.Fatalf("Unavailable(%v) = %v, want kind unavailable, code %s, wrapping the cause", tt.err, got, tt.wantCode)
			}
		})
	}
}
