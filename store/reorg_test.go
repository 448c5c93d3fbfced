package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// overdrafts is the policy of a node run with --allow-overdraft, as the
// tutorial is: no balance check, no cap.
var overdrafts = consensus.MempoolPolicy{AllowOverdraft: true}

// TestReplaceChain swaps a branch and repairs the mempool.
//
//	genesis -> a2 -> a3(pay1, pay2)    before
//	        \-> b2(pay2) -> b3 -> b4    after
func TestReplaceChain(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	pay1 := MustTx(t, "alice", "bob", "1", 1)
	pay2 := MustTx(t, "carol", "dave", "2", 2)
	pending := MustTx(t, "erin", "frank", "3", 3)
	if res, err := db.AddPending(ctx, []pybtc.Transaction{pay1, pay2, pending}, false); err != nil || res[0] != nil {
		t.Fatalf("AddPending: %v %v", res, err)
	}
	MustAppend(t, db, "miner-a")
	MustAppend(t, db, "miner-a", pay1, pay2)

	b2 := mustBlock(t, 2, consensus.GenesisHash, pay2)
	b3 := mustBlock(t, 3, b2.Hash)
	b4 := mustBlock(t, 4, b3.Hash)

	t.Run("ErrConflictWhenNotLinked", func(t *testing.T) {
		if err := db.ReplaceChain(ctx, 1, []pybtc.Block{b3}, overdrafts); pybtc.ErrorCode(err) != pybtc.ECONFLICT {
			t.Fatalf("err=%v, want ECONFLICT", err)
		}
		if tip, _ := db.Tip(ctx); tip.Height != 3 {
			t.Fatalf("tip moved to %d", tip.Height)
		}
	})
	if err := db.ReplaceChain(ctx, 1, []pybtc.Block{b2, b3, b4}, overdrafts); err != nil {
		t.Fatal(err)
	}
	tip, err := db.Tip(ctx)
	if err != nil || tip.Hash != b4.Hash {
		t.Fatalf("tip=%+v %v, want b4", tip, err)
	}
	txs, err := db.Pending(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, tx := range txs {
		got[tx.ID] = true
	}
	switch {
	case !got[pay1.ID]:
		t.Fatal("pay1, orphaned, did not return to the mempool")
	case got[pay2.ID]:
		t.Fatal("pay2, in the new chain, is pending again")
	case !got[pending.ID]:
		t.Fatal("the pending payment was lost")
	case len(txs) != 2:
		t.Fatalf("%d pending, want 2 (coinbases are not restored)", len(txs))
	}
	if b := db.MustViewBalance(t, "miner-a"); b != 0 {
		t.Fatalf("miner-a keeps %d satoshis of the orphaned branch", b)
	}
}

func TestLookalikeLeavesMempool(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// This node stamped the payment when a tutorial peer relayed it; the
	// tutorial node mined it with its own timestamp, so the ids differ.
	ours := MustTx(t, "test_from", "test_to1", "1", 100)
	theirs := MustTx(t, "test_from", "test_to1", "1", 101)
	if res, err := db.AddPending(ctx, []pybtc.Transaction{ours}, false); err != nil || res[0] != nil {
		t.Fatal(err)
	}
	MustAppend(t, db, "tutorial", theirs)
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("%d pending: the payment would be mined twice", n)
	}
}

// TestReorgToRestampedCopy: this node mined a payment; a tutorial peer's
// longer branch holds the same payment re-stamped (another id). After the
// switch the payment is in the chain once and not pending: it would
// otherwise be mined a second time.
func TestReorgToRestampedCopy(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ours := MustTx(t, "alice", "bob", "1", 100)
	theirs := MustTx(t, "alice", "bob", "1", 101)
	MustAddPending(t, db, ours)
	MustAppend(t, db, "miner-a", ours)

	b2 := mustBlock(t, 2, consensus.GenesisHash, theirs)
	b3 := mustBlock(t, 3, b2.Hash)
	if err := db.ReplaceChain(ctx, 1, []pybtc.Block{b2, b3}, overdrafts); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("%d pending after the switch: the payment would be mined twice", n)
	}
}

// TestRepeatedIDKeepsAlikePayment: a block that repeats a transaction the
// chain already holds (the tutorial's rules allow it) does not take out a
// pending payment that merely looks the same.
func TestRepeatedIDKeepsAlikePayment(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		write func(db *store.DB, z pybtc.Transaction)
	}{
		{"InOneBlock", func(db *store.DB, z pybtc.Transaction) { MustAppend(t, db, "miner", z, z) }},
		{"InTwoBlocks", func(db *store.DB, z pybtc.Transaction) {
			MustAppend(t, db, "miner", z)
			MustAppend(t, db, "miner", z)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			z := MustTx(t, "alice", "bob", "1", 100)
			w := MustTx(t, "alice", "bob", "1", 200)
			MustAddPending(t, db, z, w)
			tt.write(db, z)
			txs, err := db.Pending(ctx, 10)
			if err != nil || len(txs) != 1 || txs[0].ID != w.ID {
				t.Fatalf("pending %v (%v), want only the other payment %s", txs, err, w.ID)
			}
		})
	}
}

func TestPeers(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for _, tt := range []struct {
		url  string
		want bool
	}{{"http://127.0.0.1:5001", true}, {"http://127.0.0.1:5002", true}, {"http://127.0.0.1:5001", false}} {
		if isNew, err := db.AddPeer(ctx, tt.url); err != nil || isNew != tt.want {
			t.Fatalf("AddPeer(%s)=%v, %v; want %v", tt.url, isNew, err, tt.want)
		}
	}
	if err := db.PeerFailed(ctx, "http://127.0.0.1:5002", "connection refused", 1e12); err != nil {
		t.Fatal(err)
	}
	if err := db.PeerSucceeded(ctx, "http://127.0.0.1:5001"); err != nil {
		t.Fatal(err)
	}
	peers, err := db.Peers(ctx)
	if err != nil || len(peers) != 2 {
		t.Fatalf("Peers=%v, %v", peers, err)
	}
	if s := peers[0].State(1e9); s != pybtc.PeerOK {
		t.Fatalf("state of %s=%s, want ok", peers[0].URL, s)
	}
	if s := peers[1].State(1e9); s != pybtc.PeerBackingOff || peers[1].LastError != "connection refused" {
		t.Fatalf("state of %s=%s (%q), want backing off", peers[1].URL, s, peers[1].LastError)
	}
	if err := db.RemovePeer(ctx, "http://127.0.0.1:9"); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		t.Fatalf("RemovePeer(unknown)=%v, want ENOTFOUND", err)
	}
}

// mustBlock builds a block at index on prev with txs and a coinbase.
func mustBlock(tb testing.TB, index int64, prev string, txs ...pybtc.Transaction) pybtc.Block {
	tb.Helper()
	txs = append(txs, consensus.Coinbase("miner-b", float64(index)))
	b, err := consensus.NewBlock(index, float64(index), txs, index, prev)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestRestampedPaymentKeepsItsID: a block that holds a pending payment
// re-stamped (another id) takes it out of the mempool, and the payment is
// still found by the id its sender was given, mined as the copy; when a
// reorganisation removes that block, the payment comes back under its own
// id, not the copy's, so it is neither lost to its sender nor doubled.
func TestRestampedPaymentKeepsItsID(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ours := MustTx(t, "alice", "bob", "1", 100)
	theirs := MustTx(t, "alice", "bob", "1", 101)
	MustAddPending(t, db, ours)
	copyBlock := MustAppend(t, db, "tutorial", theirs)

	recs, err := db.FindTransaction(ctx, ours.ID)
	if err != nil || len(recs) != 1 || recs[0].Height != copyBlock.Index || recs[0].MinedAs != theirs.ID {
		t.Fatalf("FindTransaction(ours)=%+v, %v; want it in block %d as %s", recs, err, copyBlock.Index, theirs.ID)
	}

	b2 := mustBlock(t, 2, consensus.GenesisHash)
	b3 := mustBlock(t, 3, b2.Hash)
	if err := db.ReplaceChain(ctx, 1, []pybtc.Block{b2, b3}, overdrafts); err != nil {
		t.Fatal(err)
	}
	pending, err := db.Pending(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != ours.ID {
		t.Fatalf("pending %v (%v), want only the payment under its own id %s", pending, err, ours.ID)
	}
	recs, err = db.FindTransaction(ctx, ours.ID)
	if err != nil || len(recs) != 1 || !recs[0].Pending() || recs[0].MinedAs != "" {
		t.Fatalf("FindTransaction(ours)=%+v, %v; want it pending, linked to no block", recs, err)
	}
}

// TestReorgDropsRestampedCopy: a tutorial node's block holds a copy,
// stamped anew, of a payment already in the chain. When a reorganisation
// removes that block, the copy is not put back in the mempool, or the
// payment would be mined twice; it is recorded as a copy. A payment alike
// but made minutes later is a payment of its own and comes back.
func TestReorgDropsRestampedCopy(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		copyAt   float64
		restored bool
	}{
		{"CopyStampedAtRelay", 101.5, false},
		{"AnotherPaymentLater", 400, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			ours := MustTx(t, "alice", "bob", "1", 100)
			b2 := MustAppend(t, db, "miner-a", ours)
			theirs := MustTx(t, "alice", "bob", "1", tt.copyAt)
			MustAppend(t, db, "tutorial", theirs)

			c3 := mustBlock(t, 3, b2.Hash)
			c4 := mustBlock(t, 4, c3.Hash)
			if err := db.ReplaceChain(ctx, 2, []pybtc.Block{c3, c4}, overdrafts); err != nil {
				t.Fatal(err)
			}
			pending, err := db.Pending(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if restored := len(pending) == 1 && pending[0].ID == theirs.ID; restored != tt.restored || len(pending) > 1 {
				t.Fatalf("pending %v; want the alike payment restored: %v", pending, tt.restored)
			}
			if tt.restored {
				return
			}
			dropped, err := db.DroppedTransaction(ctx, theirs.ID)
			if err != nil || len(dropped) != 1 || dropped[0].Reason != pybtc.DropCopy || !strings.Contains(dropped[0].Detail, ours.ID) {
				t.Fatalf("dropped %+v (%v); want the copy recorded as a copy of %s", dropped, err, ours.ID)
			}
		})
	}
}

// TestReorgDropsCopyOfPending: a reorganisation that restores a payment
// while a copy of it, stamped anew by a tutorial node, waits in the
// mempool keeps one of the two, or both would be mined; a payment alike
// but more than a minute apart is another payment and stays.
func TestReorgDropsCopyOfPending(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustAppend(t, db, "alice")
	paid := MustTx(t, "alice", "bob", "0.05", 100)
	other := MustTx(t, "alice", "carol", "0.05", 100)
	b3 := MustAppend(t, db, "miner-a", paid, other)
	copyOfPaid := MustTx(t, "alice", "bob", "0.05", 130)     // within a minute: a copy
	laterToCarol := MustTx(t, "alice", "carol", "0.05", 200) // more than a minute: another payment
	if res, err := db.AddPending(ctx, []pybtc.Transaction{copyOfPaid, laterToCarol}, false); err != nil || res[0] != nil || res[1] != nil {
		t.Fatalf("AddPending: %v %v", res, err)
	}
	alt3 := mustBlock(t, 3, b3.PreviousHash)
	alt4 := mustBlock(t, 4, alt3.Hash)
	if err := db.ReplaceChain(ctx, 2, []pybtc.Block{alt3, alt4}, overdrafts); err != nil {
		t.Fatal(err)
	}
	pending, err := db.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range pending {
		got[p.ID] = true
	}
	if !got[copyOfPaid.ID] || got[paid.ID] || !got[other.ID] || !got[laterToCarol.ID] || len(pending) != 3 {
		t.Errorf("pending after the reorganisation: %v; want the copy kept, the restored payment to bob dropped, both to carol", got)
	}
	dropped, err := db.Dropped(ctx, 10)
	if err != nil || len(dropped) != 1 || dropped[0].ID != paid.ID || dropped[0].Reason != pybtc.DropCopy {
		t.Errorf("dropped %+v %v, want the restored payment to bob as a copy", dropped, err)
	}
}
