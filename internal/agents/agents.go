// Package agents lists the platforms' agents crmlens knows (imported by an
// admin or seen on a session) with their groups, and assigns groups. Layout
// scopes name agents and groups; imports live in internal/importer.
package agents

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
)

// MaxListed bounds how many agents List returns.
const MaxListed = 1000

// Agent is an agent with the names of its groups.
type Agent struct {
	model.Agent
	Groups []string
}

// Group is a group with its member count.
type Group struct {
	Name    string
	Members int
}

// Service reads and assigns agents and groups.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a Service over db; now is the clock (nil: time.Now in UTC).
func New(db *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{db: db, now: now}
}

// List returns the agents (imported first, then by platform id) with their
// groups, at most MaxListed.
func (s *Service) List(ctx context.Context) ([]Agent, error) {
	var rows []model.Agent
	if err := s.db.WithContext(ctx).Order("origin").Order("platform").Order("platform_id").Limit(MaxListed).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	groups, err := s.groupsByAgent(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Agent, 0, len(rows))
	for _, r := range rows {
		g := groups[r.ID]
		if g == nil {
			g = []string{}
		}
		out = append(out, Agent{Agent: r, Groups: g})
	}
	return out, nil
}

func (s *Service) groupsByAgent(ctx context.Context) (map[int64][]string, error) {
	var rows []struct {
		AgentID int64
		Name    string
	}
	err := s.db.WithContext(ctx).Table("agent_group_members m").Select("m.agent_id AS agent_id, g.name AS name").
		Joins("JOIN agent_groups g ON g.id = m.group_id").Order("g.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list agent groups: %w", err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.AgentID] = append(out[r.AgentID], r.Name)
	}
	return out, nil
}

// Groups returns every group with its member count, by name.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	var rows []struct {
		Name    string
		Members int
	}
	err := s.db.WithContext(ctx).Table("agent_groups g").Select("g.name AS name, COUNT(m.id) AS members").
		Joins("LEFT JOIN agent_group_members m ON m.group_id = g.id").Group("g.id, g.name").Order("g.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	out := make([]Group, 0, len(rows))
	for _, r := range rows {
		out = append(out, Group{Name: r.Name, Members: r.Members})
	}
	return out, nil
}

// CodeNotFound is the error code of an unknown agent.
const CodeNotFound = "agent_not_found"

// SetGroups makes agent id a member of exactly groups, creating groups as
// needed, in one transaction with its audit record (record, when not nil).
func (s *Service) SetGroups(ctx context.Context, id int64, groups []string, record audit.OnTx[Agent]) (Agent, error) {
	clean := make([]string, 0, len(groups))
	for _, g := range groups {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if len(g) > 128 {
			return Agent{}, apperr.OnField(apperr.New(apperr.Invalid, "invalid_group", "a group name is longer than 128 characters"), "groups")
		}
		if unsafeText(g) {
			return Agent{}, apperr.OnField(apperr.New(apperr.Invalid, "invalid_group",
				"a group name cannot hold control or bidirectional-override characters"), "groups")
		}
		if !slices.Contains(clean, g) {
			clean = append(clean, g)
		}
	}
	if len(clean) > 50 {
		return Agent{}, apperr.OnField(apperr.New(apperr.Invalid, "invalid_group", "an agent can be in at most 50 groups"), "groups")
	}
	var a model.Agent
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&a).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperr.New(apperr.NotFound, CodeNotFound, "no agent has the id %d; reload the list", id)
			}
			return fmt.Errorf("find agent: %w", err)
		}
		if err := tx.Where("agent_id = ?", id).Delete(&model.AgentGroupMember{}).Error; err != nil {
			return fmt.Errorf("clear agent groups: %w", err)
		}
		for _, name := range clean {
			var g model.AgentGroup
			err := tx.Where("name = ?", name).Take(&g).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				g = model.AgentGroup{Name: name, CreatedAt: s.now()}
				err = tx.Create(&g).Error
			}
			if err != nil {
				return fmt.Errorf("find or create group: %w", err)
			}
			if err := tx.Create(&model.AgentGroupMember{AgentID: id, GroupID: g.ID}).Error; err != nil {
				return fmt.Errorf("add agent to group: %w", err)
			}
		}
		if err := record.Run(tx, Agent{Agent: a, Groups: slices.Sorted(slices.Values(clean))}); err != nil {
			return fmt.Errorf("record the change of agent %d: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return Agent{}, err
	}
	slices.Sort(clean)
	return Agent{Agent: a, Groups: clean}, nil
}

// unsafeText reports whether s holds a NUL or other control character, or
// a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069),
// which would make a name display as something else than it is.
func unsafeText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}
