package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/audit"
)

// auditFilter reads the audit filters shared by the list and the export.
func auditFilter(action, actor, contactID, visitorID *string, since, until *time.Time) (audit.Filter, error) {
	var f audit.Filter
	var err error
	if action != nil {
		f.Action = *action
	}
	if actor != nil {
		f.Actor = *actor
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
	return f, nil
}

// ExportAuditEvents streams the filtered audit trail as NDJSON, as
// `crmlens audit export` writes it.
func (s *Server) ExportAuditEvents(c echo.Context, p api.ExportAuditEventsParams) error {
	if _, err := s.adminClaims(c); err != nil {
		return err
	}
	f, err := auditFilter(p.Action, p.Actor, p.ContactId, p.VisitorId, p.Since, p.Until)
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
	if _, err := audit.New(s.db).Export(c.Request().Context(), f, c.Response()); err != nil {
		s.log.ErrorContext(c.Request().Context(), "audit export", "request_id", requestID(c), "err", err.Error())
	}
	return nil
}
