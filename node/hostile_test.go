package node_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// TestHostilePeers serves, over real HTTP, answers a hostile or broken peer
// could give. Each must leave the chain as it was and end within the
// client's limits.
func TestHostilePeers(t *testing.T) {
	g := consensustest.NewGenerator(t)
	for i := 2; i <= 5; i++ {
		g.NextBlock(fmt.Sprintf("h%d", i))
	}
	chainWith := func(mutate func(chain []wire.Value)) string {
		chain := g.Chain("h5")
		mutate(chain)
		var b strings.Builder
		b.WriteString(`{"chain":[`)
		for i, v := range chain {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(wire.AppendCompact(nil, v))
		}
		fmt.Fprintf(&b, `],"length":%d}`, len(chain))
		return b.String()
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error // nil: any error
		code    consensus.ErrorCode
	}{
		{"ErrBadProof", serve(chainWith(func(c []wire.Value) { consensustest.Set(&c[4], "nonce", wire.IntValue(7)) })), nil, consensus.ErrBadProof},
		{"ErrBadPrevHash", serve(chainWith(func(c []wire.Value) {
			consensustest.Set(&c[3], "previous_hash", wire.StringValue(strings.Repeat("0", 64)))
		})), nil, consensus.ErrBadPrevHash},
		{"ErrBadIndex", serve(chainWith(func(c []wire.Value) { consensustest.Set(&c[4], "index", wire.IntValue(9)) })), nil, consensus.ErrBadIndex},
		{"SecondCoinbase", serve(chainWith(func(c []wire.Value) {
			txs := consensustest.Txs(&c[4])
			txs.Arr = append([]wire.Value{txs.Arr[len(txs.Arr)-1]}, txs.Arr...)
		})), nil, consensus.ErrBadCoinbase},
		{"GarbageJSON", serve(`{"chain": [{"index": 1,,,]`), peer.ErrMalformed, -1},
		{"NotAChain", serve(`[1, 2, 3]`), peer.ErrMalformed, -1},
		{"LengthLies", serve(`{"chain": [], "length": 99}`), nil, -1},
		{"HundredMegabytes", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"length": 1, "padding": "`))
			chunk := []byte(strings.Repeat("x", 1<<16))
			for written := 0; written < 100<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, peer.ErrTooLarge, -1},
		// Blocks are checked as they arrive: the first bad one ends the
		// answer long before its size does.
		{"HundredMegabytesOfBadBlocks", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"chain": [`))
			chunk := []byte(strings.Repeat(`{"index": 1},`, 8000))
			for written := 0; written < 100<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, nil, -1},
		{"NeverAnswers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, context.DeadlineExceeded, -1},
		{"TricklesForever", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"chain": [`))
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
					w.Write([]byte(" "))
					w.(http.Flusher).Flush()
				}
			}
		}, context.DeadlineExceeded, -1},
		{"ServerError", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, peer.ErrStatus, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			defer srv.CloseClientConnections()
			client := peer.NewClient()
			client.ChainTimeout = time.Second
			client.RequestTimeout = time.Second
			client.MaxChainBytes = 1 << 20
			self, _ := peer.ParseURL("http://127.0.0.1:5998")
			n, db := MustOpenNode(t, node.Config{Self: self, Client: client, SyncInterval: -1})
			u, err := peer.ParseURL(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			before := n.Tip()
			start := time.Now()
			changed, err := n.SyncWith(context.Background(), u)
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Fatalf("sync took %v", elapsed)
			}
			if changed || n.Tip() != before || len(MustChain(t, db)) != 1 {
				t.Fatalf("chain changed: tip %+v", n.Tip())
			}
			if err == nil {
				t.Fatal("no error from a hostile peer")
			}
			var re *consensus.RuleError
			if tt.code >= 0 && (!errors.As(err, &re) || re.Code != tt.code) {
				t.Fatalf("err=%v, want rule %v", err, tt.code)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err=%v, want %v", err, tt.want)
			}
		})
	}
}

func serve(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}
