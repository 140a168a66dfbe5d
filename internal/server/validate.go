package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/servicetoken"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// Requests are validated against the embedded openapi.yaml before their
// handler runs: security (one function per security scheme, below), path
// and query parameters, and the JSON body. The middleware is written here
// over kin-openapi's openapi3filter rather than taken from
// github.com/oapi-codegen/echo-middleware, which this build cannot fetch
// (it is not in the served module list); it also needs no second router:
// each operation's validator is attached to the operation's own Echo route
// (api.RegisterHandlersOptions.OperationMiddlewares), so Echo's routing
// finds the operation and routes outside the spec (static files, /metrics,
// the console's HTML) are never validated.

// The security schemes of openapi.yaml's components.securitySchemes.
const (
	schemeSidebarToken = "sidebarToken"
	schemeAdminToken   = "adminToken"
	schemeAdminCookie  = "adminCookie"
	schemeServiceToken = "serviceToken"
)

// Keys of the claims the security functions put in the echo.Context.
const (
	adminClaimsKey   = "crmlens.adminClaims"
	sidebarClaimsKey = "crmlens.sidebarClaims"
	serviceTokenKey  = "crmlens.serviceToken"
)

// errNoCredential is what a security function answers when the request
// does not carry its kind of credential at all, so that another scheme of
// the operation may answer instead.
var errNoCredential = errors.New("no credential for this security scheme")

// operationMiddlewares is one validating middleware per operation of spec,
// keyed by operationId as api.RegisterHandlersOptions expects.
func (s *Server) operationMiddlewares(spec *openapi3.T) (map[string][]echo.MiddlewareFunc, error) {
	out := map[string][]echo.MiddlewareFunc{}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				return nil, fmt.Errorf("openapi.yaml: %s %s has no operationId", method, path)
			}
			// The embedded spec's operationIds are the Go method names
			// (oapi-codegen capitalises them); the options are keyed by
			// openapi.yaml's own, which start lower case.
			id := operationID(op.OperationID)
			route := &routers.Route{Spec: spec, Path: path, PathItem: item, Method: method, Operation: op}
			out[id] = []echo.MiddlewareFunc{s.validate(id, route)}
		}
	}
	return out, nil
}

// validate checks a request against route's operation, then hands the
// handler the request with its body as it came (byte for byte: the
// sidebar's params are read in their order).
func (s *Server) validate(operationID string, route *routers.Route) echo.MiddlewareFunc {
	hasBody := route.Operation.RequestBody != nil
	// A sync request's body (up to importer.MaxSyncBytes of NDJSON or a
	// JSON array) is not read here: openapi3filter has no decoder for
	// application/x-ndjson, and decoding 8 MiB into a generic value only to
	// check "an array of objects" would double the request's memory. The
	// importer streams and checks it record by record (sync_invalid,
	// sync_format, sync_too_large), so body validation is skipped for
	// these operations (ExcludeRequestBody); security and path parameters
	// are still validated.
	skipBody := syncOperations[operationID]
	if skipBody {
		hasBody = false
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			var body []byte
			if hasBody && req.Body != nil && req.Body != http.NoBody {
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return bodyReadError(err)
				}
				body = b
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
				req.Body, _ = req.GetBody()
			}
			var params map[string]string
			if names := c.ParamNames(); len(names) > 0 {
				params = make(map[string]string, len(names))
				for i, v := range c.ParamValues()[:len(names)] {
					if u, err := url.PathUnescape(v); err == nil {
						v = u
					}
					params[names[i]] = v
				}
			}
			in := &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{
					SkipSettingDefaults: true,
					ExcludeRequestBody:  skipBody,
					AuthenticationFunc: func(ctx context.Context, ai *openapi3filter.AuthenticationInput) error {
						return s.authenticate(ctx, c, ai.SecuritySchemeName)
					},
				},
			}
			err := openapi3filter.ValidateRequest(req.Context(), in)
			if body != nil {
				req.Body, _ = req.GetBody()
			}
			if err != nil {
				return s.onInvalid(c, operationID, specError(operationID, err))
			}
			if s.checkResponse == nil {
				return next(c)
			}
			return s.checkAnswer(c, operationID, in, next)
		}
	}
}

// checkAnswer runs next and tells s.checkResponse when its answer breaks
// the spec: a status it does not list, or a JSON body unlike its schema. A
// handler's error is answered here (c.Error, as requestLog would) so that
// error answers are checked too.
func (s *Server) checkAnswer(c echo.Context, operationID string, in *openapi3filter.RequestValidationInput, next echo.HandlerFunc) error {
	w := &answerCopy{ResponseWriter: c.Response().Writer}
	c.Response().Writer = w
	if err := next(c); err != nil {
		c.Error(err)
	}
	c.Response().Writer = w.ResponseWriter
	if c.Response().Status >= 500 {
		return nil // a server fault, not a shape the spec lists
	}
	// Bodies other than JSON (the sidebar page, the NDJSON export) are
	// checked for their status and content type only.
	ct := c.Response().Header().Get(echo.HeaderContentType)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: c.Response().Status, Header: c.Response().Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: !strings.HasPrefix(ct, echo.MIMEApplicationJSON)},
	}
	out.SetBodyBytes(w.body.Bytes())
	if verr := openapi3filter.ValidateResponse(c.Request().Context(), out); verr != nil {
		// kin-openapi's SchemaError prints the value (a token, a key):
		// only its path and reason are passed on.
		var se *openapi3.SchemaError
		if errors.As(verr, &se) {
			verr = fmt.Errorf("%s: %s", strings.Join(se.JSONPointer(), "."), se.Reason)
		}
		s.checkResponse(operationID, fmt.Errorf("status %d: %w", c.Response().Status, verr))
	}
	return nil
}

// answerCopy keeps a copy of what is written through it.
type answerCopy struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *answerCopy) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (Echo's Flush) reach the connection.
func (w *answerCopy) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// operationID is openapi.yaml's operationId of the embedded spec's id.
func operationID(id string) string {
	if id == "" {
		return id
	}
	return strings.ToLower(id[:1]) + id[1:]
}

// onInvalid is what a refused request answers. Where the handler counts
// failures against the client (sign-ins, password checks, sidebar
// sessions), a refused request counts too, and a client past its
// allowance gets 429, as it would from the handler.
func (s *Server) onInvalid(c echo.Context, operationID string, err error) error {
	if apperr.KindOf(err) == apperr.Unauthorized || apperr.KindOf(err) == apperr.Forbidden {
		return err
	}
	switch operationID {
	case "createSidebarSession":
		return s.sessionFailure(c, "", err)
	case "createAdminSession", "changeAdminPassword", "revealIntegrationKey", "rotateIntegrationKey",
		"createAdmin", "resetAdminPassword":
		if blocked := s.limit(c); blocked != nil {
			return blocked
		}
		s.countFailure(c, err)
	}
	return err
}

// bodyReadError is a body that could not be read: past the size limit, or
// cut short.
func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than %d bytes", mbe.Limit)
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than %d bytes", MaxBodyBytes)
	default:
		return apperr.New(apperr.Invalid, "invalid_json", "the request body could not be read")
	}
}

// authenticate verifies the request's credential for one security scheme
// and puts its claims in c (adminFrom, sidebarFrom).
func (s *Server) authenticate(ctx context.Context, c echo.Context, scheme string) error {
	switch scheme {
	case schemeSidebarToken:
		claims, err := s.sidebarToken(ctx, c)
		if err != nil {
			return err
		}
		c.Set(sidebarClaimsKey, claims)
		return nil
	case schemeAdminToken, schemeAdminCookie:
		var claims sessiontoken.AdminClaims
		var err error
		if scheme == schemeAdminToken {
			claims, err = s.adminToken(ctx, c)
		} else {
			claims, err = s.adminCookie(ctx, c)
		}
		if err != nil {
			return err
		}
		c.Set(adminClaimsKey, claims)
		return nil
	case schemeServiceToken:
		tok, err := s.serviceToken(ctx, c)
		if err != nil {
			return err
		}
		c.Set(serviceTokenKey, tok)
		return nil
	}
	return fmt.Errorf("openapi.yaml names security scheme %q, which the server does not know", scheme)
}

// sidebarToken is the sidebarToken scheme: the session JWT of POST
// /api/v1/sidebar/sessions as Authorization: Bearer.
func (s *Server) sidebarToken(ctx context.Context, c echo.Context) (sessiontoken.Claims, error) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return sessiontoken.Claims{}, apperr.New(apperr.Unauthorized, sessiontoken.CodeUnauthorized,
			"send the session token as Authorization: Bearer <token>; reload the page to get one")
	}
	if servicetoken.Looks(strings.TrimSpace(token)) {
		return sessiontoken.Claims{}, serviceTokenHere()
	}
	return s.tokens.Parse(ctx, strings.TrimSpace(token))
}

// serviceTokenHere is the answer of a sidebar or admin route to a service
// token: it is good for /api/v1/sync only.
func serviceTokenHere() error {
	return apperr.New(apperr.Unauthorized, sessiontoken.CodeUnauthorized,
		"a service token (crml_sync_...) is good for /api/v1/sync only; this route needs a sidebar session or an admin sign-in")
}

// serviceToken is the serviceToken scheme: a service token of scope sync
// as Authorization: Bearer (internal/servicetoken). A JWT (a sidebar or
// admin session) is not one: 401 unauthorized.
func (s *Server) serviceToken(ctx context.Context, c echo.Context) (servicetoken.Token, error) {
	tok, err := servicetoken.FromHeader(c.Request().Header.Get(echo.HeaderAuthorization))
	if err != nil {
		return servicetoken.Token{}, err
	}
	if !servicetoken.Looks(tok) {
		return servicetoken.Token{}, apperr.New(apperr.Unauthorized, servicetoken.CodeUnauthorized,
			"the sync routes take a service token (crml_sync_...), not a sidebar or admin session; an admin creates one with `crmlens token create --name NAME --scope sync`")
	}
	return s.serviceTokens.Authenticate(ctx, tok, servicetoken.ScopeSync)
}

// serviceTokenFrom is the service token of a request to an operation whose
// security is serviceToken; it panics like adminFrom.
func serviceTokenFrom(c echo.Context) servicetoken.Token {
	tok, ok := c.Get(serviceTokenKey).(servicetoken.Token)
	if !ok {
		panic("no service token: the operation of " + c.Path() + " declares no serviceToken security in openapi.yaml")
	}
	return tok
}

// adminToken is the adminToken scheme: the admin JWT as Authorization:
// Bearer. A request with an Authorization header is judged by it alone
// (adminCookie steps aside).
func (s *Server) adminToken(ctx context.Context, c echo.Context) (sessiontoken.AdminClaims, error) {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return sessiontoken.AdminClaims{}, errNoCredential
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return sessiontoken.AdminClaims{}, apperr.New(apperr.Unauthorized, sessiontoken.CodeUnauthorized,
			"sign in as an admin: send Authorization: Bearer <token> from POST /api/v1/admin/session")
	}
	if servicetoken.Looks(strings.TrimSpace(token)) {
		return sessiontoken.AdminClaims{}, serviceTokenHere()
	}
	claims, err := s.tokens.ParseAdmin(ctx, strings.TrimSpace(token))
	if err != nil {
		return claims, err
	}
	return claims, s.checkStamp(ctx, claims)
}

// adminCookie is the adminCookie scheme: the console's session cookie,
// which on a write also needs the session's CSRF token as X-CSRF-Token
// (double submit, see console.go).
func (s *Server) adminCookie(ctx context.Context, c echo.Context) (sessiontoken.AdminClaims, error) {
	if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
		return sessiontoken.AdminClaims{}, errNoCredential
	}
	ck, err := c.Cookie(adminCookie)
	if err != nil || ck.Value == "" {
		return sessiontoken.AdminClaims{}, errNoCredential
	}
	claims, err := s.tokens.ParseAdmin(ctx, ck.Value)
	if err != nil {
		return claims, err
	}
	if err := s.checkStamp(ctx, claims); err != nil {
		return sessiontoken.AdminClaims{}, err
	}
	if unsafeMethod(c.Request().Method) {
		got := c.Request().Header.Get(csrfHeader)
		switch {
		case got == "":
			return sessiontoken.AdminClaims{}, apperr.New(apperr.Forbidden, CodeCSRFMissing,
				"this change was sent without the console's CSRF token (X-CSRF-Token header); reload the console and try again")
		case claims.CSRF == "" || subtle.ConstantTimeCompare([]byte(got), []byte(claims.CSRF)) != 1:
			return sessiontoken.AdminClaims{}, apperr.New(apperr.Forbidden, CodeCSRFMismatch,
				"the console's CSRF token does not match this session; reload the console and try again")
		}
	}
	return claims, nil
}

// adminFrom is the signed-in admin of a request to an operation whose
// security is adminToken or adminCookie. It panics (answered 500) when the
// operation declares no admin security: a mistake in openapi.yaml, never
// a reason to serve the request.
func adminFrom(c echo.Context) sessiontoken.AdminClaims {
	claims, ok := c.Get(adminClaimsKey).(sessiontoken.AdminClaims)
	if !ok {
		panic("no admin claims: the operation of " + c.Path() + " declares no admin security in openapi.yaml")
	}
	return claims
}

// sidebarFrom is the sidebar session of a request to an operation whose
// security is sidebarToken; it panics like adminFrom.
func sidebarFrom(c echo.Context) sessiontoken.Claims {
	claims, ok := c.Get(sidebarClaimsKey).(sessiontoken.Claims)
	if !ok {
		panic("no sidebar claims: the operation of " + c.Path() + " declares no sidebarToken security in openapi.yaml")
	}
	return claims
}

// mustSpec is the embedded openapi.yaml, loaded once by New.
func mustSpec() *openapi3.T {
	spec, err := api.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("the embedded openapi.yaml does not load: %v", err))
	}
	return spec
}
