// Package config reads crmlens's configuration from CRMLENS_* environment
// variables (documented in README.md) and validates it, naming the variable
// at fault. There is no global config: Load returns a value to pass on.
package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/tlsfiles"
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

	// DatabaseURLFile holds the database URL (with its password) when
	// CRMLENS_DATABASE_URL is not set: a mounted Kubernetes or Docker secret.
	DatabaseURLFile string `env:"CRMLENS_DATABASE_URL_FILE"`
	// ReplicaURLs are read replicas of the MySQL primary (comma-separated
	// mysql:// URLs). The sidebar's context reads go to them; every write
	// and every read that must see its own writes stays on the primary.
	ReplicaURLs []string `env:"CRMLENS_DATABASE_REPLICA_URLS" envSeparator:","`

	// TLSCert and TLSKey are PEM files; with both set serve speaks HTTPS
	// itself. Set both or neither.
	TLSCert string `env:"CRMLENS_TLS_CERT"`
	TLSKey  string `env:"CRMLENS_TLS_KEY"`
	// TrustedProxies are the addresses (CIDRs or single IPs) of reverse
	// proxies whose X-Forwarded-For is believed for the client address.
	// Empty: the connection's peer address is the client.
	TrustedProxies []string `env:"CRMLENS_TRUSTED_PROXIES" envSeparator:","`

	// RequestTimeout bounds each request's work (its database queries are
	// cancelled at the deadline and the client gets 503).
	RequestTimeout time.Duration `env:"CRMLENS_REQUEST_TIMEOUT" envDefault:"15s"`
	// ReadHeaderTimeout cuts a client that has not sent its request
	// headers in time (slowloris).
	ReadHeaderTimeout time.Duration `env:"CRMLENS_READ_HEADER_TIMEOUT" envDefault:"10s"`
	// MetricsToken, when set, is the bearer token /metrics requires
	// (Prometheus's authorization.credentials); empty: /metrics is open,
	// for a listener only the scraper can reach.
	MetricsToken string `env:"CRMLENS_METRICS_TOKEN"`

	// ShutdownTimeout is how long serve drains in-flight requests on
	// SIGTERM before it closes the remaining connections.
	ShutdownTimeout time.Duration `env:"CRMLENS_SHUTDOWN_TIMEOUT" envDefault:"20s"`

	// DefaultRegion is the country assumed for phone numbers written
	// without a country code (13900139000 is +8613900139000 under CN), when
	// contacts are imported and visitors matched (internal/matchkey).
	DefaultRegion string `env:"CRMLENS_DEFAULT_REGION" envDefault:"CN"`
}

// Normalizer is the phone and e-mail normalizer of c's default region.
func (c Config) Normalizer() (matchkey.Normalizer, error) {
	n, err := matchkey.New(c.DefaultRegion)
	if err != nil {
		return matchkey.Normalizer{}, fmt.Errorf("CRMLENS_DEFAULT_REGION: %w", err)
	}
	return n, nil
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
	c.ReplicaURLs = nonEmpty(c.ReplicaURLs)
	c.TrustedProxies = nonEmpty(c.TrustedProxies)
	if c.DatabaseURLFile != "" {
		if lookup(environ, "CRMLENS_DATABASE_URL") != "" {
			return Config{}, errors.New("CRMLENS_DATABASE_URL_FILE: set it or CRMLENS_DATABASE_URL, not both")
		}
		b, err := os.ReadFile(c.DatabaseURLFile)
		if err != nil {
			return Config{}, fmt.Errorf("CRMLENS_DATABASE_URL_FILE: %w", err)
		}
		c.DatabaseURL = strings.TrimSpace(string(b))
	}
	return c, c.Validate()
}

// nonEmpty drops blank entries of a list variable ("" or "a,,b").
func nonEmpty(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// lookup reads name from environ, or from the process environment when
// environ is nil.
func lookup(environ map[string]string, name string) string {
	if environ == nil {
		return os.Getenv(name)
	}
	return environ[name]
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
	if _, err := c.Normalizer(); err != nil {
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
	if err := c.validateReplicas(); err != nil {
		return err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("CRMLENS_TLS_CERT and CRMLENS_TLS_KEY: set both (a PEM certificate chain and its private key) or neither")
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		return err
	}
	// The server's WriteTimeout is 60 s: a request must end before it.
	if c.RequestTimeout < time.Second || c.RequestTimeout > 55*time.Second {
		return fmt.Errorf("CRMLENS_REQUEST_TIMEOUT=%s must be between 1s and 55s", c.RequestTimeout)
	}
	if c.ReadHeaderTimeout < 100*time.Millisecond || c.ReadHeaderTimeout > time.Minute {
		return fmt.Errorf("CRMLENS_READ_HEADER_TIMEOUT=%s must be between 100ms and 1m", c.ReadHeaderTimeout)
	}
	if c.ShutdownTimeout < time.Second || c.ShutdownTimeout > 10*time.Minute {
		return fmt.Errorf("CRMLENS_SHUTDOWN_TIMEOUT=%s must be between 1s and 10m", c.ShutdownTimeout)
	}
	return nil
}

func (c Config) validateReplicas() error {
	if len(c.ReplicaURLs) == 0 {
		return nil
	}
	primary, _ := database.ParseURL(c.DatabaseURL)
	if primary.Dialect != database.MySQL {
		return errors.New("CRMLENS_DATABASE_REPLICA_URLS: read replicas need a MySQL primary in CRMLENS_DATABASE_URL")
	}
	for i, raw := range c.ReplicaURLs {
		t, err := database.ParseURL(strings.TrimSpace(raw))
		if err != nil || t.Dialect != database.MySQL {
			// The URL may hold a password: name its position, never repeat it.
			return fmt.Errorf("CRMLENS_DATABASE_REPLICA_URLS: entry %d is not a mysql://user:pass@host:port/db URL", i+1)
		}
	}
	return nil
}

// TrustedProxyNets parses TrustedProxies; a bare IP is a single address.
func (c Config) TrustedProxyNets() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, raw := range c.TrustedProxies {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "/") {
			ip := net.ParseIP(raw)
			if ip == nil {
				return nil, fmt.Errorf("CRMLENS_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR such as 10.0.0.0/8", raw)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(raw)
		if err != nil {
			return nil, fmt.Errorf("CRMLENS_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8 or fd00::/8", raw)
		}
		out = append(out, n)
	}
	return out, nil
}

// LoadTLS reads the certificate and key named by CRMLENS_TLS_CERT and
// CRMLENS_TLS_KEY; nil when TLS is off. Each error names the variable. The
// files are read again, at most every tlsfiles.Interval, so that a renewed
// certificate is served without a restart; log hears of renewals and of
// files that stopped loading (nil: nowhere).
func (c Config) LoadTLS(log *slog.Logger) (*tls.Config, error) {
	if c.TLSCert == "" {
		return nil, nil
	}
	pair, err := tlsfiles.Load(c.TLSCert, c.TLSKey, log)
	if err != nil {
		return nil, err
	}
	// A renewed pair written over the files is served without a restart.
	return &tls.Config{GetCertificate: pair.GetCertificate, MinVersion: tls.VersionTLS12}, nil
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
