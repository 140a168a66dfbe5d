package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// CreateAdminSession signs an admin in. Failed sign-ins count against the
// client address.
func (s *Server) CreateAdminSession(c echo.Context) (err error) {
	if err := s.limit(c); err != nil {
		return err
	}
	defer func() { s.countFailure(c, err) }()
	var req api.AdminCredentials
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	a, err := s.admins.Authenticate(c.Request().Context(), req.Email, req.Password)
	if err != nil {
		return err
	}
	token, exp, err := s.tokens.IssueAdmin(a.ID, a.Email)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, api.AdminSession{Token: token, ExpiresAt: exp})
}

// adminClaims authenticates the admin behind the request.
func (s *Server) adminClaims(c echo.Context) (sessiontoken.AdminClaims, error) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return sessiontoken.AdminClaims{}, apperr.New(apperr.Unauthorized, sessiontoken.CodeUnauthorized,
			"sign in as an admin: send Authorization: Bearer <token> from POST /api/v1/admin/session")
	}
	return s.tokens.ParseAdmin(c.Request().Context(), strings.TrimSpace(token))
}

// ListIntegrations answers every integration with its masked key and
// protection level.
func (s *Server) ListIntegrations(c echo.Context) error {
	if _, err := s.adminClaims(c); err != nil {
		return err
	}
	rows, err := s.integrations.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.IntegrationList{Integrations: make([]api.Integration, 0, len(rows))}
	for _, in := range rows {
		opts, _ := integration.ParseOptions(in.Options)
		origins := integration.OriginsOf(in)
		p := integration.ProtectionOf(in, opts, origins)
		optsMap := map[string]any{}
		b, _ := json.Marshal(opts.Defaults(in.Kind))
		_ = json.Unmarshal(b, &optsMap)
		if origins == nil {
			origins = []string{}
		}
		out.Integrations = append(out.Integrations, api.Integration{
			Slug: in.Slug, Kind: api.IntegrationKind(in.Kind), Name: in.Name,
			SidebarUrl: baseURL(c) + "/sidebar/" + in.Slug, Origins: origins,
			KeySet: in.Key != "", KeyMasked: s.integrations.Masked(in), PreviousKeyExpiresAt: in.PreviousKeyExpiresAt,
			Protection: api.Protection{Level: api.ProtectionLevel(p.Level), Summary: p.Summary, Exposed: p.Exposed, Advice: p.Advice},
			Options:    optsMap,
		})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// RevealIntegrationKey shows a key in clear after the admin confirms their
// password; the reveal is audited.
func (s *Server) RevealIntegrationKey(c echo.Context, slug string) (err error) {
	claims, err := s.adminClaims(c)
	if err != nil {
		return err
	}
	if err := s.limit(c); err != nil {
		return err
	}
	defer func() { s.countFailure(c, err) }()
	var req api.PasswordConfirmation
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.admins.Confirm(ctx, claims.AdminID, req.Password); err != nil {
		return err
	}
	in, key, err := s.integrations.Reveal(ctx, slug)
	if err != nil {
		return err
	}
	if err := audit.New(s.db).Record(ctx, audit.Event{
		Action: audit.ActionKeyReveal, Actor: "admin:" + claims.Email, IntegrationID: &in.ID,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
	}); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.RevealedKey{Key: key})
}

// baseURL is the scheme and host the request came to.
func baseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}
