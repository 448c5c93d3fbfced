package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/pybtc/pybtc"
	pykeys "github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
)

// WalletVisitor is a browser on the wallet: it keeps its cookies between
// requests and sends back the CSRF token of the last page it read.
type WalletVisitor struct {
	env     *Env
	cookies map[string]*http.Cookie
	csrf    string
}

func NewWalletVisitor(e *Env) *WalletVisitor {
	return &WalletVisitor{env: e, cookies: map[string]*http.Cookie{}}
}

func (v *WalletVisitor) do(tb testing.TB, req *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	req.Header.Set("Accept", "text/html")
	for _, c := range v.cookies {
		req.AddCookie(c)
	}
	rec := serve(v.env, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(v.cookies, c.Name)
		} else {
			v.cookies[c.Name] = c
		}
	}
	if doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String())); err == nil {
		if token, ok := doc.Find(`input[name="csrf"]`).Attr("value"); ok {
			v.csrf = token
		}
	}
	return rec
}

// Get reads a wallet page.
func (v *WalletVisitor) Get(tb testing.TB, target string) *httptest.ResponseRecorder {
	tb.Helper()
	return v.do(tb, httptest.NewRequest("GET", target, nil))
}

// Post submits a form with the visitor's CSRF token, unless form sets one.
func (v *WalletVisitor) Post(tb testing.TB, target string, form url.Values) *httptest.ResponseRecorder {
	tb.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", v.csrf)
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return v.do(tb, req)
}

// MustLogin logs in as address and follows the redirect to the wallet, as
// a browser does: the wallet's forms carry the new session's token.
func (v *WalletVisitor) MustLogin(tb testing.TB, address string) {
	tb.Helper()
	v.Get(tb, "/wallet")
	rec := v.Post(tb, "/wallet/login", url.Values{"address": {address}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/wallet" {
		tb.Fatalf("login as %s: %d %s", address, rec.Code, rec.Body)
	}
	v.Get(tb, "/wallet")
}

func mustDoc(tb testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	tb.Helper()
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// MustOpenWalletEnv is a node where alice has 10 pyBTC confirmed.
func MustOpenWalletEnv(tb testing.TB, cfg node.Config) *Env {
	tb.Helper()
	cfg.AllowOverdraft = false
	e := MustOpenEnv(tb, cfg)
	e.MustMine(tb) // the coinbase names "miner"
	ctx := tb.Context()
	// Fund alice with a block mined to her: one coinbase pays 0.1, so
	// mine 100 of them.
	for range 100 {
		if _, err := e.Node.Mine(ctx, "alice"); err != nil {
			tb.Fatal(err)
		}
	}
	return e
}

func TestWalletLogin(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	form := mustDoc(t, v.Get(t, "/wallet"))
	if form.Find(`form[action="/wallet/login"] input[name="address"]`).Length() != 1 || v.csrf == "" {
		t.Fatalf("GET /wallet shows no login form with a CSRF token")
	}
	t.Run("Unknown", func(t *testing.T) {
		rec := v.Post(t, "/wallet/login", url.Values{"address": {"nobody"}})
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("unknown address: %d, want 400", rec.Code)
		}
		doc := mustDoc(t, rec)
		if got := MustText(t, doc, "#login-error"); !strings.Contains(got, "Invalid wallet address") {
			t.Fatalf("refusal says %q", got)
		}
		if got := doc.Find(`input[name="address"]`).AttrOr("value", ""); got != "nobody" {
			t.Fatalf("the form forgot the address: %q", got)
		}
		if _, ok := v.cookies["pybtc_wallet"]; ok {
			t.Fatalf("a session was opened for an unknown address")
		}
	})
	t.Run("Korean", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/wallet/login", strings.NewReader(url.Values{"address": {"nobody"}, "csrf": {v.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "ko")
		req.AddCookie(v.cookies["pybtc_csrf"])
		if got := MustText(t, mustDoc(t, serve(e, req)), "#login-error"); !strings.Contains(got, "잘못된 지갑 주소입니다!") {
			t.Fatalf("Korean refusal says %q", got)
		}
	})
	t.Run("Known", func(t *testing.T) {
		v.MustLogin(t, "alice")
		session := v.cookies["pybtc_wallet"]
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v: want HttpOnly and SameSite", session)
		}
		doc := mustDoc(t, v.Get(t, "/wallet"))
		if got := MustText(t, doc, "#address"); got != "alice" {
			t.Fatalf("wallet of %q", got)
		}
		if got := MustText(t, doc, "#balance"); got != "10 pyBTC" {
			t.Fatalf("balance %q, want 10 pyBTC", got)
		}
		if doc.Find(".qr svg path").Length() != 1 {
			t.Fatalf("no QR code of the address")
		}
		if doc.Find("#mine").Length() != 0 {
			t.Fatalf("the mine button shows without --dev")
		}
	})
	t.Run("ForgedSession", func(t *testing.T) {
		forged := NewWalletVisitor(e)
		forged.cookies["pybtc_wallet"] = &http.Cookie{Name: "pybtc_wallet", Value: "Ym9i.9999999999.AAAA"}
		if MustText(t, mustDoc(t, forged.Get(t, "/wallet")), "h1") != "Log in to your wallet" {
			t.Fatalf("a forged session cookie opened a wallet")
		}
	})
	t.Run("Logout", func(t *testing.T) {
		rec := v.Post(t, "/wallet/logout", url.Values{})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("logout: %d", rec.Code)
		}
		if _, ok := v.cookies["pybtc_wallet"]; ok {
			t.Fatalf("logout kept the session cookie")
		}
		if MustText(t, mustDoc(t, v.Get(t, "/wallet")), "h1") != "Log in to your wallet" {
			t.Fatalf("after logout the wallet still shows")
		}
	})
}

func TestWalletCSRF(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"Wrong", "not-the-token", http.StatusForbidden},
		{"Empty", "", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"recipient": {"bob"}, "amount": {"1"}, "confirm": {"1"}, "csrf": {tc.token}}
			rec := v.Post(t, "/wallet/send", form)
			if rec.Code != tc.status {
				t.Fatalf("send with token %q: %d, want %d", tc.token, rec.Code, tc.status)
			}
			if got := MustText(t, mustDoc(t, rec), "main"); !strings.Contains(got, "Reload the wallet") {
				t.Fatalf("refusal page says %q", got)
			}
			if info, _ := e.DB.AddressInfo(t.Context(), "bob"); info.Seen() {
				t.Fatalf("a forged send was stored")
			}
		})
	}
	t.Run("CrossSite", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/wallet/send", strings.NewReader("recipient=bob&amount=1&confirm=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		for _, c := range v.cookies {
			req.AddCookie(c)
		}
		if rec := serve(e, req); rec.Code != http.StatusForbidden {
			t.Fatalf("cross-site send: %d, want 403", rec.Code)
		}
	})
}

func TestWalletSendRefusals(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	for _, tc := range []struct {
		name, recipient, amount, says, field string
		// confirm: refused only when sent, by the node's balance check.
		confirm bool
	}{
		{"NoRecipient", "", "1", "Type the address to send to.", "recipient", false},
		{"ToSelf", "alice", "1", "You cannot send coins to your own address.", "recipient", false},
		{"LongRecipient", strings.Repeat("b", 129), "1", "at most 128 characters", "recipient", false},
		{"ControlCharacter", "bo\tb", "1", "control characters", "recipient", false},
		{"Master", "master", "1", "reserved for the mining reward", "recipient", false},
		{"NoAmount", "bob", "", "Type the amount to send.", "amount", false},
		{"Letters", "bob", "abc", "must be a number such as 0.5", "amount", false},
		{"Comma", "bob", "1,5", "must be a number such as 0.5", "amount", false},
		{"Negative", "bob", "-1", "must be a number such as 0.5", "amount", false},
		{"Exponent", "bob", "1e3", "must be a number such as 0.5", "amount", false},
		{"LeadingZero", "bob", "01", "must be a number such as 0.5", "amount", false},
		{"TooManyDecimals", "bob", "0.123456789", "at most 8 decimal places", "amount", false},
		{"Zero", "bob", "0.00000000", "must be more than 0", "amount", false},
		{"TooMuch", "bob", "100000001", "at most 100000000 pyBTC", "amount", false},
		{"Overdraft", "bob", "10.00000001", "You can send at most 10 pyBTC: your balance is 10.", "amount", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"recipient": {tc.recipient}, "amount": {tc.amount}}
			if tc.confirm {
				form.Set("confirm", "1")
			}
			rec := v.Post(t, "/wallet/send", form)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", rec.Code)
			}
			doc := mustDoc(t, rec)
			// The sentence stands beside the refused field, which points
			// to it; the other field is not marked.
			if got := MustText(t, doc, "#"+tc.field+"-error"); !strings.Contains(got, tc.says) {
				t.Fatalf("refusal says %q, want %q", got, tc.says)
			}
			input := doc.Find(`#send input[name="` + tc.field + `"]`)
			if input.AttrOr("aria-invalid", "") != "true" || input.AttrOr("aria-describedby", "") != tc.field+"-error" {
				t.Fatalf("the %s input is not marked invalid and described by its error", tc.field)
			}
			if n := doc.Find(`#send [aria-invalid]`).Length(); n != 1 {
				t.Fatalf("%d inputs marked invalid, want 1", n)
			}
			if n := doc.Find("#send-error").Length(); n != 0 {
				t.Fatalf("a field's refusal is also in the form's general error box")
			}
			if got := doc.Find(`#send input[name="amount"]`).AttrOr("value", "?"); got != tc.amount {
				t.Fatalf("the form forgot the amount: %q", got)
			}
			if got := doc.Find(`#send input[name="recipient"]`).AttrOr("value", "?"); got != strings.TrimSpace(tc.recipient) {
				t.Fatalf("the form forgot the recipient: %q", got)
			}
			if n := mempoolSize(t, e); n != 0 {
				t.Fatalf("a refused send left %d pending transactions", n)
			}
		})
	}
}

// TestWalletConfirmStep: a filled-in send form shows the payment to
// confirm and sends nothing; Back gives the form again as filled in; only
// Confirm sends. "Send everything" fills in what the address can send.
func TestWalletConfirmStep(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	if got := MustText(t, mustDoc(t, v.Get(t, "/wallet")), "#pending"); got != "nothing pending" {
		t.Fatalf("pending card with nothing pending reads %q", got)
	}
	if got := MustText(t, mustDoc(t, v.Get(t, "/wallet?lang=ko")), "#pending"); got != "대기 중인 거래 없음" {
		t.Fatalf("Korean pending card with nothing pending reads %q", got)
	}
	v.Get(t, "/wallet?lang=en")

	rec := v.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"2.50"}})
	doc := mustDoc(t, rec)
	if rec.Code != http.StatusOK || MustText(t, doc, "h1") != "Confirm the payment" {
		t.Fatalf("review: %d %q", rec.Code, MustText(t, doc, "h1"))
	}
	for sel, want := range map[string]string{
		"#confirm-recipient": "bob", "#confirm-amount": "2.5 pyBTC",
		"#confirm-spendable": "10 pyBTC", "#confirm-after": "7.5 pyBTC",
	} {
		if got := MustText(t, doc, sel); got != want {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
	if doc.Find(`#confirm button[name="confirm"]`).Length() != 1 || doc.Find(`#confirm button[name="back"]`).Length() != 1 {
		t.Fatal("the confirmation has no Confirm and Back buttons")
	}
	if n := mempoolSize(t, e); n != 0 {
		t.Fatalf("reviewing a payment stored %d transactions", n)
	}
	// The confirmation's own form, as the browser sends it.
	form := url.Values{}
	doc.Find("#confirm input").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})

	back := url.Values{"back": {"1"}}
	for k, vs := range form {
		back[k] = vs
	}
	rec = v.Post(t, "/wallet/send", back)
	doc = mustDoc(t, rec)
	if rec.Code != http.StatusOK || doc.Find(`#send input[name="recipient"]`).AttrOr("value", "") != "bob" ||
		doc.Find(`#send input[name="amount"]`).AttrOr("value", "") != "2.50" {
		t.Fatalf("Back: %d, the form is not as filled in", rec.Code)
	}
	if n := mempoolSize(t, e); n != 0 {
		t.Fatalf("Back stored %d transactions", n)
	}

	form.Set("confirm", "1")
	rec = v.Post(t, "/wallet/send", form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/wallet?sent=") {
		t.Fatalf("confirm: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if n := mempoolSize(t, e); n != 1 {
		t.Fatalf("confirming stored %d transactions, want 1", n)
	}

	// Send everything: what is left to send, 7.5, not the balance.
	rec = v.Post(t, "/wallet/send", url.Values{"recipient": {"carol"}, "max": {"1"}})
	if got := MustText(t, mustDoc(t, rec), "#confirm-amount"); rec.Code != http.StatusOK || got != "7.5 pyBTC" {
		t.Fatalf("send everything: %d, amount %q, want 7.5 pyBTC", rec.Code, got)
	}
	if got := MustText(t, mustDoc(t, v.Get(t, "/wallet")), "#pending"); got != "+0 / −2.5" {
		t.Fatalf("pending card reads %q", got)
	}
}

func TestWalletSend(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	client := &RecordingClient{Reachable: true}
	e := MustOpenWalletEnv(t, node.Config{Self: self, Client: client, SyncInterval: -1})
	if rec := e.Do(t, "POST", "/nodes/register", `{"nodes": ["http://127.0.0.1:5001"]}`); rec.Code != http.StatusCreated {
		t.Fatalf("register peer: %d", rec.Code)
	}
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	// The form's sender field, if any, is ignored: the session says who pays.
	rec := v.Post(t, "/wallet/send", url.Values{"sender": {"miner"}, "recipient": {"new-friend"}, "amount": {"2.5"}, "confirm": {"1"}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/wallet?sent=") {
		t.Fatalf("send: %d → %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/wallet?sent=")
	recs, err := e.DB.FindTransaction(t.Context(), id)
	if err != nil || recs[0].Sender != "alice" || recs[0].Recipient != "new-friend" || recs[0].Amount != 2*pybtc.Coin+pybtc.Coin/2 || !recs[0].Pending() {
		t.Fatalf("stored %+v %v", recs, err)
	}

	doc := mustDoc(t, v.Get(t, rec.Header().Get("Location")))
	if got := doc.Find("#sent a").AttrOr("href", ""); got != "/scan/tx/"+id {
		t.Fatalf("the message links to %q, want the transaction", got)
	}
	if got := MustText(t, doc, "#history tbody tr:first-child"); !strings.Contains(got, "Pending") || !strings.Contains(got, "new-friend") {
		t.Fatalf("newest history row %q is not the pending payment", got)
	}
	if got := MustText(t, doc, "#spendable"); got != "7.5 pyBTC" {
		t.Fatalf("available %q, want 7.5 pyBTC", got)
	}

	// Relayed as a transaction posted to /transactions/new is: the same
	// JSON, with its timestamp (the peer client marks it "sharing").
	posted := e.MustPost(t, "alice", "other-friend", "1")
	relayed := map[string]map[string]any{}
	for deadline := time.Now().Add(5 * time.Second); len(relayed) < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, body := range client.Relayed() {
			var tx map[string]any
			if err := json.Unmarshal([]byte(body), &tx); err != nil {
				t.Fatalf("relayed %q: %v", body, err)
			}
			relayed[tx["recipient"].(string)] = tx
		}
	}
	wallet, api := relayed["new-friend"], relayed["other-friend"]
	if wallet == nil || api == nil || len(wallet) != len(api) || wallet["sender"] != "alice" || wallet["timestamp"] != recs[0].Timestamp {
		t.Fatalf("relayed from the wallet %v, from the API %v (posted %s)", wallet, api, posted)
	}

	e.MustMine(t)
	doc = mustDoc(t, v.Get(t, "/wallet"))
	if got := MustText(t, doc, "#balance"); got != "6.5 pyBTC" {
		t.Fatalf("after mining: balance %q, want 6.5 pyBTC", got)
	}
	if got := MustText(t, doc, "#history tbody tr:first-child"); !strings.Contains(got, "1 confirmation") {
		t.Fatalf("after mining the payment reads %q", got)
	}
}

func TestWalletDevMine(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	if rec := v.Post(t, "/wallet/mine", url.Values{}); rec.Code != http.StatusNotFound {
		t.Fatalf("mine without --dev: %d, want 404", rec.Code)
	}
	e.Server.Dev = true
	doc := mustDoc(t, v.Get(t, "/wallet"))
	if doc.Find("#mine").Length() != 1 {
		t.Fatalf("no mine button with --dev")
	}
	height := e.Node.Tip().Height
	rec := v.Post(t, "/wallet/mine", url.Values{})
	if rec.Code != http.StatusSeeOther || e.Node.Tip().Height != height+1 {
		t.Fatalf("mine with --dev: %d, height %d → %d", rec.Code, height, e.Node.Tip().Height)
	}
}

// TestWalletCSRFPlanted plays a program on another port of localhost: it
// reads the wallet itself to get a CSRF cookie with its token, or logs in
// to get a session's token, plants the cookie in the victim's browser
// (cookies are shared between ports) and has the victim post the token.
// The token belongs to another visitor's cookie or session, so it is
// refused.
func TestWalletCSRFPlanted(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	victim := NewWalletVisitor(e)
	victim.MustLogin(t, "alice")
	anonymous := NewWalletVisitor(e)
	anonymous.Get(t, "/wallet")
	other := NewWalletVisitor(e)
	other.MustLogin(t, "miner")
	other.Get(t, "/wallet")
	for _, tc := range []struct {
		name     string
		attacker *WalletVisitor
	}{
		{"VisitorToken", anonymous},
		{"OtherSessionToken", other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/wallet/send", strings.NewReader(url.Values{
				"recipient": {"mallory"}, "amount": {"1"}, "confirm": {"1"}, "csrf": {tc.attacker.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
			req.AddCookie(victim.cookies["pybtc_wallet"])
			if c := tc.attacker.cookies["pybtc_csrf"]; c != nil {
				req.AddCookie(c)
			}
			if rec := serve(e, req); rec.Code != http.StatusForbidden {
				t.Fatalf("send with a planted token: %d, want 403", rec.Code)
			}
			if info, _ := e.DB.AddressInfo(t.Context(), "mallory"); info.Seen() {
				t.Fatalf("a send with a planted token was stored")
			}
		})
	}
	t.Run("OwnToken", func(t *testing.T) {
		victim.Get(t, "/wallet")
		if rec := victim.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"1"}, "confirm": {"1"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("send with the session's own token: %d %s", rec.Code, rec.Body)
		}
	})
}

// TestWalletLogoutRevokes copies the session cookie before logging out, as
// someone who saw it would: after logout it opens nothing.
func TestWalletLogoutRevokes(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	v.Get(t, "/wallet")
	copied := *v.cookies["pybtc_wallet"]
	csrf := v.csrf
	if rec := v.Post(t, "/wallet/logout", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", rec.Code)
	}
	thief := NewWalletVisitor(e)
	thief.cookies["pybtc_wallet"] = &copied
	if got := MustText(t, mustDoc(t, thief.Get(t, "/wallet")), "h1"); got != "Log in to your wallet" {
		t.Fatalf("the session cookie still opens the wallet after logout: %q", got)
	}
	thief.cookies["pybtc_wallet"] = &copied
	thief.Post(t, "/wallet/send", url.Values{"recipient": {"mallory"}, "amount": {"1"}, "confirm": {"1"}, "csrf": {csrf}})
	if info, _ := e.DB.AddressInfo(t.Context(), "mallory"); info.Seen() {
		t.Fatalf("a revoked session sent coins")
	}
	// Logging in again opens a new session; the old one stays revoked.
	v.MustLogin(t, "alice")
	thief.cookies["pybtc_wallet"] = &copied
	if got := MustText(t, mustDoc(t, thief.Get(t, "/wallet")), "h1"); got != "Log in to your wallet" {
		t.Fatalf("a new login revived the old session: %q", got)
	}
}

// TestWalletFlashIsTrue opens the wallet with ?sent= and ?mined= as a link
// from anywhere could: a message shows only for what really happened, a
// payment of this wallet's address and a block on the chain.
func TestWalletFlashIsTrue(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{AllowOverdraft: true})
	e.Server.Dev = true
	others := e.MustPost(t, "miner", "carol", "0.05")
	mine := e.MustPost(t, "alice", "carol", "1")
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	height := e.Node.Tip().Height
	for _, tc := range []struct {
		name, query, id string
		shown           bool
	}{
		{"SentMadeUp", "sent=" + strings.Repeat("ab", 32), "#sent", false},
		{"SentByAnother", "sent=" + others, "#sent", false},
		{"SentByThisWallet", "sent=" + mine, "#sent", true},
		{"MinedMadeUp", fmt.Sprintf("mined=%d", height+100), "#mined", false},
		{"MinedOnChain", fmt.Sprintf("mined=%d", height), "#mined", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustDoc(t, v.Get(t, "/wallet?"+tc.query))
			if got := doc.Find(tc.id).Length() == 1; got != tc.shown {
				t.Fatalf("/wallet?%s shows %s: %v, want %v", tc.query, tc.id, got, tc.shown)
			}
		})
	}
	e.MustMine(t)
	doc := mustDoc(t, v.Get(t, "/wallet?sent="+mine))
	if got := MustText(t, doc, "#sent"); !strings.Contains(got, fmt.Sprintf("block %d", height+1)) {
		t.Fatalf("a mined payment's message reads %q, want its block", got)
	}
}

// TestWalletSendRefusalsKorean checks that the wallet words the node's
// refusal in the visitor's language, with the numbers the refusal
// carries: an overdraft names what is spendable, the balance and what is
// already on its way out.
func TestWalletSendRefusalsKorean(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	v := NewWalletVisitor(e)
	v.MustLogin(t, "alice")
	if rec := v.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"2.5"}, "confirm": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("first send: %d, want 303", rec.Code)
	}
	v.Get(t, "/wallet?lang=ko")
	for _, tc := range []struct {
		name, recipient, amount, says, field string
	}{
		{"Overdraft", "bob", "8", "최대 7.5 pyBTC까지 보낼 수 있습니다: 잔액은 10이고 그중 2.5은(는) 이미 보내는 중입니다.", "amount"},
		{"LongRecipient", strings.Repeat("b", 129), "1", "받는 사람 주소는 최대 128자입니다.", "recipient"},
		{"NoAmount", "bob", "", "보낼 금액을 입력하세요.", "amount"},
		{"Letters", "bob", "1e3", "금액은 0.5처럼 소수점(.)을 쓴 숫자여야 합니다.", "amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := v.Post(t, "/wallet/send", url.Values{"recipient": {tc.recipient}, "amount": {tc.amount}, "confirm": {"1"}})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", rec.Code)
			}
			doc := mustDoc(t, rec)
			if got := MustText(t, doc, "#"+tc.field+"-error"); got != tc.says {
				t.Fatalf("refusal says %q, want %q", got, tc.says)
			}
			if got := doc.Find(`#send input[name="`+tc.field+`"]`).AttrOr("aria-invalid", ""); got != "true" {
				t.Fatalf("the %s input is not marked invalid", tc.field)
			}
			if got := doc.Find(`#send input[name="amount"]`).AttrOr("value", "?"); got != tc.amount {
				t.Fatalf("the form forgot the amount: %q", got)
			}
		})
	}
	// With nothing on its way out, the sentence names only the balance:
	// not "0 is already being sent".
	t.Run("OverdraftNothingPending", func(t *testing.T) {
		m := NewWalletVisitor(e)
		m.MustLogin(t, "miner")
		m.Get(t, "/wallet?lang=ko")
		rec := m.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"1"}, "confirm": {"1"}})
		if got, want := MustText(t, mustDoc(t, rec), "#amount-error"), "최대 0.1 pyBTC까지 보낼 수 있습니다: 잔액은 0.1입니다."; got != want {
			t.Fatalf("refusal says %q, want %q", got, want)
		}
	})
}

// TestWalletKeyAddressPage: a key address opens its wallet before any
// transaction names it, its page says that only its key can spend from
// it and that key addresses need JavaScript, and its send form is
// disabled until the page's script holds the key. A plain address's page
// stays as it was.
func TestWalletKeyAddressPage(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	_, addr := pykeys.NewKey()
	v := NewWalletVisitor(e)
	v.MustLogin(t, addr)
	for _, tc := range []struct {
		lang, only, noscript string
	}{
		{"en", "Only its key can spend from this address", "Key addresses need JavaScript"},
		{"ko", "이 주소에서는 그 키만 코인을 쓸 수 있습니다", "키 주소에는 JavaScript가 필요합니다"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			rec := v.Get(t, "/wallet?lang="+tc.lang)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /wallet: %d", rec.Code)
			}
			doc := mustDoc(t, rec)
			if got := MustText(t, doc, "#address"); got != addr {
				t.Fatalf("wallet of %q, want %q", got, addr)
			}
			if got := MustText(t, doc, "#key-note"); !strings.Contains(got, tc.only) {
				t.Fatalf("the key address's note says %q, want %q", got, tc.only)
			}
			// The parser runs as a browser with scripts on, so noscript
			// holds its markup as text.
			if got := doc.Find("#key-wallet noscript").Text(); !strings.Contains(got, tc.noscript) {
				t.Fatalf("noscript says %q, want %q", got, tc.noscript)
			}
			if got := doc.Find("#send").AttrOr("data-key-address", ""); got != addr {
				t.Fatalf("the send form signs for %q, want %q", got, addr)
			}
			if _, disabled := doc.Find("#send fieldset#send-fields").Attr("disabled"); !disabled {
				t.Fatalf("the send form of a key address is usable without the page's script")
			}
			if doc.Find(`script[src="/static/wallet.js"]`).Length() != 1 {
				t.Fatalf("the page does not load the wallet's key script")
			}
			if got := MustText(t, doc, "#balance"); got != "0 pyBTC" {
				t.Fatalf("new key address: balance %q, want 0 pyBTC", got)
			}
		})
	}

	t.Run("PlainAddress", func(t *testing.T) {
		p := NewWalletVisitor(e)
		p.MustLogin(t, "alice")
		doc := mustDoc(t, p.Get(t, "/wallet"))
		for _, sel := range []string{"#key-note", "#key-wallet", "#send[data-key-address]", "#send fieldset", `script[src="/static/wallet.js"]`} {
			if doc.Find(sel).Length() != 0 {
				t.Errorf("a plain address's wallet shows %s", sel)
			}
		}
	})
}

// TestWalletKeyAddressLogin: a key address that decodes opens its
// wallet unseen; one with a broken checksum is a plain name, which no
// transaction named, so it is refused as before.
func TestWalletKeyAddressLogin(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	_, addr := pykeys.NewKey()
	broken := addr[:len(addr)-1] + map[bool]string{true: "q", false: "p"}[addr[len(addr)-1] != 'q']
	for _, tc := range []struct {
		name, address string
		status        int
	}{
		{"KeyAddress", addr, http.StatusSeeOther},
		{"BadChecksum", broken, http.StatusBadRequest},
		{"UpperCase", strings.ToUpper(addr), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := NewWalletVisitor(e)
			v.Get(t, "/wallet")
			if rec := v.Post(t, "/wallet/login", url.Values{"address": {tc.address}}); rec.Code != tc.status {
				t.Fatalf("login as %s: %d, want %d", tc.address, rec.Code, tc.status)
			}
		})
	}
	t.Run("LoginPage", func(t *testing.T) {
		doc := mustDoc(t, NewWalletVisitor(e).Get(t, "/wallet"))
		if doc.Find("#key-wallet #key-new").Length() != 1 || doc.Find("#key-wallet #key-file").Length() != 1 {
			t.Fatalf("the login page offers no way to create or load a key address")
		}
		if got := doc.Find("#key-wallet noscript").Text(); !strings.Contains(got, "Key addresses need JavaScript") {
			t.Fatalf("the login page's noscript says %q", got)
		}
	})
}

// TestWalletKeyAddressNoUnsignedSend: the form of a key address's
// wallet, posted without the page's script, sends nothing: the server has
// no key to sign with, and an unsigned spend from a key address is what
// rule K refuses.
func TestWalletKeyAddressNoUnsignedSend(t *testing.T) {
	e := MustOpenWalletEnv(t, node.Config{})
	_, addr := pykeys.NewKey()
	for range 3 {
		if _, err := e.Node.Mine(t.Context(), addr); err != nil {
			t.Fatal(err)
		}
	}
	v := NewWalletVisitor(e)
	v.MustLogin(t, addr)
	rec := v.Post(t, "/wallet/send", url.Values{"recipient": {"bob"}, "amount": {"0.1"}})
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("unsigned send from a key address: %d, want 400", rec.Code)
	}
	doc := mustDoc(t, rec)
	if got := MustText(t, doc, "#send-error"); !strings.Contains(got, "signed by its key in the page, which needs JavaScript") {
		t.Fatalf("refusal says %q", got)
	}
	if got := doc.Find(`#send input[name="amount"]`).AttrOr("value", "?"); got != "0.1" {
		t.Fatalf("the form forgot the amount: %q", got)
	}
	if n := mempoolSize(t, e); n != 0 {
		t.Fatalf("an unsigned send from a key address left %d pending transactions", n)
	}
}

// TestWalletLoginHint: the login page names this node's miner address,
// not another node's, and offers the addresses its latest blocks name,
// each opening its wallet; before the first block it says the miner's
// wallet comes with it.
func TestWalletLoginHint(t *testing.T) {
	e := MustOpenEnv(t, node.Config{Miner: "node_5003"})
	v := NewWalletVisitor(e)
	doc := mustDoc(t, v.Get(t, "/wallet"))
	if got := MustText(t, doc, "main"); !strings.Contains(got, "This node mines to node_5003: once it has mined a block") || strings.Contains(got, "node_5000") {
		t.Fatalf("fresh node's hint reads %q", got)
	}
	if n := doc.Find("#known").Length(); n != 0 {
		t.Fatalf("a fresh node offers addresses it does not know")
	}

	e.MustMine(t)
	e.MustPost(t, "node_5003", "<b>carol</b>", "0.05")
	e.MustMine(t)
	doc = mustDoc(t, v.Get(t, "/wallet"))
	if got := MustText(t, doc, "main"); !strings.Contains(got, "This node mines to node_5003: its rewards make a first wallet.") {
		t.Fatalf("hint reads %q", got)
	}
	var offered []string
	doc.Find(`#known button[name="address"]`).Each(func(_ int, s *goquery.Selection) {
		offered = append(offered, s.AttrOr("value", ""))
	})
	if want := []string{"node_5003", "<b>carol</b>"}; strings.Join(offered, "|") != strings.Join(want, "|") {
		t.Fatalf("offered %q, want %q", offered, want)
	}
	if got := MustText(t, doc, `#known button[value="node_5003"]`); got != "node_5003 (this node's miner)" {
		t.Fatalf("the miner's button reads %q", got)
	}
	rec := v.Post(t, "/wallet/login", url.Values{"address": {"<b>carol</b>"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("log in with an offered address: %d", rec.Code)
	}
	if got := MustText(t, mustDoc(t, v.Get(t, "/wallet")), "#address"); got != "<b>carol</b>" {
		t.Fatalf("the offered address opened %q", got)
	}
}
