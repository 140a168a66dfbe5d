package api_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates the server interface from
// ../openapi.yaml and fails when api.gen.go differs: change the spec, then
// run `make generate`.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating needs the go tool; skipped with -short")
	}
	cfg, err := os.ReadFile("oapi-codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "api.gen.go")
	tmpCfg := filepath.Join(t.TempDir(), "cfg.yaml")
	if err := os.WriteFile(tmpCfg, []byte(strings.Replace(string(cfg), "output: api.gen.go", "output: "+out, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", tmpCfg, "../openapi.yaml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("api/api.gen.go is stale: openapi.yaml changed without regenerating; run `make generate` and commit the result")
	}
}
