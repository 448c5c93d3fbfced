package node_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
)

// endlessFork is a peer whose chain leaves ours after the genesis block
// and goes on without end: each block is made when asked for, about
// blockBytes of payments, and the peer claims a length far ahead. It
// sends at most rate bytes a second, so that the test's disk use stays
// known.
type endlessFork struct {
	txs  []pybtc.Transaction
	rate float64

	mu     sync.Mutex
	hashes []string // by height; [1] is the genesis block's
	nonces []int64
	proofs map[int64]int64 // nonce found on each previous nonce
	sent   atomic.Int64
	start  time.Time
}

func newEndlessFork(tb testing.TB, blockBytes int, rate float64) *endlessFork {
	g := consensustest.NewGenerator(tb)
	f := &endlessFork{rate: rate, proofs: map[int64]int64{}, start: time.Now()}
	for size := 0; size < blockBytes; {
		t := g.Tx(fmt.Sprintf("sender-%d-%s", len(f.txs), strings.Repeat("s", 100)), "recipient", "1")
		f.txs = append(f.txs, t)
		size += len(t.Raw)
	}
	genesis := consensus.Genesis()
	f.hashes = []string{"", genesis.Hash}
	f.nonces = []int64{0, genesis.Nonce}
	return f
}

// block makes the block at height h ≥ 2; f.mu is held.
func (f *endlessFork) block(h int64) pybtc.Block {
	for int64(len(f.hashes)) < h {
		f.block(int64(len(f.hashes)))
	}
	prevNonce := f.nonces[h-1]
	nonce, ok := f.proofs[prevNonce]
	if !ok {
		nonce = consensustest.Mine(prevNonce)
		f.proofs[prevNonce] = nonce
	}
	ts := consensus.GenesisTimestamp + float64(h)
	txs := append(f.txs[:len(f.txs):len(f.txs)], consensus.Coinbase("fork-miner", ts))
	b, err := consensus.NewBlock(h, ts, txs, nonce, f.hashes[h-1])
	if err != nil {
		panic(err)
	}
	if int64(len(f.hashes)) == h {
		f.hashes = append(f.hashes, b.Hash)
		f.nonces = append(f.nonces, b.Nonce)
	}
	return b
}

func (f *endlessFork) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	limit, _ := strconv.ParseInt(r.URL.Query().Get("limit"), 10, 64)
	since = max(since, 1)
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"chain":[`))
	for h := since; h < since+min(limit, 16); h++ {
		if h > since {
			w.Write([]byte(","))
		}
		var raw []byte
		if h == 1 {
			raw = consensus.Genesis().Raw
		} else {
			f.mu.Lock()
			raw = f.block(h).Raw
			f.mu.Unlock()
		}
		if _, err := w.Write(raw); err != nil {
			return
		}
		// Keep to the rate: wait until the bytes sent are due.
		due := time.Duration(float64(f.sent.Add(int64(len(raw)))) / f.rate * float64(time.Second))
		if wait := due - time.Since(f.start); wait > 0 {
			select {
			case <-time.After(wait):
			case <-r.Context().Done():
				return
			}
		}
	}
	fmt.Fprintf(w, `],"length":%d}`, 15_000)
}

// TestEndlessForkKeepsMemoryFlat: a peer serves an endless valid branch of
// large blocks (about 256 KiB each, at most 8 MiB a second; the node takes
// some 4 MiB a second on two shared cores, so about 120 MiB in 30 s, far
// more than the 64 MiB a branch could once hold in memory). The node
// writes the branch to disk as it arrives, so its heap stays flat: the
// highest heap in use, sampled every 50 ms, stays under 48 MiB above what
// it was before the sync (measured: a peak of 18 MiB in 3 s, 23 MiB in 30 s,
// from 2 MiB before: a batch of 1 MiB of
// blocks, a page being parsed, the test peer's block being made, and
// garbage not yet collected). The sync ends at its deadline, the chain
// unchanged and the branch kept as stale blocks.
func TestEndlessForkKeepsMemoryFlat(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector slows the node tenfold: too few bytes arrive to measure, and it allocates otherwise")
	}
	const bound = 48 << 20
	duration := 30 * time.Second
	if testing.Short() {
		duration = 3 * time.Second
	}
	fork := newEndlessFork(t, 256<<10, 8<<20)
	srv := httptest.NewServer(fork)
	defer srv.Close()
	self, _ := peer.ParseURL("http://127.0.0.1:5996")
	n, db := MustOpenNode(t, node.Config{Self: self, SyncInterval: -1, SyncTimeout: duration})
	ctx := context.Background()
	for range 2 {
		if _, err := n.Mine(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	before := n.Tip()
	u, _ := peer.ParseURL(srv.URL)

	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	fork.start = time.Now()
	changed, err := n.SyncWith(ctx, u)
	close(done)
	<-sampled

	sent := fork.sent.Load()
	t.Logf("sent %d MiB in %v; heap in use %d MiB before, peak %d MiB; sync: %v", sent>>20, duration, base>>20, peak.Load()>>20, err)
	if changed || n.Tip() != before {
		t.Fatalf("SyncWith changed the chain to %d", n.Tip().Height)
	}
	// More than a branch could once hold in memory, in a full run.
	if want := int64(duration.Seconds()) * 2 << 20; sent < want {
		t.Fatalf("the peer sent only %d MiB, want %d MiB or more", sent>>20, want>>20)
	}
	if grew := peak.Load() - min(base, peak.Load()); grew > bound {
		t.Fatalf("heap grew by %d MiB during the sync, want under %d MiB", grew>>20, bound>>20)
	}
	tips, err := db.Tips(ctx)
	if err != nil || len(tips) != 2 || tips[1].ForkHeight != 1 || tips[1].BranchLength < 10 {
		t.Fatalf("tips after the sync: %+v, %v; want the branch kept as stale blocks", tips, err)
	}
}
