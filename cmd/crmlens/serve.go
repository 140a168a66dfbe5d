package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/frontend"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/gctune"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/importer/mysqlbulk"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/seed"
	"github.com/crmlens/crmlens/internal/server"
	"github.com/crmlens/crmlens/internal/servicetoken"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
	"github.com/crmlens/crmlens/internal/source"
)

func newServe() *cobra.Command {
	var demo bool
	var demoContacts int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sidebar, the admin console and the API (and the playground with --demo)",
		Long: "Serve listens on CRMLENS_ADDR (HTTPS with CRMLENS_TLS_CERT and CRMLENS_TLS_KEY). It applies pending migrations first\n" +
			"unless CRMLENS_MIGRATE_ON_START=false, in which case it refuses to start while migrations are pending.\n" +
			"With --demo it loads the demo data on first start (an easemob integration \"" + seed.DemoSlug + "\" and demo contacts) and serves\n" +
			"the playground, which hands out working sidebar URLs to anyone: --demo refuses a database holding contacts that are\n" +
			"not demo data, and serve without --demo refuses a database holding the demo integration.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			// Everything that can be wrong with the configuration is found
			// before anything starts.
			log, err := newLogger(cfg, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			tlsCfg, err := cfg.LoadTLS(log)
			if err != nil {
				return err
			}
			e, err := openEnvWith(ctx, cfg, cfg.MigrateOnStart, log)
			if err != nil {
				return err
			}
			defer e.close()
			if n := e.createdNotice(databaseURLSet()); n != "" {
				e.log.Warn(n)
			}
			if percent, fromEnv := gctune.Apply(os.Getenv); !fromEnv {
				e.log.Debug("garbage collector target set", "gogc", percent)
			}
			if !cfg.MigrateOnStart {
				pending, err := database.Pending(ctx, e.db, e.dialect)
				if err != nil {
					return err
				}
				if pending {
					return errors.New("CRMLENS_MIGRATE_ON_START=false and the database has pending migrations: run `crmlens migrate` first")
				}
			}
			// An import that stopped between the two commits of a first
			// contacts import left its identities' branch prepared, holding
			// locks (internal/importer/mysqlbulk, xa.go): finish it, without holding
			// up the start (it waits for an import still deciding).
			if err := checkDemo(ctx, e.db, demo); err != nil {
				return err
			}
			migrated := e.db
			go func() {
				if n, err := mysqlbulk.Recover(ctx, migrated); err != nil && ctx.Err() == nil {
					e.log.Warn("could not finish interrupted imports", "err", err)
				} else if n > 0 {
					e.log.Info("finished interrupted imports", "count", n)
				}
			}()
			if demo {
				sum, err := seed.Demo(ctx, e.db, seed.Options{Contacts: demoContacts, SealKey: e.keys.Seal, Normalizer: e.norm})
				if err != nil {
					return fmt.Errorf("load demo data: %w", err)
				}
				if !sum.AlreadySeeded {
					e.log.Info("demo data loaded", "contacts", demoContacts)
				}
			}
			opts := serveOptions{out: cmd.OutOrStdout(), demo: demo}
			// The embedded default gets a first admin, its password shown
			// once on stdout (never in the logs).
			if e.dialect == database.SQLite {
				email, password, created, err := admin.New(e.db, 0).EnsureFirst(ctx)
				if err != nil {
					return fmt.Errorf("create the first admin: %w", err)
				}
				if created {
					opts.firstAdmin, opts.firstPassword = email, password
				}
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on CRMLENS_ADDR=%s: %w", cfg.Addr, err)
			}
			return serveOn(ctx, e, ln, tlsCfg, opts)
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo data on first start")
	cmd.Flags().IntVar(&demoContacts, "demo-contacts", 200, "number of demo contacts to load with --demo")
	return cmd
}

// demoContactPrefix starts the external id of every demo contact
// (internal/seed, generate.go).
const demoContactPrefix = "demo-contact-"

// checkDemo keeps demo data and production apart. The playground hands out
// working sidebar URLs of the demo integration to anyone who asks, so
// --demo refuses a database holding contacts that are not demo data. And a
// database holding the demo integration is refused without --demo: its
// URLs were public, and disabling it quietly would leave an integration
// the console shows but nothing serves; the operator decides (serve it as
// the demo, or serve production from a database of its own).
func checkDemo(ctx context.Context, db *gorm.DB, demo bool) error {
	if demo {
		var n int64
		if err := db.WithContext(ctx).Model(&model.Contact{}).Where("external_id IS NULL OR external_id NOT LIKE ?", demoContactPrefix+"%").
			Count(&n).Error; err != nil {
			return fmt.Errorf("--demo: count contacts: %w", err)
		}
		if n > 0 {
			holds := count(int(n), "contacts") + " that are not demo data (external ids not starting with %q)"
			if n == 1 {
				holds = "1 contact that is not demo data (an external id not starting with %q)"
			}
			return fmt.Errorf("--demo refuses this database: it holds "+holds+", "+
				"and the demo's playground hands out working sidebar URLs to anyone; serve it without --demo, or give the demo a database of its own (CRMLENS_DATABASE_URL)",
				demoContactPrefix)
		}
		return nil
	}
	var n int64
	if err := db.WithContext(ctx).Model(&model.Integration{}).Where("slug = ?", seed.DemoSlug).Count(&n).Error; err != nil {
		return fmt.Errorf("look for the demo integration: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("this database holds the demo integration %q (from `crmlens serve --demo` or `crmlens seed --demo`), whose sidebar URLs the playground "+
			"handed out to anyone; serve it with --demo while it holds only demo data, or serve production from a database without demo data (CRMLENS_DATABASE_URL)",
			seed.DemoSlug)
	}
	return nil
}

// statementBound is how long the database may run one statement of a
// request (database.Options.StatementTimeout): within the request timeout,
// so that a statement of a request answered 503 at its deadline cannot go
// on and commit afterwards.
func statementBound(requestTimeout time.Duration) time.Duration {
	if requestTimeout <= 0 {
		requestTimeout = server.DefaultRequestTimeout
	}
	return requestTimeout * 9 / 10
}

// app is what one serving crmlens holds: its handler and what it must
// close after the last request.
type app struct {
	handler http.Handler
	metrics *metrics.Metrics
	audit   *audit.Async
	reads   *database.Reads
	// sources are the live sources the sidebar reads; Close them on
	// shutdown.
	sources *source.Set
}

// newApp wires the services of e into the HTTP handler: one metrics
// registry, the read replicas, the audit writer, every service; without the
// playground (newAppWith serves it for --demo).
func newApp(ctx context.Context, e *env) (*app, error) {
	return newAppWith(ctx, e, serveOptions{})
}

// newAppWith is newApp for serve's options: the playground only with
// opts.demo, HSTS with opts.tls.
func newAppWith(ctx context.Context, e *env, opts serveOptions) (*app, error) {
	m := metrics.New(version)
	sqlDB, err := e.db.DB()
	if err != nil {
		return nil, err
	}
	if err := m.WatchDB("primary", sqlDB); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	reads, err := database.OpenReads(ctx, e.db, e.cfg.ReplicaURLs, database.Options{Logger: e.log})
	if err != nil {
		return nil, err
	}
	for i, p := range reads.Pools {
		name := fmt.Sprintf("replica-%d", i+1)
		if err := errors.Join(m.WatchDB(name, p), m.WatchReplica(name, func() bool { return reads.Up(i) })); err != nil {
			_ = reads.Close()
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	tokens, err := sessiontoken.New(ctx, e.db, e.keys, nil)
	if err != nil {
		_ = reads.Close()
		return nil, err
	}
	assets, err := frontend.Dist()
	if err != nil {
		_ = reads.Close()
		return nil, err
	}
	proxies, err := e.cfg.TrustedProxyNets()
	if err != nil {
		_ = reads.Close()
		return nil, err
	}
	integrations := e.integrations()
	// One service per table owner, shared by every consumer.
	agentDir := agents.New(e.db, nil)
	layouts := layout.NewStore(e.db, nil).WithAgentGroups(agentDir)
	auditTrail := audit.New(e.db).WithAgents(agentDir)
	auditLog := audit.NewAsync(auditTrail, e.log)
	// Live sources: one that cannot be opened (its url_env unset) is left
	// out and logged by its error, which names the source, never its URL;
	// one that is down opens anyway and its panels say so. /readyz does not
	// look at them.
	sources, skipped, err := source.OpenAll(ctx, source.NewStore(e.db, e.keys), os.Getenv, source.Options{Norm: e.norm, Observer: m})
	if err != nil {
		_ = reads.Close()
		return nil, fmt.Errorf("open live sources: %w", err)
	}
	for _, err := range skipped {
		e.log.Warn("live source left out", "err", err.Error())
	}
	var demo *playground.Playground
	if opts.demo {
		demo = playground.New(e.db, integrations)
	}
	h := server.New(server.Deps{
		DB: e.db, Tokens: tokens, Assets: assets, Logger: e.log, Layouts: layouts,
		Sidebar: sidebar.New(sidebar.Deps{DB: e.db, Reads: reads.DB, Tokens: tokens, Integrations: integrations,
			Layouts: layouts, Agents: agentDir, Audit: auditLog, Metrics: m, Normalizer: e.norm, Sources: sources}),
		Agents:         agentDir,
		Importer:       importer.New(e.db).WithNormalizer(e.norm).WithAgents(agentDir),
		ServiceTokens:  servicetoken.NewStore(e.db),
		AuditLog:       auditTrail,
		Playground:     demo,
		TLS:            opts.tls,
		Integrations:   integrations,
		Admins:         admin.New(e.db, 0),
		Metrics:        m,
		MetricsToken:   e.cfg.MetricsToken,
		TrustedProxies: proxies,
		RequestTimeout: e.cfg.RequestTimeout,
	})
	return &app{handler: h, metrics: m, audit: auditLog, reads: reads, sources: sources}, nil
}

// newHTTPServer bounds every phase of a connection: a client that sends its
// headers slowly is cut at ReadHeaderTimeout, one that never finishes its
// body at ReadTimeout.
func newHTTPServer(h http.Handler, tlsCfg *tls.Config, log *slog.Logger, readHeader time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// headerLimit answers past server.MaxHeaderBytes, in the JSON shape.
		MaxHeaderBytes: server.ServerMaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serveOptions is what serveOn tells the operator on start.
type serveOptions struct {
	out  io.Writer
	demo bool
	// tls is set by serveOn: crmlens serves HTTPS itself.
	tls bool
	// firstAdmin and firstPassword are an admin created on this start,
	// shown once.
	firstAdmin, firstPassword string
}

// serveOn serves crmlens on ln until ctx ends, then stops accepting,
// drains in-flight requests for up to CRMLENS_SHUTDOWN_TIMEOUT and flushes
// the audit log.
func serveOn(ctx context.Context, e *env, ln net.Listener, tlsCfg *tls.Config, opts serveOptions) error {
	if e.dialect == database.MySQL {
		// Requests run on a pool whose sessions bound every statement
		// within the request timeout; the pool that migrated (statements
		// that may take long) is closed when serving ends.
		bounded, _, err := database.Open(ctx, e.cfg.DatabaseURL, database.Options{Logger: e.log, StatementTimeout: statementBound(e.cfg.RequestTimeout)})
		if err != nil {
			_ = ln.Close()
			return err
		}
		migrated := e.db
		e.db = bounded
		defer func() { _ = database.Close(migrated) }()
	}
	opts.tls = tlsCfg != nil
	a, err := newAppWith(ctx, e, opts)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { _ = a.reads.Close() }()
	defer a.sources.Close()
	srv := newHTTPServer(a.handler, tlsCfg, e.log, e.cfg.ReadHeaderTimeout)
	// net/http's own answers (malformed requests) in the JSON error shape.
	ln = server.JSONErrors(ln)
	base := e.cfg.BaseURL()
	e.log.Info("crmlens is serving", "addr", ln.Addr().String(), "dialect", string(e.dialect), "tls", tlsCfg != nil,
		"replicas", len(a.reads.Pools), "version", version)
	out := opts.out
	if opts.demo {
		fmt.Fprintf(out, "\n  crmlens is running. Open the playground: %s/\n  Sidebar URL of the demo Easemob integration: %s/sidebar/%s\n\n", base, base, seed.DemoSlug)
	} else {
		fmt.Fprintf(out, "\n  crmlens is running on %s (health: %s/healthz)\n\n", base, base)
	}
	fmt.Fprintf(out, "  Admin console: %s/admin\n", base)
	if opts.firstAdmin != "" {
		fmt.Fprintf(out, "  First admin created: %s  password: %s\n  (shown only this once; sign in and change it)\n\n", opts.firstAdmin, opts.firstPassword)
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down: draining requests", "limit", e.cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), e.cfg.ShutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	if err := a.audit.Close(shutdownCtx); err != nil {
		e.log.Error("shutdown: audit log", "err", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	e.log.Info("stopped")
	return nil
}
