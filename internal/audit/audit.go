// Package audit writes the audit trail: every read of customer data and
// every sensitive action (key reveals, later links and layout changes), with
// who, which integration, visitor and contact, the request id and when.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/model"
)

// Actions recorded.
const (
	ActionContextRead  = "context.read"
	ActionKeyReveal    = "key.reveal"
	ActionLayoutChange = "layout.change"
)

// Event is one audited action.
type Event struct {
	Action        string
	Actor         string
	IntegrationID *int64
	VisitorID     *int64
	ContactID     *int64
	RequestID     string
	// Detail is extra context, stored as JSON; never secrets.
	Detail map[string]string
	At     time.Time // zero: now
}

// Log writes events to a database.
type Log struct {
	db *gorm.DB
	// agents names the agents events name as their actor (WithAgents).
	agents AgentNames
}

// New returns a Log over db.
func New(db *gorm.DB) *Log { return &Log{db: db} }

// AgentNames finds agents by what events name them with: internal/agents
// owns the agents table (*agents.Service is one).
type AgentNames interface {
	// ByKeys returns the agents (id, platform, platform id, e-mail and
	// name) whose platform id or e-mail is one of keys.
	ByKeys(ctx context.Context, keys []string) ([]model.Agent, error)
}

// WithAgents makes WithNames name agents with a; without, events name no
// agent. Call it once, before l is used.
func (l *Log) WithAgents(a AgentNames) *Log {
	l.agents = a
	return l
}

// Record writes ev.
func (l *Log) Record(ctx context.Context, ev Event) error {
	row, err := rowOf(ev)
	if err != nil {
		return err
	}
	return l.write(ctx, []model.AuditEvent{row})
}

func (l *Log) write(ctx context.Context, rows []model.AuditEvent) error {
	if err := l.db.WithContext(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("write %d audit events: %w", len(rows), err)
	}
	return nil
}

func rowOf(ev Event) (model.AuditEvent, error) {
	detail := "{}"
	if len(ev.Detail) > 0 {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return model.AuditEvent{}, fmt.Errorf("audit detail: %w", err)
		}
		detail = string(b)
	}
	at := ev.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	return model.AuditEvent{
		Action: ev.Action, Actor: truncate(ev.Actor, 255), IntegrationID: ev.IntegrationID, VisitorID: ev.VisitorID,
		ContactID: ev.ContactID, RequestID: truncate(ev.RequestID, 64), Detail: detail, CreatedAt: at,
	}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Filter selects events; zero fields select all.
type Filter struct {
	Action    string
	Actor     string
	ContactID int64
	VisitorID int64
	Since     time.Time
	Until     time.Time
	// IntegrationID selects one integration's events.
	IntegrationID int64
	// ContactName selects events about contacts whose name contains it.
	ContactName string
	// HidePreviews leaves out the designer's previews (ActionLayoutPreview).
	HidePreviews bool
	// Before is a cursor: only events with smaller ids.
	Before int64
	Limit  int
}

// List returns the events f selects, newest first, at most f.Limit (1..500,
// default 100).
func (l *Log) List(ctx context.Context, f Filter) ([]model.AuditEvent, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := l.db.WithContext(ctx).Model(&model.AuditEvent{})
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Actor != "" {
		// As recorded, or an agent's name: the ids and e-mails it is recorded as.
		q = q.Where("actor = ? OR actor IN (SELECT platform_id FROM agents WHERE LOWER(name) = LOWER(?)) OR actor IN (SELECT email FROM agents WHERE email <> '' AND LOWER(name) = LOWER(?))",
			f.Actor, f.Actor, f.Actor)
	}
	if f.IntegrationID != 0 {
		q = q.Where("integration_id = ?", f.IntegrationID)
	}
	if f.ContactName != "" {
		q = q.Where("contact_id IN (SELECT id FROM contacts WHERE LOWER(name) LIKE ? ESCAPE '!')", "%"+likeEscape(strings.ToLower(f.ContactName))+"%")
	}
	if f.HidePreviews && f.Action != ActionLayoutPreview {
		q = q.Where("action <> ?", ActionLayoutPreview)
	}
	if f.ContactID != 0 {
		q = q.Where("contact_id = ?", f.ContactID)
	}
	if f.VisitorID != 0 {
		q = q.Where("visitor_id = ?", f.VisitorID)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("created_at < ?", f.Until.UTC())
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	var rows []model.AuditEvent
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return rows, nil
}

// Export writes every event f selects to w as NDJSON, newest first, reading
// in pages so memory stays flat.
func (l *Log) Export(ctx context.Context, f Filter, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n := 0
	f.Limit = 500
	for {
		rows, err := l.List(ctx, f)
		if err != nil {
			return n, err
		}
		for _, r := range rows {
			if err := enc.Encode(Record(r)); err != nil {
				return n, fmt.Errorf("write audit export: %w", err)
			}
			n++
		}
		if len(rows) < f.Limit {
			return n, nil
		}
		f.Before = rows[len(rows)-1].ID
	}
}

// Exported is an event as the API and exports show it.
type Exported struct {
	ID            string            `json:"id"`
	Action        string            `json:"action"`
	Actor         string            `json:"actor"`
	IntegrationID string            `json:"integrationId,omitempty"`
	VisitorID     string            `json:"visitorId,omitempty"`
	ContactID     string            `json:"contactId,omitempty"`
	RequestID     string            `json:"requestId"`
	At            time.Time         `json:"at"`
	Detail        map[string]string `json:"detail"`
}

// Record turns a stored event into its exported form.
func Record(r model.AuditEvent) Exported {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	detail := map[string]string{}
	_ = json.Unmarshal([]byte(r.Detail), &detail)
	return Exported{ID: strconv.FormatInt(r.ID, 10), Action: r.Action, Actor: r.Actor, IntegrationID: id(r.IntegrationID),
		VisitorID: id(r.VisitorID), ContactID: id(r.ContactID), RequestID: r.RequestID, At: r.CreatedAt.UTC(), Detail: detail}
}

// Actions of the admin console.
const (
	ActionKeyRotate         = "key.rotate"
	ActionIntegrationCreate = "integration.create"
	ActionIntegrationUpdate = "integration.update"
	ActionFieldChange       = "field.change"
	ActionAgentsImport      = "agents.import"
	ActionAgentGroups       = "agent.groups"
	ActionLayoutPreview     = "layout.preview"
	ActionSimulate          = "simulate"
	ActionPasswordChange    = "admin.password"
)

// Actions of service tokens (internal/servicetoken) and of what they do
// through the sync API (internal/importer's Sync and Delete); the actor is
// "token:" and the token's name.
const (
	ActionTokenCreate = "token.create"
	ActionTokenRevoke = "token.revoke"
	ActionSyncUpsert  = "sync.upsert"
	ActionSyncDelete  = "sync.delete"
)

func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// Named is an event with the names of what it refers to, as the console
// shows it: the integration's name and slug, the agent's name (when the
// actor is an agent crmlens knows), the visitor as channel/id and the
// contact's name. A name is empty when
// what it names is gone.
type Named struct {
	Exported
	IntegrationName string `json:"integrationName,omitempty"`
	IntegrationSlug string `json:"integrationSlug,omitempty"`
	ActorName       string `json:"actorName,omitempty"`
	VisitorName     string `json:"visitorName,omitempty"`
	ContactName     string `json:"contactName,omitempty"`
}

// WithNames names what rows refer to, in one query per kind of thing.
func (l *Log) WithNames(ctx context.Context, rows []model.AuditEvent) ([]Named, error) {
	db := l.db.WithContext(ctx)
	ids := func(get func(model.AuditEvent) *int64) []int64 {
		seen := map[int64]bool{}
		var out []int64
		for _, r := range rows {
			if p := get(r); p != nil && !seen[*p] {
				seen[*p] = true
				out = append(out, *p)
			}
		}
		return out
	}
	integrations := map[int64]model.Integration{}
	if list := ids(func(r model.AuditEvent) *int64 { return r.IntegrationID }); len(list) > 0 {
		var found []model.Integration
		if err := db.Select("id", "slug", "name", "kind").Where("id IN ?", list).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("audit names: integrations: %w", err)
		}
		for _, x := range found {
			integrations[x.ID] = x
		}
	}
	visitors := map[int64]model.Visitor{}
	if list := ids(func(r model.AuditEvent) *int64 { return r.VisitorID }); len(list) > 0 {
		var found []model.Visitor
		if err := db.Select("id", "channel", "external_id").Where("id IN ?", list).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("audit names: visitors: %w", err)
		}
		for _, x := range found {
			visitors[x.ID] = x
		}
	}
	contacts := map[int64]string{}
	if list := ids(func(r model.AuditEvent) *int64 { return r.ContactID }); len(list) > 0 {
		var found []model.Contact
		if err := db.Select("id", "name").Where("id IN ?", list).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("audit names: contacts: %w", err)
		}
		for _, x := range found {
			contacts[x.ID] = x.Name
		}
	}
	actors := map[string]bool{}
	var keys []string
	for _, r := range rows {
		if r.Actor != "" && !strings.Contains(r.Actor, ":") && !actors[r.Actor] {
			actors[r.Actor] = true
			keys = append(keys, r.Actor)
		}
	}
	agents := map[string][]model.Agent{}
	if len(keys) > 0 && l.agents != nil {
		found, err := l.agents.ByKeys(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("audit names: %w", err)
		}
		for _, a := range found {
			agents[a.PlatformID] = append(agents[a.PlatformID], a)
			if a.Email != "" && a.Email != a.PlatformID {
				agents[a.Email] = append(agents[a.Email], a)
			}
		}
	}
	out := make([]Named, 0, len(rows))
	for _, r := range rows {
		n := Named{Exported: Record(r)}
		var kind string
		if r.IntegrationID != nil {
			if x, ok := integrations[*r.IntegrationID]; ok {
				n.IntegrationName, n.IntegrationSlug, kind = x.Name, x.Slug, x.Kind
			}
		}
		// The agent of the event's platform when several platforms have one
		// with this id.
		for i, a := range agents[r.Actor] {
			if i == 0 || a.Platform == kind {
				n.ActorName = a.Name
			}
		}
		if r.VisitorID != nil {
			if v, ok := visitors[*r.VisitorID]; ok {
				n.VisitorName = v.Channel + "/" + v.ExternalID
			}
		}
		if r.ContactID != nil {
			n.ContactName = contacts[*r.ContactID]
		}
		out = append(out, n)
	}
	return out, nil
}
