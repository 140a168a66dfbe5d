// Command crmlens serves the CRM sidebar that customer-service platforms
// frame beside a conversation, and manages its data: migrate, seed, import,
// integrations and the parameter ciphers. Configuration comes from CRMLENS_*
// environment variables (see README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
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
	"github.com/crmlens/crmlens/internal/platforms"
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
		Long:          "crmlens shows a company's CRM data beside each conversation in Easemob Kefu, ShareCRM web channels,\nChatwoot, Udesk, Sobot and any platform that can sign a URL. Configuration: CRMLENS_* environment variables (README.md).",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newMigrate(), newSeed(), newImport(), newIntegration(platforms.Default()), newCrypto(), newAdmin(), newLayout(), newAudit(), newField(), newSource(), newToken(),
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
	// platforms are the platforms integrations may connect.
	platforms *platforms.Registry
	// created is the absolute path of the SQLite file when opening created
	// it (a command run outside the repository, where ./data is empty).
	created string
}

// createdNotice is what a command says when it had to create the database.
// urlSet says the database was named by CRMLENS_DATABASE_URL (or its
// _FILE): then the person chose it, and suggesting the variable would be
// advice they already followed.
func (e *env) createdNotice(urlSet bool) string {
	if e.created == "" {
		return ""
	}
	if urlSet {
		return fmt.Sprintf("created a new SQLite database at %s: the file CRMLENS_DATABASE_URL names did not exist", e.created)
	}
	return fmt.Sprintf("created a new SQLite database at %s; set CRMLENS_DATABASE_URL to use another", e.created)
}

// databaseURLSet says whether the environment names the database
// (CRMLENS_DATABASE_URL or CRMLENS_DATABASE_URL_FILE) rather than leaving
// the default ./data/crmlens.db.
func databaseURLSet() bool {
	return os.Getenv("CRMLENS_DATABASE_URL") != "" || os.Getenv("CRMLENS_DATABASE_URL_FILE") != ""
}

// newSQLiteFile returns the absolute path of the SQLite file raw names when
// it does not exist yet, and "" otherwise (MySQL, :memory:, an existing
// file).
func newSQLiteFile(raw string) string {
	t, err := database.ParseURL(raw)
	if err != nil || t.Dialect != database.SQLite || t.Path == "" || t.Path == ":memory:" {
		return ""
	}
	if _, err := os.Stat(t.Path); !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	abs, err := filepath.Abs(t.Path)
	if err != nil {
		return t.Path
	}
	return abs
}

// integrations returns the integration service of e.
func (e *env) integrations() *integration.Service {
	return integration.New(e.db, e.keys, e.platforms, e.cfg.KeyGrace, nil)
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
// When migrate is true, pending migrations are applied. When it had to
// create the SQLite file, it says so on cmd's standard error: a command run
// outside the repository would otherwise work on an empty database.
func openEnv(cmd *cobra.Command, migrate bool) (*env, error) {
	ctx := cmd.Context()
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	log, err := newLogger(cfg, os.Stderr)
	if err != nil {
		return nil, err
	}
	e, err := openEnvWith(ctx, cfg, migrate, log)
	if err != nil {
		return nil, err
	}
	if n := e.createdNotice(databaseURLSet()); n != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), n)
	}
	return e, nil
}

// openEnvWith is openEnv over a loaded configuration and its logger
// (newLogger).
func openEnvWith(ctx context.Context, cfg config.Config, migrate bool, log *slog.Logger) (*env, error) {
	created := newSQLiteFile(cfg.DatabaseURL)
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
	return &env{cfg: cfg, log: log, db: db, dialect: dialect, keys: keys, norm: norm, platforms: platforms.Default(), created: created}, nil
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
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil // midnight UTC
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be a day such as 2026-11-01 (midnight UTC) or an RFC 3339 time such as 2026-11-01T08:00:00+08:00", name)
	}
	return t, nil
}

// withEnv adapts fn into a cobra RunE that opens the environment (migrated
// database, keys, logger) first and closes it after.
func withEnv(fn func(cmd *cobra.Command, args []string, e *env) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		e, err := openEnv(cmd, true)
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
