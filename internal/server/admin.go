package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// ListIntegrations answers every integration with its masked key and
// protection level.
func (s *Server) ListIntegrations(c echo.Context) error {
	rows, err := s.integrations.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.IntegrationList{Integrations: make([]api.Integration, 0, len(rows))}
	for _, in := range rows {
		out.Integrations = append(out.Integrations, s.integrationView(c, in))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// RevealIntegrationKey shows a key in clear after the admin confirms their
// password; the reveal is audited.
func (s *Server) RevealIntegrationKey(c echo.Context, slug string) error {
	return withPassword(s, c, func(claims sessiontoken.AdminClaims, req api.PasswordConfirmation) error {
		ctx := c.Request().Context()
		if err := s.admins.Confirm(ctx, claims.AdminID, req.Password); err != nil {
			return apperr.OnField(err, "password")
		}
		in, key, err := s.integrations.Reveal(ctx, slug)
		if err != nil {
			return err
		}
		if err := s.audit(c, nil, audit.Event{Action: audit.ActionKeyReveal, Actor: adminActor(claims), IntegrationID: &in.ID}); err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, api.RevealedKey{Key: key})
	})
}

// integrationView is in as the admin API shows it: masked key, the URL to
// paste into the platform, the protection level in words.
func (s *Server) integrationView(c echo.Context, in model.Integration) api.Integration {
	opened, _ := s.integrations.Open(in) // options that do not parse show as none
	origins := integration.OriginsOf(in)
	p := integration.ProtectionOf(opened, origins)
	if origins == nil {
		origins = []string{}
	}
	return api.Integration{
		Slug: in.Slug, Kind: api.IntegrationKind(in.Kind), Name: in.Name,
		SidebarUrl: baseURL(c) + "/sidebar/" + in.Slug, Origins: origins,
		KeySet: in.Key != "", KeyMasked: s.integrations.Masked(in), PreviousKeyExpiresAt: in.PreviousKeyExpiresAt, DisabledAt: in.DisabledAt,
		Protection: protectionView(p),
		Options:    optionsView(opened.Options),
	}
}

// baseURL is the scheme and host the request came to.
func baseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}
