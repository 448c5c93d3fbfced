package api_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/pybtc/pybtc/node"
)

// grouped matches an amount as the pages write it, all eight decimals in
// groups ("1.250 000 00"); text read from a page may have turned the
// narrow spaces between the groups into plain ones.
var grouped = regexp.MustCompile(`(\d+)\.(\d{3})[ \x{202f}](\d{3})[ \x{202f}](\d{2})`)

// plain reads grouped amounts as their digits: "1.25000000".
func plain(s string) string { return grouped.ReplaceAllString(s, "$1.$2$3$4") }

// ungroup reads grouped amounts as the shortest number: "1.25".
func ungroup(s string) string {
	return grouped.ReplaceAllStringFunc(s, func(m string) string {
		return strings.TrimSuffix(strings.TrimRight(plain(m), "0"), ".")
	})
}

func TestScanAddressCSV(t *testing.T) {
	e := MustOpenEnv(t, node.Config{AllowOverdraft: true})
	e.MustPost(t, "alice", "=HYPERLINK(\"http://evil\")", "0.5")
	e.MustPost(t, "@SUM(A1)", "alice", "2")
	e.MustPost(t, "alice", "bob, \"the\" builder", "0.25")
	e.MustMine(t)
	pending := e.MustPost(t, "alice", "-1+2", "0.125")

	rec := e.Get(t, "/scan/address/alice?format=csv", "en")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if len(rows) != 5 || rows[0][0] != "id" {
		t.Fatalf("CSV has %d rows (want a header and 4): %q", len(rows), rows)
	}
	if rows[1][0] != pending || rows[1][1] != "pending" {
		t.Fatalf("first row %q is not the pending payment", rows[1])
	}
	// Each cell that a spreadsheet would run as a formula is text.
	counterparties := map[string]bool{}
	for _, r := range rows[1:] {
		counterparties[r[6]] = true
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("cell %q would run as a formula", cell)
			}
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil")`, "'@SUM(A1)", "'-1+2", `bob, "the" builder`} {
		if !counterparties[want] {
			t.Fatalf("no counterparty %q in %v", want, counterparties)
		}
	}
	if rec := e.Get(t, "/scan/address/nobody?format=csv", "en"); rec.Code != http.StatusNotFound {
		t.Fatalf("CSV of an unknown address: %d", rec.Code)
	}
	doc := e.MustPage(t, "/scan/address/alice", http.StatusOK)
	if got := doc.Find("#csv-export").AttrOr("href", ""); got != "/scan/address/alice?format=csv" {
		t.Fatalf("the address page links its CSV as %q", got)
	}
	if doc.Find(".qr svg").Length() != 1 {
		t.Fatalf("the address page has no QR code")
	}
}

// master is the tutorial's sender of mining rewards: every page shows it
// as the coinbase, never as an address to follow.
func TestScanMasterIsCoinbase(t *testing.T) {
	e := MustOpenScanEnv(t)
	coinbase := e.MustPage(t, "/scan/block/2", http.StatusOK).Find("#block-txs tbody tr").Last().Find("a[href^='/scan/tx/']").AttrOr("title", "")
	for _, target := range []string{"/scan/block/2", "/scan/block/3", "/scan/address/miner", "/scan/tx/" + coinbase} {
		doc := e.MustPage(t, target, http.StatusOK)
		if n := doc.Find(`main a[href="/scan/address/master"]`).Length(); n != 0 {
			t.Fatalf("%s links master as an address %d times", target, n)
		}
		if n := doc.Find(".badge.coinbase").Length(); n == 0 || !strings.Contains(doc.Find(".badge.coinbase").First().Text(), "coinbase") {
			t.Fatalf("%s does not show the coinbase as such", target)
		}
	}
}

func TestScanFreshNodeHint(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	doc := e.MustPage(t, "/scan", http.StatusOK)
	hint := MustText(t, doc, "#first-block")
	for _, want := range []string{"pybtc mine", "/mine"} {
		if !strings.Contains(hint, want) {
			t.Fatalf("the first-block hint %q does not name %q", hint, want)
		}
	}
	if got := MustText(t, doc, "#since-last"); strings.Contains(got, "ago") {
		t.Fatalf("a fresh node counts %q since its genesis block", got)
	}
	e.MustMine(t)
	doc = e.MustPage(t, "/scan", http.StatusOK)
	if doc.Find("#first-block").Length() != 0 {
		t.Fatalf("the first-block hint stays after a block was mined")
	}
	if got := doc.Find("#since-last time.age").AttrOr("data-ts", ""); got == "" {
		t.Fatalf("since last block is no ticking age")
	}
}

func TestScanMempoolTotals(t *testing.T) {
	e := MustOpenEnv(t, node.Config{AllowOverdraft: true})
	e.MustPost(t, "alice", "bob", "1.5")
	e.MustPost(t, "bob", "alice", "0.125")
	e.MustPost(t, "alice", "carol", "0.25")
	doc := e.MustPage(t, "/scan/mempool", http.StatusOK)
	if got, want := plain(MustText(t, doc, "#mempool-total")), "1.87500000 pyBTC"; got != want {
		t.Fatalf("mempool total %q, want %q", got, want)
	}
	var senders []string
	doc.Find("#mempool-senders tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
		senders = append(senders, plain(strings.Join(cells, " ")))
	})
	if want := []string{"alice 2 1.75000000", "bob 1 0.12500000"}; strings.Join(senders, "|") != strings.Join(want, "|") {
		t.Fatalf("senders %q, want %q", senders, want)
	}
	if n := doc.Find("#mempool table.txs tbody time.age").Length(); n != 3 {
		t.Fatalf("%d of 3 pending transactions show their age", n)
	}
}

// The tables say when in one short age, with the time and the tutorial's
// raw epoch in the tooltip, and amounts with all their decimals, so that
// they line up on the decimal point.
func TestScanTablesAgesAndAmounts(t *testing.T) {
	e := MustOpenScanEnv(t)
	doc := e.MustPage(t, "/scan/address/alice", http.StatusOK)
	if n := doc.Find("table .raw").Length(); n != 0 {
		t.Fatalf("tables still print %d raw epochs", n)
	}
	age := doc.Find("#history time.age").First()
	if !strings.Contains(age.Text(), "ago") || !strings.Contains(age.AttrOr("title", ""), "UTC") || !strings.Contains(age.AttrOr("title", ""), ".") {
		t.Fatalf("age %q with title %q", age.Text(), age.AttrOr("title", ""))
	}
	doc.Find("#history td.amount").Each(func(_ int, td *goquery.Selection) {
		amount := plain(strings.TrimSpace(td.Text()))
		if i := strings.IndexByte(amount, '.'); i < 0 || len(amount)-i-1 != 8 {
			t.Fatalf("amount %q has not 8 decimals", amount)
		}
	})
	if got := doc.Find("#history th.num").Text(); !strings.Contains(got, "pyBTC") {
		t.Fatalf("amount column %q does not name its unit", got)
	}
	for _, id := range []string{"#received", "#sent-total"} {
		if got := MustText(t, doc, id); !strings.HasSuffix(got, "pyBTC") {
			t.Fatalf("%s reads %q, without its unit", id, got)
		}
	}
	block := e.MustPage(t, "/scan/block/2", http.StatusOK)
	if got := MustText(t, block, "#block-txs tbody"); strings.Contains(got, "confirmation") {
		t.Fatalf("the block's rows repeat its confirmations: %q", got)
	}
	if got := MustText(t, block, "#block-txs .list-note"); !strings.Contains(got, "2 confirmations") {
		t.Fatalf("the block's transactions do not say their confirmations once: %q", got)
	}
	if got := MustText(t, block, "#block-txs tbody td[data-label='Age']"); got == "" {
		t.Fatalf("stacked rows lack their labels")
	}
}

func TestPageTitlesAndTopBar(t *testing.T) {
	e := MustOpenScanEnv(t)
	home := e.MustPage(t, "/", http.StatusOK)
	if got := home.Find("title").Text(); strings.HasSuffix(strings.TrimSpace(got), "·") {
		t.Fatalf("home page title %q", got)
	}
	for _, target := range []string{"/scan", "/scan/mempool", "/wallet", "/"} {
		doc := e.MustPage(t, target, http.StatusOK)
		for _, href := range []string{"/scan/mempool", "/scan/peers"} {
			if doc.Find(`header .bar a[href="`+href+`"]`).Length() != 1 {
				t.Fatalf("%s: the top bar has no link to %s", target, href)
			}
		}
		if doc.Find("header form.search").Length() != 1 {
			t.Fatalf("%s: no search in the top bar", target)
		}
	}
	if got := e.MustPage(t, "/scan/mempool", http.StatusOK).Find(`header [aria-current="page"]`).Text(); got != "Mempool" {
		t.Fatalf("the mempool page marks %q as current", got)
	}
	v := NewWalletVisitor(e.Env)
	if body := v.Get(t, "/wallet").Body.String(); strings.Contains(body, "logout-form") {
		t.Fatalf("the login page offers to log out")
	}
	v.MustLogin(t, "alice")
	doc, err := goquery.NewDocumentFromReader(v.Get(t, "/wallet").Body)
	if err != nil {
		t.Fatal(err)
	}
	form := doc.Find("header #logout-form")
	if form.Length() != 1 || form.AttrOr("action", "") != "/wallet/logout" || form.Find(`input[name="csrf"]`).AttrOr("value", "") == "" {
		t.Fatalf("the top bar has no working log-out form")
	}
	if rec := v.Post(t, "/wallet/logout", url.Values{"csrf": {form.Find(`input[name="csrf"]`).AttrOr("value", "")}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("log out with the top bar's token: %d", rec.Code)
	}
}

// TestLangLinkAfterPost checks that a page answering a form's post links
// to the form's page in the other language, since the post's URL cannot be
// fetched (a 405).
func TestLangLinkAfterPost(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	rec := e.Do(t, "POST", "/wallet/send", "")
	if !strings.Contains(rec.Body.String(), `href="/wallet?lang=ko"`) {
		t.Errorf("the answer to a post links elsewhere for Korean:\n%s", rec.Body)
	}
	if rec := e.Do(t, "GET", "/scan/mempool", ""); !strings.Contains(rec.Body.String(), `href="/scan/mempool?lang=ko"`) {
		t.Errorf("a page fetched with GET does not link to itself in Korean")
	}
}
