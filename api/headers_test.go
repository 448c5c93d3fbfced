package api_test

import (
	"net/http/httptest"
	"net/url"
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
