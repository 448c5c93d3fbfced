package store

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// mustMatchMempool fails unless the writer's in-memory index describes the
// mempool table exactly.
func (db *DB) mustMatchMempool(tb testing.TB) {
	tb.Helper()
	var fresh pendingIndex
	if err := fresh.load(context.Background(), db.write); err != nil {
		tb.Fatal(err)
	}
	db.mustMatchPublished(tb, fresh.ids)
	db.pending.mu.Lock()
	defer db.pending.mu.Unlock()
	if db.pending.stale {
		tb.Fatal("index is stale after a committed write")
	}
	if !maps.Equal(db.pending.ids, fresh.ids) {
		tb.Fatalf("pending ids %v, the table says %v", db.pending.ids, fresh.ids)
	}
	if !maps.Equal(db.pending.sums, fresh.sums) {
		tb.Fatalf("pending sums %v, the table says %v", db.pending.sums, fresh.sums)
	}
	if !maps.EqualFunc(db.pending.alike, fresh.alike, slices.Equal) {
		tb.Fatalf("alike seqs %v, the table says %v", db.pending.alike, fresh.alike)
	}
	for address, kept := range db.pending.confirmed {
		b, err := db.Balance(context.Background(), address)
		if err != nil {
			tb.Fatal(err)
		}
		if kept != b.Total() {
			tb.Fatalf("kept confirmed balance of %s is %s, the chain says %s", address, kept, b.Total())
		}
	}
}

// mustMatchPublished fails unless readers see exactly the pending ids
// of the table, ids.
func (db *DB) mustMatchPublished(tb testing.TB, ids map[string]int64) {
	tb.Helper()
	db.pending.published.mu.RLock()
	defer db.pending.published.mu.RUnlock()
	if !maps.Equal(db.pending.published.seqs, ids) {
		tb.Fatalf("published ids %v, the table says %v", db.pending.published.seqs, ids)
	}
}

func mustParse(tb testing.TB, body string, now float64) pybtc.Transaction {
	tb.Helper()
	nt, err := consensus.ParseNewTransaction([]byte(body), now)
	if err != nil {
		tb.Fatal(err)
	}
	return nt.Transaction
}

func mustBlock(tb testing.TB, prev pybtc.ChainTip, txs ...pybtc.Transaction) pybtc.Block {
	tb.Helper()
	ts := prev.Timestamp + 1
	b, err := consensus.NewBlock(prev.Height+1, ts, append(txs, consensus.Coinbase("miner", ts)), 0, prev.Hash)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func tipOf(b pybtc.Block) pybtc.ChainTip {
	return pybtc.ChainTip{Height: b.Index, Hash: b.Hash, Nonce: b.Nonce, Timestamp: b.Timestamp}
}

// TestPendingIndex follows the mempool through every write that changes it
// (posts accepted and refused, blocks that take transactions by id and by
// likeness, a reorganisation that restores transactions, a write that fails
// half-way, a restart) and checks the in-memory index against the table
// after each.
func TestPendingIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	db := NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	genesis := consensus.Genesis()
	fund := mustBlock(t, tipOf(genesis),
		mustParse(t, `{"sender": "faucet", "recipient": "alice", "amount": 10}`, 1),
		mustParse(t, `{"sender": "faucet", "recipient": "bob", "amount": 10}`, 1))
	if err := db.AppendBlocks(ctx, []pybtc.Block{genesis, fund}); err != nil {
		t.Fatal(err)
	}
	db.mustMatchMempool(t)

	post := func(checkBalance bool, txs ...pybtc.Transaction) []error {
		t.Helper()
		res, err := db.AddPending(ctx, txs, checkBalance)
		if err != nil {
			t.Fatal(err)
		}
		db.mustMatchMempool(t)
		return res
	}
	pay := func(sender, recipient string, amount string, ts float64) pybtc.Transaction {
		return mustParse(t, fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s}`, sender, recipient, amount), ts)
	}
	// Two payments alike, more than a minute apart: not copies of each
	// other (see pendingCopy).
	first, second := pay("alice", "carol", "3", 10), pay("alice", "carol", "3", 80)
	res := post(true, first, second, pay("alice", "dave", "4", 12), pay("alice", "dave", "1", 13), first, pay("bob", "carol", "2", 14))
	want := []string{"", "", "", pybtc.EINVALID, pybtc.ECONFLICT, ""}
	for i, r := range res {
		if pybtc.ErrorCode(r) != want[i] {
			t.Fatalf("transaction %d: %v, want code %q", i, r, want[i])
		}
	}
	if got := db.pending.pending("alice"); got != pybtc.SumOf(10*pybtc.Coin) {
		t.Fatalf("alice has %s pending, want 10 pyBTC", got)
	}
	if _, kept := db.pending.balance("alice"); !kept {
		t.Fatal("alice's confirmed balance is not kept after she sent")
	}

	// A block that takes second by its id and a re-stamped copy of the
	// same payment: the copy takes the oldest alike, first.
	// The block also pays alice, whose confirmed balance is kept: it
	// follows both ways.
	restamped := pay("alice", "carol", "3", 99)
	b2 := mustBlock(t, tipOf(fund), second, restamped, pay("faucet", "alice", "5", 20))
	if err := db.AppendBlock(ctx, b2); err != nil {
		t.Fatal(err)
	}
	db.mustMatchMempool(t)
	if got := db.pending.pending("alice"); got != pybtc.SumOf(4*pybtc.Coin) {
		t.Fatalf("alice has %s pending after the block, want 4 pyBTC", got)
	}

	// A write that fails after changing the mempool leaves nothing of its
	// changes in the index.
	b3 := mustBlock(t, tipOf(b2), pay("bob", "carol", "2", 14))
	bad := mustBlock(t, pybtc.ChainTip{Height: b3.Index, Hash: "not the hash"})
	if err := db.AppendBlocks(ctx, []pybtc.Block{b3, bad}); pybtc.ErrorCode(err) != pybtc.ECONFLICT {
		t.Fatalf("AppendBlocks with a broken link: %v", err)
	}
	if !db.pending.stale {
		t.Fatal("index not marked stale after a rolled back write")
	}
	// Readers never saw what was rolled back.
	var committed pendingIndex
	if err := committed.load(ctx, db.write); err != nil {
		t.Fatal(err)
	}
	db.mustMatchPublished(t, committed.ids)
	post(true, pay("bob", "erin", "8", 15))
	if got := db.pending.pending("bob"); got != pybtc.SumOf(10*pybtc.Coin) {
		t.Fatalf("bob has %s pending, want 10 pyBTC", got)
	}
	if r := post(true, pay("bob", "erin", "0.00000001", 16)); pybtc.ErrorCode(r[0]) != pybtc.EINVALID {
		t.Fatalf("bob's overdraft: %v", r[0])
	}

	// A reorganisation above fund: b2's transactions come back (second and
	// the re-stamped copy) but not faucet's, which it cannot cover on the
	// new chain; the branch's own leave the mempool.
	alt := mustBlock(t, tipOf(fund), pay("bob", "erin", "8", 15))
	alt2 := mustBlock(t, tipOf(alt))
	if err := db.ReplaceChain(ctx, fund.Index, []pybtc.Block{alt, alt2}, consensus.MempoolPolicy{}); err != nil {
		t.Fatal(err)
	}
	db.mustMatchMempool(t)
	if dropped, err := db.Dropped(ctx, 10); err != nil || len(dropped) != 1 || dropped[0].Sender != "faucet" {
		t.Fatalf("dropped %+v (%v), want faucet's payment", dropped, err)
	}

	// A restart reads the same index from the table.
	before := maps.Clone(db.pending.sums)
	db.Close()
	db = NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	db.mustMatchMempool(t)
	if !maps.Equal(before, db.pending.sums) {
		t.Fatalf("sums after a restart %v, before %v", db.pending.sums, before)
	}
}
