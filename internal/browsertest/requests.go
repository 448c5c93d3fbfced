package browsertest

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Requests records the URL of every request the tab makes: documents,
// scripts, styles, images, fonts, fetches and event streams.
type Requests struct {
	mu   sync.Mutex
	urls []string
}

// RecordRequests starts recording the requests of the tab of ctx (from
// [New]); requests made before the call are not seen, so call it before
// the first [Navigate].
func RecordRequests(tb testing.TB, ctx context.Context) *Requests {
	tb.Helper()
	r := &Requests{}
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && ev.Request != nil {
			r.mu.Lock()
			r.urls = append(r.urls, ev.Request.URL)
			r.mu.Unlock()
		}
	})
	if err != nil {
		tb.Fatalf("browsertest: record requests: %v", err)
	}
	return r
}

// All returns the URLs requested so far, oldest first. It first makes a
// round trip to the browser, so that the events it sent before are counted.
func (r *Requests) All(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("0")); err != nil {
		tb.Fatalf("browsertest: reach the browser: %v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

// Foreign returns the requested URLs whose origin is not origin (such as
// "http://127.0.0.1:40123"), each once. data: and blob: URLs are made in the
// page and fetch nothing, so they are not counted.
func (r *Requests) Foreign(tb testing.TB, ctx context.Context, origin string) []string {
	tb.Helper()
	seen := map[string]bool{}
	var out []string
	for _, raw := range r.All(tb, ctx) {
		u, err := url.Parse(raw)
		if err == nil && (u.Scheme == "data" || u.Scheme == "blob" || u.Scheme+"://"+u.Host == origin) {
			continue
		}
		if !seen[raw] {
			seen[raw] = true
			out = append(out, raw)
		}
	}
	return out
}

// NoForeignRequests fails the test if the tab requested anything from
// outside origin, listing what.
func (r *Requests) NoForeignRequests(tb testing.TB, ctx context.Context, origin string) {
	tb.Helper()
	if f := r.Foreign(tb, ctx, origin); len(f) > 0 {
		tb.Fatalf("requests outside %s:\n  %v", origin, f)
	}
}
