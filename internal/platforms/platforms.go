// Package platforms is the one registry of the customer-service platforms
// crmlens connects to: each is one package behind adapter.Platform,
// registered here with one line. The sidebar, the simulator, the
// integrations, the CLI and the server ask a Registry (built once by the
// command and passed to each) instead of switching on the kind.
package platforms

import (
	"fmt"
	"slices"

	"github.com/crmlens/crmlens/internal/adapter"
	"github.com/crmlens/crmlens/internal/adapter/chatwoot"
	"github.com/crmlens/crmlens/internal/adapter/easemob"
	"github.com/crmlens/crmlens/internal/adapter/sharecrm"
	"github.com/crmlens/crmlens/internal/adapter/signed"
	"github.com/crmlens/crmlens/internal/adapter/sobot"
	"github.com/crmlens/crmlens/internal/adapter/udesk"
)

// Registry is a set of platforms by kind, in registration order.
type Registry struct {
	list   []adapter.Platform
	byKind map[string]adapter.Platform
}

// Default returns the registry of every platform this build of crmlens
// knows, one line each.
func Default() *Registry {
	return Must(
		easemob.Platform{},
		sharecrm.Platform{},
		chatwoot.Platform{},
		signed.Platform{},
		udesk.Platform{},
		sobot.Platform{},
	)
}

// New returns a registry of ps; two platforms of one kind, or one without
// a kind, are an error.
func New(ps ...adapter.Platform) (*Registry, error) {
	r := &Registry{byKind: make(map[string]adapter.Platform, len(ps))}
	for _, p := range ps {
		kind := p.Spec().Kind
		if kind == "" {
			return nil, fmt.Errorf("register %T: the platform has no kind", p)
		}
		if _, dup := r.byKind[kind]; dup {
			return nil, fmt.Errorf("register %T: kind %q is registered twice", p, kind)
		}
		r.byKind[kind] = p
		r.list = append(r.list, p)
	}
	return r, nil
}

// Must is New, panicking on an error (a programming error in Default).
func Must(ps ...adapter.Platform) *Registry {
	r, err := New(ps...)
	if err != nil {
		panic(err)
	}
	return r
}

// Get returns the platform of kind.
func (r *Registry) Get(kind string) (adapter.Platform, bool) {
	p, ok := r.byKind[kind]
	return p, ok
}

// Kinds lists the registered kinds, in registration order.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.list))
	for _, p := range r.list {
		out = append(out, p.Spec().Kind)
	}
	return out
}

// All returns the registered platforms, in registration order.
func (r *Registry) All() []adapter.Platform {
	return slices.Clone(r.list)
}

// ProtectionCodes are every code the registered platforms' Protect, VouchedBy
// and HowToVouch may emit, each once, in registration order.
func (r *Registry) ProtectionCodes() []string {
	var out []string
	for _, p := range r.list {
		for _, c := range p.Spec().ProtectionCodes {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// DecryptAdviceCodes are the simulator codes of the platforms' advice when
// params do not decrypt or verify.
func (r *Registry) DecryptAdviceCodes() []string {
	var out []string
	for _, p := range r.list {
		if c := p.Spec().DecryptAdvice.Code; c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
