package keyring_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/keyring"
)

func TestSealOpen(t *testing.T) {
	k, err := keyring.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := keyring.New(bytes.Repeat([]byte{8}, 32))
	for _, secret := range []string{"kefu2024secret", "MDEyMzQ1Njc4OWFiY2RlZg==", "环信密钥abcdefgh"} {
		sealed, err := k.Seal(secret)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, secret) || !keyring.IsSealed(sealed) {
			t.Errorf("sealed %q = %q", secret, sealed)
		}
		again, _ := k.Seal(secret)
		if again == sealed {
			t.Error("two seals of one secret are identical: the nonce is not random")
		}
		if got, err := k.Open(sealed); err != nil || got != secret {
			t.Errorf("Open = %q, %v", got, err)
		}
		if _, err := other.Open(sealed); !errors.Is(err, keyring.ErrOpen) {
			t.Errorf("another master key opened it: %v", err)
		}
		// One base64 character in the middle of the sealed value changed
		// (to another one, whatever it was): the decoded bytes differ.
		mid, repl := len(sealed)/2, byte('A')
		if sealed[mid] == repl {
			repl = 'B'
		}
		tampered := sealed[:mid] + string(repl) + sealed[mid+1:]
		if _, err := k.Open(tampered); !errors.Is(err, keyring.ErrOpen) {
			t.Errorf("a tampered value opened: %v", err)
		}
	}
	if s, _ := k.Seal(""); s != "" {
		t.Errorf("Seal(\"\") = %q", s)
	}
	if _, err := k.Open("plain-text-key"); !errors.Is(err, keyring.ErrOpen) {
		t.Errorf("an unsealed value opened: %v", err)
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	k1, created, err := keyring.LoadOrCreateFile(path)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("create: %v %v %d", err, created, len(k1))
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", st.Mode(), err)
	}
	k2, created, err := keyring.LoadOrCreateFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", err, created)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := keyring.LoadOrCreateFile(path); err == nil {
		t.Fatal("a corrupt key file was accepted")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "•••", "kefu2024secret": "••••••••••cret"} {
		if got := keyring.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
