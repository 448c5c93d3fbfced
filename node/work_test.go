package node_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
)

// TestSecureNodeMinesWork: from the secure height, the node's blocks
// carry "work" and their hashes start with 0000; below it they keep the
// tutorial's five keys. Another secure node adopts them.
func TestSecureNodeMinesWork(t *testing.T) {
	var l LinkedNodes
	self, err := peer.ParseURL("http://127.0.0.1:5990")
	if err != nil {
		t.Fatal(err)
	}
	n, db := MustOpenNode(t, node.Config{Self: self, Client: &l, SyncInterval: -1, SecureFrom: 3})
	l.dbs = map[string]*store.DB{self.String(): db}
	for range 3 {
		mustMine(t, n, "")
	}
	for _, b := range MustChain(t, db)[1:] {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b.Raw, &keys); err != nil {
			t.Fatal(err)
		}
		_, hasWork := keys["work"]
		if secure := b.Index >= 3; hasWork != secure || secure && !strings.HasPrefix(b.Hash, "0000") {
			t.Fatalf("block %d: hash %s, work %v; want work and a hash starting with 0000 from block 3 only", b.Index, b.Hash, hasWork)
		}
	}

	other, _ := MustOpenNode(t, node.Config{Client: &l, SyncInterval: -1, SecureFrom: 3})
	mustSync(t, other, self)
	if got, want := other.Tip(), n.Tip(); got != want {
		t.Fatalf("the other secure node's tip is %d %s, want %d %s", got.Height, got.Hash, want.Height, want.Hash)
	}
}

// TestSecureNodeRefusesNoWork: a secure node refuses a peer's block
// without work at or above the secure height, whether it comes by a sync
// or is offered to the chain, keeps its chain and remembers why.
func TestSecureNodeRefusesNoWork(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	g.NextBlock("b2")
	g.NextBlock("b3")
	if strings.HasPrefix(MustTipHash(t, g, "b3"), "0000") {
		t.Fatal("b3 happens to have work; change the generator's blocks")
	}
	fake := NewFakePeers()
	u := fake.Serve("http://127.0.0.1:6004", g.Chain("b3"), false)
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, db := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1, SecureFrom: 3})

	_, err := n.SyncWith(ctx, u)
	if outcome(err) != consensustest.Reject(consensus.ErrNoWork) {
		t.Fatalf("SyncWith: %v, want ErrNoWork", err)
	}
	if got := n.Tip().Hash; got != consensus.GenesisHash {
		t.Fatalf("tip %s, want the genesis: the branch is refused whole", got)
	}
	refused, err := db.RefusedBlocks(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 1 || refused[0].Height != 3 || refused[0].Reason != "ErrNoWork" {
		t.Fatalf("refused blocks %+v, want block 3 for ErrNoWork", refused)
	}

	// The chain checks the same when it is offered the block directly.
	chainDB := store.NewDB(filepath.Join(t.TempDir(), "chain.db"))
	if err := chainDB.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer chainDB.Close()
	chain := node.NewChain(chainDB, consensus.MempoolPolicy{MaxPending: 1000}, 2, slog.New(slog.DiscardHandler))
	if err := chain.Load(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = chain.ProcessBlocks(ctx, chain.Tip(), []pybtc.Block{mustDecode(t, g, "b2")})
	if outcome(err) != consensustest.Reject(consensus.ErrNoWork) {
		t.Fatalf("ProcessBlocks: %v, want ErrNoWork", err)
	}
}
