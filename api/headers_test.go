package api_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/node"
)

// TestResponseHeaders checks that no answer may be sniffed into another
// type, and that no wallet page is kept by a cache, where the next user
// of a shared computer would find it with the Back button.
func TestResponseHeaders(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	for _, tc := range []struct{ method, target, body string }{
		{"GET", "/chain", ""},
		{"GET", "/", ""},
		{"GET", "/nodes", ""},
		{"GET", "/api/status", ""},
		{"GET", "/healthz", ""},
		{"GET", "/nope", ""},
		{"POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 1}`},
		{"POST", "/transactions/new", `{"sender": "alice"}`},
	} {
		if rec := e.Do(t, tc.method, tc.target, tc.body); rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q, want nosniff", tc.method, tc.target, rec.Code, rec.Header().Get("X-Content-Type-Options"))
		}
	}
	v := NewWalletVisitor(e)
	check := func(what string, rec *httptest.ResponseRecorder) {
		t.Helper()
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", what, rec.Code, got)
		}
	}
	check("login page", v.Get(t, "/wallet"))
	check("login", v.Post(t, "/wallet/login", url.Values{"address": {"alice"}}))
	check("wallet", v.Get(t, "/wallet"))
	check("refused send", v.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"x"}}))
	check("logout", v.Post(t, "/wallet/logout", url.Values{}))
}

// TestErrorsByGroup: Block Scan and the wallet answer errors with a page
// carrying the pages' security headers, the JSON API and the protocol with
// {"message"}, whatever the browser accepts; a client asking for JSON gets
// JSON everywhere.
func TestErrorsByGroup(t *testing.T) {
	e := MustOpenEnv(t, node.Config{SyncInterval: -1})
	const html, json = "text/html", "application/json"
	for _, tc := range []struct {
		method, target, accept string
		status                 int
		want                   string
	}{
		{"GET", "/scan/block/999", "text/html", 404, html},
		{"GET", "/scan/nope", "text/html", 404, html},
		{"POST", "/scan/block/1", "text/html", 405, html},
		{"GET", "/scan/block/999", "application/json", 404, json},
		{"GET", "/wallet/nope", "text/html", 404, html},
		{"GET", "/api/blocks/999", "text/html", 404, json},
		{"GET", "/api/nope", "text/html", 404, json},
		{"GET", "/nope", "text/html", 404, json},
		{"GET", "/chain?since=x", "text/html", 400, json},
	} {
		req := httptest.NewRequest(tc.method, tc.target, nil)
		req.Header.Set("Accept", tc.accept)
		rec := serve(e, req)
		got := rec.Header().Get("Content-Type")
		if rec.Code != tc.status || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s %s (Accept %s): %d %s, want %d %s", tc.method, tc.target, tc.accept, rec.Code, got, tc.status, tc.want)
		}
		if tc.want == html {
			for name, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"} {
				if got := rec.Header().Get(name); got != want {
					t.Errorf("%s %s: %s %q, want %q", tc.method, tc.target, name, got, want)
				}
			}
			if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("%s %s: no Content-Security-Policy", tc.method, tc.target)
			}
		}
	}
}
