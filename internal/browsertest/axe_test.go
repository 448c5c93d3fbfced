package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/pybtc/pybtc/internal/browsertest"
)

// TestAxeAndRequests checks that the accessibility check finds what it is
// there to find, under a strict Content-Security-Policy, and that the
// request recorder tells the page's own origin from any other.
func TestAxeAndRequests(t *testing.T) {
	browsertest.AxeScript(t)
	const csp = "default-src 'self'; img-src *"
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", csp)
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title><link rel="stylesheet" href="/s.css"></head><body><main>%s</main></body></html>`, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/good", page(`<h1>Hello</h1><label>Name <input name="n"></label><img src="/img" alt="a dot">`))
	mux.Handle("/bad", page(`<h1>Hello</h1><h3>Skipped a level</h3><input name="n">`+
		`<p class="faint">faint</p><a href="/x" tabindex="3">first</a>`+
		`<img src="http://127.0.0.2:9/track.png" alt="">`))
	mux.Handle("/s.css", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, ".faint { color: #aaa; background: #fff }")
	}))
	mux.Handle("/img", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	reqs := browsertest.RecordRequests(t, ctx)

	browsertest.Navigate(t, ctx, srv.URL+"/good")
	if vs := browsertest.Axe(t, ctx); len(vs) > 0 {
		t.Errorf("a clean page breaks:\n%s", browsertest.AxeReport(vs))
	}
	if f := reqs.Foreign(t, ctx, srv.URL); len(f) > 0 {
		t.Errorf("a page that loads only its own image: foreign requests %v", f)
	}

	browsertest.Navigate(t, ctx, srv.URL+"/bad")
	var ids []string
	for _, v := range browsertest.Axe(t, ctx) {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"label", "heading-order", "color-contrast", "tabindex"} {
		if !slices.Contains(ids, want) {
			t.Errorf("the check misses %s; it found %v", want, ids)
		}
	}
	if f := reqs.Foreign(t, ctx, srv.URL); !slices.Equal(f, []string{"http://127.0.0.2:9/track.png"}) {
		t.Errorf("foreign requests %v, want the tracking image", f)
	}
}
