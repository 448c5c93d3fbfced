package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/internal/browsertest"
)

const hostileSender = `<script>alert(1)</script>`

// fill types value into the input matched by selector, replacing what was
// there.
func fill(tb testing.TB, ctx context.Context, selector, value string) {
	tb.Helper()
	sel, _ := json.Marshal(selector)
	if !evaluate[bool](tb, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return false; e.value = ""; return true; })()`, sel)) {
		tb.Fatalf("no input %s", selector)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(selector, value)); err != nil {
		tb.Fatalf("type into %s: %v", selector, err)
	}
}

// click clicks the element matched by selector.
func click(tb testing.TB, ctx context.Context, selector string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(selector)); err != nil {
		tb.Fatalf("click %s: %v", selector, err)
	}
}

// evaluate runs a JavaScript expression in the page.
func evaluate[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitLocation waits until the page's path is path.
func waitLocation(tb testing.TB, ctx context.Context, path string) {
	tb.Helper()
	deadline := time.Now().Add(browsertest.WaitTimeout)
	var loc string
	for time.Now().Before(deadline) {
		loc = evaluate[string](tb, ctx, `location.pathname + location.search`)
		if loc == path {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("the browser is at %s, want %s", loc, path)
}

// TestBrowserScan opens Block Scan in Chromium against a real node: the
// latest block is listed, the search box leads to an address's page, a block
// mined by the test appears without a reload, and a sender named with a
// script tag is shown as text and never runs.
func TestBrowserScan(t *testing.T) {
	ctx := browsertest.New(t, browsertest.WithTimeout(60*time.Second))
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"), "--allow-overdraft")
	post := func(from, to string, amount float64) {
		t.Helper()
		if status, _, err := postTransaction(node.URL, from, to, amount); err != nil || status != 201 {
			t.Fatalf("post %s→%s: %d %v", from, to, status, err)
		}
	}
	post("alice", "bob", 1.25)
	post(hostileSender, "alice", 1.25)
	post("bob", "carol", 1.25)
	MustGet(t, node.URL+"/mine")
	// Eight more blocks, busier and further apart, so the charts and
	// the screenshots have something to show.
	names := []string{"alice", "bob", "carol", "dave"}
	for b := range 8 {
		for i := range b + 1 {
			post(names[i%4], names[(i+1)%4], float64(i+1)/4)
		}
		time.Sleep(time.Duration(50+40*(b%3)) * time.Millisecond)
		MustGet(t, node.URL+"/mine")
	}

	browsertest.Navigate(t, ctx, node.URL+"/scan?lang=en")
	browsertest.WaitText(t, ctx, "#tip-height", "10")
	if row := browsertest.Text(t, ctx, "#blocks tbody tr:last-child"); !strings.HasPrefix(row, "1") || !strings.Contains(row, consensus.GenesisHash[:8]) {
		t.Fatalf("oldest block row %q is not the genesis block", row)
	}
	if row := browsertest.Text(t, ctx, "#blocks tbody tr:nth-child(9)"); !strings.Contains(row, "4") {
		t.Fatalf("block 2's row %q does not count its 4 transactions", row)
	}
	browsertest.Screenshot(t, ctx, "scan-home.png")

	// Search for an address and land on its page.
	fill(t, ctx, `input[name="q"]`, "alice")
	click(t, ctx, `form.search button`)
	waitLocation(t, ctx, "/scan/address/alice")
	browsertest.WaitText(t, ctx, "#address", "alice")
	browsertest.WaitText(t, ctx, "#history", "bob")
	browsertest.Screenshot(t, ctx, "scan-address.png")

	// A block mined now shows up on the open page without a reload.
	browsertest.Navigate(t, ctx, node.URL+"/scan")
	browsertest.WaitText(t, ctx, "#live", "Live")
	evaluate[bool](t, ctx, `(window.stillThisPage = true)`)
	MustGet(t, node.URL+"/mine")
	browsertest.WaitText(t, ctx, "#tip-height", "11")
	if !evaluate[bool](t, ctx, `window.stillThisPage === true`) {
		t.Fatal("the page was reloaded to show the new block")
	}

	// The hostile sender is text, on the block's page and the address's.
	for _, page := range []string{"/scan/block/2", "/scan/address/" + url.PathEscape(hostileSender)} {
		browsertest.Navigate(t, ctx, node.URL+page)
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, hostileSender) {
			t.Fatalf("%s does not show the sender %s as text", page, hostileSender)
		}
		if n := evaluate[int](t, ctx, `document.querySelectorAll("main script").length`); n != 0 {
			t.Fatalf("%s: %d script elements in the content", page, n)
		}
	}
	browsertest.Screenshot(t, ctx, "scan-hostile-sender.png")
	browsertest.NoJSErrors(t, ctx)
	browsertest.NoCSPViolations(t, ctx)
	browsertest.NoConsoleErrors(t, ctx)

	// The same pages on a phone, in Korean.
	phone := browsertest.New(t, browsertest.Phone)
	browsertest.Navigate(t, phone, node.URL+"/scan?lang=ko")
	browsertest.WaitText(t, phone, "#blocks h2", "최신 블록")
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > browsertest.PhoneWidth+1 {
		t.Fatalf("the page is %d px wide on a %d px phone", w, browsertest.PhoneWidth)
	}
	browsertest.Screenshot(t, phone, "scan-phone-ko.png")
}

// TestBrowserWallet walks through the wallet in Chromium: an unknown address
// is refused, an address with coins logs in and sends to a new address, the
// payment is pending, the development "mine" button confirms it and the
// balance changes, and logging out ends the session.
func TestBrowserWallet(t *testing.T) {
	ctx := browsertest.New(t, browsertest.WithTimeout(60*time.Second))
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"), "--dev")
	for range 20 {
		MustGet(t, node.URL+"/mine?miner=alice") // 20 × 0.1
	}

	browsertest.Navigate(t, ctx, node.URL+"/wallet?lang=en")
	fill(t, ctx, `input[name="address"]`, "nobody")
	click(t, ctx, `form[action="/wallet/login"] button`)
	browsertest.WaitText(t, ctx, "#login-error", "Invalid wallet address")
	browsertest.Screenshot(t, ctx, "wallet-refused.png")

	fill(t, ctx, `input[name="address"]`, "alice")
	click(t, ctx, `form[action="/wallet/login"] button`)
	browsertest.WaitText(t, ctx, "#balance", "2 pyBTC")

	fill(t, ctx, `#send input[name="recipient"]`, "new-friend")
	fill(t, ctx, `#send input[name="amount"]`, "0.5")
	click(t, ctx, `#send-button`)
	// The payment is shown to confirm before anything is sent.
	browsertest.WaitText(t, ctx, "#confirm-send", "Confirm and send")
	click(t, ctx, `#confirm-send`)
	browsertest.WaitText(t, ctx, "#sent", "Sent")
	if row := browsertest.Text(t, ctx, "#history tbody tr"); !strings.Contains(row, "Pending") || !strings.Contains(row, "new-friend") {
		t.Fatalf("newest history row %q is not the pending payment", row)
	}
	browsertest.WaitText(t, ctx, "#spendable", "1.5 pyBTC")
	browsertest.Screenshot(t, ctx, "wallet-pending.png")

	click(t, ctx, "#mine")
	browsertest.WaitText(t, ctx, "#mined", "mined")
	browsertest.WaitText(t, ctx, "#history tbody tr", "1 confirmation")
	browsertest.WaitText(t, ctx, "#balance", "1.5 pyBTC")
	browsertest.Screenshot(t, ctx, "wallet-confirmed.png")

	click(t, ctx, "#logout")
	browsertest.WaitText(t, ctx, "h1", "Log in to your wallet")
	browsertest.NoJSErrors(t, ctx)
	browsertest.NoCSPViolations(t, ctx)
	// No NoConsoleErrors here: the refused login is answered 400 on
	// purpose, and the browser reports every 4xx page it loads.
}
