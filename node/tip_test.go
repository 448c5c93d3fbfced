package node

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// TestTipMoveStopsMining checks the signal a nonce search listens to: a
// block stored by anyone else closes the channel the miner watches, and
// the search on the stale tip gives up.
func TestTipMoveStopsMining(t *testing.T) {
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := New(db, Config{Miner: "m", Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	tip, moved := n.WatchTip()
	select {
	case <-moved:
		t.Fatal("moved before any block")
	default:
	}
	// Another block arrives, as from a peer, while this miner searches.
	nonce, err := SearchNonce(ctx, tip.Nonce, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := consensus.NewBlock(2, 1, []pybtc.Transaction{consensus.Coinbase("peer", 1)}, nonce, tip.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := n.chain.ProcessBlocks(ctx, tip, []pybtc.Block{b}); !ok || err != nil {
		t.Fatalf("ProcessBlocks=%v, %v", ok, err)
	}
	select {
	case <-moved:
	case <-time.After(time.Second):
		t.Fatal("the miner was not told that the tip moved")
	}
	// The next block is mined on the peer's block, not on the old tip.
	mined, err := n.Mine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if mined.Index != 3 || mined.PreviousHash != b.Hash {
		t.Fatalf("mined block %d on %s, want 3 on the peer's %s", mined.Index, mined.PreviousHash, b.Hash)
	}
}
