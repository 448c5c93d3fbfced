package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
	"github.com/pybtc/pybtc/node"
)

// TestWalletLiveInBrowser is a plain wallet in Chromium: a payment is
// reviewed and confirmed, and when a block is mined through the API the
// page, never reloaded, shows it confirmed and the balances moved. Max
// fills in what the address can send.
func TestWalletLiveInBrowser(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)

	if status := browsertest.Navigate(t, ctx, srv.URL+"/wallet"); status != http.StatusOK {
		t.Fatalf("/wallet: status %d", status)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#login input[name="address"]`), "alice"),
		chromedp.Submit(chromedp.CSS(`#login`)),
	); err != nil {
		t.Fatal(err)
	}
	waitTrue(t, ctx, `document.getElementById("balance") !== null && !document.getElementById("max").hidden`, "alice's wallet, with its Max button")
	if got := browsertest.Text(t, ctx, "#pending"); got != "nothing pending" {
		t.Fatalf("pending card reads %q", got)
	}
	// With script, Max replaces the form's "send everything" box.
	if evalKeys[bool](t, ctx, `getComputedStyle(document.getElementById("max-check")).display !== "none"`) {
		t.Fatal("the send-everything box shows beside the Max button")
	}

	// A refusal stands beside its field, inside the form.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#send-recipient`), "alice"),
		chromedp.SetValue(chromedp.CSS(`#send-amount`), "1"),
		chromedp.Click(chromedp.CSS(`#send-button`)),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitText(t, ctx, "#recipient-error", "You cannot send coins to your own address.")
	if !evalKeys[bool](t, ctx, `(function () {
		var f = document.getElementById("send").getBoundingClientRect();
		var e = document.getElementById("recipient-error").getBoundingClientRect();
		return e.width > 0 && e.left >= f.left && e.right <= f.right;
	})()`) {
		t.Fatal("the refusal is wider than the form")
	}
	browsertest.Screenshot(t, ctx, "wallet-field-error")
	browsertest.Navigate(t, ctx, srv.URL+"/wallet")
	waitTrue(t, ctx, `!document.getElementById("max").hidden`, "the wallet again")

	// Max, then a smaller amount, reviewed and confirmed.
	click(t, ctx, "#max")
	if got := evalKeys[string](t, ctx, `document.getElementById("send-amount").value`); got != "10" {
		t.Fatalf("Max filled in %q, want 10", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#send-recipient`), "bob"),
		chromedp.SetValue(chromedp.CSS(`#send-amount`), "1.5"),
		chromedp.Click(chromedp.CSS(`#send-button`)),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitText(t, ctx, "#confirm-amount", "1.5 pyBTC")
	browsertest.Screenshot(t, ctx, "wallet-confirm")
	click(t, ctx, "#confirm-send")
	browsertest.WaitText(t, ctx, "#sent", "is pending until the next block is mined")
	browsertest.WaitText(t, ctx, "#history tbody tr:first-child", "Pending")
	browsertest.WaitText(t, ctx, "#pending", "−1.5")
	// The page listens before the block comes, and must not reload: the
	// mark set here would be gone.
	waitTrue(t, ctx, `!document.getElementById("live").hidden`, "the live badge")
	evalKeys[bool](t, ctx, `window.walletNotReloaded = true`)

	res, err := http.Get(srv.URL + "/mine")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("mine through the API: %v %v", res, err)
	}
	res.Body.Close()
	browsertest.WaitText(t, ctx, "#history tbody tr:first-child", "1 confirmation")
	browsertest.WaitText(t, ctx, "#sent", "is in block")
	browsertest.WaitText(t, ctx, "#balance", "8.5 pyBTC")
	if got := browsertest.Text(t, ctx, "#pending"); got != "nothing pending" {
		t.Fatalf("after the block the pending card reads %q", got)
	}
	if !evalKeys[bool](t, ctx, `window.walletNotReloaded === true`) {
		t.Fatal("the page reloaded to show the block")
	}
	if row := browsertest.Text(t, ctx, "#history tbody tr:first-child"); strings.Contains(row, "Pending") {
		t.Fatalf("the payment still reads %q", row)
	}
	browsertest.Screenshot(t, ctx, "wallet-live-confirmed")
}
