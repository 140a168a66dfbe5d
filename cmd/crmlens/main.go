// Command crmlens serves the CRM sidebar that customer-service platforms
// frame beside a conversation, and manages its data: migrate, seed, import,
// integrations and the parameter ciphers. Configuration comes from CRMLENS_*
// environment variables (see README.md).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/matchkey"
)

// version is set at build time by -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "crmlens:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "crmlens",
		Short:         "The CRM sidebar for customer-service platforms",
		Long:          "crmlens shows a company's CRM data beside each conversation in Easemob Kefu, ShareCRM web channels,\nChatwoot and any platform that can sign a URL. Configuration: CRMLENS_* environment variables (README.md).",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newMigrate(), newSeed(), newImport(), newIntegration(), newCrypto(), newAdmin(), newLayout(), newAudit(), newField(),
		&cobra.Command{Use: "version", Short: "Print the version, commit and Go version", Args: cobra.NoArgs, Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
		}})
	return root
}

// env is what every command that touches the database starts from.
type env struct {
	cfg     config.Config
	log     *slog.Logger
	db      *gorm.DB
	dialect database.Dialect
	keys    *keyring.Keyring
	// norm normalizes phones and e-mails (CRMLENS_DEFAULT_REGION).
	norm matchkey.Normalizer
}

// integrations returns the integration service of e.
func (e *env) integrations() *integration.Service {
	return integration.New(e.db, e.keys, e.cfg.KeyGrace, nil)
}

// openKeyring loads the master key from CRMLENS_MASTER_KEY or its file,
// creating the file on first start of the embedded default.
func openKeyring(cfg config.Config, log *slog.Logger) (*keyring.Keyring, error) {
	if cfg.MasterKey != "" {
		k, err := keyring.Parse(cfg.MasterKey)
		if err != nil {
			return nil, err
		}
		return keyring.New(k)
	}
	path := cfg.MasterKeyPath()
	k, created, err := keyring.LoadOrCreateFile(path)
	if err != nil {
		return nil, fmt.Errorf("CRMLENS_MASTER_KEY_FILE: %w", err)
	}
	if created {
		log.Warn("created a master key for sealing integration and session signing keys; back it up, or set CRMLENS_MASTER_KEY", "file", path)
	}
	return keyring.New(k)
}

// openEnv loads the configuration, sets up logging and opens the database.
// When migrate is true, pending migrations are applied.
func openEnv(ctx context.Context, migrate bool) (*env, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	log, err := newLogger(cfg, os.Stderr)
	if err != nil {
		return nil, err
	}
	return openEnvWith(ctx, cfg, migrate, log)
}

// openEnvWith is openEnv over a loaded configuration and its logger
// (newLogger).
func openEnvWith(ctx context.Context, cfg config.Config, migrate bool, log *slog.Logger) (*env, error) {
	keys, err := openKeyring(cfg, log)
	if err != nil {
		return nil, err
	}
	norm, err := cfg.Normalizer()
	if err != nil {
		return nil, err
	}
	db, dialect, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := database.Migrate(ctx, db, dialect, norm)
		if err != nil {
			_ = database.Close(db)
			return nil, err
		}
		if n > 0 {
			log.Info("database migrated", "dialect", string(dialect), "applied", n)
		}
	}
	return &env{cfg: cfg, log: log, db: db, dialect: dialect, keys: keys, norm: norm}, nil
}

func (e *env) close() { _ = database.Close(e.db) }

func newLogger(cfg config.Config, out io.Writer) (*slog.Logger, error) {
	level, err := cfg.Level()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	}
	return slog.New(slog.NewTextHandler(out, opts)), nil
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 time such as 2026-11-01T00:00:00Z", name)
	}
	return t, nil
}

// withEnv adapts fn into a cobra RunE that opens the environment (migrated
// database, keys, logger) first and closes it after.
func withEnv(fn func(cmd *cobra.Command, args []string, e *env) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		e, err := openEnv(cmd.Context(), true)
		if err != nil {
			return err
		}
		defer e.close()
		return fn(cmd, args, e)
	}
}

// versionLine is the version set at build time with the commit and time the
// Go toolchain stamped into the binary (when built from a git checkout) and
// the Go version and platform.
func versionLine() string {
	line := "crmlens " + version
	var extra []string
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, at, dirty := "", "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			extra = append(extra, "commit "+rev)
		}
		if at != "" {
			extra = append(extra, "committed "+at)
		}
	}
	extra = append(extra, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	return line + " (" + strings.Join(extra, ", ") + ")"
}
