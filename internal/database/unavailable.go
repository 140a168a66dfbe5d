package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/go-sql-driver/mysql"

	"github.com/crmlens/crmlens/internal/apperr"
)

// Error codes of database faults a client sees (with 503 and Retry-After).
const (
	CodeUnavailable = "database_unavailable"
	CodeTimeout     = "timeout"
)

// unavailableErrors are MySQL server errors that mean "not now" rather than
// "never": the server is full, shutting down, or gave up waiting.
var unavailableErrors = map[uint16]bool{
	1040: true, // ER_CON_COUNT_ERROR: too many connections
	1053: true, // ER_SERVER_SHUTDOWN
	1205: true, // ER_LOCK_WAIT_TIMEOUT
	1317: true, // ER_QUERY_INTERRUPTED
	1927: true, // ER_CONNECTION_KILLED (MariaDB)
	1969: true, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	3024: true, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
}

// Unavailable turns an error that says the database cannot answer now (a
// refused or broken connection, a server going away, a request whose
// deadline passed while it waited on the database) into an apperr of kind
// Unavailable, which clients get as 503 with Retry-After. Any other error,
// nil included, gives nil: it is not a database outage.
func Unavailable(err error) *apperr.Error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return apperr.Wrap(err, apperr.Unavailable, CodeTimeout, "the request took too long and was cancelled; retry shortly")
	}
	if isConnectionFault(err) {
		return apperr.Wrap(err, apperr.Unavailable, CodeUnavailable, "the database is not reachable; retry shortly")
	}
	return nil
}

func isConnectionFault(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return unavailableErrors[me.Number]
	}
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
		return true
	}
	return false
}
