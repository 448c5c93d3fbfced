package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
)

const hostile = `<script>alert(1)</script>`

// ScanEnv is a node with a small history: alice and bob trade, a hostile
// sender names itself with a script tag, and an address holds a slash.
type ScanEnv struct {
	*Env
	// Confirmed and Pending are ids of a mined and of a pending transaction.
	Confirmed, Pending string
}

func MustOpenScanEnv(tb testing.TB) *ScanEnv {
	tb.Helper()
	e := &ScanEnv{Env: MustOpenEnv(tb, node.Config{AllowOverdraft: true})}
	e.Confirmed = e.MustPost(tb, "alice", "bob", "1.5")
	e.MustPost(tb, "bob", "alice", "0.25")
	e.MustPost(tb, hostile, "alice", "2")
	e.MustPost(tb, "a/b?c#d", "alice", "0.5")
	e.MustMine(tb)
	e.MustMine(tb)
	e.Pending = e.MustPost(tb, "alice", "carol", "0.125")
	return e
}

// MustPost posts a transaction and returns its id.
func (e *Env) MustPost(tb testing.TB, sender, recipient, amount string) string {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"sender": sender, "recipient": recipient, "amount": json.Number(amount)})
	rec := e.Do(tb, "POST", "/transactions/new", string(body))
	if rec.Code != http.StatusCreated {
		tb.Fatalf("post %s→%s %s: %d %s", sender, recipient, amount, rec.Code, rec.Body)
	}
	var got struct {
		ID string `json:"transaction_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.ID == "" {
		tb.Fatalf("post answered %s (%v)", rec.Body, err)
	}
	return got.ID
}

// Get requests target as a browser speaking lang would.
func (e *Env) Get(tb testing.TB, target, lang string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return serve(e, req)
}

// MustPage gets an HTML page, checks its status and parses it.
func (e *Env) MustPage(tb testing.TB, target string, status int) *goquery.Document {
	tb.Helper()
	rec := e.Get(tb, target, "en")
	if rec.Code != status {
		tb.Fatalf("GET %s: status %d, want %d: %s", target, rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Fatalf("GET %s: Content-Type %q, want HTML", target, ct)
	}
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// MustText returns the text of selector in doc, failing if it is absent.
func MustText(tb testing.TB, doc *goquery.Document, selector string) string {
	tb.Helper()
	sel := doc.Find(selector)
	if sel.Length() == 0 {
		tb.Fatalf("page has no %s", selector)
	}
	var parts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			parts = append(parts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range sel.Nodes {
		walk(n)
	}
	// Text nodes joined with spaces: "Height" and "3" in a <dt> and a <dd>
	// read "Height 3".
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

func TestScanHome(t *testing.T) {
	e := MustOpenScanEnv(t)
	doc := e.MustPage(t, "/scan", http.StatusOK)
	if got, want := MustText(t, doc, "#tip-height"), "3"; got != want {
		t.Fatalf("tip height=%q, want %q", got, want)
	}
	rows := doc.Find("#blocks tbody tr")
	if got, want := rows.Length(), 3; got != want {
		t.Fatalf("%d block rows, want %d", got, want)
	}
	first := strings.Join(strings.Fields(rows.First().Text()), " ")
	for _, want := range []string{"3", e.Node.Tip().Hash[:8], "1"} {
		if !strings.Contains(first, want) {
			t.Fatalf("latest block row %q lacks %q", first, want)
		}
	}
	if got := rows.Last().Find("time").AttrOr("datetime", ""); got != "2024-09-29T00:00:00Z" {
		t.Fatalf("genesis time=%q", got)
	}
	// Two blocks were mined: a chart of their transactions, and a
	// sentence instead of a chart of the one gap between them.
	if doc.Find("#charts figure").Length() != 2 || doc.Find("#charts svg").Length() != 1 ||
		doc.Find("#charts .chart-none").Length() != 1 || doc.Find("#charts details table").Length() != 2 {
		t.Fatalf("home page lacks its two charts with their tables")
	}
	if got := MustText(t, doc, "#summary"); !strings.Contains(got, "Pending transactions 1") {
		t.Fatalf("summary %q does not count the pending transaction", got)
	}
	if got := doc.Find("body").AttrOr("data-events", ""); got != "/scan/events" {
		t.Fatalf("data-events=%q", got)
	}
}

func TestScanPagination(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for range 24 {
		e.MustMine(t)
	}
	page2 := e.MustPage(t, "/scan?page=2", http.StatusOK)
	if got, want := page2.Find("#blocks tbody tr").Length(), 5; got != want {
		t.Fatalf("page 2 has %d blocks, want %d", got, want)
	}
	if got := MustText(t, page2, "#blocks tbody tr:first-child td:first-child"); got != "5" {
		t.Fatalf("page 2 starts at block %s, want 5", got)
	}
	if page2.Find("#charts").Length() != 0 {
		t.Fatalf("charts shown beyond the first page")
	}
	if got := page2.Find(`.pager a[rel="prev"]`).AttrOr("href", ""); got != "/scan" {
		t.Fatalf("newer link=%q, want /scan", got)
	}
	page1 := e.MustPage(t, "/scan", http.StatusOK)
	if got := page1.Find(`.pager a[rel="next"]`).AttrOr("href", ""); got != "/scan?page=2" {
		t.Fatalf("older link=%q, want /scan?page=2", got)
	}
}

func TestScanBadParameters(t *testing.T) {
	e := MustOpenScanEnv(t)
	zeros := strings.Repeat("0", 64)
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/scan?page=0", 400},
		{"/scan?page=-1", 400},
		{"/scan?page=abc", 400},
		{"/scan?page=99999999999999999999999", 400},
		{"/scan?page=1000000", 404},
		{"/scan/block/0", 400},
		{"/scan/block/-5", 400},
		{"/scan/block/xyz", 400},
		{"/scan/block/" + zeros[:63], 400},
		{"/scan/block/99", 404},
		{"/scan/block/" + zeros, 404},
		{"/scan/block/1?page=2", 404},
		{"/scan/block/2?page=-1", 400},
		{"/scan/tx/abc", 400},
		{"/scan/tx/" + strings.Repeat("g", 64), 400},
		{"/scan/tx/" + zeros, 404},
		{"/scan/address/nobody", 404},
		{"/scan/address/alice?page=0", 400},
		{"/scan/address/alice?page=9999", 404},
		{"/scan/address/" + strings.Repeat("x", 2000), 400},
		{"/scan/mempool?page=x", 400},
		{"/scan/mempool?page=2", 404},
		{"/scan/search?q=", 400},
		{"/scan/search?q=nothing-like-this", 404},
		{"/scan/nope", 404},
	} {
		t.Run(tc.target, func(t *testing.T) {
			doc := e.MustPage(t, tc.target, tc.status)
			if msg := MustText(t, doc, "main"); len(msg) < 10 {
				t.Fatalf("error page says only %q", msg)
			}
		})
	}
}

func TestScanBlock(t *testing.T) {
	e := MustOpenScanEnv(t)
	tip := e.Node.Tip()
	for _, id := range []string{"3", tip.Hash, strings.ToUpper(tip.Hash)} {
		doc := e.MustPage(t, "/scan/block/"+id, http.StatusOK)
		if got := MustText(t, doc, "h1"); got != "Block 3" {
			t.Fatalf("h1=%q", got)
		}
		if got := MustText(t, doc, "dl.facts"); !strings.Contains(got, tip.Hash) || !strings.Contains(got, "Confirmations 1") {
			t.Fatalf("facts %q lack the hash or the confirmations", got)
		}
	}
	doc := e.MustPage(t, "/scan/block/2", http.StatusOK)
	if got, want := doc.Find("table.txs tbody tr").Length(), 5; got != want {
		t.Fatalf("block 2 lists %d transactions, want %d", got, want)
	}
	if got := doc.Find(`a[rel="next"]`).AttrOr("href", ""); got != "/scan/block/3" {
		t.Fatalf("next block link=%q", got)
	}
}

func TestScanTransaction(t *testing.T) {
	e := MustOpenScanEnv(t)
	confirmed := ungroup(MustText(t, e.MustPage(t, "/scan/tx/"+e.Confirmed, http.StatusOK), "#tx"))
	for _, want := range []string{"Confirmed", "#2", "2 confirmations", "alice", "bob", "1.5 pyBTC", "150000000 sat"} {
		if !strings.Contains(confirmed, want) {
			t.Fatalf("confirmed transaction page %q lacks %q", confirmed, want)
		}
	}
	pending := MustText(t, e.MustPage(t, "/scan/tx/"+e.Pending, http.StatusOK), "#tx")
	if !strings.Contains(pending, "Pending") || !strings.Contains(pending, "carol") {
		t.Fatalf("pending transaction page says %q", pending)
	}
}

func TestScanAddress(t *testing.T) {
	e := MustOpenScanEnv(t)
	doc := e.MustPage(t, "/scan/address/alice", http.StatusOK)
	// alice: -1.5 +0.25 +2 +0.5 = 1.25 confirmed; 0.125 pending out.
	if got, want := ungroup(MustText(t, doc, "#balance")), "1.25 pyBTC"; got != want {
		t.Fatalf("balance=%q, want %q", got, want)
	}
	if got, want := doc.Find("#history tbody tr").Length(), 5; got != want {
		t.Fatalf("history has %d rows, want %d", got, want)
	}
	if got := MustText(t, doc, "#history tbody tr:first-child"); !strings.Contains(got, "Pending") || !strings.Contains(got, "−0.125") {
		t.Fatalf("newest history row %q is not the pending payment", got)
	}
	// alice's balance moved in one block only: a sentence says that a
	// chart needs two; the miner's moved in two, and it has its chart.
	if doc.Find("#address-chart svg").Length() != 0 || doc.Find("#address-chart .chart-none").Length() != 1 {
		t.Fatalf("address page draws a chart of one point")
	}
	if e.MustPage(t, "/scan/address/miner", http.StatusOK).Find("#address-chart svg").Length() != 1 {
		t.Fatalf("address page lacks its balance chart")
	}
	t.Run("Slash", func(t *testing.T) {
		doc := e.MustPage(t, "/scan/address/"+url.PathEscape("a/b?c#d"), http.StatusOK)
		if got := MustText(t, doc, "#address"); got != "a/b?c#d" {
			t.Fatalf("address=%q", got)
		}
	})
}

func TestScanEscapesNetworkValues(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, target := range []string{"/scan/block/2", "/scan/address/alice", "/scan/address/" + url.PathEscape(hostile)} {
		rec := e.Get(t, target, "en")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		if strings.Contains(rec.Body.String(), hostile) {
			t.Fatalf("GET %s: the hostile sender is in the page unescaped", target)
		}
		doc, _ := goquery.NewDocumentFromReader(rec.Body)
		if !strings.Contains(doc.Find("main").Text(), hostile) && !strings.Contains(doc.Find("main a").AttrOr("title", ""), hostile) {
			t.Fatalf("GET %s: the hostile sender is not shown as text", target)
		}
		if doc.Find("main script").Length() != 0 {
			t.Fatalf("GET %s: a script element made it into the page", target)
		}
	}
}

func TestScanSearch(t *testing.T) {
	e := MustOpenScanEnv(t)
	tip := e.Node.Tip()
	for _, tc := range []struct{ q, location string }{
		{"2", "/scan/block/2"},
		{" 3 ", "/scan/block/3"},
		{tip.Hash, "/scan/block/" + tip.Hash},
		{strings.ToUpper(tip.Hash[:12]), "/scan/block/" + tip.Hash},
		{e.Confirmed, "/scan/tx/" + e.Confirmed},
		{e.Pending[:10], "/scan/tx/" + e.Pending},
		{"alice", "/scan/address/alice"},
		{"carol", "/scan/address/carol"},
		{"a/b?c#d", "/scan/address/" + url.PathEscape("a/b?c#d")},
	} {
		t.Run(tc.q, func(t *testing.T) {
			rec := e.Get(t, "/scan/search?q="+url.QueryEscape(tc.q), "en")
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tc.location {
				t.Fatalf("search %q: %d → %q, want 303 → %q", tc.q, rec.Code, rec.Header().Get("Location"), tc.location)
			}
		})
	}
	t.Run("NothingFound", func(t *testing.T) {
		const unknown = `<img src=x onerror=alert(2)>`
		doc := e.MustPage(t, "/scan/search?q="+url.QueryEscape(unknown), http.StatusNotFound)
		got := MustText(t, doc, "main")
		if !strings.Contains(got, "Nothing found for") || !strings.Contains(got, "from 1 to 3") {
			t.Fatalf("not-found page says %q", got)
		}
		if got := doc.Find(`input[name="q"]`).AttrOr("value", ""); got != unknown {
			t.Fatalf("search box keeps %q, want the query", got)
		}
	})
}

func TestScanMempoolAndPeers(t *testing.T) {
	e := MustOpenScanEnv(t)
	doc := e.MustPage(t, "/scan/mempool", http.StatusOK)
	if got := doc.Find("#mempool table.txs tbody tr").Length(); got != 1 {
		t.Fatalf("mempool lists %d transactions, want 1", got)
	}
	peers := e.MustPage(t, "/scan/peers", http.StatusOK)
	if got := MustText(t, peers, "#peers"); !strings.Contains(got, "no peers") {
		t.Fatalf("peers page says %q", got)
	}
}

func TestScanLanguages(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, tc := range []struct{ accept, query, lang, heading string }{
		{"", "", "en", "Latest blocks"},
		{"ko-KR,ko;q=0.9,en;q=0.8", "", "ko", "최신 블록"},
		{"fr-FR,en;q=0.5,ko;q=0.7", "", "ko", "최신 블록"},
		{"ko", "?lang=en", "en", "Latest blocks"},
		{"", "?lang=ko", "ko", "최신 블록"},
	} {
		rec := e.Get(t, "/scan"+tc.query, tc.accept)
		doc, _ := goquery.NewDocumentFromReader(rec.Body)
		if got := doc.Find("html").AttrOr("lang", ""); got != tc.lang {
			t.Fatalf("Accept-Language %q%s: lang=%q, want %q", tc.accept, tc.query, got, tc.lang)
		}
		if got := MustText(t, doc, "#blocks h2"); got != tc.heading {
			t.Fatalf("heading=%q, want %q", got, tc.heading)
		}
	}
	t.Run("Remembered", func(t *testing.T) {
		rec := e.Get(t, "/scan?lang=ko", "en")
		cookie := rec.Result().Cookies()
		if len(cookie) != 1 || cookie[0].Value != "ko" || !cookie[0].HttpOnly || cookie[0].SameSite == http.SameSiteDefaultMode {
			t.Fatalf("language cookie=%v", cookie)
		}
		req := httptest.NewRequest("GET", "/scan/mempool", nil)
		req.AddCookie(cookie[0])
		doc, _ := goquery.NewDocumentFromReader(serve(e.Env, req).Body)
		if got := doc.Find("html").AttrOr("lang", ""); got != "ko" {
			t.Fatalf("with the cookie: lang=%q, want ko", got)
		}
	})
}

// TestScanRefusalsSpeakTheReadersLanguage checks that a page words a
// refusal in the visitor's language, while /api answers the same refusal
// in the protocol's English.
func TestScanRefusalsSpeakTheReadersLanguage(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, tc := range []struct{ target, lang, want string }{
		{"/scan/block/99", "ko", "높이 99의 블록이 없습니다."},
		{"/scan/block/99", "en", "There is no block at height 99."},
		{"/scan/tx/abc", "ko", `거래 ID는 16진수 64자입니다. "abc"는 올바르지 않습니다.`},
		{"/scan?page=x", "ko", `페이지는 1 이상의 정수여야 합니다 ("x"는 올바르지 않습니다)`},
		{"/scan/address/nobody", "ko", `주소 "nobody"가 나오는 거래가 없습니다.`},
	} {
		rec := e.Get(t, tc.target, tc.lang)
		doc, err := goquery.NewDocumentFromReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got := MustText(t, doc, "main"); !strings.Contains(got, tc.want) {
			t.Errorf("%s in %s: page says %q, want %q", tc.target, tc.lang, got, tc.want)
		}
	}
	rec := e.Get(t, "/api/tx/abc", "ko")
	if got, want := rec.Body.String(), `{"message":"A transaction id is 64 hex characters, not \"abc\"."}`+"\n"; got != want {
		t.Errorf("/api/tx/abc in ko: %s, want %s", got, want)
	}
}

func TestScanSecurityHeaders(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, target := range []string{"/scan", "/scan/nope", "/static/app.js"} {
		h := e.Get(t, target, "").Header()
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("GET %s: Content-Security-Policy %q", target, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("GET %s: headers %v", target, h)
		}
	}
}

func TestScanAPI(t *testing.T) {
	e := MustOpenScanEnv(t)
	get := func(t *testing.T, target string, status int, into any) {
		t.Helper()
		rec := e.Do(t, "GET", target, "")
		if rec.Code != status {
			t.Fatalf("GET %s: %d, want %d: %s", target, rec.Code, status, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("GET %s: %v: %s", target, err, rec.Body)
		}
	}
	var status struct {
		Height  int64
		TipHash string `json:"tip_hash"`
		Pending int64
	}
	get(t, "/api/status", 200, &status)
	if status.Height != 3 || status.TipHash != e.Node.Tip().Hash || status.Pending != 1 {
		t.Fatalf("status=%+v", status)
	}
	var blocks struct {
		Page, Pages int
		Blocks      []struct {
			Height       int64
			Transactions int
		}
	}
	get(t, "/api/blocks", 200, &blocks)
	if len(blocks.Blocks) != 3 || blocks.Blocks[0].Height != 3 || blocks.Blocks[1].Transactions != 5 {
		t.Fatalf("blocks=%+v", blocks)
	}
	var block struct {
		Hash          string
		Confirmations int64
		List          []struct{ ID string } `json:"transaction_list"`
	}
	get(t, "/api/blocks/2", 200, &block)
	if block.Confirmations != 2 || len(block.List) != 5 || block.List[0].ID != e.Confirmed {
		t.Fatalf("block=%+v", block)
	}
	var tx struct {
		Status        string
		Block         int64
		Amount        json.Number
		AmountSat     int64 `json:"amount_sat"`
		Confirmations int64
	}
	get(t, "/api/tx/"+e.Confirmed, 200, &tx)
	if tx.Status != "confirmed" || tx.Block != 2 || tx.Amount != "1.5" || tx.AmountSat != 150000000 || tx.Confirmations != 2 {
		t.Fatalf("tx=%+v", tx)
	}
	var address struct {
		Balance     json.Number
		PendingSent json.Number `json:"pending_sent"`
		History     []struct{ Status string }
	}
	get(t, "/api/address/alice", 200, &address)
	if address.Balance != "1.25" || address.PendingSent != "0.125" || len(address.History) != 5 || address.History[0].Status != "pending" {
		t.Fatalf("address=%+v", address)
	}
	var mempool struct {
		Pending      int64
		Transactions []struct{ ID string }
	}
	get(t, "/api/mempool", 200, &mempool)
	if mempool.Pending != 1 || mempool.Transactions[0].ID != e.Pending {
		t.Fatalf("mempool=%+v", mempool)
	}
	var peers struct{ Peers []any }
	get(t, "/api/peers", 200, &peers)

	for _, tc := range []struct {
		target string
		status int
	}{
		{"/api/blocks?page=-1", 400},
		{"/api/blocks?page=50", 404},
		{"/api/blocks/zz", 400},
		{"/api/blocks/42", 404},
		{"/api/tx/123", 400},
		{"/api/tx/" + strings.Repeat("a", 64), 404},
		{"/api/address/nobody", 404},
		{"/api/mempool?page=0", 400},
	} {
		var m struct{ Message string }
		get(t, tc.target, tc.status, &m)
		if m.Message == "" {
			t.Fatalf("GET %s: no message", tc.target)
		}
	}
}

// TestScanEvents reads the live stream of a real server: a status at once,
// then a block event when a block is mined.
func TestScanEvents(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	base := MustServe(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/scan/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type=%q", ct)
	}
	events := bufio.NewScanner(resp.Body)
	next := func() (string, string) {
		t.Helper()
		var name string
		for events.Scan() {
			line := events.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				return name, v
			}
		}
		t.Fatalf("stream ended: %v", events.Err())
		return "", ""
	}
	if name, data := next(); name != "status" || !strings.Contains(data, `"height":1`) {
		t.Fatalf("first event %s %s", name, data)
	}
	e.MustMine(t)
	name, data := next()
	if name != "block" || !strings.Contains(data, fmt.Sprintf(`"hash":%q`, e.Node.Tip().Hash)) {
		t.Fatalf("after mining: %s %s", name, data)
	}
	if consensus.GenesisHash == e.Node.Tip().Hash {
		t.Fatalf("tip did not move")
	}
}
