package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/keyring"
	"github.com/crmlens/crmlens/internal/metrics"
	"github.com/crmlens/crmlens/internal/sessiontoken"
)

// echoPath is a spec path as Echo registers it: /a/{b} is /a/:b.
var specParam = regexp.MustCompile(`\{([^}]+)\}`)

func echoPath(p string) string { return specParam.ReplaceAllString(p, ":$1") }

// Every route the server registers is an operation of openapi.yaml, or
// listed in specExempt; nothing under /api/ is exempt; every operation is
// served.
func TestRoutesInSpec(t *testing.T) {
	spec := mustSpec()
	ops := map[string]bool{}
	for path, item := range spec.Paths.Map() {
		for method := range item.Operations() {
			ops[method+" "+echoPath(path)] = true
		}
	}
	served := map[string]bool{}
	for _, r := range New(Deps{Metrics: metrics.New("test")}).Routes() {
		key := r.Method + " " + r.Path
		served[key] = true
		switch {
		case strings.HasPrefix(r.Path, "/api/") && !ops[key]:
			t.Errorf("%s is served but is not an operation of openapi.yaml", key)
		case !ops[key] && !specExempt[key]:
			t.Errorf("%s is neither in openapi.yaml nor in specExempt", key)
		case ops[key] && specExempt[key]:
			t.Errorf("%s is in openapi.yaml and in specExempt", key)
		}
	}
	for key := range ops {
		if !served[key] {
			t.Errorf("openapi.yaml's %s is not served", key)
		}
	}
	for key := range specExempt {
		if strings.Contains(key, " /api/") || !served[key] {
			t.Errorf("specExempt lists %s, which is under /api/ or not served", key)
		}
	}
}

// Every admin operation but signing in and out asks for an admin, every
// sidebar operation but opening a session for a sidebar session, every
// sync operation for a service token: the
// handlers read the claims the security functions put in the context
// (adminFrom, sidebarFrom).
func TestOperationSecurity(t *testing.T) {
	public := map[string]bool{"createAdminSession": true, "deleteAdminSession": true, "createSidebarSession": true}
	spec := mustSpec()
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			id := operationID(op.OperationID)
			var want [][]string
			switch {
			case public[id]:
			case strings.HasPrefix(path, "/api/v1/admin/"):
				want = [][]string{{schemeAdminToken}, {schemeAdminCookie}}
			case strings.HasPrefix(path, "/api/v1/sidebar/"):
				want = [][]string{{schemeSidebarToken}}
			case strings.HasPrefix(path, syncPathPrefix):
				want = [][]string{{schemeServiceToken}}
			}
			var got [][]string
			if op.Security != nil {
				for _, req := range *op.Security {
					var names []string
					for name := range req {
						names = append(names, name)
					}
					slices.Sort(names)
					got = append(got, names)
				}
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("%s %s (%s): security %v, want %v", method, path, id, got, want)
			}
		}
	}
}

// route is the spec's route of operationID.
func route(t testing.TB, operationID string) *routers.Route {
	t.Helper()
	spec := mustSpec()
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			if strings.EqualFold(op.OperationID, operationID) {
				return &routers.Route{Spec: spec, Path: path, PathItem: item, Method: method, Operation: op}
			}
		}
	}
	t.Fatalf("no operation %s", operationID)
	return nil
}

// The handler reads the body byte for byte as the client sent it (the
// sidebar's params are read in their order), however the validator read it.
func TestBodyReachesTheHandlerAsSent(t *testing.T) {
	tests := []struct{ name, body string }{
		{"params out of alphabetical order", `{"integration":"acme","params":{"z":"1","a":"2","m":"3"}}`},
		{"spaces and escapes kept", "{ \"params\" : {\"visitorImId\":\"\\u5f20\", \"b\":\"x\"},\n \"integration\":\"acme\" }"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{}
			var got []byte
			h := s.validate("createSidebarSession", route(t, "createSidebarSession"))(func(c echo.Context) error {
				b, err := io.ReadAll(c.Request().Body)
				got = b
				return err
			})
			e := echo.New()
			req := httptest.NewRequest(http.MethodPost, "/api/v1/sidebar/sessions", strings.NewReader(tc.body))
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			if err := h(e.NewContext(req, httptest.NewRecorder())); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(tc.body)) {
				t.Errorf("handler read %q, want %q", got, tc.body)
			}
		})
	}
}

// benchServer is a Server with what the sessions and context routes'
// validation needs: the session tokens.
func benchServer(b *testing.B) (*Server, string) {
	db, _ := dbtest.Open(b, database.SQLite)
	keys, err := keyring.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		b.Fatal(err)
	}
	tokens, err := sessiontoken.New(context.Background(), db, keys, nil)
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := tokens.Issue(sessiontoken.Claims{IntegrationID: 1, VisitorID: 1})
	if err != nil {
		b.Fatal(err)
	}
	return &Server{tokens: tokens}, token
}

// BenchmarkValidate measures what validation adds to the sessions and
// context routes: "without" is what ran before the handler before (reading
// the body; parsing the session token), "with" is the validating
// middleware (which parses the token too).
func BenchmarkValidate(b *testing.B) {
	s, token := benchServer(b)
	e := echo.New()
	body := `{"integration":"acme","params":{"easemobId":"kefu","visitorImId":"im-zhang","agentName":"3f2a9c0d11aa","lang":"en","tenantId":"123"}}`
	sessions := func() echo.Context {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/sidebar/sessions", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		return e.NewContext(req, httptest.NewRecorder())
	}
	contexts := func() echo.Context {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/sidebar/context", nil)
		req.Header.Set(echo.HeaderAuthorization, "Bearer "+token)
		return e.NewContext(req, httptest.NewRecorder())
	}
	readBody := func(c echo.Context) error { _, err := io.ReadAll(c.Request().Body); return err }
	noop := func(echo.Context) error { return nil }
	withSessions := s.validate("createSidebarSession", route(b, "createSidebarSession"))(readBody)
	withContext := s.validate("getSidebarContext", route(b, "getSidebarContext"))(noop)
	tests := []struct {
		name string
		ctx  func() echo.Context
		h    echo.HandlerFunc
	}{
		{"sessions/without", sessions, readBody},
		{"sessions/with", sessions, withSessions},
		{"context/without", contexts, func(c echo.Context) error { _, err := s.sidebarToken(c.Request().Context(), c); return err }},
		{"context/with", contexts, withContext},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := tc.h(tc.ctx()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
