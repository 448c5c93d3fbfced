package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// Env is a node wired as in production, on a temporary database, whose
// HTTP handler tests call directly.
type Env struct {
	DB      *store.DB
	Node    *node.Node
	Server  *api.Server
	Handler http.Handler
}

// MustOpenEnv opens a store, a node paying "miner", and the API handler.
func MustOpenEnv(tb testing.TB, cfg node.Config) *Env {
	tb.Helper()
	return mustOpenEnvAt(tb, filepath.Join(tb.TempDir(), "node.db"), cfg)
}

func mustOpenEnvAt(tb testing.TB, path string, cfg node.Config, pragmas ...string) *Env {
	tb.Helper()
	ctx := context.Background()
	db := store.NewDB(path)
	db.Pragmas = pragmas
	if err := db.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if cfg.Miner == "" {
		cfg.Miner = "miner"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := node.New(db, cfg)
	if err := n.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(n.Close)
	s := &api.Server{Chain: db, Explorer: db, Node: n, Logger: cfg.Logger}
	return &Env{DB: db, Node: n, Server: s, Handler: s.Handler()}
}

// Do sends a request through the handler and returns the recorder.
func (e *Env) Do(tb testing.TB, method, target, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return rec
}

// serve sends req through e's handler.
func serve(e *Env, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return rec
}

// MustMine mines one block through the API.
func (e *Env) MustMine(tb testing.TB) {
	tb.Helper()
	if rec := e.Do(tb, "GET", "/mine", ""); rec.Code != http.StatusOK {
		tb.Fatalf("GET /mine: status %d: %s", rec.Code, rec.Body)
	}
}

func message(tb testing.TB, rec *httptest.ResponseRecorder) string {
	tb.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		tb.Fatalf("body %q is not a JSON object: %v", rec.Body, err)
	}
	return m.Message
}

func TestIndex(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	rec := e.Do(t, "GET", "/", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200", rec.Code)
	}
	if got, want := rec.Body.String(), "Welcome to the Blockchain API. Use /chain to view the chain, /mine to mine a block, or /transactions/new to create a transaction."; got != want {
		t.Fatalf("body=%q, want %q", got, want)
	}
}

func TestIndexForBrowsers(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	rec := serve(e, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET / for a browser: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{consensus.GenesisHash, `href="/static/style.css"`, `href="/scan/block/1">1</a>`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Fatalf("home page lacks %q", want)
		}
	}
	css := e.Do(t, "GET", "/static/style.css", "")
	if css.Code != http.StatusOK || !strings.Contains(css.Body.String(), "font-family") {
		t.Fatalf("GET /static/style.css: %d", css.Code)
	}
	if rec := e.Do(t, "GET", "/static/nope.css", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("missing static file: %d, want 404", rec.Code)
	}
}

func TestChain(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	t.Run("Genesis", func(t *testing.T) {
		rec := e.Do(t, "GET", "/chain", "")
		want := `{"chain":[{"index":1,"nonce":100,"previous_hash":1,"timestamp":1727568000.0,"transactions":[]}],"length":1}` + "\n"
		if got := rec.Body.String(); rec.Code != 200 || got != want {
			t.Fatalf("GET /chain = %d %q, want 200 %q", rec.Code, got, want)
		}
		if got := rec.Header().Get("Content-Type"); got != "application/json" {
			t.Fatalf("Content-Type=%q", got)
		}
	})
	e.MustMine(t)
	e.MustMine(t)
	t.Run("Validates", func(t *testing.T) {
		v, err := wire.Parse(e.Do(t, "GET", "/chain", "").Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		chain, _ := v.Get("chain")
		if _, err := consensus.ValidateChain(wire.Blocks(chain.Arr), 1e12); err != nil {
			t.Fatalf("served chain does not validate: %v", err)
		}
		if got, want := len(chain.Arr), 3; got != want {
			t.Fatalf("len=%d, want %d", got, want)
		}
	})
	t.Run("Since", func(t *testing.T) {
		v, err := wire.Parse(e.Do(t, "GET", "/chain?since=3", "").Body.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		chain, _ := v.Get("chain")
		length, _ := v.Get("length")
		if len(chain.Arr) != 1 || length.Num.Text != "3" {
			t.Fatalf("since=3: %d blocks, length %s; want 1 block, length 3", len(chain.Arr), length.Num.Text)
		}
		first, _ := chain.Arr[0].Get("index")
		if first.Num.Text != "3" {
			t.Fatalf("first index=%s, want 3", first.Num.Text)
		}
	})
	for _, bad := range []string{"0", "-1", "x", "99999999999999999999"} {
		t.Run("BadSince"+bad, func(t *testing.T) {
			if rec := e.Do(t, "GET", "/chain?since="+bad, ""); rec.Code != http.StatusBadRequest {
				t.Fatalf("status=%d, want 400", rec.Code)
			}
		})
	}
}

func TestMine(t *testing.T) {
	e := MustOpenEnv(t, node.Config{Miner: "node_5000"})
	rec := e.Do(t, "GET", "/mine", "")
	var got struct {
		Message      string
		Index        int
		Nonce        int64
		PreviousHash string `json:"previous_hash"`
		Transactions []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("GET /mine = %d %s (%v)", rec.Code, rec.Body, err)
	}
	if got.Message != "new block found" || got.Index != 2 || got.PreviousHash != consensus.GenesisHash {
		t.Fatalf("mine answered %+v", got)
	}
	if !consensus.ValidProof(consensus.GenesisNonce, got.Nonce) {
		t.Fatalf("nonce %d is not a proof of work", got.Nonce)
	}
	cb := got.Transactions[len(got.Transactions)-1]
	if cb["sender"] != "master" || cb["recipient"] != "node_5000" || cb["amount"] != 0.1 {
		t.Fatalf("coinbase=%v", cb)
	}
	t.Run("MinerParam", func(t *testing.T) {
		rec := e.Do(t, "GET", "/mine?miner=alice", "")
		if !strings.Contains(rec.Body.String(), `"recipient":"alice","sender":"master"`) {
			t.Fatalf("coinbase does not pay alice: %s", rec.Body)
		}
	})
	t.Run("BadMinerParam", func(t *testing.T) {
		rec := e.Do(t, "GET", "/mine?miner=a%07b", "")
		if rec.Code != http.StatusBadRequest || !strings.Contains(message(t, rec), "miner") {
			t.Fatalf("GET /mine?miner=a\\x07b = %d %s, want 400 naming miner", rec.Code, rec.Body)
		}
	})
}

func TestNewTransaction(t *testing.T) {
	e := MustOpenEnv(t, node.Config{Miner: "alice"})
	e.MustMine(t) // alice has 0.1

	t.Run("Accepted", func(t *testing.T) {
		rec := e.Do(t, "POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 0.04}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("status=%d %s, want 201", rec.Code, rec.Body)
		}
		if got, want := message(t, rec), "Transaction will be added to Block {3}"; got != want {
			t.Fatalf("message=%q, want %q", got, want)
		}
	})
	t.Run("ContentTypeIgnored", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/transactions/new", strings.NewReader(`{"sender": "alice", "recipient": "bob", "amount": 0.01}`))
		req.Header.Set("Content-Type", "text/plain")
		rec := httptest.NewRecorder()
		e.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("status=%d %s, want 201", rec.Code, rec.Body)
		}
	})

	big := `{"sender": "` + strings.Repeat("a", 1<<20) + `", "recipient": "b", "amount": 1}`
	refused := []struct {
		name, body, field string
		status            int
	}{
		{"InvalidJSON", `{"sender": "alice",`, "JSON", 400},
		{"Array", `[{"sender": "alice", "recipient": "bob", "amount": 1}]`, "JSON object", 400},
		{"MissingSender", `{"recipient": "bob", "amount": 1}`, "sender", 400},
		{"MissingRecipient", `{"sender": "alice", "amount": 1}`, "recipient", 400},
		{"MissingAmount", `{"sender": "alice", "recipient": "bob"}`, "amount", 400},
		{"AmountString", `{"sender": "alice", "recipient": "bob", "amount": "0.01"}`, "amount", 400},
		{"AmountZero", `{"sender": "alice", "recipient": "bob", "amount": 0}`, "amount", 400},
		{"AmountNegative", `{"sender": "alice", "recipient": "bob", "amount": -0.01}`, "amount", 400},
		{"AmountNaN", `{"sender": "alice", "recipient": "bob", "amount": NaN}`, "amount", 400},
		{"AmountInfinity", `{"sender": "alice", "recipient": "bob", "amount": Infinity}`, "amount", 400},
		{"AmountOverflow", `{"sender": "alice", "recipient": "bob", "amount": 1e400}`, "amount", 400},
		{"NineDecimals", `{"sender": "alice", "recipient": "bob", "amount": 0.000000001}`, "8 decimal places", 400},
		{"TooLarge", `{"sender": "alice", "recipient": "bob", "amount": 100000001}`, "amount", 400},
		{"SenderMaster", `{"sender": "master", "recipient": "bob", "amount": 0.01}`, "sender", 400},
		{"RecipientMaster", `{"sender": "alice", "recipient": "master", "amount": 0.01}`, "recipient", 400},
		{"DecimalsBeyondFloat", `{"sender": "alice", "recipient": "bob", "amount": 0.01000000000000000001}`, "8 decimal places", 400},
		{"TypeNotSharing", `{"sender": "alice", "recipient": "bob", "amount": 0.01, "type": "gift"}`, "type", 400},
		{"ControlCharacter", `{"sender": "ali\u0007ce", "recipient": "bob", "amount": 0.01}`, "sender", 400},
		{"NewlineInRecipient", `{"sender": "alice", "recipient": "b\nob", "amount": 0.01}`, "recipient", 400},
		{"EmptyRecipient", `{"sender": "alice", "recipient": "", "amount": 0.01}`, "recipient", 400},
		{"LongSender", `{"sender": "` + strings.Repeat("x", 129) + `", "recipient": "bob", "amount": 0.01}`, "sender", 400},
		{"InvalidUTF8", "{\"sender\": \"al\xffice\", \"recipient\": \"bob\", \"amount\": 0.01}", "JSON", 400},
		{"Overdraft", `{"sender": "alice", "recipient": "bob", "amount": 0.06}`, "amount", 400},
		{"OverdraftNeverSeen", `{"sender": "mallory", "recipient": "bob", "amount": 1}`, "mallory", 400},
		{"MegabyteSender", big, "body", 413},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := mempoolSize(t, e)
			rec := e.Do(t, "POST", "/transactions/new", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status=%d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if msg := message(t, rec); !strings.Contains(msg, tt.field) {
				t.Fatalf("message %q does not name %q", msg, tt.field)
			}
			if after := mempoolSize(t, e); after != before {
				t.Fatalf("mempool grew from %d to %d on a refused request", before, after)
			}
		})
	}
	t.Run("MinedKeepsNumbersAsTheyCame", func(t *testing.T) {
		e := MustOpenEnv(t, node.Config{AllowOverdraft: true})
		for _, amount := range []string{"3", "3.0", "1.50"} {
			if rec := e.Do(t, "POST", "/transactions/new", `{"sender": "s", "recipient": "r", "amount": `+amount+`}`); rec.Code != 201 {
				t.Fatalf("amount %s: status %d %s", amount, rec.Code, rec.Body)
			}
		}
		rec := e.Do(t, "GET", "/mine", "")
		for _, want := range []string{`"amount":3,`, `"amount":3.0,`, `"amount":1.5,`} {
			if !strings.Contains(rec.Body.String(), want) {
				t.Fatalf("mined block %s lacks %s", rec.Body, want)
			}
		}
	})
}

func mempoolSize(tb testing.TB, e *Env) int64 {
	tb.Helper()
	n, err := e.DB.PendingCount(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestUnknownRoute(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for _, tt := range []struct{ method, path string }{{"GET", "/nope"}, {"POST", "/chain"}, {"DELETE", "/mine"}} {
		rec := e.Do(t, tt.method, tt.path, "")
		if rec.Code < 400 || rec.Code > 499 {
			t.Fatalf("%s %s: status %d, want 4xx", tt.method, tt.path, rec.Code)
		}
		if msg := message(t, rec); msg == "" {
			t.Fatalf("%s %s: empty message", tt.method, tt.path)
		}
	}
}

func TestChainStreamsFromRealServer(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	srv := httptest.NewServer(e.Handler)
	defer srv.Close()
	e.MustMine(t)
	resp, err := http.Get(srv.URL + "/chain")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var got struct {
		Chain  []json.RawMessage
		Length int
	}
	if err := json.Unmarshal(body, &got); err != nil || got.Length != 2 || len(got.Chain) != 2 {
		t.Fatalf("chain over HTTP: %s (%v)", body, err)
	}
}
