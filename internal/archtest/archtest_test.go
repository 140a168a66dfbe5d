// Package archtest holds tests of how crmlens's packages depend on each
// other: what `go list -deps` says, checked against the layering the code
// is meant to have (crmlens issue 17: the domain is free of HTTP types).
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const (
	module = "github.com/crmlens/crmlens"
	apiPkg = module + "/api"
)

// deps runs `go list -deps` over patterns and returns each listed package
// with its dependencies (test files excluded: a test may compare with the
// API's types).
func deps(t *testing.T, patterns ...string) map[string][]string {
	t.Helper()
	args := append([]string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}

// mayUseAPI are the packages under internal/ that may depend on the
// generated API types: the HTTP layer, which alone maps the domain's types
// to the API's.
var mayUseAPI = []string{module + "/internal/server"}

// TestOnlyServerDependsOnAPI: no package under internal/ other than
// internal/server depends (directly or not) on the generated api package,
// and internal/server does (so that the check sees what it checks).
func TestOnlyServerDependsOnAPI(t *testing.T) {
	all := deps(t, module+"/internal/...")
	for _, must := range []string{module + "/internal/sidebar", module + "/internal/playground", module + "/internal/server"} {
		if _, ok := all[must]; !ok {
			t.Fatalf("go list did not list %s", must)
		}
	}
	for pkg, ds := range all {
		uses := slices.Contains(ds, apiPkg)
		allowed := slices.Contains(mayUseAPI, pkg)
		switch {
		case uses && !allowed:
			t.Errorf("%s depends on %s: domain packages return their own types and internal/server maps them to the API's", pkg, apiPkg)
		case !uses && allowed:
			t.Errorf("%s no longer depends on %s: this test's list of allowed packages is out of date", pkg, apiPkg)
		}
	}
}

// constructors build services: the server is given them (server.Deps),
// assembled once by serve.
var constructors = map[string]bool{
	"admin.New": true, "agents.New": true, "audit.New": true, "audit.NewAsync": true, "contactsearch.New": true,
	"importer.New": true, "integration.New": true, "layout.NewStore": true, "playground.New": true,
	"sidebar.New": true, "sessiontoken.New": true,
}

// TestHandlersNeitherBuildServicesNorRunSQL: in internal/server, only
// server.New builds services (its defaults for Deps left nil), and no
// function but the readiness check touches the database handle.
func TestHandlersNeitherBuildServicesNorRunSQL(t *testing.T) {
	const dir = "../server"
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	mayUseDB := map[string]bool{"New": true, "GetReadyz": true}
	funcs := 0
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				funcs++
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					sel, ok := n.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					x, ok := sel.X.(*ast.Ident)
					if !ok {
						return true
					}
					at := fset.Position(sel.Pos())
					switch {
					case fn.Recv == nil && fn.Name.Name == "New":
					case constructors[x.Name+"."+sel.Sel.Name]:
						t.Errorf("%s: %s builds %s.%s: pass the service in through server.Deps", at, fn.Name.Name, x.Name, sel.Sel.Name)
					case sel.Sel.Name == "db" && fn.Recv != nil && !mayUseDB[fn.Name.Name]:
						t.Errorf("%s: %s uses the database handle: ask the domain service that owns the table", at, fn.Name.Name)
					}
					return true
				})
			}
		}
	}
	if funcs < 50 {
		t.Fatalf("parsed %d functions in %s: is it still the server package?", funcs, dir)
	}
}
