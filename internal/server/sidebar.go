package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/integration"
)

// CreateSidebarSession decodes the platform's params and opens a session.
//
// Failures are limited per client address and integration, and the limit
// is looked at only when a request fails: many agents of one office share
// one NAT address, and a request whose params verify is never refused
// because other requests from that address failed. A failing request from
// an address that has used up its allowance on that integration gets 429
// instead of its error. Decoding is CPU work on the params, so it runs
// first, before the limit is looked at.
func (s *Server) CreateSidebarSession(c echo.Context) (err error) {
	slug := ""
	defer func() {
		if err != nil {
			err = s.sessionFailure(c, slug, err)
		}
	}()
	var req sessionRequest // api.SessionRequest, with params in order
	if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	// The spec requires "params"; a JSON null passes the schema check but
	// names no params at all.
	if !req.Params.present {
		return apperr.New(apperr.Invalid, "missing_params", `the body needs "params": the query parameters the platform appended`)
	}
	slug = req.Integration
	sess, err := s.sidebar.CreateSession(c.Request().Context(), req.Integration, req.Params.Params())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, sessionOut(sess))
}

// GetSidebarContext answers the session's visitor, contact and panels.
func (s *Server) GetSidebarContext(c echo.Context) error {
	claims := sidebarFrom(c)
	out, err := s.sidebar.Context(c.Request().Context(), claims, c.Response().Header().Get(echo.HeaderXRequestID))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, contextOut(out))
}

// decodeJSON reads one JSON value into dst, refusing unknown fields and
// trailing data, with errors a person can act on.
func decodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		switch {
		case apperr.As(err) != nil:
			return err // a field's own reader worded it (orderedParams)
		case errors.As(err, &mbe):
			return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than %d bytes", mbe.Limit)
		case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
			// Echo's BodyLimit cuts a body sent without a Content-Length
			// while it is read.
			return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than %d bytes", MaxBodyBytes)
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.Invalid, "invalid_json", "the request body is empty; send a JSON object")
		case errors.As(err, &te):
			return apperr.New(apperr.Invalid, "invalid_json", "field %q must be %s", te.Field, te.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return apperr.New(apperr.Invalid, "invalid_json", "unknown field %s in the body", strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return apperr.New(apperr.Invalid, "invalid_json", "the request body is not valid JSON")
		}
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "invalid_json", "the request body holds more than one JSON value")
	}
	return nil
}

// limit refuses a client address that has failed too often (the console's
// sign-in and password checks: guessing a password is what it slows down).
func (s *Server) limit(c echo.Context) error {
	return s.refuseBlocked(c, c.RealIP(), "too many failed attempts from this address; retry in %d seconds")
}

// refuseBlocked answers 429 with Retry-After when key has no failures left.
func (s *Server) refuseBlocked(c echo.Context, key, format string) error {
	if blocked, wait := s.failures.Blocked(key); blocked {
		secs := int(wait.Seconds()) + 1
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return apperr.New(apperr.RateLimited, "rate_limited", format, secs)
	}
	return nil
}

// countFailure records err against the client when it is the client's fault.
func (s *Server) countFailure(c echo.Context, err error) {
	if clientFault(err) {
		s.failures.Fail(c.RealIP())
	}
}

func clientFault(err error) bool {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.NotFound, apperr.Unauthorized, apperr.Forbidden, apperr.TooLarge, apperr.Unprocessable:
		return true
	}
	return false
}

// sessionFailure is what a failed sidebar session answers: 429 when the
// address has no failures left on that integration, else err, counted.
func (s *Server) sessionFailure(c echo.Context, slug string, err error) error {
	if !clientFault(err) {
		return err
	}
	key := sessionLimitKey(c.RealIP(), slug, err)
	if blocked := s.refuseBlocked(c, key, "too many failed sessions from this address for this integration; retry in %d seconds"); blocked != nil {
		return blocked
	}
	s.failures.Fail(key)
	return err
}

// sessionLimitKey is the limiter key of a failed session: the address and
// the integration's slug. Requests that name no integration, or one that
// does not exist, share the address's one "no integration" allowance, so
// that trying slugs cannot make a fresh allowance each time. Slugs are
// lower case (integration.validateSlug); a MariaDB collation may match
// other cases, so the key is lowercased too.
func sessionLimitKey(addr, slug string, err error) string {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if e := apperr.As(err); slug == "" || e != nil && e.Code == integration.CodeNotFound {
		slug = ""
	}
	return "sidebar\x00" + addr + "\x00" + slug
}
