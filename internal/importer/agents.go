package importer

import (
	"strings"
	"time"

	agentstore "github.com/crmlens/crmlens/internal/agents"
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
	rows    []agentstore.Declared // Groups nil when the column is absent
	updated int
}

func (h *agents) rowsToWrite() int { return len(h.rows) }

func (h *agents) add(c *checker) {
	a := agentstore.Declared{
		Platform:   c.oneOf("platform", "", model.KindEasemob, model.KindShareCRM, model.KindChatwoot, model.KindSigned),
		PlatformID: c.text("platform_id"),
		Email:      strings.ToLower(c.email("email")),
		Name:       c.text("name"),
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
		a.Groups = groups
		h.rows = append(h.rows, a)
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
			n, err := w.agents.CountExisting(w.tx, platform, chunk)
			if err != nil {
				return err
			}
			h.updated += n
		}
	}
	return nil
}

func (h *agents) write(w *writer, batch int) (Result, error) {
	// internal/agents owns the agents table.
	if err := w.agents.Declare(w.tx, h.rows, h.now, batch); err != nil {
		return Result{}, err
	}
	return result(len(h.rows), h.updated), nil
}
