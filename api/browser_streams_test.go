package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/pybtc/pybtc/internal/browsertest"
)

// TestBrowserManyPagesInOneTab visits more Block Scan pages in one tab
// than a browser opens connections to one server: each page's live
// stream must close when the page is left, or the seventh page never
// loads.
func TestBrowserManyPagesInOneTab(t *testing.T) {
	e := MustOpenScanEnv(t)
	base := MustServe(t, e.Env)
	ctx := browsertest.New(t, browsertest.WithTimeout(30*time.Second))
	for i := range 9 {
		if status := browsertest.Navigate(t, ctx, base+"/scan/mempool?visit="+strconv.Itoa(i)); status != http.StatusOK {
			t.Fatalf("visit %d: status %d", i, status)
		}
	}
	browsertest.NoJSErrors(t, ctx)
}
