package api

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc/views"
)

// parsePages parses the templates of views/pages once, at start: a broken
// template stops the node before it serves anything.
func parsePages() *template.Template {
	return template.Must(template.ParseFS(views.FS, "pages/*.html"))
}

// render executes the page template name into a buffer first, so that a
// failing template gives a clean error, not half a page.
func (s *Server) render(c echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// staticFiles serves views/static under /static.
func staticFiles() http.Handler {
	sub, err := fs.Sub(views.FS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}
