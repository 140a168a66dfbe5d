package config_test

import (
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/config"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
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
