package server_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/platforms"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// codesFile is the console's list of every code the server words in
// English and the console words from its zh and en catalogues
// (frontend/src/admin/codes.test.ts checks each one has both).
const codesFile = "../../frontend/src/admin/codes.json"

type codeList struct {
	Protection   []string `json:"protection"`
	Layout       []string `json:"layout"`
	Simulator    []string `json:"simulator"`
	AuditActions []string `json:"auditActions"`
	FieldTypes   []string `json:"fieldTypes"`
}

// auditActions are the values of the Action* string constants of every
// package: each action the audit trail may record.
func auditActions(t *testing.T) []string {
	action := regexp.MustCompile(`^[a-z]+(\.[a-z_]+)?$`)
	seen := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Action") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil && action.MatchString(v) {
							seen[v] = true
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	return out
}

// codes.json lists exactly the codes the server can emit. Run
// UPDATE_CODES=1 go test ./internal/server -run TestCodesFile to rewrite it,
// then word each new code in frontend/src/admin/codes.ts.
func TestCodesFile(t *testing.T) {
	sorted := func(l []string) []string {
		l = slices.Clone(l)
		slices.Sort(l)
		return slices.Compact(l)
	}
	var types []string
	for _, ft := range layout.FieldTypes {
		types = append(types, string(ft))
	}
	want := codeList{
		Protection:   sorted(integration.ProtectionCodes(platforms.Default())),
		Layout:       sorted(layout.ReasonCodes),
		Simulator:    sorted(sidebar.AllSimulationCodes(platforms.Default())),
		AuditActions: sorted(auditActions(t)),
		FieldTypes:   sorted(types),
	}
	b, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if os.Getenv("UPDATE_CODES") != "" {
		if err := os.WriteFile(codesFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(codesFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(b) {
		t.Errorf("%s is out of date: run UPDATE_CODES=1 go test ./internal/server -run TestCodesFile, then word the new codes in frontend/src/admin/codes.ts\nwant:\n%s", codesFile, b)
	}
}
