package paramcrypt_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/paramcrypt"
	"github.com/crmlens/crmlens/internal/paramcrypt/paramcrypttest"
)

type vector = paramcrypttest.Vector

func loadVectors(t testing.TB) paramcrypttest.Vectors { return paramcrypttest.Load(t) }

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	for scheme, list := range map[string][]vector{"des": v.DES, "aes": v.AES} {
		for _, vec := range list {
			t.Run(scheme+"/"+vec.Key+"/"+vec.Plaintext, func(t *testing.T) {
				c, err := paramcrypt.New(scheme, vec.Key)
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if got := c.Encrypt(vec.Plaintext); got != vec.Ciphertext {
					t.Errorf("Encrypt(%q) = %s, want %s", vec.Plaintext, got, vec.Ciphertext)
				}
				for _, text := range []string{vec.Ciphertext, strings.ToLower(vec.Ciphertext), strings.ToUpper(vec.Ciphertext)} {
					got, err := c.Decrypt(text)
					if err != nil || got != vec.Plaintext {
						t.Errorf("Decrypt(%s) = %q, %v; want %q", text, got, err, vec.Plaintext)
					}
				}
				raw, _ := hex.DecodeString(vec.Ciphertext)
				b64 := base64.StdEncoding.EncodeToString(raw)
				mangled := strings.ReplaceAll(b64, "+", " ") // as a query string delivers it
				if got, err := c.Decrypt(mangled); err != nil || got != vec.Plaintext {
					t.Errorf("Decrypt(base64 %q) = %q, %v; want %q", mangled, got, err, vec.Plaintext)
				}
			})
		}
	}
}

func TestSeedExample(t *testing.T) {
	// The encrypted example in Easemob's own documentation (seed 000).
	c, err := paramcrypt.NewDES("12345678abc")
	if err != nil {
		t.Fatal(err)
	}
	for plain, want := range map[string]string{"Jack": "877523f86f18f55e", "40": "e86b4e789891107c", "man": "d221cba8e6efd0ad"} {
		if got := c.Encrypt(plain); got != want {
			t.Errorf("Encrypt(%q) = %s, want %s", plain, got, want)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		scheme, key string
		ok          bool
	}{
		{"des", "12345678", false}, // 8 characters: Easemob requires more
		{"des", "short", false},
		{"des", "123456789", true},
		{"des", "环信密钥abcdefgh", true},
		{"aes", "MDEyMzQ1Njc4OWFiY2RlZg==", true}, // 16 bytes
		{"aes", base64.StdEncoding.EncodeToString(make([]byte, 24)), true},
		{"aes", base64.StdEncoding.EncodeToString(make([]byte, 32)), true},
		{"aes", base64.StdEncoding.EncodeToString(make([]byte, 15)), false},
		{"aes", "not base64!!", false},
		{"rot13", "whatever123", false},
	}
	for _, tt := range tests {
		_, err := paramcrypt.New(tt.scheme, tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("New(%s, %q) error = %v, want ok=%v", tt.scheme, tt.key, err, tt.ok)
		}
	}
}

func TestDecryptErrors(t *testing.T) {
	c, err := paramcrypt.NewDES("kefu2024secret")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := paramcrypt.NewDES("another-key-123")
	tests := []struct {
		name string
		text string
		want error
	}{
		{"empty", "", paramcrypt.ErrEncoding},
		{"not hex or base64", "zz-not-cipher!", paramcrypt.ErrEncoding},
		{"odd hex", "50a0f4e259a3dbb", paramcrypt.ErrBlockSize},
		{"partial block", "50a0f4e259a3", paramcrypt.ErrBlockSize},
		{"too long", strings.Repeat("ab", paramcrypt.MaxCiphertextLen), paramcrypt.ErrTooLong},
		{"wrong key", other.Encrypt("Jack"), paramcrypt.ErrDecrypt},
		{"tampered last block", "50a0f4e259a3dbbf", paramcrypt.ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Decrypt(tt.text)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt(%q) = %q, %v; want %v", tt.text, got, err, tt.want)
			}
		})
	}
}

func FuzzDESDecrypt(f *testing.F) {
	c, err := paramcrypt.NewDES("kefu2024secret")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"50a0f4e259a3dbbe", "449387754f48b6de", "", "zz", "UKD04lmj274="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		plain, err := c.Decrypt(text)
		if err != nil {
			return
		}
		// Whatever decrypts must encrypt back to the same bytes.
		raw, _ := paramcrypt.Decode(text)
		if got := c.Encrypt(plain); !strings.EqualFold(got, hex.EncodeToString(raw)) {
			t.Fatalf("round trip of %q: %s != %x", text, got, raw)
		}
	})
}

func FuzzAESRoundTrip(f *testing.F) {
	c, err := paramcrypt.NewAES("MDEyMzQ1Njc4OWFiY2RlZg==")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{"full_name":"Zhang San","phone":"15912345678"}`)
	f.Add("")
	f.Add(strings.Repeat("x", paramcrypt.MaxCiphertextLen/2))
	f.Fuzz(func(t *testing.T, plain string) {
		ct := c.Encrypt(plain)
		got, err := c.Decrypt(ct)
		if len(ct) > paramcrypt.MaxCiphertextLen {
			// A plaintext over ~4 KiB encrypts to more than Decrypt accepts.
			if !errors.Is(err, paramcrypt.ErrTooLong) {
				t.Fatalf("a %d-character ciphertext: err = %v, want ErrTooLong", len(ct), err)
			}
			return
		}
		if err != nil || got != plain {
			t.Fatalf("round trip of %q = %q, %v", plain, got, err)
		}
	})
}
