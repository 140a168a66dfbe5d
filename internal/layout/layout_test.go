package layout_test

import (
	"testing"

	"github.com/crmlens/crmlens/internal/layout"
)

// TestDefaultNamesKnownFields guards the built-in layout against naming a
// field the catalog does not have (it would be silently empty).
func TestDefaultNamesKnownFields(t *testing.T) {
	for _, p := range layout.Default().Panels {
		for _, f := range append(append([]string{}, p.Fields...), p.Masked...) {
			if _, ok := layout.Lookup(p.Object, f); !ok {
				t.Errorf("panel %s names unknown field %s.%s", p.Key, p.Object, f)
			}
		}
		if p.Sort != "" {
			if _, ok := layout.Lookup(p.Object, p.Sort); !ok {
				t.Errorf("panel %s sorts by unknown field %s", p.Key, p.Sort)
			}
		}
		for _, f := range p.Filters {
			if _, ok := layout.Lookup(p.Object, f.Field); !ok {
				t.Errorf("panel %s filters on unknown field %s", p.Key, f.Field)
			}
		}
		if !p.Object.Single() && p.Limit <= 0 {
			t.Errorf("list panel %s has no record limit", p.Key)
		}
	}
}

func TestDefaultDocIsValid(t *testing.T) {
	if err := layout.DefaultDoc().Validate(layout.Builtin()); err != nil {
		t.Fatal(err)
	}
}
