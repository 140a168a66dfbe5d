package sidebar

import (
	"strings"

	"github.com/crmlens/crmlens/internal/layout"
)

// Mask hides most of a value an agent should not read at a glance:
// phones keep their first 3 and last 4 digits (159****5678), emails the first
// letter of the local part and the domain (z***@example.com), other text its
// first and last character.
func Mask(t layout.FieldType, s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	switch t {
	case layout.Phone:
		if len(r) >= 8 {
			return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
		}
	case layout.Email:
		if local, domain, ok := strings.Cut(s, "@"); ok && local != "" {
			lr := []rune(local)
			return string(lr[0]) + "***@" + domain
		}
	}
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
