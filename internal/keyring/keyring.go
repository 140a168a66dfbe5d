// Package keyring seals secrets at rest (integration keys, platform API
// tokens) under a master key with AES-256-GCM. The master key comes from
// CRMLENS_MASTER_KEY; the embedded default (SQLite) creates one in a file
// beside the database on first start instead.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// prefix marks a sealed value and its format version.
const prefix = "v1:"

// KeySize is the master key's size in bytes.
const KeySize = 32

// Keyring seals and opens secrets.
type Keyring struct {
	aead cipher.AEAD
}

// New returns a Keyring over a 32-byte master key.
func New(master []byte) (*Keyring, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("the master key must be %d bytes, not %d", KeySize, len(master))
	}
	block, err := aes.NewCipher(master)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keyring{aead: aead}, nil
}

// Parse decodes a base64 master key as given in CRMLENS_MASTER_KEY.
func Parse(b64 string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(b) != KeySize {
		return nil, fmt.Errorf("CRMLENS_MASTER_KEY must be base64 of %d random bytes (e.g. `openssl rand -base64 32`)", KeySize)
	}
	return b, nil
}

// LoadOrCreateFile reads the base64 master key in path, creating it with
// 32 random bytes (mode 0600) when it does not exist. created says whether
// it was made now.
func LoadOrCreateFile(path string) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := Parse(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("master key file %s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read master key file: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, false, fmt.Errorf("generate master key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, false, fmt.Errorf("create master key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadOrCreateFile(path)
		}
		return nil, false, fmt.Errorf("create master key file: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, false, fmt.Errorf("write master key file: %w", err)
	}
	return k, true, f.Sync()
}

// Seal encrypts plaintext; "" stays "" (no secret set).
func (k *Keyring) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(prefix))
	return prefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrOpen means a sealed value cannot be opened: another master key sealed
// it, or it was altered.
var ErrOpen = errors.New("a stored secret cannot be decrypted with this master key (was CRMLENS_MASTER_KEY changed?)")

// Open decrypts a value made by Seal; "" stays "".
func (k *Keyring) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrOpen
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", ErrOpen
	}
	n := k.aead.NonceSize()
	out, err := k.aead.Open(nil, b[:n], b[n:], []byte(prefix))
	if err != nil {
		return "", ErrOpen
	}
	return string(out), nil
}

// IsSealed reports whether s looks like a value made by Seal.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// Mask shows only the last 4 characters of a secret.
func Mask(secret string) string {
	r := []rune(secret)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 6 {
		return strings.Repeat("•", len(r))
	}
	return strings.Repeat("•", len(r)-4) + string(r[len(r)-4:])
}
