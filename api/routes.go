package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/pybtc/pybtc/peer"
)

// walletPrefix is where the wallet's group of routes lives.
const walletPrefix = "/wallet"

func (s *Server) newEcho() *echo.Echo {
	s.streams = make(chan struct{}, maxEventStreams)
	s.closing = make(chan struct{})
	s.sessions = newSessions(s.clock)
	s.metrics = s.newMetrics()
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Errors are JSON unless a group renders its own: the protocol, the
	// operations routes and routes that do not exist answer JSON.
	e.HTTPErrorHandler = s.handleError
	e.Pre(headAsGet)
	e.Use(headRouted)
	// Nothing the node sends may be sniffed into another type (a JSON
	// answer holding a peer's strings read as HTML).
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{ContentTypeNosniff: "nosniff"}))
	e.Use(middleware.Recover())
	e.Use(s.metrics.measure)
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus:   true,
		LogURI:      true,
		LogMethod:   true,
		LogLatency:  true,
		LogError:    true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelDebug
			if v.Status >= 500 {
				level = slog.LevelError
			}
			if !s.Logger.Enabled(context.Background(), level) {
				return nil
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method),
				slog.String("uri", v.URI),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("err", v.Error.Error()))
			}
			s.Logger.LogAttrs(context.Background(), level, "request", attrs...)
			return nil
		},
	}))
	e.Use(middleware.BodyLimit(fmt.Sprintf("%dB", MaxBodyBytes)))
	e.Use(compress())
	// By method, on every route: a route added later that changes state is
	// guarded without being listed here.
	// The wallet guards its own forms, to refuse them on its own page.
	e.Use(s.sameOriginWrites(walletPrefix))

	// The tutorial's protocol.
	e.GET("/", s.handleIndex, pageHeaders)
	e.GET("/chain", s.handleChain)
	e.POST("/transactions/new", s.handleNewTransaction)
	e.GET("/mine", s.handleMine)
	e.POST("/nodes/register", s.handleRegister)
	e.POST("/nodes/remove", s.handleRemove)
	e.GET("/nodes/resolve", s.handleResolve)
	e.POST("/nodes/resolve", s.handleResolve)
	e.GET("/nodes", s.handlePeers)
	e.GET(peer.TutorialPath+":previous/chain", s.handleTutorialCheck)

	// Block Scan, the explorer: errors are pages.
	{
		g := e.Group("/scan", pageHeaders, s.pageErrors(scanSection))
		g.GET("", s.handleScanHome)
		g.GET("/block/:id", s.handleScanBlock)
		g.GET("/tx/:id", s.handleScanTx)
		g.GET("/address/*", s.handleScanAddress)
		g.GET("/mempool", s.handleScanMempool)
		g.GET("/peers", s.handleScanPeers)
		g.GET("/search", s.handleScanSearch)
		g.GET("/tree", s.handleScanTree)
		g.GET("/reorgs", s.handleScanReorgs)
		g.GET("/reorg/:id", s.handleScanReorg)
		g.GET("/refused", s.handleScanRefused)
		g.RouteNotFound("/*", notFoundOrNotAllowed)
		// The pages' script reads the stream and its errors as JSON.
		e.GET("/scan/events", s.handleEvents)
	}

	// The wallet: errors are pages, no answer is cached, every form
	// carries a CSRF token.
	{
		w := e.Group(walletPrefix, pageHeaders, noStore, s.pageErrors(walletSection), s.walletSameOrigin, s.walletCSRF())
		w.GET("", s.handleWallet)
		w.POST("/login", s.handleLogin)
		w.POST("/logout", s.handleLogout)
		w.POST("/send", s.handleSend)
		w.POST("/mine", s.handleWalletMine)
		w.RouteNotFound("/*", notFoundOrNotAllowed)
	}

	// The lab: errors are pages.
	s.labRoutes(e)

	// The explorer's data as JSON: errors are JSON, whatever the client
	// accepts.
	{
		g := e.Group("/api", s.jsonErrors)
		g.GET("", s.handleAPIIndex, pageHeaders)
		g.GET("/", s.handleAPIIndex, pageHeaders)
		g.GET("/status", s.handleAPIStatus)
		g.GET("/blocks", s.handleAPIBlocks)
		g.GET("/blocks/:id", s.handleAPIBlock)
		g.GET("/tx/:id", s.handleAPITx)
		g.GET("/address/*", s.handleAPIAddress)
		g.GET("/mempool", s.handleAPIMempool)
		g.GET("/peers", s.handleAPIPeers)
		g.GET("/tips", s.handleAPITips)
		g.GET("/reorgs", s.handleAPIReorgs)
	}

	// Operations.
	{
		e.GET("/metrics", s.handleMetrics)
		e.GET("/healthz", s.handleHealth)
		e.GET("/readyz", s.handleReady)
	}

	// Embedded assets of the HTML pages.
	e.GET("/static/*", echo.WrapHandler(staticFiles()), pageHeaders)
	return e
}

// notFoundOrNotAllowed answers a path a group does not route: 405 when
// the path has a route for another method, as echo answers outside
// groups, else 404. A group with middleware catches all its paths, the
// router's 405 included.
func notFoundOrNotAllowed(c echo.Context) error {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		probe := c.Echo().NewContext(c.Request(), nil)
		c.Echo().Router().Find(method, echo.GetPath(c.Request()), probe)
		if probe.Path() != c.Path() {
			return echo.ErrMethodNotAllowed
		}
	}
	return echo.ErrNotFound
}
