package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
)

// TestBrowserForkPages opens the pages of forks in Chromium, on a desktop
// and on a phone: each loads under the Content-Security-Policy without an
// error, the tree is drawn, and nothing is wider than a phone's screen.
func TestBrowserForkPages(t *testing.T) {
	e := MustOpenForkEnv(t)
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)
	pages := []string{"/scan", "/scan/tree", "/scan/block/" + e.Stale, "/scan/block/2", "/scan/reorgs", "/scan/reorg/1", "/scan/refused", "/scan/tx/" + e.OnlyStale}
	for _, device := range []struct {
		name string
		opts []browsertest.Option
	}{
		{"desktop", nil},
		{"phone", []browsertest.Option{browsertest.Phone}},
	} {
		t.Run(device.name, func(t *testing.T) {
			ctx := browsertest.New(t, append(device.opts, browsertest.WithTimeout(60*time.Second))...)
			for _, path := range pages {
				if status := browsertest.Navigate(t, ctx, srv.URL+path); status != http.StatusOK {
					t.Fatalf("%s: status %d", path, status)
				}
				if device.name == "phone" {
					w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
					if err != nil {
						t.Fatal(err)
					}
					if w > browsertest.PhoneWidth+1 {
						t.Errorf("%s is %d px wide on a %d px phone", path, w, browsertest.PhoneWidth)
					}
				}
			}
			browsertest.Navigate(t, ctx, srv.URL+"/scan")
			browsertest.Screenshot(t, ctx, "fork-home-"+device.name)
			browsertest.Navigate(t, ctx, srv.URL+"/scan/reorg/1")
			browsertest.Screenshot(t, ctx, "fork-reorg-"+device.name)
			browsertest.Navigate(t, ctx, srv.URL+"/scan/tree")
			browsertest.Screenshot(t, ctx, "fork-tree-"+device.name)
			browsertest.Navigate(t, ctx, srv.URL+"/scan/block/2")
			browsertest.Screenshot(t, ctx, "fork-proof-"+device.name)
			browsertest.NoJSErrors(t, ctx)
			browsertest.NoCSPViolations(t, ctx)
		})
	}
}
