package paramcrypttest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"testing"
)

// TestCopyMatchesShared holds the repository's copy of the JDK-made vectors
// equal to the original in ../shared/testdata, when a checkout has it beside
// the repository (CI does); a clone without it tests against the copy alone.
func TestCopyMatchesShared(t *testing.T) {
	orig, err := os.ReadFile(SharedOriginal())
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: CI runs with ../shared beside the repository", SharedOriginal())
		}
		t.Logf("%s is not beside this clone; the repository's copy is used alone", SharedOriginal())
		return
	}
	if err != nil {
		t.Fatalf("read the original vectors: %v", err)
	}
	cp, err := os.ReadFile(RepoCopy())
	if err != nil {
		t.Fatalf("read the repository's copy: %v", err)
	}
	if !bytes.Equal(orig, cp) {
		t.Fatalf("testdata/crypto-vectors.json differs from %s: copy the original again (cp %s testdata/)", SharedOriginal(), SharedOriginal())
	}
	if v := Load(t); len(v.DES) == 0 || len(v.AES) == 0 {
		t.Fatalf("vectors loaded empty")
	}
}
