package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
)

// auditFilter reads the audit filters shared by the list and the export;
// integration is a slug.
func (s *Server) auditFilter(c echo.Context, action, actor, contactID, visitorID *string, since, until *time.Time, integrationSlug, contact *string) (audit.Filter, error) {
	var f audit.Filter
	var err error
	if action != nil {
		f.Action = *action
	}
	if actor != nil {
		f.Actor = strings.TrimSpace(*actor)
	}
	if f.ContactID, err = optionalID("contactId", contactID); err != nil {
		return f, err
	}
	if f.VisitorID, err = optionalID("visitorId", visitorID); err != nil {
		return f, err
	}
	if since != nil {
		f.Since = *since
	}
	if until != nil {
		f.Until = *until
	}
	if contact != nil {
		f.ContactName = strings.TrimSpace(*contact)
	}
	if integrationSlug != nil && strings.TrimSpace(*integrationSlug) != "" {
		slug := strings.TrimSpace(*integrationSlug)
		in, err := s.integrations.Get(c.Request().Context(), slug)
		if apperr.KindOf(err) == apperr.NotFound {
			return f, apperr.OnField(apperr.New(apperr.Invalid, "invalid_filter", "no integration has the slug %q", slug), "integration")
		}
		if err != nil {
			return f, fmt.Errorf("audit filter: %w", err)
		}
		f.IntegrationID = in.ID
	}
	return f, nil
}

// ListAuditEvents answers the audit trail, filtered, with the names of the
// integrations, agents, visitors and contacts events refer to. The
// designer's previews are left out unless asked for (previews, or action
// layout.preview).
func (s *Server) ListAuditEvents(c echo.Context, p api.ListAuditEventsParams) error {
	f, err := s.auditFilter(c, p.Action, p.Actor, p.ContactId, p.VisitorId, p.Since, p.Until, p.Integration, p.Contact)
	if err != nil {
		return err
	}
	f.HidePreviews = p.Previews == nil || !*p.Previews
	if f.Before, err = optionalID("before", p.Before); err != nil {
		return err
	}
	if p.Limit != nil { // 1 to 500 (openapi.yaml)
		f.Limit = *p.Limit
	}
	rows, err := s.auditLog.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	events, err := s.auditLog.WithNames(c.Request().Context(), rows)
	if err != nil {
		return err
	}
	out := api.AuditList{Events: make([]api.AuditEvent, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, auditEventView(e))
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(rows) == limit {
		out.Next = ptr(strconv.FormatInt(rows[len(rows)-1].ID, 10))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// ExportAuditEvents streams the filtered audit trail as NDJSON, as
// `crmlens audit export` writes it.
func (s *Server) ExportAuditEvents(c echo.Context, p api.ExportAuditEventsParams) error {
	f, err := s.auditFilter(c, p.Action, p.Actor, p.ContactId, p.VisitorId, p.Since, p.Until, p.Integration, p.Contact)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Content-Disposition", `attachment; filename="crmlens-audit-`+time.Now().UTC().Format("20060102-150405")+`.ndjson"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	// Once streaming started an error can no longer change the status; it
	// is logged and the export ends short.
	if _, err := s.auditLog.Export(c.Request().Context(), f, c.Response()); err != nil {
		s.log.ErrorContext(c.Request().Context(), "audit export", "request_id", requestID(c), "err", err.Error())
	}
	return nil
}
