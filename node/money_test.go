package node_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// LinkedNodes connects nodes in one process: a node fetches another's
// chain straight from its database, as GET /chain?since=N would serve it.
// Nothing is relayed or announced, so each node's mempool is its own.
type LinkedNodes struct {
	mu  sync.Mutex
	dbs map[string]*store.DB
}

func (l *LinkedNodes) Register(context.Context, peer.URL, peer.URL, peer.Registration) error {
	return nil
}
func (l *LinkedNodes) RelayTransaction(context.Context, peer.URL, []byte) error { return nil }
func (l *LinkedNodes) AnnounceBlock(context.Context, peer.URL, peer.URL, int64, string) error {
	return nil
}
func (l *LinkedNodes) NudgeTutorial(context.Context, peer.URL, peer.URL, string, int64) error {
	return nil
}

func (l *LinkedNodes) StreamChain(ctx context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	l.mu.Lock()
	db, ok := l.dbs[u.String()]
	l.mu.Unlock()
	if !ok {
		return peer.Chain{}, fmt.Errorf("no node at %s", u)
	}
	var c peer.Chain
	err := db.StreamChain(ctx, since, limit, func(length int64) error {
		c.Length = length
		return nil
	}, func(raw []byte) error {
		b, err := wire.ParseBlock(raw)
		if err != nil {
			return err
		}
		c.Sent++
		return each(&b)
	})
	c.Full = since == 1
	return c, err
}

// MustLinkedNode opens a node at url, with the default policy (no
// overdrafts), that reaches the other nodes of l.
func (l *LinkedNodes) MustLinkedNode(tb testing.TB, url string) (*node.Node, *store.DB, peer.URL) {
	tb.Helper()
	self, err := peer.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	n, db := MustOpenNode(tb, node.Config{Self: self, Client: l, SyncInterval: -1})
	l.mu.Lock()
	if l.dbs == nil {
		l.dbs = map[string]*store.DB{}
	}
	l.dbs[self.String()] = db
	l.mu.Unlock()
	return n, db, self
}

func mustSync(tb testing.TB, n *node.Node, from peer.URL) {
	tb.Helper()
	if changed, err := n.SyncWith(context.Background(), from); err != nil || !changed {
		tb.Fatalf("SyncWith(%s)=%v, %v; want the chain changed", from, changed, err)
	}
}

func mustMine(tb testing.TB, n *node.Node, miner string) pybtc.Block {
	tb.Helper()
	b, err := n.Mine(context.Background(), miner)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustSubmit(tb testing.TB, n *node.Node, sender, recipient, amount string) pybtc.Transaction {
	tb.Helper()
	acc, err := submit(context.Background(), n, sender, recipient, amount)
	if err != nil {
		tb.Fatal(err)
	}
	return acc.Transaction
}

// TestReorgDoesNotConfirmDoubleSpend: alice (0.1) pays bob on node A and
// carol on node B; B's branch is longer. A switches to it and mines: bob's
// payment, a double spend on B's chain, must not be confirmed.
func TestReorgDoesNotConfirmDoubleSpend(t *testing.T) {
	ctx := context.Background()
	var link LinkedNodes
	a, dbA, urlA := link.MustLinkedNode(t, "http://127.0.0.1:7001")
	b, dbB, urlB := link.MustLinkedNode(t, "http://127.0.0.1:7002")

	mustMine(t, a, "alice") // alice's 0.1
	mustSync(t, b, urlA)

	toBob := mustSubmit(t, a, "alice", "bob", "0.1")
	mustMine(t, a, "miner-a")
	mustSubmit(t, b, "alice", "carol", "0.1")
	mustMine(t, b, "miner-b")
	mustMine(t, b, "miner-b")

	mustSync(t, a, urlB) // A reorganises to B's longer branch
	mustMine(t, a, "miner-a")
	mustSync(t, b, urlA)

	for name, db := range map[string]*store.DB{"A": dbA, "B": dbB} {
		for _, blk := range MustChain(t, db) {
			for _, tx := range blk.Transactions {
				if tx.ID == toBob.ID {
					t.Fatalf("node %s: block %d confirms alice's payment to bob, a double spend", name, blk.Index)
				}
			}
		}
		bal, err := db.Balance(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if bal.Total().Sign() < 0 {
			t.Fatalf("node %s: alice's balance is %s", name, bal.Total())
		}
	}
	if pendingIDs(t, dbA)[toBob.ID] {
		t.Fatal("alice's payment to bob is still pending on A")
	}
	dropped, err := dbA.Dropped(ctx, 10)
	if err != nil || len(dropped) != 1 || dropped[0].ID != toBob.ID || dropped[0].Reason != pybtc.DropOverdraft || dropped[0].DroppedBy != pybtc.DroppedByReorg {
		t.Fatalf("dropped on A: %+v (%v); want alice's payment to bob, an overdraft, by the reorganisation", dropped, err)
	}
}

// TestMineLeavesOutUncoverable: alice's payment was pending and valid when
// a peer's branch took away her coins. The next block this node mines must
// not confirm it (unless the node allows overdrafts).
func TestMineLeavesOutUncoverable(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name           string
		allowOverdraft bool
		mined          bool
	}{
		{"Policy", false, false},
		{"AllowOverdraft", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := NewFakePeers()
			self, _ := peer.ParseURL("http://127.0.0.1:5999")
			n, db := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1, AllowOverdraft: tt.allowOverdraft})
			mustMine(t, n, "alice")
			pay := mustSubmit(t, n, "alice", "bob", "0.1")

			g := consensustest.NewGenerator(t)
			g.NextBlock("p2")
			g.NextBlock("p3")
			mustSync(t, n, fake.Serve("http://127.0.0.1:6010", g.Chain("p3"), false))
			if !pendingIDs(t, db)[pay.ID] {
				t.Fatal("the payment pending before the switch is no longer pending")
			}

			blk := mustMine(t, n, "miner")
			mined := false
			for _, tx := range blk.Transactions {
				mined = mined || tx.ID == pay.ID
			}
			if mined != tt.mined {
				t.Fatalf("payment mined=%v, want %v", mined, tt.mined)
			}
			if tt.mined {
				return
			}
			if pendingIDs(t, db)[pay.ID] {
				t.Fatal("the uncoverable payment is still pending")
			}
			dropped, err := db.Dropped(ctx, 10)
			if err != nil || len(dropped) != 1 || dropped[0].ID != pay.ID || dropped[0].Reason != pybtc.DropOverdraft || dropped[0].DroppedBy != pybtc.DroppedByMine {
				t.Fatalf("dropped %+v (%v); want the payment, an overdraft, by the miner", dropped, err)
			}
			if m, err := n.Mempool(ctx); err != nil || m.Pending != 0 {
				t.Fatalf("mempool %+v (%v), want empty", m, err)
			}
		})
	}
}
