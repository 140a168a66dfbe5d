package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmlens/crmlens/frontend"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/gctune"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/playground"
	"github.com/crmlens/crmlens/internal/seed"
	"github.com/crmlens/crmlens/internal/server"
	"github.com/crmlens/crmlens/internal/sessiontoken"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func newServe() *cobra.Command {
	var demo bool
	var demoContacts int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sidebar, the playground and the API",
		Long: "Serve listens on CRMLENS_ADDR. It applies pending migrations first unless CRMLENS_MIGRATE_ON_START=false.\n" +
			"With --demo it loads the demo data on first start (an easemob integration \"" + seed.DemoSlug + "\" and demo contacts).",
		Args: cobra.NoArgs,
		RunE: withEnv(func(cmd *cobra.Command, _ []string, e *env) error {
			ctx := cmd.Context()
			if percent, fromEnv := gctune.Apply(os.Getenv); !fromEnv {
				e.log.Debug("garbage collector target set", "gogc", percent)
			}
			if demo {
				sum, err := seed.Demo(ctx, e.db, seed.Options{Contacts: demoContacts, SealKey: e.keys.Seal})
				if err != nil {
					return fmt.Errorf("load demo data: %w", err)
				}
				if !sum.AlreadySeeded {
					e.log.Info("demo data loaded", "contacts", demoContacts)
				}
			}
			admins := admin.New(e.db, 0)
			// The embedded default gets a first admin, its password shown
			// once on stdout (never in the logs).
			firstAdmin, firstPassword := "", ""
			if e.dialect == database.SQLite {
				email, password, created, err := admins.EnsureFirst(ctx)
				if err != nil {
					return fmt.Errorf("create the first admin: %w", err)
				}
				if created {
					firstAdmin, firstPassword = email, password
				}
			}
			tokens, err := sessiontoken.New(ctx, e.db, nil)
			if err != nil {
				return err
			}
			assets, err := frontend.Dist()
			if err != nil {
				return err
			}
			integrations := e.integrations()
			layouts := layout.NewStore(e.db, nil)
			auditLog := audit.NewAsync(audit.New(e.db), e.log)
			h := server.New(server.Deps{
				DB: e.db, Tokens: tokens, Assets: assets, Logger: e.log, Layouts: layouts,
				Sidebar:      sidebar.New(sidebar.Deps{DB: e.db, Tokens: tokens, Integrations: integrations, Layouts: layouts, Audit: auditLog}),
				Playground:   playground.New(e.db, integrations),
				Integrations: integrations,
				Admins:       admins,
			})
			srv := &http.Server{
				Addr:              e.cfg.Addr,
				Handler:           h,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				WriteTimeout:      60 * time.Second,
				IdleTimeout:       120 * time.Second,
			}
			ln, err := net.Listen("tcp", e.cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on CRMLENS_ADDR=%s: %w", e.cfg.Addr, err)
			}
			base := e.cfg.BaseURL()
			e.log.Info("crmlens is serving", "addr", ln.Addr().String(), "dialect", string(e.dialect))
			if demo {
				fmt.Fprintf(cmd.OutOrStdout(), "\n  crmlens is running. Open the playground: %s/\n  Sidebar URL of the demo Easemob integration: %s/sidebar/%s\n\n", base, base, seed.DemoSlug)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "\n  crmlens is running on %s (health: %s/healthz)\n\n", base, base)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "  Admin console: %s/admin\n", base)
			if firstAdmin != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "  First admin created: %s  password: %s\n  (shown only this once; sign in and change it)\n\n", firstAdmin, firstPassword)
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			e.log.Info("shutting down: draining requests")
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			if err := auditLog.Close(shutdownCtx); err != nil {
				e.log.Error("shutdown", "err", err.Error())
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo data on first start")
	cmd.Flags().IntVar(&demoContacts, "demo-contacts", 200, "number of demo contacts to load with --demo")
	return cmd
}
