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
	"strconv"
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
		origins = integration.OriginsOf(in.Integration)
		ancestors = frameAncestors(origins)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", sidebarCSP(ancestors))
	return s.pageWith(c, "sidebar.html", status, page{head: originsMeta(origins), theme: pageTheme(c.QueryParam("theme"))})
}

// pageTheme is the sidebar's `theme` query param when it asks for light or
// dark colours (any case), else "" (follow the system). It is written on
// <html data-theme> so that the first paint, before the script runs, already
// has the right colours; the page reads the param too and never sends it to
// the API (frontend/src/sidebar/params.ts).
func pageTheme(v string) string {
	switch t := strings.ToLower(strings.TrimSpace(v)); t {
	case "light", "dark":
		return t
	}
	return ""
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
	return s.pageWith(c, name, status, page{})
}

// page is what a served HTML page gets besides its file: head, inserted at
// the start of its <head>, and theme, written as <html data-theme>.
type page struct {
	head  string
	theme string
}

// pageWith serves the HTML page name with p's additions.
func (s *Server) pageWith(c echo.Context, name string, status int, p page) error {
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
	if p.head != "" {
		b = bytes.Replace(b, []byte("<head>"), []byte("<head>"+p.head), 1)
	}
	if p.theme != "" {
		// The theme is one of two fixed words (pageTheme), never the raw param.
		b = bytes.Replace(b, []byte("<html"), []byte(`<html data-theme="`+p.theme+`"`), 1)
	}
	return c.HTMLBlob(status, b)
}

// asset serves /assets/*: content-hashed files, cached for a year. When the
// build wrote a precompressed variant beside a file (NAME.br, NAME.gz; see
// frontend/scripts/compress.mjs) and the browser accepts its encoding, the
// variant is served as is: nothing is compressed per request.
func (s *Server) asset(c echo.Context) error {
	name := path.Clean("assets/" + c.Param("*"))
	if !strings.HasPrefix(name, "assets/") || strings.Contains(name, "..") {
		return echo.ErrNotFound
	}
	if _, err := fs.Stat(s.assets, name); err != nil {
		return echo.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cacheAsset)
	var offered []string
	for _, e := range precompressed {
		if _, err := fs.Stat(s.assets, name+e.ext); err == nil {
			offered = append(offered, e.coding)
		}
	}
	file := name
	if len(offered) > 0 {
		// The answer depends on Accept-Encoding, whichever one is chosen.
		h.Add("Vary", "Accept-Encoding")
		if coding := negotiateEncoding(c.Request().Header.Get("Accept-Encoding"), offered); coding != "" {
			file = name + encodingExt(coding)
			h.Set("Content-Encoding", coding)
		}
	}
	b, err := fs.ReadFile(s.assets, file)
	if err != nil {
		return echo.ErrNotFound
	}
	return c.Blob(http.StatusOK, ct, b)
}

// precompressed lists the variants the build writes, in the order preferred
// when the browser accepts several equally: brotli is smaller than gzip.
var precompressed = []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

func encodingExt(coding string) string {
	for _, e := range precompressed {
		if e.coding == coding {
			return e.ext
		}
	}
	return ""
}

// negotiateEncoding picks, from the codings offered (in order of
// preference), the one the Accept-Encoding header value accepts with the
// highest weight (RFC 9110, 12.5.3): names are case-insensitive, "q=0"
// refuses a coding, "*" stands for every coding the header does not name.
// "" means none: send the file as it is. Hand-written: neither the standard
// library nor Echo negotiates encodings, and this is the whole of it.
func negotiateEncoding(header string, offered []string) string {
	weights := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" {
			name = "gzip" // RFC 9110, 8.4.1.3: the same coding
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight accepts nothing rather than guessing
				}
				q = f
			}
		}
		if name == "*" {
			star = q
		} else if old, seen := weights[name]; !seen || q > old {
			weights[name] = q
		}
	}
	best, bestQ := "", 0.0
	for _, coding := range offered {
		q, named := weights[coding]
		if !named {
			q = max(star, 0)
		}
		if q > bestQ {
			best, bestQ = coding, q
		}
	}
	return best
}
