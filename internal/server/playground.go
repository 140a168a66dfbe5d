package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
)

// ListPlaygroundConversations lists the demo conversations of the playground.
func (s *Server) ListPlaygroundConversations(c echo.Context) error {
	convs, err := s.playground.List(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.ConversationList{Conversations: convs})
}
