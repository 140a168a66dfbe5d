package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/server"
)

// TestMetricsToken: with CRMLENS_METRICS_TOKEN set, /metrics answers only
// a request with that bearer token, and refuses the rest with a 401 that
// says what to send; without it, /metrics is open.
func TestMetricsToken(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	const token = "scrape-3f9a7c"
	tests := []struct {
		name, token, auth string
		want              int
	}{
		{name: "open without a token", want: http.StatusOK},
		{name: "open ignores a header", auth: "Bearer anything", want: http.StatusOK},
		{name: "right token", token: token, auth: "Bearer " + token, want: http.StatusOK},
		{name: "no header", token: token, want: http.StatusUnauthorized},
		{name: "wrong token", token: token, auth: "Bearer " + token + "x", want: http.StatusUnauthorized},
		{name: "token prefix", token: token, auth: "Bearer " + token[:5], want: http.StatusUnauthorized},
		{name: "other scheme", token: token, auth: "Basic " + token, want: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := server.New(server.Deps{DB: db, Metrics: metrics.New("test"), MetricsToken: tt.token})
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusOK {
				if !strings.Contains(rec.Body.String(), "crmlens_build_info") {
					t.Errorf("body is not the metrics: %.200s", rec.Body)
				}
				return
			}
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "metrics_unauthorized" ||
				!strings.Contains(e.Error.Message, "CRMLENS_METRICS_TOKEN") {
				t.Errorf("body %s (%v), want error metrics_unauthorized naming CRMLENS_METRICS_TOKEN", rec.Body, err)
			}
			if strings.Contains(rec.Body.String(), token) {
				t.Error("the error repeats the token")
			}
		})
	}
}
