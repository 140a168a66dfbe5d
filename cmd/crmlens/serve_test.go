package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/config"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/tlstest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testMasterKey is base64 of 32 bytes, shared by the instances of a test.
const testMasterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// signedSecret is the secret of the signed integration the tests create.
const signedSecret = "a-signing-secret-of-at-least-32-characters"

// syncBuffer collects log lines written by concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is one crmlens serving on loopback through the same code as
// `crmlens serve` (openEnvWith, newApp, serveOn).
type instance struct {
	url    string
	e      *env
	logs   *syncBuffer
	client *http.Client
	cancel context.CancelFunc
	done   chan error
}

// startInstance starts crmlens with the given CRMLENS_* variables (JSON
// logs unless set) and stops it when t ends.
func startInstance(t *testing.T, vars map[string]string) *instance {
	t.Helper()
	return startInstanceWith(t, vars, serveOptions{})
}

// startInstanceWith is startInstance with serve's options (--demo).
func startInstanceWith(t *testing.T, vars map[string]string, opts serveOptions) *instance {
	t.Helper()
	if opts.out == nil {
		opts.out = io.Discard
	}
	if _, ok := vars["CRMLENS_LOG_FORMAT"]; !ok {
		vars["CRMLENS_LOG_FORMAT"] = "json"
	}
	cfg, err := config.LoadFrom(vars)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log, err := newLogger(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := cfg.LoadTLS(log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e, err := openEnvWith(ctx, cfg, true, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	in := &instance{url: "http://" + ln.Addr().String(), e: e, logs: logs, cancel: cancel, done: make(chan error, 1),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}}
	go func() { in.done <- serveOn(ctx, e, ln, tlsCfg, opts) }()
	t.Cleanup(func() {
		in.stop(t)
		e.close()
	})
	if tlsCfg == nil {
		in.waitHealthy(t)
	}
	return in
}

// stop shuts the instance down (draining) and returns serveOn's error.
func (in *instance) stop(t *testing.T) error {
	t.Helper()
	in.cancel()
	in.client.CloseIdleConnections()
	select {
	case err, ok := <-in.done:
		if ok {
			close(in.done)
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
		return nil
	}
}

func (in *instance) waitHealthy(t *testing.T) {
	t.Helper()
	if !eventually(10*time.Second, func() bool {
		resp, err := in.client.Get(in.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		t.Fatal("the instance did not answer /healthz")
	}
}

// do sends a request and returns the response (body read and closed).
func (in *instance) do(t *testing.T, method, path, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	resp, b, err := in.try(method, path, body, header)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, b
}

func (in *instance) try(method, path, body string, header map[string]string) (*http.Response, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, in.url+path, r)
	if err != nil {
		return nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := in.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// seedSigned creates a signed integration slug and a contact whose signed
// identity is sub, named name.
func seedSigned(t *testing.T, in *instance, slug, sub, name string) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := in.e.integrations().Create(ctx, integration.Input{Slug: slug, Kind: "signed", Name: "App " + slug, Key: signedSecret}, nil); err != nil {
		t.Fatal(err)
	}
	c := model.Contact{ExternalID: "C-" + sub, Name: name}
	if err := in.e.db.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	if err := in.e.db.Create(&model.ContactIdentity{ContactID: c.ID, Channel: "signed", ExternalID: sub}).Error; err != nil {
		t.Fatal(err)
	}
}

// signedToken signs a sidebar link token for visitor sub with id jti.
func signedToken(t *testing.T, secret, sub, jti string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "jti": jti, "exp": time.Now().Add(2 * time.Minute).Unix()}).
		SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sessionJSON(t *testing.T, slug, token string) string {
	t.Helper()
	b, err := json.Marshal(api.SessionRequest{Integration: slug, Params: map[string]string{"token": token}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openSession opens a session on in and returns its token.
func (in *instance) openSession(t *testing.T, slug, sub, jti string) string {
	t.Helper()
	resp, body := in.do(t, "POST", "/api/v1/sidebar/sessions", sessionJSON(t, slug, signedToken(t, signedSecret, sub, jti)), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("open session: %d %s", resp.StatusCode, body)
	}
	var s api.SessionResponse
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	return s.Token
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// adminToken creates an admin on in's database and signs in on in.
func (in *instance) adminToken(t *testing.T) string {
	t.Helper()
	if _, err := admin.New(in.e.db, bcrypt.MinCost).Create(context.Background(), "ops@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	resp, body := in.do(t, "POST", "/api/v1/admin/session", `{"email":"ops@example.com","password":"correct horse battery"}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %d %s", resp.StatusCode, body)
	}
	var as api.AdminSession
	if err := json.Unmarshal(body, &as); err != nil {
		t.Fatal(err)
	}
	return as.Token
}

// errorCode is the code of an error answer.
func errorCode(body []byte) string {
	var e api.Error
	_ = json.Unmarshal(body, &e)
	return e.Error.Code
}

func sqliteVars(t *testing.T) map[string]string {
	return map[string]string{"CRMLENS_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "crmlens.db")}
}

func TestVersionCommand(t *testing.T) {
	out, err := run(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "crmlens dev (") || !strings.Contains(out, runtime.Version()) || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("version = %q", out)
	}
}

// TestServeRefusesBadConfiguration: every fault is found before the
// server listens, and the message names the variable.
func TestServeRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	cert, key := tlstest.WriteSelfSigned(t, dir)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"cert without key", map[string]string{"CRMLENS_TLS_CERT": cert}, "CRMLENS_TLS_KEY"},
		{"unreadable cert", map[string]string{"CRMLENS_TLS_CERT": filepath.Join(dir, "nope.crt"), "CRMLENS_TLS_KEY": key}, "CRMLENS_TLS_CERT"},
		{"unreadable key", map[string]string{"CRMLENS_TLS_CERT": cert, "CRMLENS_TLS_KEY": filepath.Join(dir, "nope.key")}, "CRMLENS_TLS_KEY"},
		{"key is not a key", map[string]string{"CRMLENS_TLS_CERT": cert, "CRMLENS_TLS_KEY": cert}, "CRMLENS_TLS_CERT and CRMLENS_TLS_KEY"},
		{"bad proxies", map[string]string{"CRMLENS_TRUSTED_PROXIES": "loadbalancer"}, "CRMLENS_TRUSTED_PROXIES"},
		{"bad timeout", map[string]string{"CRMLENS_REQUEST_TIMEOUT": "forever"}, "CRMLENS_REQUEST_TIMEOUT"},
		{"pending migrations", map[string]string{"CRMLENS_MIGRATE_ON_START": "false"}, "crmlens migrate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbFile := filepath.Join(t.TempDir(), "c.db")
			t.Setenv("CRMLENS_DATABASE_URL", "sqlite://"+dbFile)
			// An address in use would make serve fail too; a free one
			// shows that the failure is the configuration's.
			t.Setenv("CRMLENS_ADDR", "127.0.0.1:0")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := run(t, "serve")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("serve: err = %v, want one naming %s", err, tt.wantErr)
			}
			if strings.HasPrefix(tt.name, "pending") {
				return
			}
			// Configuration faults stop serve before it touches the database.
			if _, statErr := os.Stat(dbFile); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("serve created the database before refusing its configuration (%v)", statErr)
			}
		})
	}
}

func TestNativeTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := tlstest.WriteSelfSigned(t, dir)
	vars := sqliteVars(t)
	vars["CRMLENS_TLS_CERT"], vars["CRMLENS_TLS_KEY"] = cert, key
	in := startInstance(t, vars)
	pemBytes, err := os.ReadFile(cert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	httpsURL := strings.Replace(in.url, "http://", "https://", 1)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	var resp *http.Response
	eventually(10*time.Second, func() bool {
		resp, err = client.Get(httpsURL + "/healthz")
		return err == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("https /healthz: %d, tls %+v", resp.StatusCode, resp.TLS)
	}
	// Served over TLS by crmlens itself: browsers are told to keep to HTTPS.
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
		t.Errorf("Strict-Transport-Security = %q, want max-age of a year", got)
	}
	// Plain HTTP on the TLS port gets the JSON error shape too.
	raw, err := net.Dial("tcp", strings.TrimPrefix(in.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = raw.Write([]byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	_ = raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	plainAnswer, _ := io.ReadAll(raw)
	raw.Close()
	checkJSONAnswer(t, "plain HTTP on the TLS port", plainAnswer, http.StatusBadRequest)
	// Plain HTTP on the TLS port is refused, not served.
	plain, err := in.client.Get(in.url + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Error("plain HTTP was served on the TLS port")
		}
	}
	// An old protocol version is refused.
	old := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost",
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	r, err := old.Get(httpsURL + "/healthz")
	if err == nil {
		r.Body.Close()
		t.Error("TLS 1.1 was accepted")
	} else if !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1: err = %v, want the server's protocol version alert", err)
	}
}

// TestTrustedProxiesDecideTheClient: behind a trusted proxy the rate limiter
// and the log see the address in X-Forwarded-For; without one the header is
// ignored, since anyone can send it.
func TestTrustedProxiesDecideTheClient(t *testing.T) {
	failing := sessionJSON(t, "no-such-integration", "x")
	tests := []struct {
		name    string
		proxies string
		// wantSeparate: a second forwarded address has its own allowance.
		wantSeparate bool
	}{
		{name: "behind a trusted proxy", proxies: "127.0.0.1/32", wantSeparate: true},
		{name: "no trusted proxy", proxies: "", wantSeparate: false},
		{name: "proxy list without this peer", proxies: "10.0.0.0/8", wantSeparate: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := sqliteVars(t)
			if tt.proxies != "" {
				vars["CRMLENS_TRUSTED_PROXIES"] = tt.proxies
			}
			in := startInstance(t, vars)
			first := map[string]string{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
			var last int
			for i := 0; i < 25 && last != http.StatusTooManyRequests; i++ {
				resp, _ := in.do(t, "POST", "/api/v1/sidebar/sessions", failing, first)
				last = resp.StatusCode
			}
			if last != http.StatusTooManyRequests {
				t.Fatalf("25 failures from one client: last status %d, want 429", last)
			}
			resp, body := in.do(t, "POST", "/api/v1/sidebar/sessions", failing, map[string]string{"X-Forwarded-For": "203.0.113.8"})
			separate := resp.StatusCode != http.StatusTooManyRequests
			if separate != tt.wantSeparate {
				t.Errorf("another forwarded client: %d %s; separate allowance = %v, want %v", resp.StatusCode, body, separate, tt.wantSeparate)
			}
			wantClient := `"client":"127.0.0.1"`
			if tt.wantSeparate {
				wantClient = `"client":"203.0.113.7"`
			}
			if !strings.Contains(in.logs.String(), wantClient) {
				t.Errorf("logs lack %s", wantClient)
			}
		})
	}
}

// TestSlowClientsAreCut: a client that never finishes its headers is
// disconnected at CRMLENS_READ_HEADER_TIMEOUT, and others are served.
func TestSlowClientsAreCut(t *testing.T) {
	vars := sqliteVars(t)
	vars["CRMLENS_READ_HEADER_TIMEOUT"] = "500ms"
	in := startInstance(t, vars)
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(conn)
	elapsed := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open after %s", elapsed)
	}
	if strings.Contains(string(b), "200 OK") {
		t.Errorf("a request with unfinished headers was answered: %q", b)
	}
	if elapsed < 400*time.Millisecond {
		t.Errorf("cut after %s, before the 500ms read-header timeout", elapsed)
	}
	// Meanwhile a well-behaved client is served.
	if resp, _ := in.do(t, "GET", "/healthz", "", nil); resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
}

// TestJSONLogsCarryRequestIDs: each request's log line is JSON with the
// request id the client got in X-Request-Id.
func TestJSONLogsCarryRequestIDs(t *testing.T) {
	in := startInstance(t, sqliteVars(t))
	resp, _ := in.do(t, "GET", "/readyz", "", nil)
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 200 || id == "" {
		t.Fatalf("readyz: %d, request id %q", resp.StatusCode, id)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(in.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if rec["msg"] == "request" && rec["request_id"] == id && rec["route"] == "/readyz" {
			found = true
		}
	}
	if !found {
		t.Errorf("no request line with request_id %s in:\n%s", id, in.logs.String())
	}
}
