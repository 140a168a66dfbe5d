package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/agents"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/importer"
	"github.com/crmlens/crmlens/internal/layout"
)

// ListAgents answers the agents with their groups and, for each, the layout
// that applies and why (the same resolution a session makes).
func (s *Server) ListAgents(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.agents.List(ctx)
	if err != nil {
		return err
	}
	groups, err := s.agents.Groups(ctx)
	if err != nil {
		return err
	}
	out := api.AgentList{Agents: make([]api.AdminAgent, 0, len(list)), Groups: make([]api.AgentGroupSummary, 0, len(groups))}
	for _, a := range list {
		v, err := s.agentView(c, a)
		if err != nil {
			return err
		}
		out.Agents = append(out.Agents, v)
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, api.AgentGroupSummary{Name: g.Name, Members: g.Members})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// agentView is a as the admin API shows it, with the layout that applies to
// its sessions on any integration without a layout of its own.
func (s *Server) agentView(c echo.Context, a agents.Agent) (api.AdminAgent, error) {
	l, why, err := s.layouts.ResolveReason(c.Request().Context(), layout.Who{Platform: a.Platform, Agent: []string{a.PlatformID, a.Email}})
	if err != nil {
		return api.AdminAgent{}, err
	}
	return api.AdminAgent{Id: strconv.FormatInt(a.ID, 10), Platform: a.Platform, PlatformId: a.PlatformID, Email: a.Email, Name: a.Name,
		Origin: api.AdminAgentOrigin(a.Origin), Groups: a.Groups, LastSeenAt: a.LastSeenAt, Layout: layoutReasonOut(l.Name, why)}, nil
}

// ImportAgents imports agents from CSV or NDJSON text, all or nothing.
func (s *Server) ImportAgents(c echo.Context) error {
	claims := adminFrom(c)
	var req api.AgentImport
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	format := importer.NDJSON // the spec allows only csv and ndjson
	if req.Format == api.Csv {
		format = importer.CSV
	}
	if strings.TrimSpace(req.Content) == "" {
		return apperr.OnField(apperr.New(apperr.Invalid, "import_invalid", "paste the agents' file: a header line platform,platform_id,email,name,groups then one agent a line"), "content")
	}
	res, err := s.importer.WithRecord(func(tx *gorm.DB, res importer.Result) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionAgentsImport, Actor: adminActor(claims),
			Detail: map[string]string{"records": strconv.Itoa(res.Records)}})
	}).Import(c.Request().Context(), "agents", strings.NewReader(req.Content), format)
	if err != nil {
		return apperr.OnField(err, "content")
	}
	return c.JSON(http.StatusOK, api.ImportResult{Records: res.Records, Created: res.Created, Updated: res.Updated})
}

// SetAgentGroups makes an agent a member of exactly the groups given.
func (s *Server) SetAgentGroups(c echo.Context, id string) error {
	claims := adminFrom(c)
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return apperr.New(apperr.NotFound, agents.CodeNotFound, "no agent has the id %q", truncateRunes(id, 20))
	}
	var req api.AgentGroups
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	a, err := s.agents.SetGroups(c.Request().Context(), n, req.Groups, func(tx *gorm.DB, a agents.Agent) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionAgentGroups, Actor: adminActor(claims),
			Detail: map[string]string{"agent": strconv.FormatInt(a.ID, 10), "groups": strings.Join(a.Groups, ";")}})
	})
	if err != nil {
		return err
	}
	v, err := s.agentView(c, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
