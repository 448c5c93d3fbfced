package node_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// forkPeer serves, over HTTP, pages of a branch that leaves the node's
// chain at the genesis: at most page blocks an answer, and "length" as
// claim says for the n-th answer.
func forkPeer(chain []wire.Value, page int64, claim func(n int64) int64) http.HandlerFunc {
	var answers atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		limit, _ := strconv.ParseInt(r.URL.Query().Get("limit"), 10, 64)
		from := min(max(since, 1)-1, int64(len(chain)))
		to := min(from+min(limit, page), int64(len(chain)))
		var b strings.Builder
		b.WriteString(`{"chain":[`)
		for i, v := range chain[from:to] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(wire.AppendCompact(nil, v))
		}
		fmt.Fprintf(&b, `],"length":%d}`, claim(answers.Add(1)))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(b.String()))
	}
}

// TestHostileForkBounded: a peer with a competing branch lies about its
// length or sends more than a sync may hold. The sync must fail in bounded
// time and memory and leave the chain as it was.
func TestHostileForkBounded(t *testing.T) {
	g := consensustest.NewGenerator(t)
	for i := 2; i <= 31; i++ {
		var txs []pybtc.Transaction
		for j := range 40 {
			txs = append(txs, g.Tx(fmt.Sprintf("sender-%d-%d-%s", i, j, strings.Repeat("s", 100)), "recipient", "1"))
		}
		g.NextBlock(fmt.Sprintf("f%d", i), txs...)
	}
	branch := g.Chain("f31") // about 8 KiB a block
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		maxBranch int64
	}{
		{"LengthKeepsGrowing", forkPeer(branch, 4, func(n int64) int64 { return 1000 * n }), 0},
		{"LengthBeyondBound", forkPeer(branch, 4, func(n int64) int64 { return min(10*n, 30) + n/3*1_000_000 }), 0},
		{"DenseBlock", func(w http.ResponseWriter, r *http.Request) {
			// Four megabytes of one-digit values: cheap to send, costly
			// to parse whole.
			w.Write([]byte(`{"chain": [{"index": 2, "previous_hash": "00", "transactions": [0`))
			w.Write([]byte(strings.Repeat(",0", 2<<20)))
			w.Write([]byte(`]}], "length": 2}`))
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			self, _ := peer.ParseURL("http://127.0.0.1:5997")
			n, db := MustOpenNode(t, node.Config{Self: self, SyncInterval: -1, MaxBranchBytes: tt.maxBranch})
			if _, err := n.Mine(context.Background(), ""); err != nil {
				t.Fatal(err)
			}
			u, _ := peer.ParseURL(srv.URL)
			before := n.Tip()

			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			start := time.Now()
			changed, err := n.SyncWith(context.Background(), u)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&m1)

			if err == nil || changed || n.Tip() != before || len(MustChain(t, db)) != 2 {
				t.Fatalf("SyncWith=%v, %v; tip %d: want an error and the chain unchanged", changed, err, n.Tip().Height)
			}
			if elapsed > 10*time.Second {
				t.Fatalf("sync took %v", elapsed)
			}
			// What the whole sync allocated, garbage included: the test
			// server's answers are a few megabytes.
			if got := m1.TotalAlloc - m0.TotalAlloc; got > 64<<20 {
				t.Fatalf("sync allocated %d MiB", got>>20)
			}
			t.Logf("err=%v", err)
		})
	}
}
