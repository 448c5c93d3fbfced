package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/client"
)

// MustServe starts an httptest server answering every request with h and
// returns a client of it.
func MustServe(tb testing.TB, h http.HandlerFunc) *client.Client {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	c, err := client.New(srv.URL+"/", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int    // of the *client.Error; 0 for another kind of error
		message string // of the *client.Error
		refused bool
		is      error
	}{
		{
			name:    "Refusal",
			handler: answer(400, `{"message":"amount must be a positive number with at most 8 decimal places; got 0"}`+"\n"),
			status:  400, message: "amount must be a positive number with at most 8 decimal places; got 0", refused: true,
		},
		{
			name:    "NotFoundEscaped",
			handler: answer(404, `{"message":"A block is named by its height (1, 2, \u2026), not \"zz\"."}`),
			status:  404, message: `A block is named by its height (1, 2, …), not "zz".`, refused: true,
		},
		{
			name:    "RefusalWithoutJSON",
			handler: answer(404, "404 page not found\nmore\n"),
			status:  404, message: "404 page not found", refused: true,
		},
		{
			name:    "EmptyRefusal",
			handler: answer(403, ""),
			status:  403, message: "Forbidden", refused: true,
		},
		{
			name:    "ServerError",
			handler: answer(500, `{"message":"internal error"}`),
			status:  500, message: "internal error",
		},
		{
			name:    "Unavailable",
			handler: answer(503, `{"message":"the mempool is full"}`),
			status:  503, message: "the mempool is full",
		},
		{
			name:    "NotJSON",
			handler: answer(200, "<html>a proxy's page</html>"),
		},
		{
			name:    "TooLarge",
			handler: answer(200, `{"height":1,"tip_hash":"`+strings.Repeat("a", client.MaxAnswerBytes)+`"}`),
			is:      client.ErrTooLarge,
		},
		{
			name: "TooLargeUnannounced",
			handler: func(w http.ResponseWriter, r *http.Request) {
				// Chunked: no Content-Length to refuse it by.
				w.Write([]byte(`{"tip_hash":"`))
				w.(http.Flusher).Flush()
				w.Write([]byte(strings.Repeat("a", client.MaxAnswerBytes)))
			},
			is: client.ErrTooLarge,
		},
		{
			name: "Timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			is: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustServe(t, tt.handler)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			s, err := c.Status(ctx)
			if err == nil {
				t.Fatalf("Status()=%+v, want an error", s)
			}
			var ne *client.Error
			if got := errors.As(err, &ne); got != (tt.status != 0) {
				t.Fatalf("error %v (%T): *client.Error %v, want %v", err, err, got, tt.status != 0)
			}
			if ne != nil {
				if ne.Status != tt.status || ne.Message != tt.message || ne.Refused() != tt.refused {
					t.Fatalf("error %+v refused=%v; want status %d message %q refused=%v", *ne, ne.Refused(), tt.status, tt.message, tt.refused)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestRequests(t *testing.T) {
	type request struct{ method, uri, body string }
	tests := []struct {
		name   string
		answer string
		call   func(ctx context.Context, c *client.Client) (any, error)
		want   request
		check  func(t *testing.T, got any)
	}{
		{
			name:   "Status",
			answer: `{"height":3,"tip_hash":"ab","tip_timestamp":1727568000.5,"pending":2,"peers":1,"peers_by_state":{"ok":1}}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Status(ctx) },
			want:   request{"GET", "/api/status", ""},
			check: func(t *testing.T, got any) {
				s := got.(*client.Status)
				if s.Height != 3 || s.TipHash != "ab" || s.TipTimestamp != 1727568000.5 || s.Pending != 2 || s.PeersByState["ok"] != 1 {
					t.Fatalf("Status=%+v", s)
				}
			},
		},
		{
			name: "SendKeepsTheNumberAsTyped",
			answer: `{"message":"Transaction will be added to Block {3}","transaction_id":"` +
				strings.Repeat("f", 64) + `"}`,
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.Send(ctx, "alice", "bob", "0.10000000")
			},
			want: request{"POST", "/transactions/new", `{"sender":"alice","recipient":"bob","amount":0.10000000}`},
			check: func(t *testing.T, got any) {
				if s := got.(*client.Sent); s.TransactionID != strings.Repeat("f", 64) || s.Message != "Transaction will be added to Block {3}" {
					t.Fatalf("Sent=%+v", s)
				}
			},
		},
		{
			name:   "SendTransactionPostsItAsIs",
			answer: `{"message":"Transaction will be added to Block {3}","transaction_id":"ab"}`,
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.SendTransaction(ctx, json.RawMessage(`{"amount":0.10,"signature":"00","timestamp":1.5}`))
			},
			want: request{"POST", "/transactions/new", `{"amount":0.10,"signature":"00","timestamp":1.5}`},
			check: func(t *testing.T, got any) {
				if s := got.(*client.Sent); s.TransactionID != "ab" {
					t.Fatalf("Sent=%+v", s)
				}
			},
		},
		{
			name:   "MineTo",
			answer: `{"hash":"cd","index":4,"message":"new block found","nonce":7,"previous_hash":"ab","transactions":[{"amount":0.1,"recipient":"a b","sender":"master","timestamp":1.5}]}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Mine(ctx, "a b") },
			want:   request{"GET", "/mine?miner=a+b", ""},
			check: func(t *testing.T, got any) {
				if m := got.(*client.Mined); m.Index != 4 || m.Hash != "cd" || m.Transactions[0].Amount != "0.1" {
					t.Fatalf("Mined=%+v", m)
				}
			},
		},
		{
			name: "ChainSinceLimitWithHashes",
			// The genesis block every pyBTC node shares: previous_hash is a number.
			answer: `{"chain":[{"index":1,"nonce":100,"previous_hash":1,"timestamp":1727568000.0,"transactions":[]}],"length":9}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Chain(ctx, 2, 5) },
			want:   request{"GET", "/chain?limit=5&since=2", ""},
			check: func(t *testing.T, got any) {
				ch := got.(*client.Chain)
				if ch.Length != 9 || len(ch.Blocks) != 1 || ch.Blocks[0].PreviousHash != "1" || ch.Blocks[0].Hash != "6d1a2da9240a80ce413d9ee073a97cbe4485bf1979aa0f1b6549575228078f62" {
					t.Fatalf("Chain=%+v", ch)
				}
			},
		},
		{
			name:   "AddressEscaped",
			answer: `{"address":"a/b c","balance":0.25,"balance_sat":25000000}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Address(ctx, "a/b c") },
			want:   request{"GET", "/api/address/a%2Fb%20c", ""},
			check: func(t *testing.T, got any) {
				if a := got.(*client.Address); a.Balance != "0.25" || a.BalanceSat != "25000000" || string(a.Raw) == "" {
					t.Fatalf("Address=%+v", a)
				}
			},
		},
		{
			name:   "Transaction",
			answer: `{"id":"ab","amount":0.05,"status":"confirmed","block":3,"confirmations":2,"records":[{"id":"ab","status":"confirmed","block":3}]}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Transaction(ctx, "ab") },
			want:   request{"GET", "/api/tx/ab", ""},
			check: func(t *testing.T, got any) {
				if tx := got.(*client.TxInfo); tx.Block != 3 || tx.Amount != "0.05" || len(tx.Records) != 1 {
					t.Fatalf("TxInfo=%+v", tx)
				}
			},
		},
		{
			name:   "Block",
			answer: `{"height":2,"hash":"cd","transactions":1,"confirmations":1,"page":1,"pages":1,"transaction_list":[{"id":"ab","amount":0.1}]}`,
			call:   func(ctx context.Context, c *client.Client) (any, error) { return c.Block(ctx, "2") },
			want:   request{"GET", "/api/blocks/2", ""},
			check: func(t *testing.T, got any) {
				if b := got.(*client.BlockInfo); b.Height != 2 || b.TxCount != 1 || b.Pages != 1 || b.TxList[0].Amount != "0.1" {
					t.Fatalf("BlockInfo=%+v", b)
				}
			},
		},
		{
			name:   "RegisterPeers",
			answer: `{"message":"New nodes have been added","total_nodes":["127.0.0.1:1"]}`,
			call: func(ctx context.Context, c *client.Client) (any, error) {
				return c.RegisterPeers(ctx, "http://127.0.0.1:1")
			},
			want: request{"POST", "/nodes/register", `{"nodes":["http://127.0.0.1:1"]}`},
			check: func(t *testing.T, got any) {
				if r := got.(*client.Registered); r.Message != "New nodes have been added" || len(r.TotalNodes) != 1 {
					t.Fatalf("Registered=%+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got request
			c := MustServe(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got = request{r.Method, r.URL.RequestURI(), string(body)}
				if len(body) > 0 && r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("Content-Type=%q", r.Header.Get("Content-Type"))
				}
				answer(200, tt.answer)(w, r)
			})
			v, err := tt.call(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("request %+v, want %+v", got, tt.want)
			}
			tt.check(t, v)
		})
	}
}

// TestChainLimit takes a chain beyond the 1 MiB of other answers.
func TestChainLimit(t *testing.T) {
	tx := `{"amount":1,"recipient":"` + strings.Repeat("r", 100) + `","sender":"s","timestamp":1}`
	txs := strings.Repeat(tx+",", 2*client.MaxAnswerBytes/len(tx)) + tx
	c := MustServe(t, answer(200, `{"chain":[{"index":2,"nonce":1,"previous_hash":"x","timestamp":1,"transactions":[`+txs+`]}],"length":2}`))
	ch, err := c.Chain(t.Context(), 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ch.Blocks[0].Transactions), 2*client.MaxAnswerBytes/len(tx)+1; got != want {
		t.Fatalf("%d transactions, want %d", got, want)
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0.05", true}, {"0.10", true}, {"3", true}, {"0", true}, {"-1", true}, {"100000000", true},
		{"", false}, {"1e3", false}, {".5", false}, {"5.", false}, {"01", false}, {"0x10", false},
		{"1,5", false}, {" 1", false}, {"NaN", false}, {"+1", false},
	}
	for _, tt := range tests {
		got, err := client.ParseAmount(tt.in)
		if (err == nil) != tt.ok {
			t.Fatalf("ParseAmount(%q): err %v, want ok=%v", tt.in, err, tt.ok)
		}
		if tt.ok && got != json.Number(tt.in) {
			t.Fatalf("ParseAmount(%q)=%q, want it unchanged", tt.in, got)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"http://127.0.0.1:5000", "http://127.0.0.1:5000"},
		{"http://127.0.0.1:5000/", "http://127.0.0.1:5000"},
		{"https://node.example/pybtc/", "https://node.example/pybtc"},
		{"127.0.0.1:5000", ""},
		{"ftp://x", ""},
		{"http://", ""},
		{"http://x/?a=1", ""},
	}
	for _, tt := range tests {
		c, err := client.New(tt.in, nil)
		if tt.want == "" {
			if err == nil {
				t.Fatalf("New(%q) accepted, want an error", tt.in)
			}
			continue
		}
		if err != nil || c.URL() != tt.want {
			t.Fatalf("New(%q): %v, %v; want %q", tt.in, c, err, tt.want)
		}
	}
}

// TestUnreachable gets a transport error, not a *client.Error.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c, err := client.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Peers(t.Context())
	var ne *client.Error
	if err == nil || errors.As(err, &ne) {
		t.Fatalf("Peers on a closed server: %v, want a connection error", err)
	}
}
