package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
)

// DefaultRequestTimeout bounds a request's work when Deps.RequestTimeout is
// zero.
const DefaultRequestTimeout = 15 * time.Second

// retryAfterSeconds is what a 503 asks clients to wait.
const retryAfterSeconds = "5"

// ipExtractor decides a request's client address. Without trusted proxies
// it is the connection's peer, never a header a client can forge. With them,
// X-Forwarded-For is walked from the right and the first address that is not
// a trusted proxy is the client; loopback and private ranges are trusted
// only when listed.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// requestTimeout cancels each request's context at d; work that waits on
// the database past it fails with context.DeadlineExceeded, answered 503 by
// handleError. /metrics and /healthz are exempt (they never wait on it).
func requestTimeout(d time.Duration) echo.MiddlewareFunc {
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Timeout: d,
		Skipper: func(c echo.Context) bool { return c.Path() == "/metrics" || c.Path() == "/healthz" },
		// Pass the error on unchanged: handleError maps it with the rest.
		ErrorHandler: func(err error, _ echo.Context) error { return err },
	})
}

// metricsAuth requires "Authorization: Bearer token" on /metrics when
// token is set (CRMLENS_METRICS_TOKEN); with it empty, /metrics is open.
func metricsAuth(token string) echo.MiddlewareFunc {
	if token == "" {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.KeyAuthWithConfig(middleware.KeyAuthConfig{
		KeyLookup:  "header:" + echo.HeaderAuthorization,
		AuthScheme: "Bearer",
		Validator: func(key string, _ echo.Context) (bool, error) {
			return subtle.ConstantTimeCompare([]byte(key), []byte(token)) == 1, nil
		},
		ErrorHandler: func(error, echo.Context) error {
			return apperr.New(apperr.Unauthorized, "metrics_unauthorized",
				"/metrics needs the header Authorization: Bearer with the token in CRMLENS_METRICS_TOKEN")
		},
	})
}

// unavailable turns a database outage or a passed deadline into an
// apperr of kind Unavailable; other errors are returned as they are.
func unavailable(err error) error {
	if apperr.As(err) != nil {
		return err
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return err
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && statementTimeouts[me.Number] {
		// The server's own bound on the statement (database.SessionLimits),
		// set within the request timeout: the request's deadline.
		return apperr.Wrap(err, apperr.Unavailable, database.CodeTimeout, "the request took too long and was cancelled; retry shortly")
	}
	if ue := database.Unavailable(err); ue != nil {
		return ue
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; nobody reads the answer.
		return apperr.Wrap(err, apperr.Unavailable, database.CodeTimeout, "the request was cancelled")
	}
	return err
}

// statementTimeouts are the server's errors for a statement stopped by
// database.SessionLimits.
var statementTimeouts = map[uint16]bool{
	1205: true, // ER_LOCK_WAIT_TIMEOUT (innodb_lock_wait_timeout)
	1969: true, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	3024: true, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
}

// observe records a request's latency under its route pattern. A path no
// route matched is "unmatched": a raw path may hold a slug and would make
// one series per URL.
func (s *Server) observe(c echo.Context, start time.Time) {
	if s.metrics == nil {
		return
	}
	route := c.Path()
	if _, ok := s.routes[c.Request().Method+" "+route]; !ok {
		route = "unmatched"
	}
	s.metrics.ObserveRequest(c.Request().Method, route, c.Response().Status, time.Since(start))
}
