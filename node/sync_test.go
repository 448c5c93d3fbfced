package node_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// FakePeers serves chains as peers would, without HTTP: a pyBTC peer
// answers the blocks asked for, a tutorial peer its whole chain.
type FakePeers struct {
	mu       sync.Mutex
	chains   map[string][]wire.Value
	tutorial map[string]bool
	fetches  int
}

func NewFakePeers() *FakePeers {
	return &FakePeers{chains: map[string][]wire.Value{}, tutorial: map[string]bool{}}
}

// Serve makes the peer at url answer chain.
func (f *FakePeers) Serve(url string, chain []wire.Value, tutorial bool) peer.URL {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chains[url], f.tutorial[url] = chain, tutorial
	u, err := peer.ParseURL(url)
	if err != nil {
		panic(err)
	}
	return u
}

func (f *FakePeers) Register(context.Context, peer.URL, peer.URL, peer.Registration) error {
	return nil
}
func (f *FakePeers) RelayTransaction(context.Context, peer.URL, []byte) error { return nil }
func (f *FakePeers) AnnounceBlock(context.Context, peer.URL, peer.URL, int64, string) error {
	return nil
}
func (f *FakePeers) NudgeTutorial(context.Context, peer.URL, peer.URL, string, int64) error {
	return nil
}

func (f *FakePeers) StreamChain(_ context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	f.mu.Lock()
	f.fetches++
	chain, ok := f.chains[u.String()]
	tutorial := f.tutorial[u.String()]
	f.mu.Unlock()
	if !ok {
		return peer.Chain{}, errors.New("connection refused")
	}
	ch := peer.Chain{Length: int64(len(chain))}
	blocks := chain
	if tutorial || since == 1 {
		ch.Full = true
	} else {
		from := min(since-1, int64(len(chain)))
		to := int64(len(chain))
		if limit > 0 {
			to = min(to, from+limit)
		}
		blocks = chain[from:to]
	}
	for _, v := range blocks {
		b := wire.BlockOf(v)
		if err := each(&b); err != nil {
			return peer.Chain{}, err
		}
	}
	ch.Sent = int64(len(blocks))
	return ch, nil
}

// MustNetworkNode opens a node that reaches peers through fake.
func MustNetworkNode(tb testing.TB, fake *FakePeers) (*node.Node, *store.DB) {
	tb.Helper()
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, db := MustOpenNode(tb, node.Config{Self: self, Client: fake, SyncInterval: -1, AllowOverdraft: true})
	return n, db
}

// MustTipHash returns the hash of the named generator block.
func MustTipHash(tb testing.TB, g *consensustest.Generator, name string) string {
	tb.Helper()
	return wire.Hash(g.Block(name))
}

func TestSyncExtends(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	for i := 2; i <= 600; i++ { // more than one page
		g.NextBlock(fmt.Sprintf("b%d", i))
	}
	fake := NewFakePeers()
	u := fake.Serve("http://127.0.0.1:6001", g.Chain("b600"), false)
	n, db := MustNetworkNode(t, fake)

	changed, err := n.SyncWith(ctx, u)
	if err != nil || !changed {
		t.Fatalf("SyncWith=%v, %v; want changed", changed, err)
	}
	if got, want := n.Tip().Hash, MustTipHash(t, g, "b600"); got != want {
		t.Fatalf("tip %s, want %s", got, want)
	}
	if len(MustChain(t, db)) != 600 {
		t.Fatal("stored chain is not 600 blocks")
	}
	// Caught up, one more block costs one small request.
	g.NextBlock("b601")
	fake.Serve("http://127.0.0.1:6001", g.Chain("b601"), false)
	fake.fetches = 0
	if changed, err := n.SyncWith(ctx, u); err != nil || !changed || fake.fetches != 1 {
		t.Fatalf("one new block: changed=%v err=%v fetches=%d; want true, nil, 1", changed, err, fake.fetches)
	}
}

// TestSyncReorg: the node mined its own branch, the peer has a longer one
// from the genesis.
//
//	genesis -> own2 -> own3          (node, with alice's payment in own3)
//	        \-> p2 -> p3 -> p4       (peer, with bob's payment in p3)
func TestSyncReorg(t *testing.T) {
	ctx := context.Background()
	fake := NewFakePeers()
	n, db := MustNetworkNode(t, fake)
	if _, err := n.Mine(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	orphan, err := n.SubmitTransaction(ctx, MustReadTransaction(t, `{"sender": "alice", "recipient": "carol", "amount": 0.05}`))
	if err != nil {
		t.Fatal(err)
	}
	confirmed, err := n.SubmitTransaction(ctx, MustReadTransaction(t, `{"sender": "bob", "recipient": "dave", "amount": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Mine(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	stillPending, err := n.SubmitTransaction(ctx, MustReadTransaction(t, `{"sender": "erin", "recipient": "frank", "amount": 2}`))
	if err != nil {
		t.Fatal(err)
	}

	g := consensustest.NewGenerator(t)
	g.NextBlock("p2")
	g.NextBlock("p3", confirmed.Transaction)
	g.NextBlock("p4")
	u := fake.Serve("http://127.0.0.1:6002", g.Chain("p4"), false)

	if changed, err := n.SyncWith(ctx, u); err != nil || !changed {
		t.Fatalf("SyncWith=%v, %v; want a reorganisation", changed, err)
	}
	if got, want := n.Tip().Hash, MustTipHash(t, g, "p4"); got != want {
		t.Fatalf("tip %s, want the peer's %s", got, want)
	}
	if s := n.Stats(); s.Reorgs != 1 || s.ReorgedBlocks != 2 || s.DeepestReorg != 2 {
		t.Fatalf("stats after a reorganisation of 2 blocks: %+v", s)
	}
	MustChain(t, db)
	pending := pendingIDs(t, db)
	switch {
	case !pending[orphan.Transaction.ID]:
		t.Fatal("the orphaned payment did not return to the mempool")
	case pending[confirmed.Transaction.ID]:
		t.Fatal("a payment the new chain confirms is still pending")
	case !pending[stillPending.Transaction.ID]:
		t.Fatal("a payment pending before the reorganisation was lost")
	}
	for id := range pending {
		if id == "" {
			t.Fatal("empty id in mempool")
		}
	}
}

func TestSyncKeepsOwnChain(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		chain func(g *consensustest.Generator) []wire.Value
		code  consensus.ErrorCode
	}{
		{"EqualLength", func(g *consensustest.Generator) []wire.Value {
			g.NextBlock("x2")
			return g.Chain("x2")
		}, -1},
		{"ErrBadProof", func(g *consensustest.Generator) []wire.Value {
			g.NextBlock("x2")
			g.NextBlock("x3")
			g.NextBlock("x4")
			chain := g.Chain("x4")
			consensustest.Set(&chain[3], "nonce", wire.IntValue(1))
			return chain
		}, consensus.ErrBadProof},
		{"ErrBadPrevHash", func(g *consensustest.Generator) []wire.Value {
			g.NextBlock("x2")
			g.NextBlock("x3")
			g.NextBlock("x4")
			chain := g.Chain("x4")
			consensustest.Set(&chain[2], "previous_hash", wire.StringValue("00ff"))
			return chain
		}, consensus.ErrBadPrevHash},
		{"ErrBadCoinbase", func(g *consensustest.Generator) []wire.Value {
			g.NextBlock("x2", g.Tx("master", "mallory", "100"))
			g.NextBlock("x3")
			g.NextBlock("x4")
			return g.Chain("x4")
		}, consensus.ErrBadCoinbase},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := NewFakePeers()
			n, db := MustNetworkNode(t, fake)
			if _, err := n.Mine(ctx, ""); err != nil {
				t.Fatal(err)
			}
			before := n.Tip()
			u := fake.Serve(fmt.Sprintf("http://127.0.0.1:%d", 6100+i), tt.chain(consensustest.NewGenerator(t)), false)
			changed, err := n.SyncWith(ctx, u)
			if changed || n.Tip() != before {
				t.Fatalf("chain changed to %+v", n.Tip())
			}
			var re *consensus.RuleError
			if tt.code >= 0 && (!errors.As(err, &re) || re.Code != tt.code) {
				t.Fatalf("err=%v, want %v", err, tt.code)
			}
			if got := len(MustChain(t, db)); got != 2 {
				t.Fatalf("stored chain has %d blocks, want 2", got)
			}
		})
	}
}

func TestSyncTutorialPeer(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	g.NextBlock("t2")
	g.NextBlock("t3")
	chain := g.Chain("t3")
	// A tutorial node stamps its genesis with its start time; relink the rest.
	consensustest.Set(&chain[0], "timestamp", wire.FloatValue(1795869582.088757))
	// The proofs of work stay valid: they cover nonces, not contents.
	consensustest.Relink(chain)
	fake := NewFakePeers()
	u := fake.Serve("http://127.0.0.1:6003", chain, true)
	n, db := MustNetworkNode(t, fake)
	if _, err := n.Mine(ctx, ""); err != nil { // our own block 2 on our genesis
		t.Fatal(err)
	}
	if changed, err := n.SyncWith(ctx, u); err != nil || !changed {
		t.Fatalf("SyncWith=%v, %v; want the tutorial chain adopted", changed, err)
	}
	if got, want := n.Tip().Hash, wire.Hash(chain[2]); got != want {
		t.Fatalf("tip %s, want %s", got, want)
	}
	if blocks := MustChain(t, db); blocks[0].Hash == consensus.GenesisHash {
		t.Fatal("the genesis was not replaced by the tutorial node's")
	}
}

func pendingIDs(tb testing.TB, db *store.DB) map[string]bool {
	tb.Helper()
	txs, err := db.Pending(context.Background(), 100_000)
	if err != nil {
		tb.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tx := range txs {
		ids[tx.ID] = true
	}
	return ids
}

// MustReadTransaction reads body as POST /transactions/new does.
func MustReadTransaction(tb testing.TB, body string) wire.Transaction {
	tb.Helper()
	t, err := consensus.ReadTransaction([]byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
