package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/layout"
)

// ListLayouts answers every stored layout.
func (s *Server) ListLayouts(c echo.Context) error {
	if _, err := s.adminClaims(c); err != nil {
		return err
	}
	docs, err := s.layouts.List(c.Request().Context())
	if err != nil {
		return err
	}
	// layout.Doc and api.LayoutDoc share their JSON form.
	out := map[string]any{"layouts": docs}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// PutLayout stores a layout; an update must carry the version it is based on.
func (s *Server) PutLayout(c echo.Context) error {
	claims, err := s.adminClaims(c)
	if err != nil {
		return err
	}
	var d layout.Doc
	if err := decodeJSON(c.Request().Body, &d); err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.layouts.Put(ctx, d, true, func(tx *gorm.DB, stored layout.Doc) error {
		return s.audit(c, tx, audit.Event{Action: audit.ActionLayoutChange, Actor: adminActor(claims),
			Detail: map[string]string{"layout": stored.Name, "version": strconv.FormatInt(stored.Version, 10)}})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, stored)
}

// ListAuditEvents answers the audit trail, filtered.
func (s *Server) ListAuditEvents(c echo.Context, p api.ListAuditEventsParams) error {
	if _, err := s.adminClaims(c); err != nil {
		return err
	}
	f, err := auditFilter(p.Action, p.Actor, p.ContactId, p.VisitorId, p.Since, p.Until)
	if err != nil {
		return err
	}
	if f.Before, err = optionalID("before", p.Before); err != nil {
		return err
	}
	if p.Limit != nil {
		if *p.Limit < 1 || *p.Limit > 500 {
			return apperr.New(apperr.Invalid, "invalid_filter", "limit must be 1 to 500")
		}
		f.Limit = *p.Limit
	}
	rows, err := audit.New(s.db).List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	events := make([]audit.Exported, 0, len(rows))
	for _, r := range rows {
		events = append(events, audit.Record(r))
	}
	out := map[string]any{"events": events}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(rows) == limit {
		out["next"] = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	b, _ := json.Marshal(out)
	return c.JSONBlob(http.StatusOK, b)
}

func optionalID(name string, v *string) (int64, error) {
	if v == nil || *v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(*v, 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.Invalid, "invalid_filter", "%s must be a numeric id", name)
	}
	return id, nil
}
