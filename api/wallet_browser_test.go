package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/internal/browsertest"
	pykeys "github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/wire"
)

// keyVectors is keys/testdata/key-vectors.json, the parts the browser
// checks.
type keyVectors struct {
	Addresses []struct {
		PrivateKey string `json:"private_key"`
		PublicKey  string `json:"public_key"`
		Address    string `json:"address"`
	} `json:"addresses"`
	Transactions []struct {
		Transaction   json.RawMessage `json:"transaction"`
		SignedMessage string          `json:"signed_message"`
		Signature     string          `json:"signature"`
	} `json:"transactions"`
	InvalidAddresses []struct {
		Address string `json:"address"`
		Why     string `json:"why"`
	} `json:"invalid_addresses"`
}

func mustKeyVectors(t *testing.T) keyVectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "keys", "testdata", "key-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v keyVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Addresses) == 0 || len(v.Transactions) == 0 || len(v.InvalidAddresses) == 0 {
		t.Fatalf("key vectors hold %d addresses, %d transactions, %d invalid addresses", len(v.Addresses), len(v.Transactions), len(v.InvalidAddresses))
	}
	return v
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// jsValue writes v as a JavaScript expression for wallet.js's canonical
// JSON: each number as K.numberOf of its text as written, so that the
// page, not Go, decides its Python form.
func jsValue(v wire.Value) string {
	switch v.Kind {
	case wire.Null:
		return "null"
	case wire.Bool:
		return strconv.FormatBool(v.Bool)
	case wire.Number:
		return "K.numberOf(" + jsString(v.Num.WrittenText()) + ")"
	case wire.String:
		return jsString(v.Str)
	case wire.Array:
		parts := make([]string, len(v.Arr))
		for i, x := range v.Arr {
			parts[i] = jsValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case wire.Object:
		parts := make([]string, len(v.Obj))
		for i, m := range v.Obj {
			parts[i] = jsString(m.Key) + ": " + jsValue(m.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	panic("jsValue: kind " + v.Kind.String())
}

// evalKeys evaluates expr in the page with K = window.pybtcKeys, awaiting
// a promise.
func evalKeys[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](`(async () => { const K = window.pybtcKeys; return `+expr+`; })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.200s: %v", expr, err)
	}
	return v
}

// TestKeyWalletScriptMatchesGo checks wallet.js against the Go side of
// rule K in Chromium: its bech32m against the key vectors and
// keys.ParseAddress, its canonical JSON against wire.AppendCanonical for
// the values where Python's json.dumps is easy to miss (a Korean
// recipient, 0.00001 written 1e-05, astral characters, key order, big
// and tiny floats), and its Ed25519 signatures against the vectors.
func TestKeyWalletScriptMatchesGo(t *testing.T) {
	vec := mustKeyVectors(t)
	e := MustOpenEnv(t, node.Config{})
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t, browsertest.WithTimeout(60*time.Second))
	if status := browsertest.Navigate(t, ctx, srv.URL+"/wallet"); status != http.StatusOK {
		t.Fatalf("/wallet: status %d", status)
	}

	t.Run("Addresses", func(t *testing.T) {
		for _, a := range vec.Addresses {
			if got := evalKeys[string](t, ctx, "K.encodeAddress(Uint8Array.from("+jsString(a.PublicKey)+".match(/../g), h => parseInt(h, 16)))"); got != a.Address {
				t.Errorf("encodeAddress(%s) = %s, want %s", a.PublicKey, got, a.Address)
			}
			if got := evalKeys[string](t, ctx, "K.hex(K.decodeAddress("+jsString(a.Address)+"))"); got != a.PublicKey {
				t.Errorf("decodeAddress(%s) = %s, want %s", a.Address, got, a.PublicKey)
			}
		}
		for _, a := range vec.InvalidAddresses {
			if got := evalKeys[bool](t, ctx, "K.decodeAddress("+jsString(a.Address)+") === null"); !got {
				t.Errorf("decodeAddress(%s) takes an invalid address (%s)", a.Address, a.Why)
			}
			if _, err := pykeys.ParseAddress(a.Address); err == nil {
				t.Errorf("keys.ParseAddress(%s) takes it, the page refuses it", a.Address)
			}
		}
	})

	t.Run("Transactions", func(t *testing.T) {
		for i, tc := range vec.Transactions {
			tx, err := wire.Parse(tc.Transaction)
			if err != nil {
				t.Fatal(err)
			}
			var members []wire.Member
			var sender string
			for _, m := range tx.Obj {
				if m.Key == "sender" {
					sender = m.Value.Str
				}
				if m.Key != "signature" {
					members = append(members, m)
				}
			}
			if got := evalKeys[string](t, ctx, "K.canonical("+jsValue(wire.Value{Kind: wire.Object, Obj: members})+")"); got != tc.SignedMessage {
				t.Errorf("transaction %d: the page signs\n%s\nwant\n%s", i, got, tc.SignedMessage)
			}
			seed := ""
			for _, a := range vec.Addresses {
				if a.Address == sender {
					seed = a.PrivateKey
				}
			}
			sig := evalKeys[string](t, ctx, "K.signHex(await K.importKey("+jsString(sender)+", "+jsString(seed)+"), "+jsString(tc.SignedMessage)+")")
			if sig != tc.Signature {
				t.Errorf("transaction %d: the page's signature %s, want %s", i, sig, tc.Signature)
			}
		}
	})

	t.Run("TrickyValues", func(t *testing.T) {
		for _, text := range []string{
			`{"sender": "pb132yw8ht5p8cetl2jmvknewjawt9xwzdlrk2pyxlnwjyqrdq0dawqnt9k0q", "recipient": "김철수", "amount": 0.00001, "timestamp": 1796078802.5}`,
			`{"recipient": "😀 \"quoted\" back\\slash \n\r\t\b\f \u0001 \u007f é \u2028", "amount": 100.0, "timestamp": 1796078800.0}`,
			`{"a": 1e16, "b": 10000000000000000.0, "c": 1e15, "d": 0.0001, "e": 123456789012345678901234567890, "f": -0.0, "g": 0.1, "h": 1.5e-7, "i": 5e-324, "j": 1.7976931348623157e308, "k": [true, false, null, "x", -0], "l": {"z": 1, "a": 2.50}}`,
			`{"é": 1, "z": 2, "😀": 3, "\uffff": 4, "A": 5, "": 6}`,
			`{"amount": 12345678.12345678, "x": 0.30000000000000004, "y": 1e-4, "z": 99999999.99999999}`,
		} {
			v, err := wire.Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			want := string(wire.AppendCanonical(nil, v))
			if got := evalKeys[string](t, ctx, "K.canonical("+jsValue(v)+")"); got != want {
				t.Errorf("canonical of %s:\npage %s\nGo   %s", text, got, want)
			}
		}
	})

	t.Run("Floats", func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 11))
		var texts, want []string
		for len(texts) < 2000 {
			var f float64
			if len(texts)%2 == 0 {
				f = math.Float64frombits(r.Uint64())
			} else {
				f = r.Float64() * math.Pow10(r.IntN(50)-25)
			}
			if math.IsNaN(f) || math.IsInf(f, 0) {
				continue
			}
			texts = append(texts, strconv.FormatFloat(f, 'g', -1, 64))
			want = append(want, wire.FormatFloat(f))
		}
		js, _ := json.Marshal(texts)
		got := evalKeys[[]string](t, ctx, string(js)+".map(s => K.pyFloat(Number(s)))")
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("pyFloat(%s) = %s, want %s", texts[i], got[i], want[i])
			}
		}
	})
	browsertest.NoJSErrors(t, ctx)
	browsertest.NoCSPViolations(t, ctx)
}

// seenRequest is one request the node received, whole.
type seenRequest struct {
	Method, URL string
	Header      http.Header
	Body        []byte
}

// requestLog keeps every request a handler receives.
type requestLog struct {
	mu   sync.Mutex
	reqs []seenRequest
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		l.mu.Lock()
		l.reqs = append(l.reqs, seenRequest{r.Method, r.URL.String(), r.Header.Clone(), body})
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) all() []seenRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]seenRequest(nil), l.reqs...)
}

// posts returns the bodies of the POSTs to path, oldest first.
func (l *requestLog) posts(path string) [][]byte {
	var out [][]byte
	for _, r := range l.all() {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL, path) {
			out = append(out, r.Body)
		}
	}
	return out
}

// waitTrue polls the boolean JavaScript expression until it holds; an
// error (a page that is navigating) counts as not yet.
func waitTrue(t *testing.T, ctx context.Context, expr, what string) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(browsertest.WaitTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
	}
	t.Fatalf("%s: not after %s (last error: %v)", what, browsertest.WaitTimeout, err)
}

func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("click %s: %v", selector, err)
	}
}

// keyReady is true on the wallet page of address once the page holds its
// key.
func keyReady(address string) string {
	return `location.pathname === "/wallet" && document.getElementById("address") !== null && document.getElementById("address").textContent === ` +
		jsString(address) + ` && document.getElementById("key-status") !== null && !document.getElementById("key-status").hidden && !document.getElementById("send-fields").disabled`
}

// pay fills the key address's send form and waits for the page to show
// the node's answer; it returns the text shown and whether it was a
// success.
func pay(t *testing.T, ctx context.Context, recipient, amount string) (string, bool) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#send input[name="recipient"]`), recipient),
		chromedp.SetValue(chromedp.CSS(`#send input[name="amount"]`), amount),
		chromedp.Click(chromedp.CSS(`#send button[type="submit"]`)),
	); err != nil {
		t.Fatalf("pay %s %s: %v", recipient, amount, err)
	}
	// The payment is shown to confirm, with its amount and recipient,
	// before it is signed.
	waitTrue(t, ctx, `!document.getElementById("key-confirm").hidden`, "the payment shown to confirm")
	if text := browsertest.Text(t, ctx, "#key-confirm-text"); !strings.Contains(text, amount) || !strings.Contains(text, recipient) {
		t.Fatalf("the confirmation says %q, want %s and %s", text, amount, recipient)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#key-confirm-yes`))); err != nil {
		t.Fatalf("confirm %s %s: %v", recipient, amount, err)
	}
	waitTrue(t, ctx, `!document.getElementById("key-result").hidden || !document.getElementById("key-error").hidden`, "the node's answer shown")
	if ok := evalKeys[bool](t, ctx, `!document.getElementById("key-result").hidden`); ok {
		return browsertest.Text(t, ctx, "#key-result"), true
	}
	return browsertest.Text(t, ctx, "#key-error"), false
}

// TestWalletKeyAddressInBrowser is the key wallet end to end in
// Chromium: the page makes a key address and its key file, the address
// receives coins, the page signs a payment that the node verifies,
// logging out forgets the key, the key file loads it back, and the page
// pays again. No request the node receives carries the key.
func TestWalletKeyAddressInBrowser(t *testing.T) {
	vec := mustKeyVectors(t)
	e := MustOpenWalletEnv(t, node.Config{})
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(e.Handler))
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t, browsertest.WithTimeout(120*time.Second))
	downloads := t.TempDir()
	if _, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}

	// Create.
	if status := browsertest.Navigate(t, ctx, srv.URL+"/wallet"); status != http.StatusOK {
		t.Fatalf("/wallet: status %d", status)
	}
	click(t, ctx, "#key-new")
	waitTrue(t, ctx, `!document.getElementById("key-created").hidden`, "the new key address shown")
	addr := browsertest.Text(t, ctx, "#key-address")
	if _, err := pykeys.ParseAddress(addr); err != nil {
		t.Fatalf("the page made address %q: %v", addr, err)
	}
	browsertest.Screenshot(t, ctx, "wallet-key-created")
	if evalKeys[bool](t, ctx, `!document.getElementById("key-open").disabled`) {
		t.Fatalf("the wallet opens before the key file is downloaded")
	}

	// Download the key file.
	click(t, ctx, "#key-download")
	keyPath := filepath.Join(downloads, addr+".key.json")
	var keyFile []byte
	var seed []byte
	for deadline := time.Now().Add(browsertest.WaitTimeout); ; time.Sleep(50 * time.Millisecond) {
		data, err := os.ReadFile(keyPath)
		if err == nil {
			priv, got, perr := pykeys.ParseKeyFile(data)
			if perr == nil {
				if got != addr {
					t.Fatalf("the key file is the key of %s, the page shows %s", got, addr)
				}
				keyFile, seed = data, priv.Seed()
				break
			}
			err = perr
		}
		if time.Now().After(deadline) {
			names, _ := filepath.Glob(filepath.Join(downloads, "*"))
			t.Fatalf("no key file %s after %s: %v (downloads: %v)", keyPath, browsertest.WaitTimeout, err, names)
		}
	}
	if _, _, err := pykeys.ParseKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}

	// Open its wallet: unseen, empty, and the page holds the key.
	click(t, ctx, "#key-open")
	waitTrue(t, ctx, keyReady(addr), "the key address's wallet, ready to sign")
	if got := browsertest.Text(t, ctx, "#key-note"); !strings.Contains(got, "Only its key can spend") {
		t.Fatalf("the key address's page says %q", got)
	}

	// Receive: the node mines three blocks to the key address.
	for range 3 {
		if _, err := e.Node.Mine(t.Context(), addr); err != nil {
			t.Fatal(err)
		}
	}
	browsertest.Navigate(t, ctx, srv.URL+"/wallet")
	waitTrue(t, ctx, keyReady(addr), "the funded wallet, ready to sign")
	if got := browsertest.Text(t, ctx, "#balance"); got != "0.3 pyBTC" {
		t.Fatalf("balance %q, want 0.3 pyBTC", got)
	}

	// Pay, signed in the page.
	said, ok := pay(t, ctx, "김철수", "0.00001")
	if !ok || !strings.Contains(said, "Signed and sent") {
		t.Fatalf("first payment: the page says %q", said)
	}
	browsertest.WaitText(t, ctx, "#history", "김철수")
	posted := log.posts("/transactions/new")
	if len(posted) != 1 {
		t.Fatalf("%d posts to /transactions/new, want 1", len(posted))
	}
	checkSignedPost(t, posted[0], addr, "김철수", "0.00001")
	href := evalKeys[string](t, ctx, `document.querySelector("#key-result a").getAttribute("href")`)
	checkStoredSignature(t, e, strings.TrimPrefix(href, "/scan/tx/"))

	// A payment the node refuses shows its sentence.
	said, ok = pay(t, ctx, "bob", "5")
	if ok || !strings.Contains(said, "The node refused the payment:") {
		t.Fatalf("an overdraft: the page says %q (success %v)", said, ok)
	}

	// Log out: the key leaves the browser.
	click(t, ctx, "#logout")
	waitTrue(t, ctx, `document.getElementById("key-new") !== null`, "the login page after logout")
	stored := evalKeys[int](t, ctx, `new Promise((resolve, reject) => {
		const q = indexedDB.open("pybtc-wallet", 1);
		q.onerror = () => reject(q.error);
		q.onsuccess = () => { const c = q.result.transaction("keys").objectStore("keys").count(); c.onsuccess = () => { q.result.close(); resolve(c.result); }; };
	})`)
	if stored != 0 {
		t.Fatalf("%d keys stay in the browser after logout", stored)
	}

	// A key file whose seed is not its address's key is refused.
	forged := filepath.Join(t.TempDir(), "forged.key.json")
	if err := os.WriteFile(forged, fmt.Appendf(nil, `{"address": %q, "seed": %q}`, vec.Addresses[0].Address, vec.Addresses[1].PrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#key-file"), []string{forged})); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitText(t, ctx, "#key-error", "is not the key of its address")

	// Load the key file back and pay again.
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#key-file"), []string{keyPath})); err != nil {
		t.Fatal(err)
	}
	waitTrue(t, ctx, keyReady(addr), "the wallet of the loaded key file, ready to sign")
	said, ok = pay(t, ctx, "bob", "0.05")
	if !ok {
		t.Fatalf("second payment: the page says %q", said)
	}
	posted = log.posts("/transactions/new")
	checkSignedPost(t, posted[len(posted)-1], addr, "bob", "0.05")
	if _, err := e.Node.Mine(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	checkChainSignatures(t, e, addr, 2)

	browsertest.Screenshot(t, ctx, "wallet-key-paid")

	// The key never reached the node, in any form.
	secrets := []string{
		hex.EncodeToString(seed), strings.ToUpper(hex.EncodeToString(seed)),
		base64.RawURLEncoding.EncodeToString(seed), base64.StdEncoding.EncodeToString(seed),
	}
	for _, r := range log.all() {
		seen := r.Method + " " + r.URL + "\n" + fmt.Sprint(r.Header) + "\n" + string(r.Body)
		for _, s := range secrets {
			if strings.Contains(seen, s) {
				t.Fatalf("the node received the key (%s) in %s %s", s, r.Method, r.URL)
			}
		}
	}
	browsertest.NoJSErrors(t, ctx)
	browsertest.NoCSPViolations(t, ctx)
}

// checkSignedPost checks a body the page posted to /transactions/new: a
// payment from addr with its own timestamp and a signature that Go's
// rule K accepts, with the amount as typed.
func checkSignedPost(t *testing.T, body []byte, addr, recipient, amount string) {
	t.Helper()
	tx, err := wire.Parse(body)
	if err != nil {
		t.Fatalf("posted %s: %v", body, err)
	}
	get := func(key string) wire.Value { v, _ := tx.Get(key); return v }
	if get("sender").Str != addr || get("recipient").Str != recipient || get("amount").Num.WrittenText() != amount ||
		get("timestamp").Kind != wire.Number || len(get("signature").Str) != pykeys.SignatureLen {
		t.Fatalf("posted %s, want a payment of %s from %s to %s with timestamp and signature", body, amount, addr, recipient)
	}
	if err := pykeys.VerifyTransactionJSON(body); err != nil {
		t.Fatalf("posted %s: %v", body, err)
	}
}

// checkStoredSignature checks that the node keeps transaction id with
// its signature, as rule K says it must: in the mempool, and in the
// block that confirms it, as /chain serves it.
func checkStoredSignature(t *testing.T, e *Env, id string) {
	t.Helper()
	pending, err := e.DB.Pending(t.Context(), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, tx := range pending {
		if tx.ID == id {
			raw = tx.Raw
		}
	}
	switch {
	case raw == nil:
		t.Errorf("transaction %s is not in the mempool", id)
	case !bytes.Contains(raw, []byte(`"signature"`)):
		t.Errorf("the mempool holds %s without its signature (rule K keeps it)", raw)
	default:
		if err := pykeys.VerifyTransactionJSON(raw); err != nil {
			t.Errorf("the mempool holds %s: %v", raw, err)
		}
	}
}

// checkChainSignatures checks that every transaction from addr in the
// chain, as GET /chain serves it, carries a signature rule K accepts, and
// that there are want of them.
func checkChainSignatures(t *testing.T, e *Env, addr string, want int) {
	t.Helper()
	rec := e.Do(t, "GET", "/chain", "")
	var chain struct {
		Chain []struct {
			Transactions []json.RawMessage `json:"transactions"`
		} `json:"chain"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &chain); err != nil {
		t.Fatalf("/chain: %v", err)
	}
	n := 0
	for _, b := range chain.Chain {
		for _, raw := range b.Transactions {
			var tx struct{ Sender string }
			if json.Unmarshal(raw, &tx) != nil || tx.Sender != addr {
				continue
			}
			n++
			if !bytes.Contains(raw, []byte(`"signature"`)) {
				t.Errorf("/chain serves %s without its signature (rule K keeps it)", raw)
			} else if err := pykeys.VerifyTransactionJSON(raw); err != nil {
				t.Errorf("/chain serves %s: %v", raw, err)
			}
		}
	}
	if n != want {
		t.Errorf("/chain holds %d payments from %s, want %d", n, addr, want)
	}
}
