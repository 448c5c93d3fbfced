package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
)

// pages serves what the helpers must tell apart: a clean page, one whose
// script throws, one whose policy blocks an inline script, and one whose
// text arrives late.
func pages(tb testing.TB) *httptest.Server {
	tb.Helper()
	page := func(csp, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if csp != "" {
				w.Header().Set("Content-Security-Policy", csp)
			}
			fmt.Fprintf(w, `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head><body>%s</body></html>`, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/ok", page("default-src 'self'", `<h1>Hello</h1>`))
	mux.Handle("/throw", page("", `<h1>Hello</h1><script>throw new Error("boom")</script>`))
	mux.Handle("/console", page("", `<script>console.error("bad", 42)</script>`))
	mux.Handle("/csp", page("script-src 'self'", `<h1>Hello</h1><script>document.title = "ran"</script>`))
	mux.Handle("/late", page("", `<h1 id="h">wait</h1><script>setTimeout(() => { document.getElementById("h").textContent = "done" }, 300)</script>`))
	mux.Handle("/missing", http.NotFoundHandler())
	mux.Handle("/broken", page("", `<img src="/missing" alt="">`))
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func TestBrowserHelpers(t *testing.T) {
	srv := pages(t)
	t.Setenv("PYBTC_ARTIFACTS", t.TempDir())
	ctx := browsertest.New(t)

	t.Run("Clean", func(t *testing.T) {
		if got, want := browsertest.Navigate(t, ctx, srv.URL+"/ok"), 200; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
		if got, want := browsertest.Text(t, ctx, "h1"), "Hello"; got != want {
			t.Fatalf("h1=%q, want %q", got, want)
		}
		size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int]("[window.innerWidth, window.innerHeight]"))
		if err != nil {
			t.Fatal(err)
		}
		if want := [2]int{browsertest.DesktopWidth, browsertest.DesktopHeight}; size != want {
			t.Fatalf("window %v, want %v", size, want)
		}
		browsertest.NoConsoleErrors(t, ctx)
	})

	t.Run("Screenshot", func(t *testing.T) {
		path := browsertest.Screenshot(t, ctx, "ok")
		if got, want := filepath.Base(path), "ok.png"; got != want {
			t.Fatalf("file %s, want %s", got, want)
		}
		png, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("%s is not a PNG", path)
		}
	})

	t.Run("WaitText", func(t *testing.T) {
		browsertest.Navigate(t, ctx, srv.URL+"/late")
		if got, want := browsertest.WaitText(t, ctx, "#h", "done"), "done"; got != want {
			t.Fatalf("text=%q, want %q", got, want)
		}
	})

	t.Run("Exception", func(t *testing.T) {
		browsertest.Navigate(t, ctx, srv.URL+"/throw")
		errs := browsertest.JSErrors(t, ctx)
		if len(errs) != 1 || !strings.Contains(errs[0].Text, "boom") {
			t.Fatalf("JSErrors=%v, want the uncaught boom", errs)
		}
	})

	t.Run("ConsoleError", func(t *testing.T) {
		browsertest.Navigate(t, ctx, srv.URL+"/console")
		errs := browsertest.JSErrors(t, ctx)
		if last := errs[len(errs)-1]; last.Source != "console" || last.Text != "bad 42" {
			t.Fatalf("last JS error %v, want console error: bad 42", last)
		}
	})

	t.Run("CSP", func(t *testing.T) {
		browsertest.Navigate(t, ctx, srv.URL+"/csp")
		v := browsertest.CSPViolations(t, ctx)
		if len(v) == 0 {
			t.Fatal("no CSP violation recorded for a blocked inline script")
		}
		if title, _ := chromedp.Run(ctx, chromedp.Title()); title == "ran" {
			t.Fatal("the inline script ran despite the policy")
		}
	})

	t.Run("FailedLoad", func(t *testing.T) {
		browsertest.Navigate(t, ctx, srv.URL+"/broken")
		var failed bool
		for _, m := range browsertest.Messages(t, ctx) {
			failed = failed || (m.Level == "error" && strings.HasSuffix(m.URL, "/missing"))
		}
		if !failed {
			t.Fatalf("no console error for an image that is not found: %v", browsertest.Messages(t, ctx))
		}
	})

	t.Run("Status", func(t *testing.T) {
		if got, want := browsertest.Navigate(t, ctx, srv.URL+"/missing"), 404; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
	})
}

func TestBrowserPhone(t *testing.T) {
	srv := pages(t)
	ctx := browsertest.New(t, browsertest.Phone)
	browsertest.Navigate(t, ctx, srv.URL+"/ok")
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int]("[window.innerWidth, window.innerHeight]"))
	if err != nil {
		t.Fatal(err)
	}
	if want := [2]int{browsertest.PhoneWidth, browsertest.PhoneHeight}; size != want {
		t.Fatalf("window %v, want %v", size, want)
	}
	if !mediaMatches(t, ctx, "(pointer: coarse)") {
		t.Fatal("a phone should have a coarse pointer (touch)")
	}
}

func mediaMatches(t *testing.T, ctx context.Context, query string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("matchMedia(%q).matches", query)))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
