package sessiontoken

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/crmlens/crmlens/internal/apperr"
)

// AdminAudience is the audience of admin tokens.
const AdminAudience = "admin"

// AdminTTL is how long an admin token lives.
const AdminTTL = 8 * time.Hour

// CodeForbidden is the code of a valid token of the wrong kind.
const CodeForbidden = "forbidden"

// AdminClaims are what an admin token carries.
type AdminClaims struct {
	AdminID int64  `json:"adm"`
	Email   string `json:"eml"`
	// CSRF is the console's double-submit token: a write made with the
	// session cookie must send it as the X-CSRF-Token header. A cross-site
	// page can make the browser send the cookie, never read this value.
	CSRF string `json:"csrf,omitempty"`
	// PasswordStamp names the admin's password when the token was issued
	// (admin.Stamp): a token from before a password change is refused.
	PasswordStamp string `json:"pws,omitempty"`
	jwt.RegisteredClaims
}

// IssueAdmin signs a token for the admin id whose password has stamp.
func (is *Issuer) IssueAdmin(id int64, email, stamp string) (string, time.Time, error) {
	token, c, err := is.IssueAdminSession(id, email, stamp, "")
	if err != nil {
		return "", time.Time{}, err
	}
	return token, c.ExpiresAt.Time, nil
}

// IssueAdminSession signs a token for the admin id whose password has
// stamp and returns its claims, with csrf as its CSRF token ("": a fresh
// one; a session renewed after a password change keeps its own).
func (is *Issuer) IssueAdminSession(id int64, email, stamp, csrf string) (string, AdminClaims, error) {
	now := is.now()
	exp := now.Add(AdminTTL)
	jti, err := randomID()
	if err != nil {
		return "", AdminClaims{}, err
	}
	if csrf == "" {
		if csrf, err = randomID(); err != nil {
			return "", AdminClaims{}, err
		}
	}
	c := AdminClaims{AdminID: id, Email: email, CSRF: csrf, PasswordStamp: stamp, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   strconv.FormatInt(id, 10),
		Audience:  jwt.ClaimStrings{AdminAudience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
		ID:        jti,
	}}
	s, err := is.sign(c)
	return s, c, err
}

// ParseAdmin verifies an admin token: a bad or missing token is
// Unauthorized; a valid crmlens token of another audience (a sidebar
// session) is Forbidden.
func (is *Issuer) ParseAdmin(ctx context.Context, token string) (AdminClaims, error) {
	var c AdminClaims
	_, err := jwt.ParseWithClaims(token, &c, is.keyFunc(ctx),
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(is.now),
		jwt.WithLeeway(5*time.Second),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return AdminClaims{}, apperr.Wrap(err, apperr.Unauthorized, CodeExpired, "your admin session has expired; sign in again")
	case err != nil:
		return AdminClaims{}, apperr.Wrap(err, apperr.Unauthorized, CodeUnauthorized, "sign in as an admin: send Authorization: Bearer <token> from POST /api/v1/admin/session")
	case !slices.Contains(c.Audience, AdminAudience) || c.AdminID == 0:
		return AdminClaims{}, apperr.New(apperr.Forbidden, CodeForbidden, "this token is not an admin's; sign in as an admin")
	}
	return c, nil
}
