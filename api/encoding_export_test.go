package api

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ChainOnly serves GET /chain from chain and nothing else, through the
// gzip middleware when gzip is set: what the middleware costs is the
// difference between the two.
func ChainOnly(chain ChainReader, gzip bool) http.Handler {
	s := &Server{Chain: chain, Logger: slog.New(slog.DiscardHandler)}
	e := echo.New()
	if gzip {
		e.Use(compress())
	}
	e.GET("/chain", s.handleChain)
	return e
}
