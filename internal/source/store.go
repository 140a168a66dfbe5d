package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/model"
)

// Store keeps applied sources in crmlens's sources table. An inline url is
// sealed with the keyring, as integration keys are (internal/integration),
// and kept out of the stored YAML; url_env is stored as the name only.
type Store struct {
	db   *gorm.DB
	keys *keyring.Keyring
}

// NewStore returns the store of db; keys seals and opens inline urls.
func NewStore(db *gorm.DB, keys *keyring.Keyring) *Store { return &Store{db: db, keys: keys} }

// Stored is one applied source.
type Stored struct {
	Spec      Spec
	URLSealed string
}

// Apply validates spec against cat and creates or replaces the source of
// its name, calling record on the same transaction (the audit record). An
// object another source maps is refused: each object has one home; so is
// an object the sidebar does not read live yet (Spec.Served).
func (s *Store) Apply(ctx context.Context, spec Spec, cat layout.Catalog, record func(tx *gorm.DB) error) (created bool, err error) {
	if err := spec.Validate(cat); err != nil {
		return false, err
	}
	if err := spec.Served(); err != nil {
		return false, err
	}
	sealed := ""
	if spec.URL != "" {
		if s.keys == nil {
			return false, errors.New("seal source url: no keyring")
		}
		if sealed, err = s.keys.Seal(spec.URL); err != nil {
			return false, fmt.Errorf("seal source url: %w", err)
		}
	}
	text, err := spec.Stored()
	if err != nil {
		return false, err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []model.Source
		if err := tx.Find(&rows).Error; err != nil {
			return fmt.Errorf("list sources: %w", err)
		}
		var cur *model.Source
		for i, r := range rows {
			if r.Name == spec.Name {
				cur = &rows[i]
				continue
			}
			other, err := Parse([]byte(r.Spec))
			if err != nil {
				return fmt.Errorf("read source %q: %w", r.Name, err)
			}
			for o := range spec.Mapping() {
				if _, taken := other.Mapping()[o]; taken {
					return apperr.New(apperr.Conflict, CodeObjectTaken, "object %s is already mapped by source %q: remove it there first", o, r.Name)
				}
			}
		}
		if cur == nil {
			created = true
			if err := tx.Create(&model.Source{Name: spec.Name, Spec: string(text), URLSealed: sealed}).Error; err != nil {
				return fmt.Errorf("create source %q: %w", spec.Name, err)
			}
		} else if err := tx.Model(cur).Updates(map[string]any{"spec": string(text), "url_sealed": sealed}).Error; err != nil {
			return fmt.Errorf("update source %q: %w", spec.Name, err)
		}
		if record != nil {
			return record(tx)
		}
		return nil
	})
	return created, err
}

// List returns every source, by name.
func (s *Store) List(ctx context.Context) ([]Stored, error) {
	var rows []model.Source
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	out := make([]Stored, 0, len(rows))
	for _, r := range rows {
		spec, err := Parse([]byte(r.Spec))
		if err != nil {
			return nil, fmt.Errorf("read source %q: %w", r.Name, err)
		}
		out = append(out, Stored{Spec: spec, URLSealed: r.URLSealed})
	}
	return out, nil
}

// Get returns the source name.
func (s *Store) Get(ctx context.Context, name string) (Stored, error) {
	all, err := s.List(ctx)
	if err != nil {
		return Stored{}, err
	}
	for _, st := range all {
		if st.Spec.Name == name {
			return st, nil
		}
	}
	return Stored{}, apperr.New(apperr.NotFound, CodeNotFound, "no source is named %q; crmlens source list shows them", name)
}

// Delete removes the source name, calling record on the same transaction.
func (s *Store) Delete(ctx context.Context, name string, record func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("name = ?", name).Delete(&model.Source{})
		if res.Error != nil {
			return fmt.Errorf("delete source %q: %w", name, res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, CodeNotFound, "no source is named %q; crmlens source list shows them", name)
		}
		if record != nil {
			return record(tx)
		}
		return nil
	})
}

// URL is the source's URL: its sealed url opened, or the value of its
// url_env read with getenv. Never print or log it.
func (s *Store) URL(st Stored, getenv func(string) string) (string, error) {
	if st.URLSealed != "" {
		if s.keys == nil {
			return "", errors.New("open source url: no keyring")
		}
		u, err := s.keys.Open(st.URLSealed)
		if err != nil {
			return "", fmt.Errorf("open the sealed url of source %q: %w", st.Spec.Name, err)
		}
		return u, nil
	}
	u := getenv(st.Spec.URLEnv)
	if u == "" {
		return "", apperr.New(apperr.Invalid, CodeInvalidSpec, "source %q: environment variable %s is not set; set it to mysql://reader:pass@host:port/db", st.Spec.Name, st.Spec.URLEnv)
	}
	return u, nil
}

// Set is the open sources of a running crmlens, by the object each maps:
// what the sidebar asks "who serves orders?".
type Set struct {
	mu      sync.RWMutex
	sources map[string]*Source
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{sources: map[string]*Source{}} }

// OpenAll opens every stored source into a set. A source whose URL cannot
// be had (url_env unset) is left out and reported in skipped; a source that
// is down opens anyway (Open does not connect) and says "source
// unavailable" at its first read.
func OpenAll(ctx context.Context, st *Store, getenv func(string) string, opts Options) (set *Set, skipped []error, err error) {
	all, err := st.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	set = NewSet()
	for _, s := range all {
		u, err := st.URL(s, getenv)
		if err == nil {
			var src *Source
			if src, err = Open(s.Spec, u, opts); err == nil {
				set.Put(src)
				continue
			}
		}
		skipped = append(skipped, err)
	}
	return set, skipped, nil
}

// Put adds src, closing the source of the same name it replaces.
func (s *Set) Put(src *Source) {
	s.mu.Lock()
	old := s.sources[src.Name()]
	s.sources[src.Name()] = src
	s.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
}

// Remove closes and forgets the source name.
func (s *Set) Remove(name string) {
	s.mu.Lock()
	old := s.sources[name]
	delete(s.sources, name)
	s.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
}

// For returns the source mapping object, if any (objects are mapped by at
// most one source: Store.Apply refuses a second).
func (s *Set) For(object layout.Object) (*Source, bool) {
	if s == nil {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.sources))
	for n := range s.sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := s.sources[n].spec.Mapping()[object]; ok {
			return s.sources[n], true
		}
	}
	return nil, false
}

// Close closes every source.
func (s *Set) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, src := range s.sources {
		_ = src.Close()
		delete(s.sources, n)
	}
}

// Audit actions of source changes.
const (
	ActionApply  = "source.apply"
	ActionDelete = "source.delete"
)
