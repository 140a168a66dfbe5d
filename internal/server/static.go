package server

import (
	"bytes"
	"errors"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/integration"
)

// Cache rules: pages are never cached (they differ per integration and hold
// no data, but must pick up new asset hashes at once); hashed assets forever.
const (
	cachePage  = "no-store"
	cacheAsset = "public, max-age=31536000, immutable"
)

// GetSidebarPage serves the sidebar shell the platform frames. An unknown
// slug still gets the shell, with status 404, so the agent reads what is
// wrong in their language instead of a blank frame; that page holds no data.
func (s *Server) GetSidebarPage(c echo.Context, slug string) error {
	in, err := s.integrations.Get(c.Request().Context(), slug)
	status := http.StatusOK
	ancestors := "'self'"
	var origins []string
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		status = http.StatusNotFound
		ancestors = "*"
	case err != nil:
		return err
	default:
		origins = integration.OriginsOf(in)
		ancestors = frameAncestors(origins)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", sidebarCSP(ancestors))
	return s.pageWith(c, "sidebar.html", status, originsMeta(origins))
}

// originsMeta tells the page which parent origins may post it messages
// (Chatwoot's appContext): the integration's allowed frame origins.
func originsMeta(origins []string) string {
	return `<meta name="crmlens-frame-origins" content="` + html.EscapeString(strings.Join(origins, " ")) + `">`
}

// sidebarCSP allows only crmlens's own scripts, styles and API, and framing
// by ancestors.
func sidebarCSP(ancestors string) string {
	return "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
}

// frameAncestors lists 'self' and the integration's allowed origins. Origins
// that are not plain scheme://host[:port] are dropped rather than trusted.
func frameAncestors(origins []string) string {
	list := []string{"'self'"}
	{
		for _, o := range origins {
			if u, err := url.Parse(o); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
				(u.Path == "" || u.Path == "/") && u.RawQuery == "" && !strings.ContainsAny(o, " ;,'") {
				list = append(list, u.Scheme+"://"+u.Host)
			}
		}
	}
	return strings.Join(list, " ")
}

// playgroundPage serves the demo agent workbench at /.
func (s *Server) playgroundPage(c echo.Context) error {
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
	return s.page(c, "index.html", http.StatusOK)
}

func (s *Server) page(c echo.Context, name string, status int) error {
	return s.pageWith(c, name, status, "")
}

// pageWith serves the HTML page name, with head inserted at the start of
// its <head>.
func (s *Server) pageWith(c echo.Context, name string, status int, head string) error {
	b, err := fs.ReadFile(s.assets, name)
	if errors.Is(err, fs.ErrNotExist) {
		c.Response().Header().Set("Cache-Control", cachePage)
		return c.String(http.StatusServiceUnavailable, "The crmlens front end is not built into this binary: run `make build`.\n")
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cachePage)
	h.Set("Referrer-Policy", "no-referrer")
	if head != "" {
		b = bytes.Replace(b, []byte("<head>"), []byte("<head>"+head), 1)
	}
	return c.HTMLBlob(status, b)
}

// asset serves /assets/*: content-hashed files, cached for a year.
func (s *Server) asset(c echo.Context) error {
	name := path.Clean("assets/" + c.Param("*"))
	if !strings.HasPrefix(name, "assets/") || strings.Contains(name, "..") {
		return echo.ErrNotFound
	}
	b, err := fs.ReadFile(s.assets, name)
	if err != nil {
		return echo.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Response().Header().Set("Cache-Control", cacheAsset)
	return c.Blob(http.StatusOK, ct, b)
}
