package node_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// processStep offers the chain one branch, as a sync or the miner would,
// and says what must come out.
type processStep struct {
	name   string
	submit []string // payments posted to the mempool first, by label
	base   string   // the block the branch builds on
	blocks []string
	want   consensustest.Outcome // Accept, or the rule the branch breaks

	changed bool
	tip     string
	mempool []string // pending payments by label, in arrival order
	dropped []string // payments dropped so far, by label
	reorged int64    // blocks removed by reorganisations so far
}

// TestProcessBlocks drives the consensustest scenarios through
// Chain.ProcessBlocks, the one path every block takes, against a real
// store: blocks go in, the tip, the mempool, the dropped payments and the
// refusal come out.
//
//	genesis → b2 (alice's coinbase) → b3 (pay1: alice→bob 0.1) → b4 (keep: miner→frank 0.05) → b5t (bob→dave 0.05, re-stamped)
//	       b2 → b3a (pay2: alice→carol 0.1, a double spend of pay1) → b4a → b5a
//	       b2 → b3s
//	       b2 → c3 → c4 (proof of work broken) → c5 → c6 → c7
func TestProcessBlocks(t *testing.T) {
	g := consensustest.NewGenerator(t)
	g.Miner = "alice"
	g.NextBlock("b2")
	g.Miner = "miner"
	txs := map[string]pybtc.Transaction{}
	txs["pay1"] = g.Tx("alice", "bob", "0.1")
	g.NextBlock("b3", txs["pay1"])
	txs["keep"] = g.Tx("miner", "frank", "0.05")
	g.NextBlock("b4", txs["keep"])
	// A tutorial node relays a payment without its timestamp and stamps it
	// itself: its block holds the same payment under another id.
	txs["resend"] = g.Tx("bob", "dave", "0.05")
	g.NextBlock("b5t", g.Tx("bob", "dave", "0.05"))
	g.Fork("b2")
	txs["pay2"] = g.Tx("alice", "carol", "0.1")
	g.NextBlock("b3a", txs["pay2"])
	g.NextBlock("b4a")
	g.NextBlock("b5a")
	g.Fork("b2")
	g.NextBlock("b3s")
	g.Fork("b2")
	g.NextBlock("c3")
	g.NextBlock("c4")
	g.Mutate(func(v *wire.Value) {
		nonce, _ := consensustest.Field(v, "nonce").Num.Int64()
		consensustest.Set(v, "nonce", wire.IntValue(nonce+1))
	})
	g.NextBlock("c5")
	g.NextBlock("c6")
	g.NextBlock("c7")
	g.Rejected("c7", consensus.ErrBadProof)

	accept := consensustest.Accept
	tests := []struct {
		name  string
		steps []processStep
	}{
		{"Extend", []processStep{
			{name: "b2", base: "genesis", blocks: []string{"b2"}, want: accept, changed: true, tip: "b2"},
			{name: "b3 b4", base: "b2", blocks: []string{"b3", "b4"}, want: accept, changed: true, tip: "b4"},
		}},
		{"ForkShorter", []processStep{
			{name: "ours", base: "genesis", blocks: []string{"b2", "b3", "b4"}, want: accept, changed: true, tip: "b4"},
			{name: "shorter", base: "b2", blocks: []string{"b3s"}, want: accept, tip: "b4"},
			{name: "as long", base: "b2", blocks: []string{"b3a", "b4a"}, want: accept, tip: "b4"},
		}},
		{"ForkLonger", []processStep{
			{name: "ours", base: "genesis", blocks: []string{"b2", "b3s"}, want: accept, changed: true, tip: "b3s"},
			{name: "longer", base: "b2", blocks: []string{"b3a", "b4a"}, want: accept, changed: true, tip: "b4a", reorged: 1},
		}},
		{"ReorgDoubleSpend", []processStep{
			{name: "ours", base: "genesis", blocks: []string{"b2", "b3", "b4"}, want: accept, changed: true, tip: "b4"},
			// pay1 and keep go back to the mempool; alice's 0.1 is pay2's
			// on the new chain, so pay1 is dropped, and keep, which the
			// miner's three coinbases cover, stays.
			{name: "double spend", base: "b2", blocks: []string{"b3a", "b4a", "b5a"}, want: accept, changed: true, tip: "b5a",
				mempool: []string{"keep"}, dropped: []string{"pay1"}, reorged: 2},
		}},
		{"InvalidAtDepth", []processStep{
			{name: "ours", base: "genesis", blocks: []string{"b2", "b3", "b4"}, want: accept, changed: true, tip: "b4"},
			{name: "invalid c4", submit: []string{"resend"}, base: "b2", blocks: []string{"c3", "c4", "c5", "c6", "c7"},
				want: consensustest.Reject(consensus.ErrBadProof), tip: "b4", mempool: []string{"resend"}},
		}},
		{"RestampedTutorialPayment", []processStep{
			{name: "ours", base: "genesis", blocks: []string{"b2", "b3", "b4"}, want: accept, changed: true, tip: "b4"},
			{name: "re-stamped", submit: []string{"resend"}, base: "b4", blocks: []string{"b5t"}, want: accept, changed: true, tip: "b5t"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := store.NewDB(filepath.Join(t.TempDir(), "chain.db"))
			if err := db.Open(ctx); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			chain := node.NewChain(db, consensus.MempoolPolicy{MaxPending: 1000}, 0, slog.New(slog.DiscardHandler))
			if err := chain.Load(ctx); err != nil {
				t.Fatal(err)
			}
			labels := map[string]string{}
			for label, tx := range txs {
				labels[tx.ID] = label
			}
			for _, st := range tt.steps {
				var posted []pybtc.Transaction
				for _, label := range st.submit {
					posted = append(posted, txs[label])
				}
				if len(posted) > 0 {
					results, err := db.AddPending(ctx, posted, true)
					if err = errors.Join(append(results, err)...); err != nil {
						t.Fatalf("%s: post %v: %v", st.name, st.submit, err)
					}
				}
				blocks := make([]pybtc.Block, len(st.blocks))
				for i, name := range st.blocks {
					blocks[i] = mustDecode(t, g, name)
				}
				changed, err := chain.ProcessBlocks(ctx, consensus.TipOf(mustDecode(t, g, st.base)), blocks)
				if got := outcome(err); got != st.want {
					t.Fatalf("%s: %v (%v), want %v", st.name, got, err, st.want)
				}
				if changed != st.changed {
					t.Errorf("%s: changed=%v, want %v", st.name, changed, st.changed)
				}
				wantTip := consensus.TipOf(mustDecode(t, g, st.tip))
				if stored, err := db.Tip(ctx); err != nil || stored != wantTip || chain.Tip() != wantTip {
					t.Errorf("%s: tip %d (stored %d, %v), want %s", st.name, chain.Tip().Height, stored.Height, err, st.tip)
				}
				pending, err := db.Pending(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				if got := labelled(labels, pending); !slices.Equal(got, st.mempool) {
					t.Errorf("%s: mempool %v, want %v", st.name, got, st.mempool)
				}
				dropped, err := db.Dropped(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				var gone []pybtc.Transaction
				for _, d := range dropped {
					gone = append(gone, d.Transaction)
				}
				if got := labelled(labels, gone); !slices.Equal(got, st.dropped) {
					t.Errorf("%s: dropped %v, want %v", st.name, got, st.dropped)
				}
				if got := chain.ReorgStats().ReorgedBlocks; got != st.reorged {
					t.Errorf("%s: %d blocks reorganised away, want %d", st.name, got, st.reorged)
				}
			}
		})
	}
}

func mustDecode(tb testing.TB, g *consensustest.Generator, name string) pybtc.Block {
	tb.Helper()
	wb := wire.BlockOf(g.Block(name))
	b, err := consensus.DecodeBlock(&wb, g.Now)
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return b
}

// outcome is what ProcessBlocks's error says of a branch.
func outcome(err error) consensustest.Outcome {
	var re *consensus.RuleError
	switch {
	case err == nil:
		return consensustest.Accept
	case errors.As(err, &re):
		return consensustest.Reject(re.Code)
	}
	return consensustest.Outcome{Code: -1}
}

// labelled names txs by their labels, or their ids when unknown.
func labelled(labels map[string]string, txs []pybtc.Transaction) []string {
	var names []string
	for _, tx := range txs {
		if label, ok := labels[tx.ID]; ok {
			names = append(names, label)
		} else {
			names = append(names, tx.ID)
		}
	}
	return names
}
