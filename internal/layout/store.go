package layout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
)

// cacheTTL bounds how stale a Store's view of the layouts may be, so every
// instance serves a change within a couple of seconds.
const cacheTTL = time.Second

// Store keeps layouts in the database, versioned.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	// groups finds agents' groups, for group scopes (WithAgentGroups).
	groups AgentGroups

	mu        sync.Mutex
	cached    []stored
	cachedCat Catalog
	cachedAt  time.Time
}

type stored struct {
	doc    Doc
	layout Layout
}

// NewStore returns a Store over db; now is the clock (nil: time.Now).
func NewStore(db *gorm.DB, now func() time.Time) *Store {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Store{db: db, now: now}
}

// AgentGroups finds the groups agents are in: internal/agents owns agents
// and their groups (*agents.Service is one).
type AgentGroups interface {
	// GroupsOf returns the names of the groups of the agents keys name (by
	// platform id or e-mail) among the agents of platform, or when it is ""
	// of the platform of the integration integrationSlug.
	GroupsOf(ctx context.Context, platform, integrationSlug string, keys []string) ([]string, error)
}

// WithAgentGroups makes s resolve group scopes with g's groups; a store
// without resolves none (the CLI's, which only reads and writes layouts).
// Call it once, before s is used.
func (s *Store) WithAgentGroups(g AgentGroups) *Store {
	s.groups = g
	return s
}

// List returns every stored layout, by name.
func (s *Store) List(ctx context.Context) ([]Doc, error) {
	var rows []model.Layout
	if err := s.db.WithContext(ctx).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list layouts: %w", err)
	}
	out := make([]Doc, 0, len(rows))
	for _, r := range rows {
		d, err := docOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func docOf(r model.Layout) (Doc, error) {
	d := Doc{Name: r.Name, Version: r.Version}
	if err := json.Unmarshal([]byte(r.Scope), &d.Scope); err != nil {
		return Doc{}, fmt.Errorf("layout %s scope: %w", r.Name, err)
	}
	if err := json.Unmarshal([]byte(r.Panels), &d.Panels); err != nil {
		return Doc{}, fmt.Errorf("layout %s panels: %w", r.Name, err)
	}
	return d, nil
}

// CodeStale is the error code of an update based on an old version.
const CodeStale = "layout_stale"

// Put stores d: see PutAll.
func (s *Store) Put(ctx context.Context, d Doc, requireVersion bool, record audit.OnTx[Doc]) (Doc, error) {
	out, err := s.PutAll(ctx, []Doc{d}, requireVersion, record)
	if err != nil {
		return Doc{}, err
	}
	return out[0], nil
}

// PutAll validates every doc, then stores them all in one transaction with
// their audit records: see ApplyAll. It returns the docs as stored.
func (s *Store) PutAll(ctx context.Context, docs []Doc, requireVersion bool, record audit.OnTx[Doc]) ([]Doc, error) {
	applied, err := s.ApplyAll(ctx, docs, requireVersion, record)
	if err != nil {
		return nil, err
	}
	out := make([]Doc, len(applied))
	for i, a := range applied {
		out[i] = a.Doc
	}
	return out, nil
}

// Applied is one doc of ApplyAll, at its stored version.
type Applied struct {
	Doc
	// Unchanged says the doc was identical to the stored layout: nothing
	// was written and its version stays.
	Unchanged bool
}

// ApplyAll validates every doc, then stores them all in one transaction
// with their audit records (record, when not nil): all are written or none.
// A new name is created at version 1, an existing one replaced at its next
// version. Without requireVersion (a file: crmlens layout apply), a doc
// identical to the stored layout (scope and panels) is unchanged: nothing is
// written or recorded, whatever version it carries, so a committed file
// applies again and again. A changed doc that carries
// a version (always, with requireVersion) must carry the stored one: a doc
// based on an older one (someone changed the layout since: a stale update)
// fails with CodeStale. A name twice in docs is refused.
func (s *Store) ApplyAll(ctx context.Context, docs []Doc, requireVersion bool, record audit.OnTx[Doc]) ([]Applied, error) {
	cat, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(docs))
	for _, d := range docs {
		if err := d.Validate(cat); err != nil {
			return nil, err
		}
		if seen[d.Name] {
			return nil, apperr.OnField(apperr.New(apperr.Invalid, "layout_duplicate",
				"layout %q appears twice; give each layout one document, nothing was written", d.Name), "name")
		}
		seen[d.Name] = true
	}
	out := make([]Applied, 0, len(docs))
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range docs {
			a, err := s.put(tx, d, requireVersion)
			if err != nil {
				return err
			}
			if !a.Unchanged {
				if err := record.Run(tx, a.Doc); err != nil {
					return fmt.Errorf("record the change of layout %q: %w", d.Name, err)
				}
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
	return out, nil
}

// ActionDelete is the audit action of a deleted layout.
const ActionDelete = "layout.delete"

// CodeNotFound is the error code of a layout name nothing is stored under.
const CodeNotFound = "layout_not_found"

// Delete removes the layout name with its audit record (record, when not
// nil, given the layout as it was). Agents it applied to get the next
// layout by precedence. The audit trail is kept.
func (s *Store) Delete(ctx context.Context, name string, record audit.OnTx[Doc]) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur model.Layout
		err := tx.Where("name = ?", name).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperr.New(apperr.NotFound, CodeNotFound, "no layout is named %q; `crmlens layout export` lists them", name)
		}
		if err != nil {
			return fmt.Errorf("find layout: %w", err)
		}
		d, err := docOf(cur)
		if err != nil {
			return err
		}
		if err := tx.Where("id = ?", cur.ID).Delete(&model.Layout{}).Error; err != nil {
			return fmt.Errorf("delete layout: %w", err)
		}
		if err := record.Run(tx, d); err != nil {
			return fmt.Errorf("record the deletion of layout %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
	return nil
}

// sameContent says whether d has the scope and panels of the stored doc
// cur, comparing their JSON with empty lists, maps and nulls left out
// (an exported file omits what the stored JSON may hold as []).
func sameContent(d, cur Doc) bool {
	return canonical(d.Scope) == canonical(cur.Scope) && canonical(d.Panels) == canonical(cur.Panels)
}

func canonical(v any) string {
	b, _ := json.Marshal(v)
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return string(b)
	}
	b, _ = json.Marshal(prune(x))
	return string(b)
}

// prune drops nulls and empty lists and objects from a decoded JSON value.
func prune(x any) any {
	switch v := x.(type) {
	case map[string]any:
		for k, e := range v {
			e = prune(e)
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = e
		}
		if len(v) == 0 {
			return nil
		}
		return v
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
		if len(v) == 0 {
			return nil
		}
		return v
	default:
		return x
	}
}

// put stores one validated doc on tx.
func (s *Store) put(tx *gorm.DB, d Doc, requireVersion bool) (Applied, error) {
	// A file (requireVersion false) identical to what is stored is a no-op
	// whatever version it carries; the admin API (requireVersion) keeps
	// refusing any save based on another version.
	fromFile := !requireVersion
	requireVersion = requireVersion || d.Version != 0
	scope, _ := json.Marshal(d.Scope)
	panels, _ := json.Marshal(d.Panels)
	now := s.now()
	var cur model.Layout
	err := tx.Where("name = ?", d.Name).Take(&cur).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if requireVersion && d.Version != 0 {
			return Applied{}, apperr.New(apperr.Conflict, CodeStale, "layout %q was deleted since version %d; nothing was written", d.Name, d.Version)
		}
		row := model.Layout{Name: d.Name, IsDefault: d.Scope.Default, Scope: string(scope), Panels: string(panels), Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Applied{}, apperr.New(apperr.Conflict, CodeStale, "layout %q was created meanwhile; reload it, nothing was written", d.Name)
			}
			return Applied{}, fmt.Errorf("store layout: %w", err)
		}
		d.Version = 1
		return Applied{Doc: d}, nil
	case err != nil:
		return Applied{}, fmt.Errorf("find layout: %w", err)
	}
	if stored, err := docOf(cur); err == nil && fromFile && sameContent(d, stored) {
		return Applied{Doc: stored, Unchanged: true}, nil
	}
	if requireVersion && d.Version != cur.Version {
		return Applied{}, apperr.New(apperr.Conflict, CodeStale,
			"layout %q changed since you loaded it (you have version %d, it is at %d: someone else or an earlier apply changed it); nothing was written: "+
				"reload it (CLI: crmlens layout export), redo your change on it and apply that", d.Name, d.Version, cur.Version)
	}
	res := tx.Model(&model.Layout{}).Where("id = ? AND version = ?", cur.ID, cur.Version).Updates(map[string]any{
		"is_default": d.Scope.Default, "scope": string(scope), "panels": string(panels), "version": cur.Version + 1, "updated_at": now,
	})
	if res.Error != nil {
		return Applied{}, fmt.Errorf("update layout: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return Applied{}, apperr.New(apperr.Conflict, CodeStale, "layout %q changed meanwhile; reload it, nothing was written", d.Name)
	}
	d.Version = cur.Version + 1
	return Applied{Doc: d}, nil
}

// all returns the stored layouts, from a cache at most cacheTTL old.
func (s *Store) all(ctx context.Context) ([]stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && s.now().Sub(s.cachedAt) < cacheTTL {
		return s.cached, nil
	}
	docs, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := s.loadCatalog(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]stored, 0, len(docs))
	for _, d := range docs {
		list = append(list, stored{doc: d, layout: d.Layout(cat)})
	}
	s.cached, s.cachedCat, s.cachedAt = list, cat, s.now()
	return list, nil
}

// Who identifies the session a layout is resolved for.
type Who struct {
	Integration string // slug
	// Platform is the kind of platform whose agents Agent names (easemob,
	// chatwoot...): groups are those of that platform's agents only. Empty:
	// the kind of Integration; with neither, groups are looked up across
	// every platform (an admin previewing an agent, never a session).
	Platform string
	// Agent is the agent's id and email, as the platform gave them, and only
	// when it vouches for who the agent is: empty, agent and group layouts
	// do not apply.
	Agent []string
}

// Reason says why a layout applies: in English (Text), and as a code with
// parameters for a client to word in its language.
type Reason struct {
	Code   string
	Params map[string]string
	Text   string
}

// Reason codes (ReasonCodes lists them all; the console's and the sidebar's
// catalogues word each one: frontend/src/admin/codes.json).
const (
	ReasonIntegration = "layout.integration"
	ReasonAgent       = "layout.agent"
	ReasonGroup       = "layout.group"
	ReasonDefault     = "layout.default"
	ReasonBuiltin     = "layout.builtin"
	// ReasonPreview is the designer's preview of an unsaved layout.
	ReasonPreview = "layout.preview"
)

// ReasonCodes are every layout reason code.
var ReasonCodes = []string{ReasonIntegration, ReasonAgent, ReasonGroup, ReasonDefault, ReasonBuiltin, ReasonPreview}

// PreviewReason is the reason of the designer's preview.
func PreviewReason() Reason {
	return Reason{Code: ReasonPreview, Text: "preview of the layout being edited; it is not saved"}
}

// Resolve picks the layout for who by scope precedence: integration >
// agent > group > default, the built-in Default when none is stored. It
// says why in words (ResolveReason says it as a code too).
func (s *Store) Resolve(ctx context.Context, who Who) (Layout, string, error) {
	l, r, err := s.ResolveReason(ctx, who)
	return l, r.Text, err
}

// ResolveReason is Resolve with the reason as a code and its parameters.
func (s *Store) ResolveReason(ctx context.Context, who Who) (Layout, Reason, error) {
	list, err := s.all(ctx)
	if err != nil {
		return Layout{}, Reason{}, err
	}
	for _, st := range list {
		if who.Integration != "" && slices.Contains(st.doc.Scope.Integrations, who.Integration) {
			return st.layout, Reason{Code: ReasonIntegration, Params: map[string]string{"name": st.doc.Name, "integration": who.Integration},
				Text: fmt.Sprintf("layout %q is scoped to integration %s, which comes before agent, group and default layouts", st.doc.Name, who.Integration)}, nil
		}
	}
	for _, st := range list {
		for _, a := range who.Agent {
			if a != "" && containsFold(st.doc.Scope.Agents, a) {
				return st.layout, Reason{Code: ReasonAgent, Params: map[string]string{"name": st.doc.Name, "agent": a},
					Text: fmt.Sprintf("layout %q is scoped to this agent (%s), and no layout is scoped to this integration", st.doc.Name, a)}, nil
			}
		}
	}
	needGroups := false
	for _, st := range list {
		needGroups = needGroups || len(st.doc.Scope.Groups) > 0
	}
	if needGroups {
		groups, err := s.groupsOf(ctx, who)
		if err != nil {
			return Layout{}, Reason{}, err
		}
		for _, st := range list {
			for _, g := range groups {
				if slices.Contains(st.doc.Scope.Groups, g) {
					return st.layout, Reason{Code: ReasonGroup, Params: map[string]string{"name": st.doc.Name, "group": g},
						Text: fmt.Sprintf("layout %q is scoped to agent group %s, and no layout is scoped to this integration or agent", st.doc.Name, g)}, nil
				}
			}
		}
	}
	for _, st := range list {
		if st.doc.Scope.Default {
			return st.layout, Reason{Code: ReasonDefault, Params: map[string]string{"name": st.doc.Name},
				Text: fmt.Sprintf("layout %q is the default, and no layout is scoped to this integration, agent or their groups", st.doc.Name)}, nil
		}
	}
	return Default(), Reason{Code: ReasonBuiltin, Params: map[string]string{"name": Default().Name},
		Text: "the built-in default layout applies: no layout is stored for this integration, agent, group or as default"}, nil
}

// groupsOf returns the names of the groups of the agents who.Agent names
// (by platform id or email) among the agents of who's platform: none when
// the store was given no AgentGroups.
func (s *Store) groupsOf(ctx context.Context, who Who) ([]string, error) {
	var keys []string
	for _, id := range who.Agent {
		if id != "" {
			keys = append(keys, id)
		}
	}
	if len(keys) == 0 || s.groups == nil {
		return nil, nil
	}
	return s.groups.GroupsOf(ctx, who.Platform, who.Integration, keys)
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
