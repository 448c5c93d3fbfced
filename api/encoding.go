package api

import (
	"compress/gzip"
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// headAsGet answers HEAD on every GET route, as HTTP asks, with the GET
// answer's status and headers and no body. It runs before routing, which
// only knows GET. GET /mine and GET /nodes/resolve change the node (the
// tutorial's protocol made them GETs), and a HEAD, which checkers and
// proxies send freely, must not mine or sync: they keep answering 405.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodHead || req.URL.Path == "/mine" || req.URL.Path == "/nodes/resolve" {
			return next(c)
		}
		// The router reads the method from the request echo received, not
		// from the context's copy: it sees GET until headRouted puts HEAD
		// back, for net/http, which writes a HEAD answer differently.
		ctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		get := req.WithContext(ctx)
		get.Method = http.MethodGet
		req.Method = http.MethodGet
		c.Set(headRequestKey, req)
		c.SetRequest(get)
		res := c.Response()
		res.Writer = &headWriter{ResponseWriter: res.Writer, cancel: cancel}
		return next(c)
	}
}

// headRequestKey holds, in the context of a HEAD that headAsGet routes as
// a GET, the request net/http received.
const headRequestKey = "pybtc.head"

// headRouted runs after routing, first: it gives back to the request
// net/http received the method HEAD, so that net/http sends neither a body
// nor a chunked encoding's end. Handlers keep seeing a GET.
func headRouted(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if req, ok := c.Get(headRequestKey).(*http.Request); ok {
			req.Method = http.MethodHead
		}
		return next(c)
	}
}

// headWriter drops a HEAD answer's body. Its first flush sends the headers,
// all a HEAD answer has, and ends the request, so that a stream (the
// events, a lab run) does not go on for nobody.
type headWriter struct {
	http.ResponseWriter
	cancel context.CancelFunc
}

func (w *headWriter) Write(p []byte) (int, error) { return len(p), nil }

func (w *headWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
	w.cancel()
}

func (w *headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// gzipMinLength is the shortest answer worth compressing: below it, gzip's
// header and a round of CPU cost more than they save.
const gzipMinLength = 1024

// compress gzips answers for clients that accept it (browsers, Python's
// requests, Go's http.Transport, which all decode it on their own), and
// leaves them alone for the others. It compresses at gzip's fastest level:
// the chain compresses to a fifth even so, at two thirds of the default
// level's time.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     gzip.BestSpeed,
		MinLength: gzipMinLength,
		Skipper: func(c echo.Context) bool {
			req := c.Request()
			switch {
			case req.URL.Path == "/chain" && isTutorialClient(req):
				// The tutorial's node reads peers' chains with Python's
				// requests, which asks for gzip on its own, at every
				// resolve. Compressing the chain takes the node three
				// times as long as sending it (BENCHMARKS.md), longer than
				// the bytes it saves on a classroom's network; the
				// tutorial's nodes read it as they always did.
				return true
			case req.URL.Path == "/scan/events",
				strings.Contains(req.Header.Get(echo.HeaderAccept), "text/event-stream"):
				// An event must reach the page when it is sent, not when a
				// compressor's buffer fills.
				return true
			case req.URL.Path == walletPrefix || strings.HasPrefix(req.URL.Path, walletPrefix+"/"):
				// The wallet's pages hold a CSRF token beside what the
				// visitor typed: compressed, their length would leak the
				// token to a site that can make them (BREACH).
				return true
			}
			return false
		},
	})
}

// isTutorialClient reports whether req comes from Python's requests, the
// library the tutorial's node and pages speak HTTP with.
func isTutorialClient(req *http.Request) bool {
	return strings.HasPrefix(req.UserAgent(), "python-requests/")
}
