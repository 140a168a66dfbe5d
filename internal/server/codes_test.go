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
	"github.com/crmlens/crmlens/internal/server"
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
	Errors       []string `json:"errors"`
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

// errorCodes are the codes of every apperr.New and apperr.Wrap in internal/
// and cmd/ (the second argument, or third of Wrap: a string literal or a
// string constant of the package it names), with the codes the server
// answers itself (server.ServerErrorCodes). A code given as a variable
// fails the test unless its call is one of dynamic, whose codes
// ServerErrorCodes lists.
func errorCodes(t *testing.T) []string {
	dynamic := map[string]bool{"errors.go specCode": true, "errors.go code": true}
	consts := map[string]string{} // package name + "." + const name → value
	type site struct {
		pkg, pos string
		code     ast.Expr
	}
	var sites []site
	for _, root := range []string{"..", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			pkg := f.Name.Name
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, name := range n.Names {
						if i < len(n.Values) {
							if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[pkg+"."+name.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, isIdent := sel.X.(*ast.Ident); !isIdent || x.Name != "apperr" {
						return true
					}
					arg := map[string]int{"New": 1, "Wrap": 2}[sel.Sel.Name]
					if arg > 0 && len(n.Args) > arg {
						sites = append(sites, site{pkg, filepath.Base(fset.Position(n.Pos()).Filename), n.Args[arg]})
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	codes := server.ServerErrorCodes()
	for _, s := range sites {
		switch e := s.code.(type) {
		case *ast.BasicLit:
			v, _ := strconv.Unquote(e.Value)
			codes = append(codes, v)
			continue
		case *ast.Ident:
			if v, ok := consts[s.pkg+"."+e.Name]; ok {
				codes = append(codes, v)
				continue
			}
			if dynamic[s.pos+" "+e.Name] {
				continue
			}
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if v, ok := consts[x.Name+"."+e.Sel.Name]; ok {
					codes = append(codes, v)
					continue
				}
			}
		case *ast.CallExpr:
			if f, ok := e.Fun.(*ast.Ident); ok && dynamic[s.pos+" "+f.Name] {
				continue
			}
		}
		t.Errorf("%s: an apperr code this test cannot read (%T): give it as a literal or a constant, or list it in ServerErrorCodes", s.pos, s.code)
	}
	return codes
}

// codes.json lists exactly the codes the server can emit. Run
// UPDATE_CODES=1 go test ./internal/server -run TestCodesFile to rewrite it,
// then word each new code in frontend/src/admin/codes.ts (errors as "error." + code).
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
		Errors:       sorted(errorCodes(t)),
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
