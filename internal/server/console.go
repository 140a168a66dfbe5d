package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/admin"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// The admin console's session: the admin JWT in a cookie the page's scripts
// cannot read (HttpOnly), sent only over HTTPS (Secure; browsers treat
// localhost as secure too) and never on cross-site requests
// (SameSite=Strict), scoped to the admin API. Writes made with the cookie
// must also send the token's CSRF claim as a header (double submit): a
// cross-site page can make a browser send a cookie, never read the claim.
// API clients that send Authorization: Bearer need no CSRF token: a bearer
// token is never sent by the browser on its own.
const (
	adminCookie     = "crmlens_admin"
	adminCookiePath = "/api/v1/admin"
	csrfHeader      = "X-CSRF-Token"
)

// Error codes of the console's session.
const (
	CodeCSRFMissing  = "csrf_missing"
	CodeCSRFMismatch = "csrf_mismatch"
)

// checkStamp refuses a token issued before the admin's password last
// changed (changing the password ends every other session) and one signed
// out (DeleteAdminSession revokes it server-side).
func (s *Server) checkStamp(ctx context.Context, claims sessiontoken.AdminClaims) error {
	revoked, err := s.admins.Revoked(ctx, claims.ID)
	if err != nil {
		return err
	}
	if revoked {
		return apperr.New(apperr.Unauthorized, admin.CodeSessionEnded, "this admin session was signed out; sign in again")
	}
	stamp, err := s.admins.CurrentStamp(ctx, claims.AdminID)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(stamp), []byte(claims.PasswordStamp)) != 1 {
		return apperr.New(apperr.Unauthorized, admin.CodeSessionEnded, "this admin session ended because the password was changed; sign in again")
	}
	return nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// setAdminCookie makes token the console's session until exp.
func setAdminCookie(c echo.Context, token string, exp time.Time) {
	c.SetCookie(&http.Cookie{
		Name: adminCookie, Value: token, Path: adminCookiePath, Expires: exp, MaxAge: int(sessiontoken.AdminTTL.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	})
}

// CreateAdminSession signs an admin in: the token in the answer for API
// clients, and as the console's cookie. Failed sign-ins count against the
// client address.
func (s *Server) CreateAdminSession(c echo.Context) (err error) {
	if err := s.limit(c); err != nil {
		return err
	}
	defer func() { s.countFailure(c, err) }()
	// JSON only: a form or text body is what a cross-site page can post
	// without a preflight (login CSRF: signing the victim in as the
	// attacker). openapi.yaml's requestBody names only application/json,
	// so the validator (validate.go) has answered any other type 415.
	var req api.AdminCredentials
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	a, err := s.admins.Authenticate(c.Request().Context(), req.Email, req.Password)
	if err != nil {
		return apperr.OnField(err, "password")
	}
	token, claims, err := s.tokens.IssueAdminSession(a.ID, a.Email, admin.Stamp(a.PasswordHash), "")
	if err != nil {
		return err
	}
	exp := claims.ExpiresAt.Time
	setAdminCookie(c, token, exp)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, api.AdminSession{Token: token, ExpiresAt: exp, Email: a.Email, CsrfToken: claims.CSRF})
}

// GetAdminSession answers who is signed in and the CSRF token for writes.
func (s *Server) GetAdminSession(c echo.Context) error {
	claims := adminFrom(c)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, api.AdminSessionInfo{Email: claims.Email, ExpiresAt: claims.ExpiresAt.Time, CsrfToken: claims.CSRF})
}

// DeleteAdminSession signs out: the session's token (bearer, else the
// console's cookie) is revoked server-side, so that a copy of it is refused
// from now on, and the cookie is cleared. Signing out is always allowed: a
// missing or invalid token only clears the cookie.
func (s *Server) DeleteAdminSession(c echo.Context) error {
	token := ""
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		token, _ = strings.CutPrefix(h, "Bearer ")
	} else if ck, err := c.Cookie(adminCookie); err == nil {
		token = ck.Value
	}
	if token = strings.TrimSpace(token); token != "" {
		if claims, err := s.tokens.ParseAdmin(c.Request().Context(), token); err == nil && claims.ExpiresAt != nil {
			if err := s.admins.Revoke(c.Request().Context(), claims.ID, claims.ExpiresAt.Time); err != nil {
				return err
			}
		}
	}
	c.SetCookie(&http.Cookie{Name: adminCookie, Value: "", Path: adminCookiePath, MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return c.NoContent(http.StatusNoContent)
}

// ChangeAdminPassword changes the signed-in admin's password. A wrong
// current password counts as a failure of the address.
func (s *Server) ChangeAdminPassword(c echo.Context) error {
	return withPassword(s, c, func(claims sessiontoken.AdminClaims, req api.PasswordChange) error {
		ctx := c.Request().Context()
		if err := s.admins.ChangePassword(ctx, claims.AdminID, req.CurrentPassword, req.NewPassword); err != nil {
			return err
		}
		if err := s.audit(c, nil, audit.Event{Action: audit.ActionPasswordChange, Actor: adminActor(claims)}); err != nil {
			return err
		}
		// Every session issued before now has ended; the console's own goes
		// on with a renewed cookie (same CSRF token). An API client with a
		// bearer token signs in again.
		if ck, err := c.Cookie(adminCookie); err == nil && ck.Value != "" {
			stamp, err := s.admins.CurrentStamp(ctx, claims.AdminID)
			if err != nil {
				return err
			}
			token, renewed, err := s.tokens.IssueAdminSession(claims.AdminID, claims.Email, stamp, claims.CSRF)
			if err != nil {
				return err
			}
			setAdminCookie(c, token, renewed.ExpiresAt.Time)
		}
		return c.NoContent(http.StatusNoContent)
	})
}

// withPassword runs fn for a signed-in admin's request whose body (T)
// carries their password: limited per client address, and a failure (a
// wrong password among them) counts against it.
func withPassword[T any](s *Server, c echo.Context, fn func(claims sessiontoken.AdminClaims, req T) error) (err error) {
	claims := adminFrom(c)
	if err := s.limit(c); err != nil {
		return err
	}
	defer func() { s.countFailure(c, err) }()
	var req T
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	return fn(claims, req)
}

// adminPage serves the admin console. It is never framed (frame-ancestors
// 'none' and X-Frame-Options), loads only crmlens's own scripts and styles,
// and is never cached.
func (s *Server) adminPage(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	return s.page(c, "admin.html", http.StatusOK)
}

func adminActor(c sessiontoken.AdminClaims) string { return "admin:" + c.Email }

// audit records ev with the request's id on tx, the transaction of the
// change ev records (so that the change and its record are written
// together or not at all), or on its own when tx is nil.
func (s *Server) audit(c echo.Context, tx *gorm.DB, ev audit.Event) error {
	ev.RequestID = requestID(c)
	if tx == nil {
		return s.auditLog.Record(c.Request().Context(), ev)
	}
	return audit.RecordOn(c.Request().Context(), tx, ev)
}
