package agents

// What the other packages need of the agents table, which this package
// alone reads and writes: the sidebar records the agents platforms name
// and asks whether one was declared; layouts ask for agents' groups; the
// importer declares agents in bulk on its own transaction.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/model"
)

// RecordSeen notes the agent a platform named on a session, the first time
// it is seen, and when it was last seen: id is the platform's id for it,
// else its e-mail (an agent named by neither is not recorded).
func (s *Service) RecordSeen(ctx context.Context, platform, id, email, name string) error {
	if id == "" {
		id = email
	}
	if id == "" {
		return nil
	}
	now := s.now()
	db := s.db.WithContext(ctx)
	res := db.Model(&model.Agent{}).Where("platform = ? AND platform_id = ?", platform, truncate(id, 191)).
		Updates(map[string]any{"last_seen_at": now})
	if res.Error != nil {
		return fmt.Errorf("record agent: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	ag := model.Agent{Platform: platform, PlatformID: truncate(id, 191), Email: truncate(email, 255), Name: truncate(name, 255),
		Origin: model.AgentSeen, CreatedAt: now, UpdatedAt: now, LastSeenAt: &now}
	if err := db.Create(&ag).Error; err != nil && !errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("record agent: %w", err)
	}
	return nil
}

// IsDeclared says whether an admin declared (imported) an agent of
// platform with the platform's id id or the e-mail email (either may be
// ""): an id or e-mail of another platform's agent is no agent of this one.
func (s *Service) IsDeclared(ctx context.Context, platform, id, email string) (bool, error) {
	if id == "" && email == "" {
		return false, nil
	}
	q := s.db.WithContext(ctx).Model(&model.Agent{}).Where("origin = ? AND platform = ?", model.AgentImported, platform)
	switch {
	case id != "" && email != "":
		q = q.Where("platform_id = ? OR email = ?", id, email)
	case id != "":
		q = q.Where("platform_id = ?", id)
	default:
		q = q.Where("email = ?", email)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return false, fmt.Errorf("find agent: %w", err)
	}
	return n > 0, nil
}

// GroupsOf returns the names of the groups, by name, of the agents keys
// name (by platform id or e-mail) among the agents of platform, or, when
// platform is "", of the platform of the integration integrationSlug (an
// unknown slug has no kind: no agent is of its platform). With neither,
// agents of every platform count.
func (s *Service) GroupsOf(ctx context.Context, platform, integrationSlug string, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var names []string
	q := s.db.WithContext(ctx).Table("agent_groups g").
		Joins("JOIN agent_group_members m ON m.group_id = g.id").
		Joins("JOIN agents a ON a.id = m.agent_id").
		Where("a.platform_id IN ? OR a.email IN ?", keys, keys)
	switch {
	case platform != "":
		q = q.Where("a.platform = ?", platform)
	case integrationSlug != "":
		q = q.Where("a.platform IN (SELECT kind FROM integrations WHERE slug = ?)", integrationSlug)
	}
	if err := q.Order("g.name").Distinct().Pluck("g.name", &names).Error; err != nil {
		return nil, fmt.Errorf("groups of agent: %w", err)
	}
	return names, nil
}

// Declared is an agent an admin declares by importing it: the platform's
// id for it, its e-mail and name, and its groups (nil: the groups it has
// are left as they are).
type Declared struct {
	Platform, PlatformID, Email, Name string
	Groups                            []string
}

// CountExisting counts the agents of platform among platformIDs, on tx
// (an import's transaction, before it declares them).
func (s *Service) CountExisting(tx *gorm.DB, platform string, platformIDs []string) (int, error) {
	var n int64
	if err := tx.Model(&model.Agent{}).Where("platform = ? AND platform_id IN ?", platform, platformIDs).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("look up agents: %w", err)
	}
	return int(n), nil
}

// Declare writes rows on tx, batch rows per statement, created or updated
// by (platform, platform_id) at now: re-declaring an agent updates its
// e-mail and name and turns one crmlens had only seen into a declared one.
// Each row with Groups is then made a member of exactly those groups,
// created as needed.
func (s *Service) Declare(tx *gorm.DB, rows []Declared, now time.Time, batch int) error {
	if len(rows) == 0 {
		return nil
	}
	models := make([]model.Agent, 0, len(rows))
	for _, r := range rows {
		models = append(models, model.Agent{Platform: r.Platform, PlatformID: r.PlatformID, Email: r.Email, Name: r.Name,
			Origin: model.AgentImported, CreatedAt: now, UpdatedAt: now})
	}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "platform_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"email", "name", "origin", "updated_at"}),
	}).CreateInBatches(&models, max(batch, 1)).Error
	if err != nil {
		return fmt.Errorf("write agents: %w", err)
	}
	for _, r := range rows {
		if r.Groups == nil {
			continue
		}
		var agent model.Agent
		if err := tx.Select("id").Where("platform = ? AND platform_id = ?", r.Platform, r.PlatformID).Take(&agent).Error; err != nil {
			return fmt.Errorf("find imported agent: %w", err)
		}
		if err := tx.Where("agent_id = ?", agent.ID).Delete(&model.AgentGroupMember{}).Error; err != nil {
			return fmt.Errorf("clear agent groups: %w", err)
		}
		for _, name := range r.Groups {
			g := model.AgentGroup{Name: name, CreatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&g).Error; err != nil {
				return fmt.Errorf("create agent group: %w", err)
			}
			if err := tx.Where("name = ?", name).Take(&g).Error; err != nil {
				return fmt.Errorf("find agent group: %w", err)
			}
			m := model.AgentGroupMember{AgentID: agent.ID, GroupID: g.ID}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
				return fmt.Errorf("add agent to group: %w", err)
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ByKeys returns the agents (id, platform, platform id, e-mail and name)
// of any platform whose platform id or e-mail is one of keys: how the
// audit trail names the agents events name as their actor.
func (s *Service) ByKeys(ctx context.Context, keys []string) ([]model.Agent, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var found []model.Agent
	if err := s.db.WithContext(ctx).Select("id", "platform", "platform_id", "email", "name").
		Where("platform_id IN ? OR email IN ?", keys, keys).Find(&found).Error; err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	return found, nil
}
