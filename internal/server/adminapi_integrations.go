package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/integration"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// integrationFields maps the integration package's error codes to the
// request field a form shows them beside.
var integrationFields = map[string]string{
	"invalid_kind": "kind", "invalid_key": "key", "invalid_origin": "origins", "invalid_slug": "slug",
	"slug_taken": "slug", "invalid_option": "options", "invalid_name": "name",
}

// onIntegrationField names the field at fault in err; rename maps a field to
// the request's name for it (e.g. slug → newSlug on an update).
func onIntegrationField(err error, rename map[string]string) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) > 0 {
		return err
	}
	f, ok := integrationFields[e.Code]
	if !ok {
		return err
	}
	if r, ok := rename[f]; ok {
		f = r
	}
	return apperr.OnField(err, f)
}

func optionsOf(o *api.IntegrationOptions) integration.Options {
	var out integration.Options
	if o == nil {
		return out
	}
	if o.EncryptedSystemParams != nil {
		out.EncryptedSystemParams = *o.EncryptedSystemParams
	}
	if o.TenantId != nil {
		out.TenantID = strings.TrimSpace(*o.TenantId)
	}
	if o.RequireKnownAgent != nil {
		out.RequireKnownAgent = *o.RequireKnownAgent
	}
	if o.VerificationFields != nil {
		out.VerificationFields = *o.VerificationFields
	}
	if o.MatchingFields != nil {
		out.MatchingFields = *o.MatchingFields
	}
	if o.ChatwootUrl != nil {
		out.ChatwootURL = strings.TrimSpace(*o.ChatwootUrl)
	}
	if o.AgentActions != nil {
		out.AgentActions = string(*o.AgentActions)
	}
	if o.IdentityParam != nil {
		out.IdentityParam = strings.TrimSpace(*o.IdentityParam)
	}
	if o.FieldParams != nil {
		out.FieldParams = *o.FieldParams
	}
	if o.SobotSysNum != nil {
		out.SobotSysNum = strings.TrimSpace(*o.SobotSysNum)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// CreateIntegration connects a platform. The key (given or generated) is
// answered once, in clear; with noKey (Easemob's mode without a key) there
// is none. Origins are stored as given: no default is applied here, the
// console offers the kind's usual one (integration.UsualOrigin).
func (s *Server) CreateIntegration(c echo.Context) error {
	claims := adminFrom(c)
	var req api.IntegrationInput
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	in := integration.Input{Slug: strings.TrimSpace(str(req.Slug)), Kind: string(req.Kind), Name: strings.TrimSpace(str(req.Name)),
		Key: str(req.Key), NoKey: req.NoKey != nil && *req.NoKey, Options: optionsOf(req.Options), APIToken: str(req.ApiToken)}
	if req.Origins != nil {
		in.Origins = *req.Origins
	}
	row, key, err := s.integrations.Create(c.Request().Context(), in, func(tx *gorm.DB, row model.Integration) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionIntegrationCreate, Actor: adminActor(claims), IntegrationID: &row.ID,
			Detail: map[string]string{"kind": row.Kind}})
	})
	if err != nil {
		return onIntegrationField(err, nil)
	}
	out := api.CreatedIntegration{Integration: s.integrationView(c, row)}
	if key != "" {
		out.Key = &key
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, out)
}

// UpdateIntegration changes an integration; absent fields stay.
func (s *Server) UpdateIntegration(c echo.Context, slug string) error {
	claims := adminFrom(c)
	var req api.IntegrationUpdate
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	u := integration.Update{Name: req.Name, Origins: req.Origins, APIToken: req.ApiToken}
	switch {
	case req.RegenerateSlug != nil && *req.RegenerateSlug:
		n := integration.NewSlug()
		u.NewSlug = &n
	case req.NewSlug != nil && *req.NewSlug != slug:
		n := strings.TrimSpace(*req.NewSlug)
		u.NewSlug = &n
	}
	if req.Options != nil {
		o := optionsOf(req.Options)
		u.Options = &o
	}
	detail := map[string]string{}
	if u.NewSlug != nil {
		detail["slug"] = "changed"
	}
	row, err := s.integrations.Apply(c.Request().Context(), slug, u, func(tx *gorm.DB, row model.Integration) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionIntegrationUpdate, Actor: adminActor(claims), IntegrationID: &row.ID, Detail: detail})
	})
	if err != nil {
		return onIntegrationField(err, map[string]string{"slug": "newSlug"})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, s.integrationView(c, row))
}

// RotateIntegrationKey makes a new key current after the admin confirms
// their password; the previous key stays valid for the grace period.
func (s *Server) RotateIntegrationKey(c echo.Context, slug string) error {
	return withPassword(s, c, func(claims sessiontoken.AdminClaims, req api.KeyRotation) error {
		grace := time.Duration(-1)
		if req.GraceHours != nil {
			grace = time.Duration(*req.GraceHours) * time.Hour
		}
		ctx := c.Request().Context()
		if err := s.admins.Confirm(ctx, claims.AdminID, req.Password); err != nil {
			return apperr.OnField(err, "password")
		}
		row, key, err := s.integrations.RotateKey(ctx, slug, str(req.Key), grace, func(tx *gorm.DB, row model.Integration) error {
			return s.audit(c, tx, audit.Event{Action: audit.ActionKeyRotate, Actor: adminActor(claims), IntegrationID: &row.ID})
		})
		if err != nil {
			return onIntegrationField(err, nil)
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, api.CreatedIntegration{Integration: s.integrationView(c, row), Key: &key})
	})
}

// DisableIntegration disables an integration: its sidebar refuses sessions
// (integration_disabled) until it is enabled; nothing is deleted.
func (s *Server) DisableIntegration(c echo.Context, slug string) error {
	return s.setIntegrationDisabled(c, slug, true)
}

// EnableIntegration enables a disabled integration again.
func (s *Server) EnableIntegration(c echo.Context, slug string) error {
	return s.setIntegrationDisabled(c, slug, false)
}

func (s *Server) setIntegrationDisabled(c echo.Context, slug string, disabled bool) error {
	claims := adminFrom(c)
	action := integration.ActionEnable
	if disabled {
		action = integration.ActionDisable
	}
	row, _, err := s.integrations.SetDisabled(c.Request().Context(), slug, disabled, func(tx *gorm.DB, row model.Integration) error {
		return s.audit(c, tx, audit.Event{Action: action, Actor: adminActor(claims), IntegrationID: &row.ID})
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, s.integrationView(c, row))
}

// DeleteIntegration deletes an integration and its visitors; the audit
// trail is kept and the deletion audited.
func (s *Server) DeleteIntegration(c echo.Context, slug string) error {
	claims := adminFrom(c)
	d, err := s.integrations.Delete(c.Request().Context(), slug, func(tx *gorm.DB, d integration.Deleted) error {
		return s.audit(c, tx, audit.Event{Action: integration.ActionDelete, Actor: adminActor(claims), IntegrationID: &d.Integration.ID,
			Detail: integration.DeletedDetail(d)})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.DeletedIntegration{Slug: d.Integration.Slug, VisitorsDeleted: d.Visitors})
}

// protectionView is p as the API answers it: the English words, and the
// same as codes for the console to word in its language.
func protectionView(p integration.Protection) api.Protection {
	coded := func(list []integration.Coded) []api.CodedText {
		out := make([]api.CodedText, 0, len(list))
		for _, c := range list {
			ct := api.CodedText{Code: c.Code}
			if len(c.Params) > 0 {
				params := c.Params
				ct.Params = &params
			}
			out = append(out, ct)
		}
		return out
	}
	return api.Protection{Level: api.ProtectionLevel(p.Level), Summary: p.Summary, Exposed: p.Exposed, Advice: p.Advice,
		SummaryCodes: coded(p.SummaryCodes), ExposedCodes: coded(p.ExposedCodes), AdviceCodes: coded(p.AdviceCodes)}
}
