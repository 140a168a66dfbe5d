package sidebar

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// SimulationCodes lists exactly the codes simulate.go uses: the literals,
// and the readings and reasons it names by prefix.
func TestSimulationCodesAreListed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "simulate.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`^sim\.[a-z_.]*[a-z_]$`)
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil && code.MatchString(v) {
				used[v] = true
			}
		}
		return true
	})
	for _, c := range []string{ChosenPlain, ChosenDecrypted} {
		used["sim.chosen."+c] = true
	}
	for _, w := range []string{ReadingKnownIdentity, ReadingKnownVisitor, ReadingPreferredDecrypted} {
		used["sim.why."+w] = true
	}
	for c := range used {
		if !slices.Contains(SimulationCodes, c) {
			t.Errorf("simulate.go uses %q, missing from SimulationCodes", c)
		}
	}
	for _, c := range SimulationCodes {
		if !used[c] {
			t.Errorf("SimulationCodes lists %q, which simulate.go never uses", c)
		}
	}
}

// Every line the matching traces (resolve.go) is read as a code, not
// passed on as English only (sim.trace.other).
func TestTraceLinesHaveCodes(t *testing.T) {
	lines := []string{
		"channel identity: contact 3 has the easemob id v-1",
		"channel identity: no contact has the easemob id v-1 as an identity (contacts' identities, channel easemob)",
		"identifier: contact 3 has the external id the platform gave",
		"identifier: no contact has the external id the platform gave",
		"matching fields: this integration has no matching rules",
		"matching rule phone: skipped, the visitor has no verified phone",
		"matching rule phone: no contact has the same phone",
		"matching rule phone: exactly one contact (4) has the same phone",
		"matching rule full_name+phone: 2 or more contacts have the same full_name+phone, so none is linked by this rule",
	}
	for _, l := range lines {
		if c, p := traceCode(l); c == "sim.trace.other" || strings.Contains(strings.Join(mapValues(p), ""), ": ") {
			t.Errorf("%q read as %s %v", l, c, p)
		}
	}
}

func mapValues(m map[string]string) []string {
	out := []string{}
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
