package importer

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/crmlens/crmlens/internal/matchkey"
	"github.com/crmlens/crmlens/internal/model"
)

// agentsSpec is the agents' columns (docs/import.md). Agents have no
// external_id and no table of the bulk path: they are never bulk-loaded.
func agentsSpec() *objectSpec {
	return &objectSpec{name: "agents", columns: []column{
		{name: "platform", max: 16, required: true},
		{name: "platform_id", max: 191, required: true},
		{name: "email", max: 255},
		{name: "name", max: 255},
		{name: "groups", max: 2000},
	}, newHandler: func(now time.Time, _ matchkey.Normalizer) handler { return &agents{now: now, ids: externalIDs{}} }}
}

// agents are the platforms' agents an admin declares; an integration that
// requires a known agent serves only these. Re-importing updates by
// (platform, platform_id) and turns an agent crmlens had only seen into a
// declared one.
type agents struct {
	now     time.Time
	ids     externalIDs
	rows    []model.Agent
	groups  [][]string // per row: the groups named, nil when the column is absent
	updated int
}

func (h *agents) rowsToWrite() int { return len(h.rows) }

func (h *agents) add(c *checker) {
	a := model.Agent{
		Platform:   c.oneOf("platform", "", model.KindEasemob, model.KindShareCRM, model.KindChatwoot, model.KindSigned),
		PlatformID: c.text("platform_id"),
		Email:      strings.ToLower(c.email("email")),
		Name:       c.text("name"),
		Origin:     model.AgentImported,
		CreatedAt:  h.now,
		UpdatedAt:  h.now,
	}
	if a.Platform != "" && a.PlatformID != "" {
		if prev, ok := h.ids[a.Platform+"\x00"+a.PlatformID]; ok {
			c.fail("platform_id", "agent %s/%s is also on line %d", a.Platform, a.PlatformID, prev)
		} else {
			h.ids[a.Platform+"\x00"+a.PlatformID] = c.rec.line
		}
	}
	var groups []string
	if _, present := c.rec.get(c.spec, "groups"); present {
		groups = []string{}
		for _, g := range strings.Split(c.text("groups"), ";") {
			if g = strings.TrimSpace(g); g == "" {
				continue
			}
			if len([]rune(g)) > 128 {
				c.fail("groups", "a group name is longer than 128 characters")
			}
			groups = append(groups, g)
		}
	}
	if c.ok {
		h.rows = append(h.rows, a)
		h.groups = append(h.groups, groups)
	}
}

func (h *agents) resolve(w *writer, _ *collector) error {
	byPlatform := map[string][]string{}
	for _, a := range h.rows {
		byPlatform[a.Platform] = append(byPlatform[a.Platform], a.PlatformID)
	}
	for platform, ids := range byPlatform {
		for start := 0; start < len(ids); start += lookupChunk {
			chunk := ids[start:min(start+lookupChunk, len(ids))]
			var n int64
			if err := w.tx.Model(&model.Agent{}).Where("platform = ? AND platform_id IN ?", platform, chunk).Count(&n).Error; err != nil {
				return fmt.Errorf("look up agents: %w", err)
			}
			h.updated += int(n)
		}
	}
	return nil
}

func (h *agents) write(w *writer, batch int) (Result, error) {
	err := create(w, h.rows, batch, &clause.OnConflict{
		Columns:   []clause.Column{{Name: "platform"}, {Name: "platform_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"email", "name", "origin", "updated_at"}),
	})
	if err != nil {
		return Result{}, fmt.Errorf("write agents: %w", err)
	}
	if err := h.writeGroups(w.tx); err != nil {
		return Result{}, err
	}
	return result(len(h.rows), h.updated), nil
}

// writeGroups makes each agent that had a groups column a member of exactly
// the groups listed, creating groups as needed.
func (h *agents) writeGroups(tx *gorm.DB) error {
	for i, a := range h.rows {
		groups := h.groups[i]
		if groups == nil {
			continue
		}
		var agent model.Agent
		if err := tx.Select("id").Where("platform = ? AND platform_id = ?", a.Platform, a.PlatformID).Take(&agent).Error; err != nil {
			return fmt.Errorf("find imported agent: %w", err)
		}
		if err := tx.Where("agent_id = ?", agent.ID).Delete(&model.AgentGroupMember{}).Error; err != nil {
			return fmt.Errorf("clear agent groups: %w", err)
		}
		for _, name := range groups {
			g := model.AgentGroup{Name: name, CreatedAt: h.now}
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
