package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crmlens/crmlens/internal/database"
	"github.com/crmlens/crmlens/internal/dbtest"
	"github.com/crmlens/crmlens/internal/server"
)

// compressedAssets holds a script with both precompressed variants, a style
// with only gzip, and an image with none. The variants' bytes say which file
// was served (the server sends them as they are, it never decodes them).
var compressedAssets = fstest.MapFS{
	"assets/app-1.js":     {Data: []byte("identity js")},
	"assets/app-1.js.br":  {Data: []byte("brotli js")},
	"assets/app-1.js.gz":  {Data: []byte("gzip js")},
	"assets/app-1.css":    {Data: []byte("identity css")},
	"assets/app-1.css.gz": {Data: []byte("gzip css")},
	"assets/logo-1.png":   {Data: []byte("png")},
}

// get asks srv for path with exactly the Accept-Encoding given (none when
// empty): the transport must neither add gzip nor decode the answer.
func get(t *testing.T, srv *httptest.Server, path, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	must(t, err)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp, string(b)
}

func TestPrecompressedAssets(t *testing.T) {
	srv := httptest.NewServer(server.New(server.Deps{Assets: compressedAssets}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name     string
		path     string
		accept   string
		body     string
		encoding string // Content-Encoding, "" for none
		vary     bool
		ctype    string
	}{
		{name: "no Accept-Encoding", path: "/assets/app-1.js", body: "identity js", vary: true, ctype: "javascript"},
		{name: "brotli preferred", path: "/assets/app-1.js", accept: "gzip, deflate, br, zstd", body: "brotli js", encoding: "br", vary: true, ctype: "javascript"},
		{name: "gzip only", path: "/assets/app-1.js", accept: "gzip", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "x-gzip is gzip", path: "/assets/app-1.js", accept: "x-gzip", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "case-insensitive", path: "/assets/app-1.js", accept: "GZIP, BR", body: "brotli js", encoding: "br", vary: true, ctype: "javascript"},
		{name: "br refused with q=0", path: "/assets/app-1.js", accept: "br;q=0, gzip", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "higher weight wins", path: "/assets/app-1.js", accept: "br;q=0.5, gzip;q=0.8", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "equal weights: brotli", path: "/assets/app-1.js", accept: "gzip;q=0.7, br;q=0.7", body: "brotli js", encoding: "br", vary: true, ctype: "javascript"},
		{name: "star accepts both", path: "/assets/app-1.js", accept: "*", body: "brotli js", encoding: "br", vary: true, ctype: "javascript"},
		{name: "star except br", path: "/assets/app-1.js", accept: "*, br;q=0", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "everything refused", path: "/assets/app-1.js", accept: "*;q=0", body: "identity js", vary: true, ctype: "javascript"},
		{name: "identity only", path: "/assets/app-1.js", accept: "identity", body: "identity js", vary: true, ctype: "javascript"},
		{name: "malformed weight refuses", path: "/assets/app-1.js", accept: "br;q=lots, gzip", body: "gzip js", encoding: "gzip", vary: true, ctype: "javascript"},
		{name: "only the variants there are", path: "/assets/app-1.css", accept: "br, gzip", body: "gzip css", encoding: "gzip", vary: true, ctype: "text/css"},
		{name: "br asked, none there", path: "/assets/app-1.css", accept: "br", body: "identity css", vary: true, ctype: "text/css"},
		{name: "a file without variants", path: "/assets/logo-1.png", accept: "br, gzip", body: "png", ctype: "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, srv, tt.path, tt.accept)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, body %q", resp.StatusCode, body)
			}
			if body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if got := resp.Header.Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoding)
			}
			if got := resp.Header.Get("Vary") == "Accept-Encoding"; got != tt.vary {
				t.Errorf("Vary %q, want Accept-Encoding: %v", resp.Header.Get("Vary"), tt.vary)
			}
			if got := resp.Header.Get("Content-Type"); !strings.Contains(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control %q", got)
			}
		})
	}

	for _, path := range []string{"/assets/nope.js", "/assets/..%2f..%2fetc/passwd", "/assets/"} {
		t.Run("missing "+path, func(t *testing.T) {
			resp, body := get(t, srv, path, "br, gzip")
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `"code":"not_found"`) {
				t.Errorf("status %d, body %q: want 404 not_found", resp.StatusCode, body)
			}
			if enc := resp.Header.Get("Content-Encoding"); enc != "" {
				t.Errorf("a 404 with Content-Encoding %q", enc)
			}
		})
	}
}

func TestSidebarPageTheme(t *testing.T) {
	db, _ := dbtest.Open(t, database.SQLite)
	f := start(t, db)
	tests := []struct {
		name  string
		query string
		html  string // how <html begins in the page
	}{
		{"dark", "?visitorImId=x&theme=dark", `<html data-theme="dark">`},
		{"light, any case", "?visitorImId=x&theme=LIGHT", `<html data-theme="light">`},
		{"auto follows the system", "?visitorImId=x&theme=auto", `<html>`},
		{"none", "?visitorImId=x", `<html>`},
		{"anything else is not written", `?visitorImId=x&theme=%22%3E%3Cscript%3E`, `<html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", "/sidebar/acme"+tt.query, "", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(string(body), tt.html+"<head>") {
				t.Errorf("page %q does not start with %q", body, tt.html)
			}
			if strings.Contains(string(body), "<script>") {
				t.Errorf("the param reached the page: %q", body)
			}
		})
	}
}
