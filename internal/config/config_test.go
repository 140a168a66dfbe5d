package config_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/tlstest"
)

func TestLoadFrom(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c config.Config)
	}{
		{name: "defaults", env: map[string]string{}, check: func(t *testing.T, c config.Config) {
			if c.Addr != ":8080" || c.DatabaseURL != "sqlite://./data/crmlens.db" || !c.MigrateOnStart {
				t.Errorf("defaults = %+v", c)
			}
			if got := c.BaseURL(); got != "http://localhost:8080" {
				t.Errorf("BaseURL = %s", got)
			}
			if got := c.MasterKeyPath(); got != "data/master.key" {
				t.Errorf("MasterKeyPath = %s, want data/master.key beside the SQLite file", got)
			}
		}},
		{name: "mysql needs a master key", env: map[string]string{"CRMLENS_DATABASE_URL": "mysql://u:p@db:3306/crm"}, wantErr: "CRMLENS_MASTER_KEY"},
		{name: "bad grace", env: map[string]string{"CRMLENS_KEY_GRACE": "forever"}, wantErr: "CRMLENS_KEY_GRACE"},
		{name: "mysql and public url", env: map[string]string{"CRMLENS_DATABASE_URL": "mysql://u:p@db:3306/crm", "CRMLENS_PUBLIC_URL": "https://crm.example.com/", "CRMLENS_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
			check: func(t *testing.T, c config.Config) {
				if got := c.BaseURL(); got != "https://crm.example.com" {
					t.Errorf("BaseURL = %s", got)
				}
			}},
		{name: "bad addr", env: map[string]string{"CRMLENS_ADDR": "8080"}, wantErr: "CRMLENS_ADDR"},
		{name: "bad database", env: map[string]string{"CRMLENS_DATABASE_URL": "postgres://x"}, wantErr: "CRMLENS_DATABASE_URL"},
		{name: "bad public url", env: map[string]string{"CRMLENS_PUBLIC_URL": "crm.example.com"}, wantErr: "CRMLENS_PUBLIC_URL"},
		{name: "bad log format", env: map[string]string{"CRMLENS_LOG_FORMAT": "xml"}, wantErr: "CRMLENS_LOG_FORMAT"},
		{name: "bad log level", env: map[string]string{"CRMLENS_LOG_LEVEL": "loud"}, wantErr: "CRMLENS_LOG_LEVEL"},
		{name: "bad bool", env: map[string]string{"CRMLENS_MIGRATE_ON_START": "perhaps"}, wantErr: "CRMLENS_MIGRATE_ON_START"},
		{name: "tls cert without key", env: map[string]string{"CRMLENS_TLS_CERT": "/etc/crmlens/tls.crt"}, wantErr: "CRMLENS_TLS_KEY"},
		{name: "tls key without cert", env: map[string]string{"CRMLENS_TLS_KEY": "/etc/crmlens/tls.key"}, wantErr: "CRMLENS_TLS_CERT"},
		{name: "bad proxy", env: map[string]string{"CRMLENS_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}, wantErr: "CRMLENS_TRUSTED_PROXIES"},
		{name: "bad proxy cidr", env: map[string]string{"CRMLENS_TRUSTED_PROXIES": "10.0.0.0/33"}, wantErr: "CRMLENS_TRUSTED_PROXIES"},
		{name: "proxies", env: map[string]string{"CRMLENS_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,fd00::/8"}, check: func(t *testing.T, c config.Config) {
			nets, err := c.TrustedProxyNets()
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8"}
			if len(nets) != len(want) {
				t.Fatalf("nets = %v, want %v", nets, want)
			}
			for i, n := range nets {
				if n.String() != want[i] {
					t.Errorf("net %d = %s, want %s", i, n, want[i])
				}
			}
		}},
		{name: "replicas need mysql", env: map[string]string{"CRMLENS_DATABASE_REPLICA_URLS": "mysql://u:p@r1:3306/crm"}, wantErr: "CRMLENS_DATABASE_REPLICA_URLS"},
		{name: "bad replica", env: map[string]string{"CRMLENS_DATABASE_URL": "mysql://u:p@db:3306/crm", "CRMLENS_MASTER_KEY": "k",
			"CRMLENS_DATABASE_REPLICA_URLS": "mysql://u:p@r1:3306/crm,mysql://u:secretpw@r2:3306"}, wantErr: "entry 2"},
		{name: "replicas", env: map[string]string{"CRMLENS_DATABASE_URL": "mysql://u:p@db:3306/crm", "CRMLENS_MASTER_KEY": "k",
			"CRMLENS_DATABASE_REPLICA_URLS": "mysql://u:p@r1:3306/crm,mysql://u:p@r2:3306/crm"}, check: func(t *testing.T, c config.Config) {
			if len(c.ReplicaURLs) != 2 {
				t.Errorf("ReplicaURLs = %d entries, want 2", len(c.ReplicaURLs))
			}
		}},
		{name: "empty replica list", env: map[string]string{"CRMLENS_DATABASE_REPLICA_URLS": "", "CRMLENS_TRUSTED_PROXIES": " , "}, check: func(t *testing.T, c config.Config) {
			if len(c.ReplicaURLs) != 0 || len(c.TrustedProxies) != 0 {
				t.Errorf("blank lists = %q, %q", c.ReplicaURLs, c.TrustedProxies)
			}
		}},
		{name: "bad request timeout", env: map[string]string{"CRMLENS_REQUEST_TIMEOUT": "2m"}, wantErr: "CRMLENS_REQUEST_TIMEOUT"},
		{name: "unparsable request timeout", env: map[string]string{"CRMLENS_REQUEST_TIMEOUT": "soon"}, wantErr: "CRMLENS_REQUEST_TIMEOUT"},
		{name: "bad read header timeout", env: map[string]string{"CRMLENS_READ_HEADER_TIMEOUT": "0s"}, wantErr: "CRMLENS_READ_HEADER_TIMEOUT"},
		{name: "bad shutdown timeout", env: map[string]string{"CRMLENS_SHUTDOWN_TIMEOUT": "0s"}, wantErr: "CRMLENS_SHUTDOWN_TIMEOUT"},
		{name: "url file missing", env: map[string]string{"CRMLENS_DATABASE_URL_FILE": "/nonexistent/db-url"}, wantErr: "CRMLENS_DATABASE_URL_FILE"},
		{name: "url file and url", env: map[string]string{"CRMLENS_DATABASE_URL_FILE": "/nonexistent/db-url", "CRMLENS_DATABASE_URL": "sqlite://x.db"}, wantErr: "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secretpw") {
					t.Errorf("err = %v repeats a password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestDatabaseURLFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(path, []byte("mysql://crmlens:pw@db:3306/crmlens\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.LoadFrom(map[string]string{"CRMLENS_DATABASE_URL_FILE": path, "CRMLENS_MASTER_KEY": "k"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "mysql://crmlens:pw@db:3306/crmlens" {
		t.Errorf("DatabaseURL = %q", c.DatabaseURL)
	}
	if err := os.WriteFile(path, []byte("postgres://x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.LoadFrom(map[string]string{"CRMLENS_DATABASE_URL_FILE": path}); err == nil || !strings.Contains(err.Error(), "CRMLENS_DATABASE_URL") {
		t.Errorf("a bad URL in the file: err = %v", err)
	}
}

func TestLoadTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := tlstest.WriteSelfSigned(t, dir)
	other, _ := tlstest.WriteSelfSigned(t, t.TempDir())
	unreadable := filepath.Join(dir, "missing.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cert, key, wantErr string
	}{
		{name: "pair", cert: certFile, key: keyFile},
		{name: "unreadable cert", cert: unreadable, key: keyFile, wantErr: "CRMLENS_TLS_CERT"},
		{name: "unreadable key", cert: certFile, key: unreadable, wantErr: "CRMLENS_TLS_KEY"},
		{name: "not pem", cert: garbage, key: keyFile, wantErr: "CRMLENS_TLS_CERT and CRMLENS_TLS_KEY"},
		{name: "key of another cert", cert: other, key: keyFile, wantErr: "CRMLENS_TLS_CERT and CRMLENS_TLS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(map[string]string{"CRMLENS_TLS_CERT": tt.cert, "CRMLENS_TLS_KEY": tt.key})
			if err != nil {
				t.Fatal(err)
			}
			tc, err := c.LoadTLS(nil)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one starting with %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || tc == nil || tc.GetCertificate == nil || tc.MinVersion != tls.VersionTLS12 {
				t.Fatalf("LoadTLS = %+v, %v", tc, err)
			}
		})
	}
}
