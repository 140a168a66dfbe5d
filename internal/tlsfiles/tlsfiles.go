// Package tlsfiles serves a TLS certificate from a PEM certificate file and
// its key file, and picks up a renewed pair (cert-manager, certbot, a
// mounted Kubernetes secret) without a restart.
//
// Go's crypto/tls reads certificates once; the renewal tools write new
// files in place. Nothing in the standard library or a small, kept library
// fits this exactly (the larger ones bring an ACME client), so this is
// written here: on a handshake, at most once per Interval, the two files
// are read again and, if they changed and form a valid pair, served from
// then on. A pair that does not load (a renewal half-written, a key of
// another certificate) leaves the previous one in service and is tried
// again at the next check. Both events are logged: a renewal once, a
// failing check once per distinct reason (not at every handshake).
package tlsfiles

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Interval is how often, at most, a handshake checks the files.
const Interval = 10 * time.Second

// Pair is a certificate and key read from files.
type Pair struct {
	certFile, keyFile string
	now               func() time.Time
	log               *slog.Logger

	mu              sync.Mutex
	cert            *tls.Certificate
	certPEM, keyPEM []byte
	checked         time.Time
	lastErr         error
}

// Load reads the pair, failing when the files are unreadable or do not
// form a certificate and its private key. Later checks log to log (nil:
// nowhere). The errors name the files' variables and say what is wrong,
// never what the files hold.
func Load(certFile, keyFile string, log *slog.Logger) (*Pair, error) {
	return load(certFile, keyFile, time.Now, log)
}

func load(certFile, keyFile string, now func() time.Time, log *slog.Logger) (*Pair, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pair{certFile: certFile, keyFile: keyFile, now: now, log: log}
	certPEM, keyPEM, cert, err := p.read()
	if err != nil {
		return nil, err
	}
	p.cert, p.certPEM, p.keyPEM, p.checked = cert, certPEM, keyPEM, now()
	return p, nil
}

// read reads both files and parses them.
func (p *Pair) read() (certPEM, keyPEM []byte, cert *tls.Certificate, err error) {
	if certPEM, err = os.ReadFile(p.certFile); err != nil {
		return nil, nil, nil, fmt.Errorf("CRMLENS_TLS_CERT: %w", err)
	}
	if keyPEM, err = os.ReadFile(p.keyFile); err != nil {
		return nil, nil, nil, fmt.Errorf("CRMLENS_TLS_KEY: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("CRMLENS_TLS_CERT and CRMLENS_TLS_KEY: not a PEM certificate and its private key: %w", err)
	}
	return certPEM, keyPEM, &pair, nil
}

// GetCertificate is tls.Config.GetCertificate: the current pair, read
// again from the files when Interval has passed since the last check and
// they changed.
func (p *Pair) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := p.now(); now.Sub(p.checked) >= Interval {
		p.checked = now
		certPEM, keyPEM, cert, err := p.read()
		switch {
		case err != nil:
			if p.lastErr == nil || p.lastErr.Error() != err.Error() {
				p.log.Warn("TLS certificate files do not load; still serving the previous certificate", "err", err)
			}
			p.lastErr = err
		case !bytes.Equal(certPEM, p.certPEM) || !bytes.Equal(keyPEM, p.keyPEM):
			p.cert, p.certPEM, p.keyPEM, p.lastErr = cert, certPEM, keyPEM, nil
			p.log.Info("TLS certificate renewed from the files", "expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
		default:
			p.lastErr = nil
		}
	}
	return p.cert, nil
}

// Err is why the last check could not load the files (nil when it could):
// the previous pair is still served.
func (p *Pair) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}
