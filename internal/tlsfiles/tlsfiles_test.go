package tlsfiles

import (
	"bytes"
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
	p, err := load(certFile, keyFile, c.now)
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
	// Completed: served at the next check, and the error is gone.
	tlstest.WriteSelfSigned(t, dir)
	c.t = c.t.Add(Interval)
	if third := serving(); bytes.Equal(third, second) || p.Err() != nil {
		t.Fatalf("after the renewal completed: same certificate %v, Err %v", bytes.Equal(third, second), p.Err())
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
		if _, err := Load(tt.cert, tt.key); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Load(%s, %s) = %v, want an error starting with %q", tt.cert, tt.key, err, tt.want)
		}
	}
}
