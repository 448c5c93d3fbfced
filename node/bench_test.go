package node_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/wire"
)

// BenchmarkSearchNonce finds one proof of work on every core, as mining a
// block does; it reports the median time per block besides the mean.
func BenchmarkSearchNonce(b *testing.B) {
	ctx := context.Background()
	times := make([]time.Duration, 0, b.N)
	prev := int64(100)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		nonce, err := node.SearchNonce(ctx, prev, 0)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		prev = nonce
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms/block")
}

// BenchmarkMine mines whole blocks through the node (snapshot, search,
// store), with an empty mempool.
func BenchmarkMine(b *testing.B) { benchmarkMine(b, node.Config{}) }

// benchmarkMine mines whole blocks through a node made with cfg and
// reports the median time a block.
func benchmarkMine(b *testing.B, cfg node.Config) {
	ctx := context.Background()
	n, _ := MustOpenNode(b, cfg)
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := n.Mine(ctx, ""); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms/block")
}

// BenchmarkMineRules makes blocks as the miner does, under the tutorial's
// rules (search the nonce, assemble the block, decode it as the chain
// will) and under rule W (the same, with the work searched between), at
// 10 and at 10,000 transactions, both cores searching. Each iteration
// makes one block under each, so that a busy machine slows both alike; it
// reports the mean time of each (the expected cost: a search's time is
// random) and their ratio. Storing the block costs the same under both
// rules and is left out.
func BenchmarkMineRules(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		txs := make([]pybtc.Transaction, 0, n)
		for i := range n - 1 {
			id, raw := wire.EncodeTransaction(fmt.Sprintf("sender-%d", i), "recipient", wire.FloatField(1.25), wire.FloatField(consensus.GenesisTimestamp+float64(i)/10))
			txs = append(txs, pybtc.Transaction{ID: id, Raw: raw})
		}
		txs = append(txs, consensus.Coinbase("miner", consensus.GenesisTimestamp+3600))
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			tip := consensus.TipOf(consensus.Genesis())
			var tutorial, secure time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				tip = mustMakeBlock(b, tip, txs, 0)
				mid := time.Now()
				tip = mustMakeBlock(b, tip, txs, tip.Height+1)
				tutorial += mid.Sub(start)
				secure += time.Since(mid)
			}
			b.ReportMetric(float64(tutorial.Microseconds())/1000/float64(b.N), "tutorial-ms/block")
			b.ReportMetric(float64(secure.Microseconds())/1000/float64(b.N), "W-ms/block")
			b.ReportMetric(float64(secure)/float64(tutorial), "W/tutorial")
		})
	}
}

// mustMakeBlock makes the block on tip with txs as the miner does, with
// rule W from secureFrom (0: never), and returns its tip.
func mustMakeBlock(b *testing.B, tip pybtc.ChainTip, txs []pybtc.Transaction, secureFrom int64) pybtc.ChainTip {
	ctx := context.Background()
	now := float64(time.Now().UnixNano()) / 1e9
	height := tip.Height + 1
	nonce, err := node.SearchNonce(ctx, tip.Nonce, 0)
	if err != nil {
		b.Fatal(err)
	}
	var made pybtc.Block
	if secureFrom > 0 && height >= secureFrom {
		ws, err := consensus.NewWorkSearch(height, now, txs, nonce, tip.Hash)
		if err != nil {
			b.Fatal(err)
		}
		work, err := node.SearchWork(ctx, ws, 0)
		if err != nil {
			b.Fatal(err)
		}
		made = ws.Block(work)
	} else if made, err = consensus.NewBlock(height, now, txs, nonce, tip.Hash); err != nil {
		b.Fatal(err)
	}
	wb, err := wire.ParseBlock(made.Raw)
	if err != nil {
		b.Fatal(err)
	}
	blk, err := consensus.DecodeBlock(&wb, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := consensus.CheckWork(blk, secureFrom); err != nil {
		b.Fatal(err)
	}
	return consensus.TipOf(blk)
}

// BenchmarkMineSecure is BenchmarkMine on a node with rule W from block 2:
// each block's work is searched too.
func BenchmarkMineSecure(b *testing.B) { benchmarkMine(b, node.Config{SecureFrom: 2}) }
