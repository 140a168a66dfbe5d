// Package frontend embeds the built front end: the playground (index.html),
// the sidebar page shell (sidebar.html), the admin console (admin.html) and
// their hashed assets (assets/).
//
// dist/ is written by `npm run build` (Vite). Only dist/README.md is
// committed: that placeholder keeps the embed pattern matching, so `go build`
// works before the front end is built; such a binary simply has no pages to
// serve until it is rebuilt after `npm run build`.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built files with dist/ as the root, so the playground is
// "index.html", the sidebar shell "sidebar.html" and assets "assets/...".
func Dist() (fs.FS, error) {
	return fs.Sub(dist, "dist")
}
