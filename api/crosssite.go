package api

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// stateGETs are the GET routes that change the node's state: the tutorial
// mines and resolves on GET, so the method alone does not tell.
var stateGETs = map[string]bool{"/mine": true, "/nodes/resolve": true}

// changesState reports whether r may change the node's state: any method
// but GET and HEAD, on any route (a route added later is covered without
// anyone remembering to), and the tutorial's state-changing GETs.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return stateGETs[r.URL.Path]
	}
	return true
}

// sameOriginWrites refuses, with 403, a request that changes state when the
// browser that sent it says it came from another site. A page the user
// visits could otherwise post to the node on 127.0.0.1: a JSON body is read
// whatever its Content-Type, so a "simple" text/plain post works without
// CORS. Tutorial nodes, curl and the CLI send neither Sec-Fetch-Site nor
// Origin, and pass. It runs on every route but those of the groups under
// selfGuarded, which refuse such requests themselves, on their own pages.
func (s *Server) sameOriginWrites(selfGuarded ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// c.Path is the route the router matched, so a group's own
			// routes and its not-found route are told by their pattern.
			for _, prefix := range selfGuarded {
				if p := c.Path(); p == prefix || strings.HasPrefix(p, prefix+"/") {
					return next(c)
				}
			}
			r := c.Request()
			if changesState(r) && s.foreign(r, c.Scheme()) {
				return echo.NewHTTPError(http.StatusForbidden,
					"This request changes the node's state and the browser says it came from another site (Sec-Fetch-Site or Origin), so it is refused.")
			}
			return next(c)
		}
	}
}

// walletSameOrigin refuses the wallet's forms sent from another site, as
// sameOriginWrites does elsewhere, in the visitor's language.
func (s *Server) walletSameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if changesState(r) && s.foreign(r, c.Scheme()) {
			return echo.NewHTTPError(http.StatusForbidden,
				s.newPage(c, walletSection).T("This form was sent from another site, so it is refused. Open the wallet on this node and try again."))
		}
		return next(c)
	}
}

// foreign reports whether a browser sent r from a page that is not the
// node's own: a cross-site request, or one to a host name the node does
// not answer to. The second is DNS rebinding: a page at a name its owner
// later points at 127.0.0.1 is same-origin with itself, Origin and Host
// alike, so only the name tells. A browser's request (it carries Origin
// or Sec-Fetch-Site) must name the node by an IP address, localhost, or
// a host of Server.Hosts; curl, the CLI and tutorial nodes send neither
// header and may use any name.
func (s *Server) foreign(r *http.Request, scheme string) bool {
	if crossSite(r, scheme) {
		return true
	}
	if r.Header.Get("Origin") == "" && r.Header.Get("Sec-Fetch-Site") == "" {
		return false
	}
	return !s.knownHost(r.Host)
}

// knownHost reports whether host (a Host header, with or without its
// port) names this node: an IP address, localhost, or one of s.Hosts.
func (s *Server) knownHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	h = strings.ToLower(strings.Trim(h, "[]"))
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	for _, known := range s.Hosts {
		if strings.EqualFold(h, known) {
			return true
		}
	}
	return false
}

// crossSite reports whether a browser marked r as coming from anywhere but
// the node's own origin: Sec-Fetch-Site other than same-origin or none
// (user typed the address), or an Origin that differs from the scheme and
// host the request came to. "same-site" is refused too: another port of
// localhost is the same site but another origin, and any program on the
// machine may serve it. "Origin: null" (a sandboxed page, a file) is never
// the node's.
func crossSite(r *http.Request, scheme string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return true
	}
	return !strings.EqualFold(u.Scheme, scheme) || hostPort(u.Host, u.Scheme) != hostPort(r.Host, scheme)
}

// hostPort is host with its port, the scheme's default if it has none, in
// lower case: "Localhost" and "localhost:80" name the same origin over http.
func hostPort(host, scheme string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = strings.Trim(host, "[]"), "80"
		if strings.EqualFold(scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(h), port)
}
