package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/node"
)

// TestCrossSiteWrites sends every request that changes state as a browser
// would from another site, from another port of the same host, and from
// the node's own pages, and as curl does (neither header): only the
// browser's own-origin and header-less requests get through, and a refused
// one changes nothing.
func TestCrossSiteWrites(t *testing.T) {
	e := MustOpenEnv(t, node.Config{AllowOverdraft: true, SyncInterval: -1})
	// httptest.NewRequest sends requests to example.com: the name the
	// node is advertised under here.
	const own = "http://example.com"
	e.Server.Hosts = []string{"example.com"}
	routes := []struct{ method, target, body string }{
		{"POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 1}`},
		{"GET", "/mine", ""},
		{"POST", "/nodes/register", `{"nodes": ["http://127.0.0.1:5999"]}`},
		{"GET", "/nodes/resolve", ""},
		{"POST", "/nodes/resolve", ""},
		{"DELETE", "/nodes/127.0.0.1:5999", ""},
	}
	headers := []struct {
		name         string
		site, origin string
		refused      bool
		contentType  string
		host         string // the Host the request names, if not example.com
	}{
		{"CrossSite", "cross-site", "", true, "text/plain", ""},
		{"SameSite", "same-site", "", true, "text/plain", ""},
		{"OtherOrigin", "", "http://evil.example", true, "text/plain", ""},
		{"OtherPort", "", "http://example.com:5001", true, "text/plain", ""},
		{"OtherScheme", "", "https://example.com", true, "text/plain", ""},
		{"NullOrigin", "", "null", true, "text/plain", ""},
		{"SameOriginButForeignOrigin", "same-origin", "http://evil.example", true, "text/plain", ""},
		// DNS rebinding: a page whose name now points at the node is
		// same-origin with itself; only the name it uses tells.
		{"Rebound", "same-origin", "http://rebound.example:5000", true, "application/json", "rebound.example:5000"},
		{"ReboundNoFetchSite", "", "http://rebound.example:5000", true, "application/json", "rebound.example:5000"},
		// Allowed ones last: they change the node, and the refused ones
		// check that nothing changed.
		{"OwnPage", "same-origin", own, false, "application/json", ""},
		{"OwnOriginDefaultPort", "", "http://EXAMPLE.com:80", false, "application/json", ""},
		{"TypedAddress", "none", "", false, "application/json", ""},
		{"Curl", "", "", false, "", ""},
		{"CurlByAnyName", "", "", false, "", "rebound.example:5000"},
		{"OwnPageByAddress", "same-origin", "http://127.0.0.1:5000", false, "application/json", "127.0.0.1:5000"},
		{"OwnPageByLocalhost", "same-origin", "http://localhost:5000", false, "application/json", "localhost:5000"},
	}
	for _, h := range headers {
		for _, r := range routes {
			t.Run(h.name+"/"+r.method+r.target, func(t *testing.T) {
				height, pending := e.Node.Tip().Height, mempoolSize(t, e)
				req := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
				if h.host != "" {
					req.Host = h.host
				}
				if h.contentType != "" {
					req.Header.Set("Content-Type", h.contentType)
				}
				if h.site != "" {
					req.Header.Set("Sec-Fetch-Site", h.site)
				}
				if h.origin != "" {
					req.Header.Set("Origin", h.origin)
				}
				rec := serve(e, req)
				if !h.refused {
					if rec.Code == http.StatusForbidden {
						t.Fatalf("refused: %s", rec.Body)
					}
					return
				}
				if rec.Code != http.StatusForbidden || !strings.Contains(message(t, rec), "another site") {
					t.Fatalf("%d %s, want 403 saying why", rec.Code, rec.Body)
				}
				peers := e.Do(t, "GET", "/nodes", "").Body.String()
				if e.Node.Tip().Height != height || mempoolSize(t, e) != pending || strings.Contains(peers, "5999") {
					t.Fatalf("a refused request changed the node: height %d → %d, pending %d → %d, peers %s",
						height, e.Node.Tip().Height, pending, mempoolSize(t, e), peers)
				}
			})
		}
	}
	t.Run("ReadsStayOpen", func(t *testing.T) {
		for _, target := range []string{"/chain", "/nodes", "/api/status"} {
			req := httptest.NewRequest("GET", target, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Origin", "http://evil.example")
			if rec := serve(e, req); rec.Code != http.StatusOK {
				t.Errorf("cross-site GET %s: %d, want 200", target, rec.Code)
			}
		}
	})
	t.Run("WalletForm", func(t *testing.T) {
		v := NewWalletVisitor(e)
		v.Get(t, "/wallet")
		req := httptest.NewRequest("POST", "/wallet/login", strings.NewReader(url.Values{"address": {"alice"}, "csrf": {v.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Origin", "http://127.0.0.1:8000")
		for _, c := range v.cookies {
			req.AddCookie(c)
		}
		rec := serve(e, req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Open the wallet on this node") {
			t.Fatalf("wallet login from another origin: %d %s, want a 403 page", rec.Code, rec.Body)
		}
		if len(rec.Result().Cookies()) != 0 && rec.Result().Cookies()[0].Name == "pybtc_wallet" {
			t.Fatalf("a session was opened")
		}
	})
}
