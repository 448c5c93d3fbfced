package api

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func (s *Server) newEcho() *echo.Echo {
	s.pages = parsePages()
	s.streams = make(chan struct{}, maxEventStreams)
	s.closing = make(chan struct{})
	s.sessions = newSessions(s.clock)
	s.metrics = s.newMetrics()
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.Use(commonHeaders)
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
	// By method, on every route: a route added later that changes state is
	// guarded without being listed here.
	e.Use(s.sameOriginWrites)

	// The tutorial's protocol.
	e.GET("/", s.handleIndex)
	e.GET("/chain", s.handleChain)
	e.POST("/transactions/new", s.handleNewTransaction)
	e.GET("/mine", s.handleMine)
	e.POST("/nodes/register", s.handleRegister)
	e.POST("/nodes/remove", s.handleRemove)
	e.GET("/nodes/resolve", s.handleResolve)
	e.POST("/nodes/resolve", s.handleResolve)
	e.GET("/nodes", s.handlePeers)

	// Block Scan, the explorer.
	{
		e.GET("/scan", s.handleScanHome)
		e.GET("/scan/block/:id", s.handleScanBlock)
		e.GET("/scan/tx/:id", s.handleScanTx)
		e.GET("/scan/address/*", s.handleScanAddress)
		e.GET("/scan/mempool", s.handleScanMempool)
		e.GET("/scan/peers", s.handleScanPeers)
		e.GET("/scan/search", s.handleScanSearch)
		e.GET("/scan/events", s.handleEvents)
	}

	// The wallet: every form carries a CSRF token.
	{
		w := e.Group("/wallet", s.walletCSRF())
		w.GET("", s.handleWallet)
		w.POST("/login", s.handleLogin)
		w.POST("/logout", s.handleLogout)
		w.POST("/send", s.handleSend)
		w.POST("/mine", s.handleWalletMine)
	}

	// The explorer's data as JSON.
	{
		e.GET("/api/status", s.handleAPIStatus)
		e.GET("/api/blocks", s.handleAPIBlocks)
		e.GET("/api/blocks/:id", s.handleAPIBlock)
		e.GET("/api/tx/:id", s.handleAPITx)
		e.GET("/api/address/*", s.handleAPIAddress)
		e.GET("/api/mempool", s.handleAPIMempool)
		e.GET("/api/peers", s.handleAPIPeers)
	}

	// Operations.
	{
		e.GET("/metrics", s.handleMetrics)
		e.GET("/healthz", s.handleHealth)
		e.GET("/readyz", s.handleReady)
	}

	// Embedded assets of the HTML pages.
	e.GET("/static/*", echo.WrapHandler(staticFiles()))
	return e
}
