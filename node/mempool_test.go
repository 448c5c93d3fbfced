package node_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pybtc/pybtc"
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
