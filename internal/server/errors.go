package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
)

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[apperr.Kind]int{
	apperr.Invalid:       http.StatusBadRequest,
	apperr.NotFound:      http.StatusNotFound,
	apperr.Unauthorized:  http.StatusUnauthorized,
	apperr.Forbidden:     http.StatusForbidden,
	apperr.Conflict:      http.StatusConflict,
	apperr.TooLarge:      http.StatusRequestEntityTooLarge,
	apperr.Unprocessable: http.StatusUnprocessableEntity,
	apperr.RateLimited:   http.StatusTooManyRequests,
	apperr.Unavailable:   http.StatusServiceUnavailable,
	apperr.Internal:      http.StatusInternalServerError,
}

// echoCodes names Echo's own errors (routing, body limit) for clients.
var echoCodes = map[int]struct{ code, message string }{
	http.StatusNotFound:              {"not_found", "there is nothing at this address"},
	http.StatusMethodNotAllowed:      {"method_not_allowed", "this address does not accept that method"},
	http.StatusRequestEntityTooLarge: {"body_too_large", "the request body is too large"},
	http.StatusUnsupportedMediaType:  {"unsupported_media_type", "send the body as application/json"},
	http.StatusBadRequest:            {"bad_request", "the request is malformed"},
}

// handleError answers every error as {"error":{"code","message"}}. Only
// internal errors are logged, redacted, and the client sees "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	err = unavailable(err)
	if e := apperr.As(err); e != nil && e.Kind != apperr.Internal {
		if e.Kind == apperr.Unavailable {
			c.Response().Header().Set("Retry-After", retryAfterSeconds)
			s.log.WarnContext(c.Request().Context(), "unavailable", "route", c.Path(), "code", e.Code,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", database.Redact(e.Err))
		}
		_ = writeFieldError(c, statusOf[e.Kind], e.Code, e.Message, e.Fields)
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		known, ok := echoCodes[he.Code]
		if !ok {
			known = echoCodes[http.StatusBadRequest]
		}
		// Parameter binding errors of the generated wrappers name the
		// parameter: pass that on.
		if msg, isString := he.Message.(string); isString && he.Code == http.StatusBadRequest && msg != "" {
			known.message = msg
		}
		_ = writeError(c, he.Code, known.code, known.message)
		return
	}
	s.log.ErrorContext(c.Request().Context(), "internal error",
		"route", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", database.Redact(err))
	_ = writeError(c, http.StatusInternalServerError, "internal", "internal error; the request id in the X-Request-Id header helps an admin find it in the logs")
}

func writeError(c echo.Context, status int, code, message string) error {
	return writeFieldError(c, status, code, message, nil)
}

// writeFieldError is writeError naming the request fields at fault.
func writeFieldError(c echo.Context, status int, code, message string, fields []apperr.FieldError) error {
	var body api.Error
	body.Error.Code = code
	body.Error.Message = message
	if len(fields) > 0 {
		list := make([]api.FieldError, 0, len(fields))
		for _, f := range fields {
			list = append(list, api.FieldError{Field: f.Field, Message: f.Message})
		}
		body.Error.Fields = &list
	}
	if c.Request().Method == http.MethodHead {
		return c.NoContent(status)
	}
	return c.JSON(status, body)
}
