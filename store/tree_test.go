package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// treeBlock makes a block on prev (no proof of work: the store does not
// check it) holding txs and a coinbase to miner.
func treeBlock(tb testing.TB, prev pybtc.Block, miner string, txs ...pybtc.Transaction) pybtc.Block {
	tb.Helper()
	ts := prev.Timestamp + 1
	b, err := consensus.NewBlock(prev.Index+1, ts, append(txs, consensus.Coinbase(miner, ts)), prev.Index+1, prev.Hash)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func hashes(blocks ...pybtc.Block) []string {
	out := make([]string, len(blocks))
	for i, b := range blocks {
		out[i] = b.Hash
	}
	return out
}

// TestBlockTree follows the block tree through a branch that arrives as
// stale blocks and wins, then a switch back to the first branch:
//
//	genesis -> a2 -> a3(pay) -> a4 -> a5     main, then stale, then main
//	        \-> b2 -> b3 -> b4 -> b5          stale, then main, then stale
func TestBlockTree(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	const peer = "http://127.0.0.1:5002"
	genesis := consensus.Genesis()
	pay := MustTx(t, "alice", "bob", "1", 1)
	if res, err := db.AddPending(ctx, []pybtc.Transaction{pay}, false); err != nil || res[0] != nil {
		t.Fatalf("AddPending: %v %v", res, err)
	}
	a2 := treeBlock(t, genesis, "miner-a")
	a3 := treeBlock(t, a2, "miner-a", pay)
	a4 := treeBlock(t, a3, "miner-a")
	a5 := treeBlock(t, a4, "miner-a")
	if err := db.AppendBlocksFrom(ctx, []pybtc.Block{a2, a3, a4}, "self"); err != nil {
		t.Fatal(err)
	}
	b2 := treeBlock(t, genesis, "miner-b")
	b3 := treeBlock(t, b2, "miner-b")
	b4 := treeBlock(t, b3, "miner-b")
	b5 := treeBlock(t, b4, "miner-b")

	type step struct {
		name         string
		do           func() error
		tips         []pybtc.TipInfo
		reorgs       int
		holding      []string // blocks holding pay, newest first
		stale, notIn []pybtc.Block
	}
	steps := []step{
		{
			name: "BranchArrives",
			do:   func() error { return db.AddStaleBlocks(ctx, peer, []pybtc.Block{b2, b3}) },
			tips: []pybtc.TipInfo{
				{Height: 4, Hash: a4.Hash, ForkHeight: 4, Status: pybtc.TipActive},
				{Height: 3, Hash: b3.Hash, ForkHeight: 1, BranchLength: 2, Status: pybtc.TipValidFork},
			},
			holding: hashes(a3),
			stale:   []pybtc.Block{b2, b3},
			notIn:   []pybtc.Block{a2},
		},
		{
			name: "BranchWins",
			do: func() error {
				if err := db.AddStaleBlocks(ctx, peer, []pybtc.Block{b4, b5}); err != nil {
					return err
				}
				return db.SwitchToStale(ctx, 1, b5.Hash, overdrafts, peer)
			},
			tips: []pybtc.TipInfo{
				{Height: 5, Hash: b5.Hash, ForkHeight: 5, Status: pybtc.TipActive},
				{Height: 4, Hash: a4.Hash, ForkHeight: 1, BranchLength: 3, Status: pybtc.TipValidFork},
			},
			reorgs:  1,
			holding: hashes(a3),
			stale:   []pybtc.Block{a2, a3, a4},
			notIn:   []pybtc.Block{b2, b5},
		},
		{
			name: "SwitchBack",
			do:   func() error { return db.ReplaceChainFrom(ctx, 1, []pybtc.Block{a2, a3, a4, a5}, overdrafts, "self") },
			tips: []pybtc.TipInfo{
				{Height: 5, Hash: a5.Hash, ForkHeight: 5, Status: pybtc.TipActive},
				{Height: 5, Hash: b5.Hash, ForkHeight: 1, BranchLength: 4, Status: pybtc.TipValidFork},
			},
			reorgs:  2,
			holding: hashes(a3),
			stale:   []pybtc.Block{b2, b5},
			notIn:   []pybtc.Block{a2, a4},
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.do(); err != nil {
				t.Fatal(err)
			}
			tips, err := db.Tips(ctx)
			if err != nil || !slices.Equal(tips, s.tips) {
				t.Fatalf("Tips = %+v, %v; want %+v", tips, err, s.tips)
			}
			if reorgs, err := db.Reorgs(ctx, 10); err != nil || len(reorgs) != s.reorgs {
				t.Fatalf("Reorgs = %d, %v; want %d", len(reorgs), err, s.reorgs)
			}
			holding, err := db.BlocksHolding(ctx, pay.ID)
			if got := hashesOf(holding); err != nil || !slices.Equal(got, s.holding) {
				t.Fatalf("BlocksHolding = %v, %v; want %v", got, err, s.holding)
			}
			for _, b := range s.stale {
				got, txs, err := db.StaleBlock(ctx, b.Hash)
				if err != nil || got.Status != pybtc.BlockStale || got.Height != b.Index || len(txs) != len(b.Transactions) || got.Miner != b.Transactions[len(b.Transactions)-1].Recipient {
					t.Fatalf("StaleBlock(%d) = %+v, %d txs, %v", b.Index, got, len(txs), err)
				}
			}
			for _, b := range s.notIn {
				if _, _, err := db.StaleBlock(ctx, b.Hash); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
					t.Fatalf("StaleBlock(%d) err = %v, want ENOTFOUND", b.Index, err)
				}
			}
		})
	}

	t.Run("ReorgLog", func(t *testing.T) {
		reorgs, err := db.Reorgs(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		back, won := reorgs[0], reorgs[1]
		want := pybtc.Reorg{
			ID: won.ID, Time: won.Time, ForkHeight: 1, OldTip: a4.Hash, NewTip: b5.Hash, OldHeight: 4, NewHeight: 5,
			Removed: hashes(a2, a3, a4), Added: hashes(b2, b3, b4, b5), Peer: peer,
			Returned: []string{pay.ID}, Dropped: []pybtc.DroppedTx{},
		}
		if fmt.Sprint(won) != fmt.Sprint(want) {
			t.Fatalf("reorg = %+v\nwant %+v", won, want)
		}
		if back.Peer != "self" || !slices.Equal(back.Removed, hashes(b2, b3, b4, b5)) || len(back.Returned) != 0 {
			t.Fatalf("switch back = %+v", back)
		}
		if got, err := db.ReorgByID(ctx, won.ID); err != nil || fmt.Sprint(got) != fmt.Sprint(won) {
			t.Fatalf("ReorgByID = %+v, %v", got, err)
		}
		if _, err := db.ReorgByID(ctx, 99); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
			t.Fatalf("ReorgByID(99) err = %v, want ENOTFOUND", err)
		}
	})

	t.Run("BlockTree", func(t *testing.T) {
		tree, err := db.BlockTree(ctx, 2, 3)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range tree {
			got = append(got, fmt.Sprintf("%d %s %s %s %s", b.Height, b.Status, b.Miner, b.Source, b.ReplacedBy))
		}
		want := []string{
			"2 main miner-a self ",
			fmt.Sprintf("2 stale miner-b %s %s", peer, a2.Hash),
			"3 main miner-a self ",
			fmt.Sprintf("3 stale miner-b %s %s", peer, a3.Hash),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("BlockTree =\n%q\nwant\n%q", got, want)
		}
		if tree[0].ArrivedAt == 0 {
			t.Fatalf("arrival not recorded: %+v", tree[0])
		}
	})
}

func hashesOf(blocks []pybtc.TreeBlock) []string {
	out := []string{}
	for _, b := range blocks {
		out = append(out, b.Hash)
	}
	return out
}

// TestTreeBounds: stale blocks are kept up to store.MaxStaleBlocks, the
// oldest forgotten first, and refused blocks up to store.MaxRefusedBlocks.
func TestTreeBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ten thousand blocks")
	}
	ctx := context.Background()
	db := MustOpenDB(t)
	branch := make([]pybtc.Block, store.MaxStaleBlocks+5)
	prev := consensus.Genesis()
	for i := range branch {
		branch[i] = treeBlock(t, prev, "miner-b")
		prev = branch[i]
	}
	if err := db.AddStaleBlocks(ctx, "http://127.0.0.1:5002", branch); err != nil {
		t.Fatal(err)
	}
	// A branch that just arrived may still be being fetched: pruning
	// leaves it whole, past the bound.
	if err := db.PruneStale(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.StaleBlock(ctx, branch[0].Hash); err != nil {
		t.Fatalf("the first block of a branch that just arrived was pruned: %v", err)
	}
	later := time.Now().Add(store.StaleGraceSeconds*time.Second + time.Minute)
	db.Now = func() time.Time { return later }
	if err := db.PruneStale(ctx); err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{0: pybtc.ENOTFOUND, 4: pybtc.ENOTFOUND, 5: "", len(branch) - 1: ""} {
		if _, _, err := db.StaleBlock(ctx, branch[i].Hash); pybtc.ErrorCode(err) != want {
			t.Errorf("stale block %d: err = %v, want %q", i, err, want)
		}
	}
	for i := range store.MaxRefusedBlocks + 2 {
		if err := db.RecordRefused(ctx, pybtc.RefusedBlock{Hash: fmt.Sprint(i), Height: int64(i), Reason: "ErrBadProof"}); err != nil {
			t.Fatal(err)
		}
	}
	refused, err := db.RefusedBlocks(ctx, 2*store.MaxRefusedBlocks)
	if err != nil || len(refused) != store.MaxRefusedBlocks || refused[0].Hash != fmt.Sprint(store.MaxRefusedBlocks+1) {
		t.Fatalf("RefusedBlocks: %d, first %+v, %v", len(refused), refused[0], err)
	}
}

// TestTreeVersion: the version the fork pages watch changes when a stale
// block arrives and when a block is refused, and not otherwise.
func TestTreeVersion(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	version := func() string {
		t.Helper()
		v, err := db.TreeVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if v := version(); v != v0 {
		t.Fatalf("version moved with no change: %s, %s", v0, v)
	}
	if err := db.AddStaleBlocks(ctx, "http://127.0.0.1:5002", []pybtc.Block{treeBlock(t, consensus.Genesis(), "miner-b")}); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if v1 == v0 {
		t.Fatalf("a stale block arrived and the version stayed %s", v1)
	}
	if err := db.RecordRefused(ctx, pybtc.RefusedBlock{Hash: "ab", Height: 2, Reason: "ErrBadProof"}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v == v1 {
		t.Fatalf("a block was refused and the version stayed %s", v)
	}
}

// TestTipsFollowEveryWrite checks that the tips Tips keeps between reads
// are read again after a write: a refused block and a new main block
// show at once.
func TestTipsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := db.Tips(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordRefused(ctx, pybtc.RefusedBlock{Hash: "bad", Height: 2, Reason: "ErrBadProof"}); err != nil {
		t.Fatal(err)
	}
	tips, err := db.Tips(ctx)
	if err != nil || len(tips) != 2 || tips[1].Hash != "bad" || tips[1].Status != pybtc.TipInvalid {
		t.Fatalf("after a refused block: %+v %v", tips, err)
	}
	b := MustAppend(t, db, "miner")
	if tips, err := db.Tips(ctx); err != nil || tips[0].Hash != b.Hash {
		t.Fatalf("after a new block: %+v %v, want the tip %s first", tips, err, b.Hash)
	}
}
