package node_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
)

// TestFullMempoolRefuses fills a mempool of 5: the sixth transaction is
// refused with EUNAVAILABLE and stored nowhere, and a block makes room.
func TestFullMempoolRefuses(t *testing.T) {
	ctx := context.Background()
	n, db := MustOpenNode(t, node.Config{AllowOverdraft: true, MaxPending: 5})
	for i := range 5 {
		if _, err := submit(ctx, n, "alice", "bob", fmt.Sprint(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := n.Mempool(ctx)
	if err != nil || m.Pending != 5 || !m.Full || m.Limit != 5 {
		t.Fatalf("Mempool=%+v, %v; want 5 of 5, full", m, err)
	}
	_, err = submit(ctx, n, "alice", "bob", "6")
	if pybtc.ErrorCode(err) != pybtc.EUNAVAILABLE {
		t.Fatalf("sixth transaction: %v, want EUNAVAILABLE", err)
	}
	if count, _ := db.PendingCount(ctx); count != 5 {
		t.Fatalf("%d pending after the refusal, want 5", count)
	}
	if _, err := n.Mine(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if m, _ := n.Mempool(ctx); m.Pending != 0 || m.Full {
		t.Fatalf("after a block: %+v, want empty", m)
	}
	if _, err := submit(ctx, n, "alice", "bob", "6"); err != nil {
		t.Fatalf("after a block: %v", err)
	}
}

// TestBlockTakesAtMost9999 leaves 10,001 transactions pending: a block
// takes the first 9,999 in arrival order, plus its coinbase, and the next
// block the other two.
func TestBlockTakesAtMost9999(t *testing.T) {
	ctx := context.Background()
	n, db := MustOpenNode(t, node.Config{AllowOverdraft: true, MaxPending: 20_000})
	txs := make([]pybtc.Transaction, node.MaxMinedTransactions+2)
	for i := range txs {
		nt, err := consensus.ParseNewTransaction([]byte(fmt.Sprintf(`{"sender": "alice", "recipient": "bob", "amount": %d}`, i+1)), 1e9)
		if err != nil {
			t.Fatal(err)
		}
		txs[i] = nt.Transaction
	}
	if _, err := db.AddPending(ctx, txs, false); err != nil {
		t.Fatal(err)
	}
	b, err := n.Mine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(b.Transactions), consensus.MaxBlockTransactions; got != want {
		t.Fatalf("block holds %d transactions, want %d", got, want)
	}
	if b.Transactions[0].ID != txs[0].ID || b.Transactions[node.MaxMinedTransactions-1].ID != txs[node.MaxMinedTransactions-1].ID {
		t.Fatal("the block did not take the oldest pending transactions in order")
	}
	if left, _ := db.PendingCount(ctx); left != 2 {
		t.Fatalf("%d pending after the block, want 2", left)
	}
}
