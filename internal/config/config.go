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
	"reflect"
	"strings"

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
