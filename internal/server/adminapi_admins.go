package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/model"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// ListAdmins answers every admin, oldest first, marking the signed-in one.
func (s *Server) ListAdmins(c echo.Context) error {
	claims := adminFrom(c)
	list, err := s.admins.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.AdminUserList{Admins: make([]api.AdminUser, 0, len(list))}
	for _, a := range list {
		out.Admins = append(out.Admins, adminUserView(a, claims))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func adminUserView(a model.Admin, claims sessiontoken.AdminClaims) api.AdminUser {
	return api.AdminUser{Id: strconv.FormatInt(a.ID, 10), Email: a.Email, CreatedAt: a.CreatedAt.UTC(), You: a.ID == claims.AdminID}
}

// confirmActor checks the acting admin's own password again (field
// currentPassword): adding an admin and setting another's password hand
// out the console, so a session left open is not enough.
func (s *Server) confirmActor(c echo.Context, claims sessiontoken.AdminClaims, password string) error {
	return apperr.OnField(s.admins.Confirm(c.Request().Context(), claims.AdminID, password), "currentPassword")
}

// CreateAdmin adds an admin, audited with the new admin's email.
func (s *Server) CreateAdmin(c echo.Context) error {
	return withPassword(s, c, func(claims sessiontoken.AdminClaims, req api.AdminUserInput) error {
		if err := s.confirmActor(c, claims, req.CurrentPassword); err != nil {
			return err
		}
		a, err := s.admins.CreateWith(c.Request().Context(), req.Email, req.Password, func(tx *gorm.DB, a model.Admin) error {
			return s.audit(c, tx, audit.Event{Action: admin.ActionCreate, Actor: adminActor(claims), Detail: map[string]string{"email": a.Email}})
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, adminUserView(a, claims))
	})
}

// adminID parses an admin id of the path; a malformed one is no admin.
func adminID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.New(apperr.NotFound, admin.CodeAdminNotFound, "no admin has the id %q", id)
	}
	return n, nil
}

// RemoveAdmin removes another admin; their sessions end with them (a
// session's admin must exist). Removing oneself or the last admin is a 409.
func (s *Server) RemoveAdmin(c echo.Context, id string) error {
	claims := adminFrom(c)
	n, err := adminID(id)
	if err != nil {
		return err
	}
	err = s.admins.Remove(c.Request().Context(), claims.AdminID, n, func(tx *gorm.DB, removed model.Admin) error {
		return s.audit(c, tx, audit.Event{Action: admin.ActionRemove, Actor: adminActor(claims), Detail: map[string]string{"email": removed.Email}})
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// ResetAdminPassword sets another admin's password, ending their sessions.
func (s *Server) ResetAdminPassword(c echo.Context, id string) error {
	return withPassword(s, c, func(claims sessiontoken.AdminClaims, req api.AdminPasswordReset) error {
		n, err := adminID(id)
		if err != nil {
			return err
		}
		if err := s.confirmActor(c, claims, req.CurrentPassword); err != nil {
			return err
		}
		err = s.admins.ResetPassword(c.Request().Context(), claims.AdminID, n, req.Password, func(tx *gorm.DB, a model.Admin) error {
			return s.audit(c, tx, audit.Event{Action: admin.ActionResetPassword, Actor: adminActor(claims), Detail: map[string]string{"email": a.Email}})
		})
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}
