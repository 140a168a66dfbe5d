package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/internal/apperr"
)

// ListPlaygroundConversations lists the demo conversations of the
// playground. It exists only when crmlens serves the demo (`serve --demo`,
// Deps.Playground set): its URLs open the demo integration to anyone.
func (s *Server) ListPlaygroundConversations(c echo.Context) error {
	if s.playground == nil {
		return apperr.New(apperr.NotFound, "not_found", "there is nothing at this address (the playground is served only by `crmlens serve --demo`)")
	}
	convs, err := s.playground.List(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, conversationsOut(convs))
}
