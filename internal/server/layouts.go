package server

import (
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
	docs, err := s.layouts.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.LayoutList{Layouts: make([]api.LayoutDoc, 0, len(docs))}
	for _, d := range docs {
		out.Layouts = append(out.Layouts, layoutDocView(d))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// PutLayout stores a layout; an update must carry the version it is based on.
func (s *Server) PutLayout(c echo.Context) error {
	claims := adminFrom(c)
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
	return c.JSON(http.StatusOK, layoutDocView(stored))
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

// DeleteLayout deletes a layout by name; the audit trail is kept and the
// deletion audited.
func (s *Server) DeleteLayout(c echo.Context, name string) error {
	claims := adminFrom(c)
	err := s.layouts.Delete(c.Request().Context(), name, func(tx *gorm.DB, d layout.Doc) error {
		return s.audit(c, tx, audit.Event{Action: layout.ActionDelete, Actor: adminActor(claims),
			Detail: map[string]string{"layout": d.Name, "version": strconv.FormatInt(d.Version, 10)}})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
