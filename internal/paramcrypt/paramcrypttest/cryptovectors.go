// Package paramcrypttest loads the DES and AES test vectors made by the JDK's
// own ciphers, for tests in every package that encrypts or decrypts platform
// params. They are read from the repository's copy, testdata/crypto-vectors.json
// (so a clone from anywhere passes), or the file CRMLENS_CRYPTO_VECTORS names;
// TestCopyMatchesShared holds the copy equal to ../shared/testdata's original
// when that exists beside the repository.
package paramcrypttest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Vector is one plaintext and its ciphertext under a key.
type Vector struct {
	Key        string `json:"key"`
	Plaintext  string `json:"plaintext"`
	Ciphertext string `json:"ciphertext"`
}

// Vectors are the DES (Easemob) and AES (ShareCRM) vectors.
type Vectors struct {
	DES []Vector `json:"des"`
	AES []Vector `json:"aes"`
}

// Load reads the vectors, failing tb when they are missing or empty.
func Load(tb testing.TB) Vectors {
	tb.Helper()
	path := RepoCopy()
	if p := os.Getenv("CRMLENS_CRYPTO_VECTORS"); p != "" {
		path = p
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read crypto vectors (set CRMLENS_CRYPTO_VECTORS to override): %v", err)
	}
	var v Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	if len(v.DES) == 0 || len(v.AES) == 0 {
		tb.Fatalf("%s has %d DES and %d AES vectors; want some of each", path, len(v.DES), len(v.AES))
	}
	return v
}

// RepoCopy is the path of the repository's copy of the vectors.
func RepoCopy() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "crypto-vectors.json")
}

// SharedOriginal is the path of the original beside the repository
// (../shared/testdata/crypto-vectors.json), which may not exist.
func SharedOriginal() string {
	return filepath.Join(filepath.Dir(RepoCopy()), "..", "..", "shared", "testdata", "crypto-vectors.json")
}
