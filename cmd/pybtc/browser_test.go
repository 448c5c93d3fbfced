package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
)

// TestBrowserHome opens the real node's home page in Chromium: the browser's
// own Accept header must get the HTML page, not the tutorial's text, and the
// page must load its script and stylesheet within its policy.
func TestBrowserHome(t *testing.T) {
	// The browser first: without one the test is skipped before it starts
	// a node.
	ctx := browsertest.New(t)
	p := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"))

	if got, want := browsertest.Navigate(t, ctx, p.URL+"/"), 200; got != want {
		t.Fatalf("GET / status=%d, want %d", got, want)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "pyBTC") || strings.HasSuffix(strings.TrimSpace(title), "·") {
		t.Fatalf("title=%q, want one that names pyBTC, without a dangling separator", title)
	}
	// "pyBTC node" in English, "pyBTC 노드" in Korean: the browser's
	// language picks which.
	if h1 := browsertest.Text(t, ctx, "h1"); !strings.HasPrefix(h1, "pyBTC") {
		t.Fatalf("h1=%q, want it to start with pyBTC", h1)
	}
	browsertest.Screenshot(t, ctx, "home.png")
	browsertest.NoJSErrors(t, ctx)
	browsertest.NoCSPViolations(t, ctx)
}
