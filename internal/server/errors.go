package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/sessiontoken"
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

// specCodes keeps the codes the API answered before openapi.yaml was
// enforced, for the constraints handlers and services used to check
// themselves: "operationId field rule" (rule: a schema keyword such as
// required), "operationId field", "operationId top-level-field" (any field
// under it) or "operationId *" (any field) to code. Every other
// violation of the spec is invalid_request (invalid_json for a body that
// is not JSON or holds a value of the wrong type).
var specCodes = map[string]string{
	"createSidebarSession integration required":  "missing_integration",
	"createSidebarSession params required":       "missing_params",
	"createSidebarSession integration minLength": "missing_integration",
	"createSidebarSession integration nullable":  "missing_integration",
	"createSidebarSession params nullable":       "missing_params",
	"simulate integration required":              "missing_integration",
	"createIntegration kind":                     "invalid_kind",
	"createIntegration name":                     "invalid_name",
	"createIntegration slug":                     "invalid_slug",
	"createIntegration key":                      "invalid_key",
	"createIntegration origins":                  "invalid_origin",
	"createIntegration options":                  "invalid_option",
	"updateIntegration name":                     "invalid_name",
	"updateIntegration newSlug":                  "invalid_slug",
	"updateIntegration origins":                  "invalid_origin",
	"updateIntegration options":                  "invalid_option",
	"rotateIntegrationKey graceHours":            "invalid_grace",
	"rotateIntegrationKey key":                   "invalid_key",
	"importAgents format":                        "import_format",
	"setAgentGroups groups":                      "invalid_group",
	"putCustomField *":                           "invalid_field",
	"putLayout *":                                "invalid_layout",
	"previewLayout layout":                       "invalid_layout",
	"previewLayout contactId":                    "invalid_contact",
	"listAuditEvents *":                          "invalid_filter",
	"exportAuditEvents *":                        "invalid_filter",
}

// specCode is the code of a violation of rule by operationID's field (a
// dotted path), fallback when specCodes has none.
func specCode(operationID, field, rule, fallback string) string {
	top, _, _ := strings.Cut(field, ".")
	for _, k := range []string{operationID + " " + field + " " + rule, operationID + " " + field, operationID + " " + top, operationID + " *"} {
		if c, ok := specCodes[k]; ok {
			return c
		}
	}
	return fallback
}

// specError turns what openapi3filter.ValidateRequest refused into the
// apperr the client gets: authentication failures as the security
// functions answered them (401, 403), a body or parameter that breaks
// openapi.yaml as 400 naming the field and the rule. The rejected value is
// never repeated: it may be a token, a key, a password, a phone or an
// e-mail.
func specError(operationID string, err error) error {
	var sre *openapi3filter.SecurityRequirementsError
	if errors.As(err, &sre) {
		for _, e := range sre.Errors {
			if !errors.Is(e, errNoCredential) {
				return e
			}
		}
		return apperr.New(apperr.Unauthorized, sessiontoken.CodeUnauthorized,
			"sign in as an admin: open /admin, or send Authorization: Bearer <token> from POST /api/v1/admin/session")
	}
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return fmt.Errorf("validate request: %w", err)
	}
	if e := apperr.As(re.Err); e != nil {
		return e
	}
	var se *openapi3.SchemaError
	var pe *openapi3filter.ParseError
	switch {
	case re.Parameter != nil:
		name := re.Parameter.Name
		var msg string
		switch {
		case errors.As(re.Err, &se):
			msg = schemaRule(name, se)
		case errors.As(re.Err, &pe):
			msg = fmt.Sprintf("%s must be %s", name, typeWords(re.Parameter.Schema))
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired), errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			msg = fmt.Sprintf("the %s parameter is required", name)
		default:
			msg = fmt.Sprintf("the %s parameter is malformed", name)
		}
		return apperr.OnField(apperr.New(apperr.Invalid, specCode(operationID, name, "", "invalid_request"), "%s", msg), name)
	case strings.HasPrefix(re.Reason, "header Content-Type has unexpected value"):
		return echo.NewHTTPError(http.StatusUnsupportedMediaType) // answered by handleError (echoCodes)
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return apperr.New(apperr.Invalid, "invalid_json", "the request body is empty; send a JSON object")
	case errors.As(re.Err, &se):
		field := strings.Join(se.JSONPointer(), ".")
		code := specCode(operationID, field, se.SchemaField, "invalid_request")
		if se.SchemaField == "type" {
			code = "invalid_json" // what decoding the body answered before
		}
		msg := schemaRule(field, se)
		if field == "" {
			return apperr.New(apperr.Invalid, code, "%s", msg)
		}
		return apperr.OnField(apperr.New(apperr.Invalid, code, "%s", msg), field)
	case re.RequestBody != nil:
		return apperr.New(apperr.Invalid, "invalid_json", "the request body is not valid JSON")
	}
	// Neither a parameter nor the body: openapi.yaml itself is at fault
	// (a security scheme it does not declare).
	return fmt.Errorf("validate request: %w", err)
}

// schemaRule says which rule of its schema field breaks, in words, without
// the value.
func schemaRule(field string, se *openapi3.SchemaError) string {
	s := se.Schema
	name := field
	if name == "" {
		name = "the request body"
	}
	switch se.SchemaField {
	case "required":
		// The missing property is the last element of the path.
		return fmt.Sprintf("%s is required", name)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("%s must be at most %d characters", name, *s.MaxLength)
		}
	case "minLength":
		if s.MinLength == 1 {
			return fmt.Sprintf("%s must not be empty", name)
		}
		return fmt.Sprintf("%s must be at least %d characters", name, s.MinLength)
	case "maxItems":
		if s.MaxItems != nil {
			return fmt.Sprintf("%s must have at most %d items", name, *s.MaxItems)
		}
	case "minItems":
		return fmt.Sprintf("%s must have at least %d items", name, s.MinItems)
	case "enum":
		vals := make([]string, 0, len(s.Enum))
		for _, v := range s.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		return fmt.Sprintf("%s must be one of %s", name, strings.Join(vals, ", "))
	case "type":
		return fmt.Sprintf("%s must be %s", name, typeWords(&openapi3.SchemaRef{Value: s}))
	case "minimum", "maximum":
		switch {
		case s.Min != nil && s.Max != nil:
			return fmt.Sprintf("%s must be %v to %v", name, *s.Min, *s.Max)
		case s.Min != nil:
			return fmt.Sprintf("%s must be at least %v", name, *s.Min)
		case s.Max != nil:
			return fmt.Sprintf("%s must be at most %v", name, *s.Max)
		}
	case "format":
		return fmt.Sprintf("%s must be %s", name, typeWords(&openapi3.SchemaRef{Value: s}))
	case "nullable":
		return fmt.Sprintf("%s must not be null", name)
	case "pattern":
		return fmt.Sprintf("%s must match %s", name, s.Pattern)
	case "additionalProperties", "properties":
		return fmt.Sprintf("%s: %s", name, se.Reason)
	}
	// kin-openapi's reasons never hold the value (openapi3.SchemaError).
	return fmt.Sprintf("%s is invalid: %s", name, se.Reason)
}

// typeWords is what a value of schema must be, in words.
func typeWords(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil || ref.Value.Type == nil {
		return "valid"
	}
	s := ref.Value
	switch {
	case s.Type.Is("string") && s.Format == "date-time":
		return "an RFC 3339 date-time, e.g. 2026-01-02T15:04:05Z"
	case s.Type.Is("string"):
		return "a string"
	case s.Type.Is("integer"):
		return "an integer"
	case s.Type.Is("number"):
		return "a number"
	case s.Type.Is("boolean"):
		return "true or false"
	case s.Type.Is("array"):
		return "an array"
	case s.Type.Is("object"):
		return "an object"
	}
	return "a " + strings.Join(s.Type.Slice(), " or ")
}
