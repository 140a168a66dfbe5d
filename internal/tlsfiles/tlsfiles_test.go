package tlsfiles

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crmlens/crmlens/internal/tlstest"
)

// clock is a time the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestPairPicksUpARenewal(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := tlstest.WriteSelfSigned(t, dir)
	c := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	p, err := load(certFile, keyFile, c.now, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	serving := func() []byte {
		t.Helper()
		cert, err := p.GetCertificate(nil)
		if err != nil || cert == nil {
			t.Fatalf("GetCertificate = %v, %v", cert, err)
		}
		return cert.Certificate[0]
	}
	first := serving()

	// Renewed in place: served after the next check, not before.
	tlstest.WriteSelfSigned(t, dir)
	c.t = c.t.Add(Interval / 2)
	if !bytes.Equal(serving(), first) {
		t.Fatal("the renewal was read before the interval had passed")
	}
	c.t = c.t.Add(Interval)
	second := serving()
	if bytes.Equal(second, first) {
		t.Fatal("the renewed certificate is not served after the interval")
	}

	// A half-written renewal leaves the last good pair in service.
	if err := os.WriteFile(keyFile, []byte("-----BEGIN PRIVATE KEY-----\ncut"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(Interval)
	if !bytes.Equal(serving(), second) {
		t.Fatal("a broken renewal replaced the served certificate")
	}
	if err := p.Err(); err == nil || !strings.HasPrefix(err.Error(), "CRMLENS_TLS_CERT and CRMLENS_TLS_KEY") {
		t.Fatalf("Err() = %v, want the reason the files did not load", err)
	}
	// Still broken at the next check: served as before, logged once.
	c.t = c.t.Add(Interval)
	if !bytes.Equal(serving(), second) {
		t.Fatal("a broken renewal replaced the served certificate")
	}
	// Completed: served at the next check, and the error is gone.
	tlstest.WriteSelfSigned(t, dir)
	c.t = c.t.Add(Interval)
	if third := serving(); bytes.Equal(third, second) || p.Err() != nil {
		t.Fatalf("after the renewal completed: same certificate %v, Err %v", bytes.Equal(third, second), p.Err())
	}

	// The log tells an operator each renewal and the failure (once, not
	// at every check), and holds nothing of the files.
	out := logs.String()
	if n := strings.Count(out, "TLS certificate renewed"); n != 2 {
		t.Errorf("renewals logged %d times, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "do not load"); n != 1 {
		t.Errorf("the broken pair logged %d times, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "CRMLENS_TLS_KEY") {
		t.Errorf("the failure's log line does not name the files' variables:\n%s", out)
	}
	if strings.Contains(out, "BEGIN") || strings.Contains(out, "cut") {
		t.Errorf("the log holds the files' contents:\n%s", out)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := tlstest.WriteSelfSigned(t, dir)
	garbage := dir + "/garbage.pem"
	if err := os.WriteFile(garbage, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ cert, key, want string }{
		{dir + "/missing.crt", keyFile, "CRMLENS_TLS_CERT:"},
		{certFile, dir + "/missing.key", "CRMLENS_TLS_KEY:"},
		{garbage, keyFile, "CRMLENS_TLS_CERT and CRMLENS_TLS_KEY"},
	}
	for _, tt := range tests {
		if _, err := Load(tt.cert, tt.key, nil); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Load(%s, %s) = %v, want an error starting with %q", tt.cert, tt.key, err, tt.want)
		}
	}
}
