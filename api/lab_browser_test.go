package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
	"github.com/pybtc/pybtc/lab/experiments"
	"github.com/pybtc/pybtc/node"
)

// waitFor polls the boolean JavaScript expression for up to d.
func waitFor(t *testing.T, ctx context.Context, d time.Duration, expr, what string) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("%s: not after %s (last error: %v)", what, d, err)
}

// TestBrowserLabLive runs the experiment of a fake runner from its page:
// the first step shows while the experiment still runs, with its fork
// picture, and the summary appears when it ends, without a reload.
func TestBrowserLabLive(t *testing.T) {
	bctx := browsertest.New(t, browsertest.WithTimeout(60*time.Second))
	f := newFakeLab()
	f.gate = make(chan struct{})
	e := mustOpenLabEnv(t, f, true)
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-f.gate:
		default:
			close(f.gate)
		}
	})

	if status := browsertest.Navigate(t, bctx, srv.URL+"/lab/rewrite?lang=en"); status != http.StatusOK {
		t.Fatalf("/lab/rewrite: status %d", status)
	}
	click(t, bctx, "#lab-button")
	waitFor(t, bctx, browsertest.WaitTimeout,
		`document.querySelectorAll("#lab-steps .lab-step").length === 1 && document.getElementById("lab-result").hidden`,
		"the first step, shown while the experiment runs")
	if got := browsertest.Text(t, bctx, "#lab-steps .lab-step"); !strings.Contains(got, "A mines 3 blocks.") || !strings.Contains(got, "65,536 hashes") {
		t.Errorf("first step reads %q", got)
	}
	if disabled, _ := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById("lab-button").disabled`)); !disabled {
		t.Errorf("the button can be pressed again while the experiment runs")
	}
	close(f.gate)
	browsertest.WaitText(t, bctx, "#lab-summary", "Rewriting block 2 of 3 cost 65,536 hashes.")
	if got := browsertest.Text(t, bctx, `.lab-figure[data-name="hashes_tutorial"]`); !strings.Contains(got, "2,490,000") {
		t.Errorf("figure reads %q", got)
	}
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#lab-steps svg.chart").length`))
	if err != nil || n != 1 {
		t.Errorf("%d fork pictures shown (%v), want the one the step carries", n, err)
	}
	if hostile, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#lab-steps script").length`)); hostile != 0 {
		t.Errorf("a script from a step's picture is in the page")
	}
	browsertest.Screenshot(t, bctx, "lab-live")
	browsertest.NoJSErrors(t, bctx)
	browsertest.NoCSPViolations(t, bctx)
}

// TestBrowserLabRewrite runs the real experiment "rewrite" from /lab on a
// node with the lab enabled and sees its summary appear in the page.
func TestBrowserLabRewrite(t *testing.T) {
	bctx := browsertest.New(t, browsertest.WithTimeout(120*time.Second))
	e := MustOpenEnv(t, node.Config{})
	e.Server.Lab = &experiments.Runner{}
	e.Server.LabEnabled = true
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)

	if status := browsertest.Navigate(t, bctx, srv.URL+"/lab?lang=en"); status != http.StatusOK {
		t.Fatalf("/lab: status %d", status)
	}
	click(t, bctx, `#lab-rewrite h2 a`)
	waitFor(t, bctx, browsertest.WaitTimeout, `location.pathname === "/lab/rewrite" && document.getElementById("lab-button") !== null`, "the page of rewrite")
	click(t, bctx, "#lab-button")
	waitFor(t, bctx, experiments.MaxDuration+10*time.Second,
		`!document.getElementById("lab-result").hidden && document.getElementById("lab-button").disabled === false`,
		"the outcome of rewrite")
	verdict := browsertest.Text(t, bctx, "#lab-verdict")
	summary := browsertest.Text(t, bctx, "#lab-summary")
	if !strings.Contains(verdict, "What the lesson claims happened.") || !strings.Contains(summary, "hashes") {
		t.Fatalf("verdict %q, summary %q: want the lesson's claim held, in hashes", verdict, summary)
	}
	if n, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#lab-steps .lab-step").length`)); n == 0 {
		t.Errorf("no step was shown")
	}
	browsertest.Screenshot(t, bctx, "lab-rewrite")
	browsertest.NoJSErrors(t, bctx)
	browsertest.NoCSPViolations(t, bctx)
}
