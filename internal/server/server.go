// Package server is crmlens's HTTP face: Echo, the routes generated from
// openapi.yaml (api.ServerInterface), the error table that turns domain
// errors into statuses, request logging without secrets, and the embedded
// front end.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/ratelimit"
	"github.com/crmlens/crmlens/internal/servicetoken"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// Deps is everything the server needs, passed in by the caller.
type Deps struct {
	DB      *gorm.DB
	Sidebar *sidebar.Service
	Tokens  *sessiontoken.Issuer
	// Assets is the built front end (frontend.Dist()): index.html,
	// sidebar.html and assets/.
	Assets fs.FS
	Logger *slog.Logger
	// Playground lists the demo conversations shown at /.
	Playground   *playground.Playground
	Integrations *integration.Service
	Admins       *admin.Service
	Layouts      *layout.Store
	// Failures limits failed attempts per client address (nil: 20 failures,
	// then 10 a minute).
	Failures *ratelimit.Failures
	// Agents lists agents and assigns groups (nil: agents.New(DB)).
	Agents *agents.Service
	// Importer imports the agents admins paste (nil: importer.New(DB)
	// declaring them through Agents).
	Importer *importer.Importer
	// ServiceTokens authenticates the sync API's tokens (nil:
	// servicetoken.NewStore(DB)).
	ServiceTokens *servicetoken.Store
	// AuditLog lists and exports the audit trail and records admins'
	// actions (nil: audit.New(DB), naming agents through Agents).
	AuditLog *audit.Log
	// Metrics records request latency and is served at /metrics; nil: no
	// /metrics route.
	Metrics *metrics.Metrics
	// MetricsToken, when set, is the bearer token /metrics requires
	// (CRMLENS_METRICS_TOKEN).
	MetricsToken string
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client (CRMLENS_TRUSTED_PROXIES); empty: the peer address.
	TrustedProxies []*net.IPNet
	// RequestTimeout bounds each request (zero: DefaultRequestTimeout).
	RequestTimeout time.Duration
	// TLS is set when crmlens serves HTTPS itself (CRMLENS_TLS_CERT):
	// answers carry Strict-Transport-Security.
	TLS bool
	// CheckResponse, when set (tests), is told of every success answer of
	// an operation that does not match openapi.yaml (its status, or its
	// body against the response schema).
	CheckResponse func(operationID string, err error)
}

// MaxBodyBytes bounds every request body.
const (
	MaxBodyBytes = 64 << 10
	maxBody      = "64K"
)

// Server implements api.ServerInterface.
type Server struct {
	db      *gorm.DB
	sidebar *sidebar.Service
	tokens  *sessiontoken.Issuer
	assets  fs.FS
	log     *slog.Logger

	playground    *playground.Playground
	integrations  *integration.Service
	admins        *admin.Service
	layouts       *layout.Store
	failures      *ratelimit.Failures
	agents        *agents.Service
	importer      *importer.Importer
	serviceTokens *servicetoken.Store
	auditLog      *audit.Log
	metrics       *metrics.Metrics
	checkResponse func(operationID string, err error)
	// routes are the registered "METHOD pattern" pairs, for metric labels.
	routes map[string]struct{}
}

var _ api.ServerInterface = (*Server)(nil)

// New returns the Echo instance serving every crmlens route.
func New(d Deps) *echo.Echo {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Failures == nil {
		d.Failures = ratelimit.New(20, 10, nil)
	}
	if d.Agents == nil {
		d.Agents = agents.New(d.DB, nil)
	}
	if d.Importer == nil && d.DB != nil {
		d.Importer = importer.New(d.DB).WithAgents(d.Agents)
	}
	if d.ServiceTokens == nil && d.DB != nil {
		d.ServiceTokens = servicetoken.NewStore(d.DB)
	}
	if d.AuditLog == nil {
		d.AuditLog = audit.New(d.DB).WithAgents(d.Agents)
	}
	s := &Server{agents: d.Agents, importer: d.Importer, serviceTokens: d.ServiceTokens, auditLog: d.AuditLog, db: d.DB, sidebar: d.Sidebar, tokens: d.Tokens, assets: d.Assets, log: d.Logger, playground: d.Playground,
		integrations: d.Integrations, admins: d.Admins, layouts: d.Layouts, failures: d.Failures, metrics: d.Metrics,
		checkResponse: d.CheckResponse}
	e := echo.New()
	// Client addresses come from the connection, or from X-Forwarded-For
	// as far as trusted proxies vouch for it (ops.go).
	e.IPExtractor = ipExtractor(d.TrustedProxies)
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID())
	e.Use(s.requestLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}))
	e.Use(headerLimit)
	// The sync routes take bodies up to importer.MaxSyncBytes (sync.go);
	// every other route MaxBodyBytes.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: maxBody, Skipper: isSyncRoute}))
	e.Use(syncBodyLimit)
	e.Use(requestTimeout(d.RequestTimeout))
	hsts := 0
	if d.TLS {
		// A year, this host only: crmlens does not speak for its
		// subdomains. Echo sends it only on TLS requests.
		hsts = 365 * 24 * 3600
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff:    "nosniff",
		ReferrerPolicy:        "no-referrer",
		HSTSMaxAge:            hsts,
		HSTSExcludeSubdomains: true,
		// X-Frame-Options is left out on purpose: the sidebar must be framed;
		// Content-Security-Policy frame-ancestors decides who may.
	}))
	// Every operation of openapi.yaml is validated against it before its
	// handler runs (validate.go); the other routes below are not in the
	// spec (specExempt).
	mws, err := s.operationMiddlewares(mustSpec())
	if err != nil {
		panic(err)
	}
	api.RegisterHandlersWithOptions(e, s, api.RegisterHandlersOptions{OperationMiddlewares: mws})
	e.GET("/", s.playgroundPage)
	e.GET("/assets/*", s.asset)
	e.GET("/admin", s.adminPage)
	if d.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(d.Metrics.Handler()), metricsAuth(d.MetricsToken))
	}
	s.routes = map[string]struct{}{}
	for _, r := range e.Routes() {
		s.routes[r.Method+" "+r.Path] = struct{}{}
	}
	return e
}

// specExempt are the routes served outside openapi.yaml: the front end's
// pages and files, and Prometheus's /metrics. Every other route, /api/
// first of all, is an operation of the spec (TestRoutesInSpec).
var specExempt = map[string]bool{
	"GET /":         true,
	"GET /assets/*": true,
	"GET /admin":    true,
	"GET /metrics":  true,
}

// requestLog writes one line per request: the route pattern, never the path
// or query (which carry slugs, ciphertexts and tokens).
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.observe(c, start)
		status := c.Response().Status
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request().Context(), level, "request",
			slog.String("method", c.Request().Method),
			slog.String("route", c.Path()),
			slog.Int("status", status),
			slog.Duration("elapsed", time.Since(start)),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("client", c.RealIP()),
		)
		return nil
	}
}

func (s *Server) logPanic(c echo.Context, err error, stack []byte) error {
	s.log.Error("panic", "route", c.Path(), "err", err.Error(), "stack", string(stack))
	return err
}

// GetHealthz answers while the process runs.
func (s *Server) GetHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, api.Health{Status: "ok"})
}

// GetReadyz answers 200 when the database answers within 2 seconds.
func (s *Server) GetReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	sqlDB, err := s.db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		s.log.Warn("readiness check failed", "err", database.Redact(err))
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
		return writeError(c, http.StatusServiceUnavailable, "database_unavailable", "the database is not reachable; retry shortly")
	}
	return c.JSON(http.StatusOK, api.Health{Status: "ok"})
}
