package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/sidebar"
)

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// limited sets Retry-After when err is an action past its limit (answered
// 429 rate_limited), and returns err.
func limited(c echo.Context, err error) error {
	var le *sidebar.LimitError
	if errors.As(err, &le) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds()+0.999)))
	}
	return err
}

// RevealField shows one masked field in clear.
func (s *Server) RevealField(c echo.Context) error {
	claims := sidebarFrom(c)
	var req api.RevealRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	v, err := s.sidebar.Reveal(c.Request().Context(), claims, string(req.Object), req.RecordId, req.Field, requestID(c))
	if err != nil {
		return limited(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.RevealedValue{Value: v})
}

// SearchContacts finds contacts to link the visitor to.
func (s *Server) SearchContacts(c echo.Context, params api.SearchContactsParams) error {
	claims := sidebarFrom(c)
	found, more, err := s.sidebar.Search(c.Request().Context(), claims, params.Q, requestID(c))
	if err != nil {
		return limited(c, err)
	}
	out := api.CandidateList{Contacts: candidatesOut(found)}
	if more {
		out.More = &more
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// LinkVisitor links the session's visitor to a contact by hand.
func (s *Server) LinkVisitor(c echo.Context) error {
	claims := sidebarFrom(c)
	var req api.LinkRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	m, err := s.sidebar.Link(c.Request().Context(), claims, req.ContactId, requestID(c))
	if err != nil {
		return limited(c, err)
	}
	return c.JSON(http.StatusOK, matchOut(m))
}

// UnlinkVisitor removes the link, optionally saying "not this person".
func (s *Server) UnlinkVisitor(c echo.Context) error {
	claims := sidebarFrom(c)
	var req api.UnlinkRequest
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	m, err := s.sidebar.Unlink(c.Request().Context(), claims, req.NotThisPerson != nil && *req.NotThisPerson, requestID(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, matchOut(m))
}
