// Package metrics holds crmlens's Prometheus metrics: request latency per
// route, database pool statistics, decrypt failures per integration and
// sidebar sessions per adapter. serve creates one *Metrics with its own
// registry and passes it to the server and the sidebar service; there is no
// global registry. Labels never carry a slug, key, token or customer value:
// integrations are named by id and name, routes by their pattern.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry and crmlens's own collectors. A nil *Metrics
// records nothing, so code and tests that do not care may pass nil.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	decrypt  *prometheus.CounterVec
	sessions *prometheus.CounterVec
	// sourceLatency and sourceErrors are per live source (internal/source).
	sourceLatency *prometheus.HistogramVec
	sourceErrors  *prometheus.CounterVec
}

// New returns Metrics with the Go runtime, process and build collectors,
// and version as crmlens_build_info's label.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crmlens_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
		decrypt: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmlens_decrypt_failures_total",
			Help: "Sidebar parameters that could not be decrypted or verified with the integration's key, by integration.",
		}, []string{"integration_id", "integration", "kind"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmlens_sidebar_sessions_total",
			Help: "Sidebar sessions opened, by adapter (integration kind).",
		}, []string{"adapter"}),
		sourceLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crmlens_source_query_duration_seconds",
			Help:    "Time of one read-only query of a live source, by source name and outcome (ok, error, timeout).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"source", "outcome"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmlens_source_errors_total",
			Help: "Live source queries that failed or ran out of time, by source name and outcome (error, timeout).",
		}, []string{"source", "outcome"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "crmlens_build_info",
		Help:        "Always 1; the version label is the running crmlens version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	reg.MustRegister(m.requests, m.decrypt, m.sessions, m.sourceLatency, m.sourceErrors, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry is the registry every collector is on, for tests and for
// registering more.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// WatchDB exports db's pool statistics (open, in use, idle, waits) as
// go_sql_* series labelled db_name=name ("primary", "replica-1", ...).
func (m *Metrics) WatchDB(name string, db *sql.DB) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(collectors.NewDBStatsCollector(db, name))
}

// WatchReplica exports crmlens_db_replica_up{db_name=name}: 1 while the
// read replica answers its checks (up reports it), 0 while its reads go
// elsewhere.
func (m *Metrics) WatchReplica(name string, up func() bool) error {
	if m == nil {
		return nil
	}
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "crmlens_db_replica_up",
		Help:        "1 while the read replica answers its checks, 0 while its reads go to the other replicas or the primary.",
		ConstLabels: prometheus.Labels{"db_name": name},
	}, func() float64 {
		if up() {
			return 1
		}
		return 0
	}))
}

// ObserveRequest records one answered request. route is the route pattern
// (never the path, which may hold a slug).
func (m *Metrics) ObserveRequest(method, route string, status int, elapsed time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
}

// DecryptFailed counts parameters of integration (id, name, kind) that did
// not decrypt or verify.
func (m *Metrics) DecryptFailed(id int64, name, kind string) {
	if m == nil {
		return
	}
	m.decrypt.WithLabelValues(strconv.FormatInt(id, 10), name, kind).Inc()
}

// SessionCreated counts a sidebar session opened through adapter.
func (m *Metrics) SessionCreated(adapter string) {
	if m == nil {
		return
	}
	m.sessions.WithLabelValues(adapter).Inc()
}

// ObserveSource records one query of live source (internal/source) that
// took elapsed and ended with outcome: "ok", "error" or "timeout".
func (m *Metrics) ObserveSource(source string, elapsed time.Duration, outcome string) {
	if m == nil {
		return
	}
	m.sourceLatency.WithLabelValues(source, outcome).Observe(elapsed.Seconds())
	if outcome != "ok" {
		m.sourceErrors.WithLabelValues(source, outcome).Inc()
	}
}
