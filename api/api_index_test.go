package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// apiRoutes are the routes of the /api group in routes.go.
var apiRoutes = []string{"/api/status", "/api/blocks", "/api/blocks/", "/api/tx/", "/api/address/", "/api/mempool", "/api/peers", "/api/tips", "/api/reorgs"}

// TestAPIIndex: /api documents every route of the JSON API with an example
// that works on this node, as a page in the reader's language, or as JSON.
func TestAPIIndex(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, target := range []string{"/api", "/api/"} {
		doc := e.MustPage(t, target, http.StatusOK)
		text := doc.Find("main").Text()
		for _, route := range apiRoutes {
			if !strings.Contains(text, "GET "+route) {
				t.Fatalf("GET %s does not document %s:\n%s", target, route, text)
			}
		}
		links := doc.Find("main table a")
		if links.Length() != 9 {
			t.Fatalf("GET %s: %d examples, want 9", target, links.Length())
		}
		for i := range links.Length() {
			href, _ := links.Eq(i).Attr("href")
			if rec := e.Do(t, "GET", href, ""); rec.Code != http.StatusOK || !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("example %s: %d %s", href, rec.Code, rec.Body)
			}
		}
	}
	if ko := e.Get(t, "/api", "ko").Body.String(); !strings.Contains(ko, "응답 내용") || !strings.Contains(ko, "확정") {
		t.Fatalf("GET /api in Korean:\n%s", ko)
	}

	req := httptest.NewRequest("GET", "/api", nil)
	req.Header.Set("Accept", "application/json")
	rec := serve(e.Env, req)
	var got struct {
		Endpoints []struct{ Method, Path, Description, Example string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK || len(got.Endpoints) != len(apiRoutes) {
		t.Fatalf("GET /api as JSON: %d %s (%v)", rec.Code, rec.Body, err)
	}
	for _, ep := range got.Endpoints {
		if ep.Method != "GET" || !strings.HasPrefix(ep.Path, "/api/") || ep.Description == "" || !strings.HasPrefix(ep.Example, "/api/") {
			t.Fatalf("GET /api as JSON: endpoint %+v", ep)
		}
	}
}
