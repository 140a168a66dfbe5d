// Package config reads crmlens's configuration from CRMLENS_* environment
// variables (documented in README.md) and validates it, naming the variable
// at fault. There is no global config: Load returns a value to pass on.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/crmlens/crmlens/internal/database"
)

// Config is crmlens's whole configuration.
type Config struct {
	// Addr is where serve listens.
	Addr string `env:"CRMLENS_ADDR" envDefault:":8080"`
	// DatabaseURL is sqlite://PATH or mysql://user:pass@host:port/db?opts.
	DatabaseURL string `env:"CRMLENS_DATABASE_URL" envDefault:"sqlite://./data/crmlens.db"`
	// PublicURL is how platforms reach crmlens, used to print the sidebar
	// URL of an integration. Empty: derived from Addr as http://localhost.
	PublicURL string `env:"CRMLENS_PUBLIC_URL"`
	// LogFormat is text or json.
	LogFormat string `env:"CRMLENS_LOG_FORMAT" envDefault:"text"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"CRMLENS_LOG_LEVEL" envDefault:"info"`
	// MigrateOnStart makes serve apply pending migrations before listening.
	MigrateOnStart bool `env:"CRMLENS_MIGRATE_ON_START" envDefault:"true"`
	// MasterKey (base64 of 32 bytes) seals integration keys at rest.
	MasterKey string `env:"CRMLENS_MASTER_KEY"`
	// MasterKeyFile holds the master key when MasterKey is empty. Default
	// with SQLite: master.key beside the database file, created on first
	// start. MySQL needs one of the two set, shared by every instance.
	MasterKeyFile string `env:"CRMLENS_MASTER_KEY_FILE"`
	// KeyGrace is how long a rotated-out integration key stays valid.
	KeyGrace time.Duration `env:"CRMLENS_KEY_GRACE" envDefault:"24h"`
}

// MasterKeyPath is where the master key file is, or "" when the key must come
// from CRMLENS_MASTER_KEY.
func (c Config) MasterKeyPath() string {
	if c.MasterKeyFile != "" {
		return c.MasterKeyFile
	}
	t, err := database.ParseURL(c.DatabaseURL)
	if err != nil || t.Dialect != database.SQLite {
		return ""
	}
	return filepath.Join(filepath.Dir(t.Path), "master.key")
}

// Load reads the environment and validates the result.
func Load() (Config, error) {
	return LoadFrom(nil)
}

// LoadFrom is Load over the given variables (nil: the process environment).
func LoadFrom(environ map[string]string) (Config, error) {
	var c Config
	opts := env.Options{}
	if environ != nil {
		opts.Environment = environ
	}
	if err := env.ParseWithOptions(&c, opts); err != nil {
		var pe env.ParseError
		if errors.As(err, &pe) {
			return Config{}, fmt.Errorf("%s: %v", variableOf(pe.Name), pe.Err)
		}
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, c.Validate()
}

// variableOf maps a Config field name to its environment variable.
func variableOf(field string) string {
	if f, ok := reflect.TypeFor[Config]().FieldByName(field); ok {
		return f.Tag.Get("env")
	}
	return field
}

// Validate names the first variable that is wrong and why.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("CRMLENS_ADDR=%q is not host:port (e.g. :8080 or 127.0.0.1:8080)", c.Addr)
	}
	if _, err := database.ParseURL(c.DatabaseURL); err != nil {
		return err
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("CRMLENS_PUBLIC_URL must be an http(s) URL such as https://crm.example.com")
		}
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("CRMLENS_LOG_FORMAT=%q: use text or json", c.LogFormat)
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if c.MasterKey == "" && c.MasterKeyPath() == "" {
		return errors.New("CRMLENS_MASTER_KEY (or CRMLENS_MASTER_KEY_FILE) is required with MySQL: every instance sharing the database must seal keys with the same master key")
	}
	if c.KeyGrace < 0 || c.KeyGrace > 30*24*time.Hour {
		return fmt.Errorf("CRMLENS_KEY_GRACE=%s must be between 0 and 720h", c.KeyGrace)
	}
	return nil
}

// Level is LogLevel as a slog.Level.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("CRMLENS_LOG_LEVEL=%q: use debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// BaseURL is PublicURL, or http://localhost:PORT derived from Addr.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(c.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
