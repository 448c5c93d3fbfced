package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// openChain returns a Chain over a new store, loaded with the genesis
// block.
func openChain(tb testing.TB) (*node.Chain, *store.DB) {
	tb.Helper()
	ctx := context.Background()
	db := store.NewDB(filepath.Join(tb.TempDir(), "chain.db"))
	if err := db.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	chain := node.NewChain(db, consensus.MempoolPolicy{MaxPending: 1000}, 0, slog.New(slog.DiscardHandler))
	if err := chain.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	return chain, db
}

// TestKeyRuleAgainstChain drives rule K's checks that need the chain —
// no replay, no overdraft, counted in chain order — through
// Chain.ProcessBlocks against a real store: a block that breaks one is
// refused with nothing changed but the list of refused blocks.
//
//	genesis → k2 (coinbase 0.1 to alice's key address) → k3 (pay: alice→bob 0.05) → …
func TestKeyRuleAgainstChain(t *testing.T) {
	alice := consensustest.Key(1)
	aliceAddr := keys.AddressOfKey(alice)
	g := consensustest.NewGenerator(t)
	g.Miner = aliceAddr
	g.NextBlock("k2")
	g.Miner = "node_5000"
	pay := g.SignedTx(alice, alice, "bob", "0.05")
	g.NextBlock("k3", pay)
	g.NextBlock("replay", pay)
	g.Fork("k3")
	g.NextBlock("overdraft", g.SignedTx(alice, alice, "bob", "0.06"))
	g.Fork("k3")
	g.NextBlock("exact", g.SignedTx(alice, alice, "bob", "0.05"))
	g.Fork("k2")
	twice := g.SignedTx(alice, alice, "carol", "0.01")
	g.NextBlock("twice in a block", twice, twice)
	g.Fork("k2")
	// Paid, then spends: chain order within a block counts.
	g.NextBlock("paid then spends", g.Tx("dave", aliceAddr, "1"), g.SignedTx(alice, alice, "bob", "1.05"))
	g.Fork("k2")
	g.NextBlock("spends then paid", g.SignedTx(alice, alice, "bob", "1.05"), g.Tx("dave", aliceAddr, "1"))

	accept := consensustest.Accept
	tests := []struct {
		name   string
		base   string
		blocks []string
		want   consensustest.Outcome
	}{
		{"replay in a later block", "k3", []string{"replay"}, consensustest.Reject(consensus.ErrKeyReplay)},
		{"overdraft", "k3", []string{"overdraft"}, consensustest.Reject(consensus.ErrKeyOverdraft)},
		{"spends what is left", "k3", []string{"exact"}, accept},
		{"replay in the same block", "k2", []string{"twice in a block"}, consensustest.Reject(consensus.ErrKeyReplay)},
		{"paid earlier in the block", "k2", []string{"paid then spends"}, accept},
		{"paid later in the block", "k2", []string{"spends then paid"}, consensustest.Reject(consensus.ErrKeyOverdraft)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			chain, db := openChain(t)
			prefix := []string{"k2", "k3"}
			if tt.base == "k2" {
				prefix = prefix[:1]
			}
			var blocks []pybtc.Block
			for _, name := range prefix {
				blocks = append(blocks, mustDecode(t, g, name))
			}
			if _, err := chain.ProcessBlocks(ctx, consensus.TipOf(mustDecode(t, g, "genesis")), blocks); err != nil {
				t.Fatalf("the chain up to %s: %v", tt.base, err)
			}
			before := chain.Tip()
			var branch []pybtc.Block
			for _, name := range tt.blocks {
				branch = append(branch, mustDecode(t, g, name))
			}
			_, err := chain.ProcessBlocksFrom(ctx, "http://127.0.0.1:5999", before, branch)
			if got := outcome(err); got != tt.want {
				t.Fatalf("%v (%v), want %v", got, err, tt.want)
			}
			refused, rerr := db.RefusedBlocks(ctx, 10)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.want.Accepted {
				if len(refused) != 0 {
					t.Errorf("refused blocks %v after an accepted one", refused)
				}
				return
			}
			if stored, _ := db.Tip(ctx); stored != before || chain.Tip() != before {
				t.Errorf("tip moved to %d after a refused block", stored.Height)
			}
			if len(refused) != 1 || refused[0].Hash != branch[0].Hash || refused[0].Reason != tt.want.Code.String() || refused[0].Peer != "http://127.0.0.1:5999" {
				t.Errorf("refused blocks %+v, want %s for %s from the peer", refused, tt.want.Code, branch[0].Hash)
			}
		})
	}
}

// TestKeyRuleReorgRestores checks rule K across a reorganisation: the
// signatures' messages leave with their blocks, so a branch that holds the
// same signed payment is not a replay, and a branch whose blocks spend a
// key address's coins differently is judged on its own chain.
func TestKeyRuleReorgRestores(t *testing.T) {
	alice := consensustest.Key(1)
	g := consensustest.NewGenerator(t)
	g.Miner = keys.AddressOfKey(alice)
	g.NextBlock("k2")
	g.Miner = "node_5000"
	pay := g.SignedTx(alice, alice, "bob", "0.1")
	g.NextBlock("a3", pay)
	g.Fork("k2")
	g.NextBlock("b3")
	g.NextBlock("b4", pay)

	ctx := context.Background()
	chain, db := openChain(t)
	genesis := consensus.TipOf(mustDecode(t, g, "genesis"))
	if _, err := chain.ProcessBlocks(ctx, genesis, []pybtc.Block{mustDecode(t, g, "k2"), mustDecode(t, g, "a3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := chain.ProcessBlocks(ctx, consensus.TipOf(mustDecode(t, g, "k2")), []pybtc.Block{mustDecode(t, g, "b3"), mustDecode(t, g, "b4")}); err != nil {
		t.Fatalf("a longer branch holding the same signed payment: %v", err)
	}
	if tip := chain.Tip(); tip.Hash != mustDecode(t, g, "b4").Hash {
		t.Fatalf("tip %d, want b4", tip.Height)
	}
	pending, err := db.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("mempool %v: the payment is in b4, nothing is pending", pending)
	}
}

// TestSecureChainKeyVariants runs the shared secure chain's variants that
// break rule K against the chain (a replay, an overdraft) through the node:
// each is refused at the height it names, and the valid chain is taken.
func TestSecureChainKeyVariants(t *testing.T) {
	data, err := os.ReadFile("../testdata/secure-chain.json")
	if err != nil {
		t.Fatal(err)
	}
	var sc struct {
		Chain   []json.RawMessage `json:"chain"`
		Invalid []struct {
			Why      string            `json:"why"`
			BrokenAt int64             `json:"broken_at"`
			Chain    []json.RawMessage `json:"chain"`
		} `json:"invalid"`
	}
	if err := json.Unmarshal(data, &sc); err != nil {
		t.Fatal(err)
	}
	offer := func(raws []json.RawMessage) error {
		chain, _ := openChain(t)
		var blocks []pybtc.Block
		for _, r := range raws[1:] {
			wb, err := wire.ParseBlock(r)
			if err != nil {
				t.Fatal(err)
			}
			b, err := consensus.DecodeBlock(&wb, 2e9)
			if err != nil {
				return err
			}
			blocks = append(blocks, b)
		}
		_, err := chain.ProcessBlocks(context.Background(), consensus.TipOf(consensus.Genesis()), blocks)
		return err
	}
	if err := offer(sc.Chain); err != nil {
		t.Fatalf("the secure chain: %v", err)
	}
	seen := map[consensus.ErrorCode]bool{}
	for _, v := range sc.Invalid {
		var re *consensus.RuleError
		if err := offer(v.Chain); errors.As(err, &re) && (re.Code == consensus.ErrKeyReplay || re.Code == consensus.ErrKeyOverdraft) {
			seen[re.Code] = true
			if re.Height != v.BrokenAt {
				t.Errorf("%s: refused at block %d, want %d", v.Why, re.Height, v.BrokenAt)
			}
		}
	}
	if !seen[consensus.ErrKeyReplay] || !seen[consensus.ErrKeyOverdraft] {
		t.Errorf("variants refused as %v, want a replay and an overdraft", seen)
	}
}

// BenchmarkProcessSignedBlock measures what a node spends to validate and
// store a peer's block of 10,000 transactions, 9,999 of them signed
// payments from one key address: decoding with every signature checked
// (on all cores), then Chain.ProcessBlocks, which checks rule K against
// the chain (each signed message recorded, the balance followed in
// chain order) and commits. The target is 0.5 s on two cores.
func BenchmarkProcessSignedBlock(b *testing.B) {
	alice := consensustest.Key(1)
	g := consensustest.NewGenerator(b)
	g.Miner = keys.AddressOfKey(alice)
	g.NextBlock("funded")
	txs := make([]pybtc.Transaction, consensus.MaxBlockTransactions-1)
	for i := range txs {
		txs[i] = g.SignedTx(alice, alice, "bob", "0.00000001")
	}
	raw := wire.AppendCompact(nil, g.Block(g.NextBlock("big", txs...)))
	funded := mustDecode(b, g, "funded")
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		chain, _ := openChain(b)
		if _, err := chain.ProcessBlocks(ctx, consensus.TipOf(consensus.Genesis()), []pybtc.Block{funded}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		wb, err := wire.ParseBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		blk, err := consensus.DecodeBlock(&wb, g.Now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := chain.ProcessBlocks(ctx, consensus.TipOf(funded), []pybtc.Block{blk}); err != nil {
			b.Fatal(err)
		}
	}
}
