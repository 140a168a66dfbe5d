package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/layout"
	"github.com/crmlens/crmlens/internal/sidebar"
)

// ListPreviewContacts offers contacts to preview a layout with: those the
// search finds for q as an agent's search would (name, phone however typed,
// e-mail in any case), or the first ones without q. Only names and masked
// hints leave the server.
func (s *Server) ListPreviewContacts(c echo.Context, p api.ListPreviewContactsParams) error {
	q := ""
	if p.Q != nil {
		q = *p.Q
	}
	found, err := s.sidebar.PreviewContacts(c.Request().Context(), q)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.CandidateList{Contacts: candidatesOut(found)})
}

// PreviewLayout answers the context a contact's visitor would see with a
// draft layout, validated as a save would be, without saving it.
func (s *Server) PreviewLayout(c echo.Context) error {
	claims := adminFrom(c)
	var req struct {
		Layout    layout.Doc        `json:"layout"`
		ContactID string            `json:"contactId"`
		Extra     map[string]string `json:"extra"`
	}
	// layout.Doc and api.LayoutPreviewRequest share their JSON form.
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cat, err := s.layouts.Catalog(ctx)
	if err != nil {
		return err
	}
	if err := req.Layout.Validate(cat); err != nil {
		return prefixFields(err, "layout.")
	}
	id, err := strconv.ParseInt(req.ContactID, 10, 64)
	if err != nil || id < 1 {
		return apperr.OnField(apperr.New(apperr.Invalid, "invalid_contact", "pick a contact to preview with"), "contactId")
	}
	out, err := s.sidebar.Preview(ctx, req.Layout.Layout(cat), id, req.Extra, adminActor(claims), requestID(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, contextOut(out))
}

// prefixFields puts prefix before each field err names (a nested request).
func prefixFields(err error, prefix string) error {
	e := apperr.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		c.Fields[i] = apperr.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &c
}

// Simulate shows what a session would do with what a platform sends.
func (s *Server) Simulate(c echo.Context) error {
	claims := adminFrom(c)
	var req api.SimulationRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	in, err := sidebar.ParseSimulationInput(req.Input)
	if err != nil {
		return err
	}
	slug := strings.TrimSpace(req.Integration)
	if slug == "" && in.Slug == "" {
		return apperr.OnField(apperr.New(apperr.Invalid, "missing_integration", "pick the integration the input comes from"), "integration")
	}
	out, err := s.sidebar.Simulate(c.Request().Context(), slug, in, adminActor(claims), requestID(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, simulationOut(out))
}
