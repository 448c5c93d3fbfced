package consensus_test

import (
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/wire"
)

// BenchmarkDecodeSignedBlock measures what a node spends on a block of
// 10,000 signed payments (9,999 and the coinbase) before it stores it:
// parsing, the signed messages, and the signatures on every core. The
// target is 0.5 s a block on two cores.
func BenchmarkDecodeSignedBlock(b *testing.B) {
	alice := consensustest.Key(1)
	g := consensustest.NewGenerator(b)
	txs := make([]pybtc.Transaction, consensus.MaxBlockTransactions-1)
	for i := range txs {
		txs[i] = g.SignedTx(alice, alice, "bob", "0.00000001")
	}
	raw := wire.AppendCompact(nil, g.Block(g.NextBlock("big", txs...)))
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		wb, err := wire.ParseBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := consensus.DecodeBlock(&wb, g.Now); err != nil {
			b.Fatal(err)
		}
	}
}
