package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"

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
	// headerLimit's, and net/http's own (JSONErrors).
	http.StatusRequestHeaderFieldsTooLarge: {"headers_too_large", "the request headers are too large"},
	http.StatusNotImplemented:              {"not_implemented", "this transfer encoding is not supported"},
	http.StatusHTTPVersionNotSupported:     {"http_version_not_supported", "this HTTP version is not supported"},
}

// MaxHeaderBytes bounds a request's headers (with its request line):
// answered 431 in the JSON shape by headerLimit. The HTTP server is given
// ServerMaxHeaderBytes, more, so that it is this limit that answers.
const (
	MaxHeaderBytes       = 64 << 10
	ServerMaxHeaderBytes = 1 << 20
)

// headerLimit answers 431 to a request whose headers pass MaxHeaderBytes.
func headerLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host)
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			return echo.NewHTTPError(http.StatusRequestHeaderFieldsTooLarge)
		}
		return next(c)
	}
}

// JSONErrors wraps ln so that the answers net/http writes itself, before
// any handler runs (400 for a malformed request, 431 for headers past the
// server's limit, 501, 505, and the 400 to plain HTTP on the TLS port), go
// out in crmlens's error shape {"error":{"code","message"}} like every
// other. Wrap the TCP listener (under TLS): net/http writes those answers
// to the connection whole, in one write, and with TLS a request's own
// 400/431 is written inside the encrypted stream, where no wrapper sees it
// (ServerMaxHeaderBytes and headerLimit keep 431 in the handler).
func JSONErrors(ln net.Listener) net.Listener { return jsonErrorListener{ln} }

type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

type jsonErrorConn struct{ net.Conn }

// net/http's own answers: "HTTP/1.1 <status>" + plainHeaders + text, and
// the TLS port's answer to plain HTTP.
const (
	plainHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	plainOnTLS   = "HTTP/1.0 400 Bad Request\r\n\r\n"
)

func (c *jsonErrorConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.")) {
		return c.Conn.Write(p)
	}
	var status int
	var detail string
	if rest, ok := bytes.CutPrefix(p, []byte(plainOnTLS)); ok {
		status, detail = http.StatusBadRequest, "this port speaks HTTPS: "+string(bytes.TrimSpace(rest))
	} else if i := bytes.Index(p, []byte(plainHeaders)); i > len("HTTP/1.1 ") && bytes.IndexByte(p[:i], '\n') < 0 {
		status, _ = strconv.Atoi(string(p[len("HTTP/1.1 "):min(i, len("HTTP/1.1 ")+3)]))
		detail = string(p[i+len(plainHeaders):])
	}
	if status < 400 || status > 599 {
		return c.Conn.Write(p)
	}
	known, ok := echoCodes[status]
	if !ok {
		known = echoCodes[http.StatusBadRequest]
	}
	var body api.Error
	body.Error.Code, body.Error.Message = known.code, known.message
	if detail != "" && status != http.StatusRequestHeaderFieldsTooLarge {
		body.Error.Message = known.message + " (" + detail + ")"
	}
	b, _ := json.Marshal(body)
	out := "HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(b)) + "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n" + string(b)
	if _, err := c.Conn.Write([]byte(out)); err != nil {
		return 0, err
	}
	return len(p), nil
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
