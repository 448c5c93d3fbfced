package node_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// gossipPeers is FakePeers that records the announcements and
// registrations the node sends, and its requests for each peer's chain.
type gossipPeers struct {
	*FakePeers
	mu        sync.Mutex
	announced []string // "target hash"
	registers []string // "target node kind"
	fetches   map[string]int
	// gate, when set, holds every request for a chain (only gateURL's,
	// when that is set) until it is closed.
	gate    chan struct{}
	gateURL string
}

func (g *gossipPeers) AnnounceBlock(_ context.Context, target, _ peer.URL, _ int64, hash string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.announced = append(g.announced, target.String()+" "+hash)
	return nil
}

func (g *gossipPeers) Register(_ context.Context, target, n peer.URL, kind peer.Registration) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.registers = append(g.registers, target.String()+" "+n.String()+" "+string(kind))
	return nil
}

func (g *gossipPeers) StreamChain(ctx context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	g.mu.Lock()
	if g.fetches == nil {
		g.fetches = map[string]int{}
	}
	g.fetches[u.String()]++
	gate := g.gate
	if g.gateURL != "" && g.gateURL != u.String() {
		gate = nil
	}
	g.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return peer.Chain{}, ctx.Err()
		}
	}
	return g.FakePeers.StreamChain(ctx, u, since, limit, each)
}

// fetchesFrom returns how many times the node asked u for its chain.
func (g *gossipPeers) fetchesFrom(u peer.URL) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fetches[u.String()]
}

func (g *gossipPeers) seen() (announced, registers []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.announced), slices.Clone(g.registers)
}

// waitFor polls cond until it holds, for at most 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
	}
}

func mustGossipNode(t *testing.T, fake *gossipPeers) *node.Node {
	t.Helper()
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, _ := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1})
	return n
}

// TestRegistrationKinds: what a node does for a new peer depends on how it
// came. A node registered the tutorial's way, or a newcomer, is
// introduced to a few peers (four of the six here), not to all; the node
// registers with it unless it registered itself; one introduced to the
// node gets a reply and is introduced to no one else, so the news of a
// node ends after one hop.
func TestRegistrationKinds(t *testing.T) {
	const self, x = "http://127.0.0.1:5999", "http://127.0.0.1:7000"
	for _, tt := range []struct {
		kind          peer.Registration
		registerBack  string // the kind of the node's registration with x, "" for none
		introductions int
	}{
		{peer.Asked, "newcomer", 4},
		{peer.Newcomer, "", 4},
		{peer.Introduction, "reply", 0},
		{peer.Reply, "", 0},
	} {
		name := string(tt.kind)
		if name == "" {
			name = "asked"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			fake := &gossipPeers{FakePeers: NewFakePeers()}
			n := mustGossipNode(t, fake)
			var others []string
			for i := range 6 {
				others = append(others, fake.Serve(fmt.Sprintf("http://127.0.0.1:%d", 6001+i), nil, false).String())
			}
			if _, err := n.RegisterPeersAs(ctx, others, peer.Reply); err != nil {
				t.Fatal(err)
			}
			if _, err := n.RegisterPeersAs(ctx, []string{x}, tt.kind); err != nil {
				t.Fatal(err)
			}
			want := tt.introductions
			if tt.registerBack != "" {
				want++
			}
			waitFor(t, fmt.Sprintf("%d registrations", want), func() bool {
				_, registers := fake.seen()
				return len(registers) >= want
			})
			_, registers := fake.seen()
			introduced := 0
			for _, r := range registers {
				switch {
				case r == x+" "+self+" "+tt.registerBack:
				case strings.HasSuffix(r, " "+x+" introduction") && !strings.HasPrefix(r, x):
					introduced++
				default:
					t.Errorf("unexpected registration %q", r)
				}
			}
			if introduced != tt.introductions || len(registers) != want {
				t.Errorf("registrations %q: %d introductions, want %d", registers, introduced, tt.introductions)
			}
		})
	}
}

// TestAnnounceReceivedBlockOnce: a block the node takes from a peer is
// announced, with its hash, to the other peers, not back to the peer it
// came from; and an announcement of a block the node has as its last
// costs no fetch.
func TestAnnounceReceivedBlockOnce(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	genesis := g.Chain(consensustest.GenesisName)
	g.NextBlock("b2")
	fake := &gossipPeers{FakePeers: NewFakePeers()}
	b := fake.Serve("http://127.0.0.1:6001", g.Chain("b2"), false)
	c := fake.Serve("http://127.0.0.1:6002", genesis, false)
	d := fake.Serve("http://127.0.0.1:6003", genesis, false)
	n := mustGossipNode(t, fake)
	// Replies: the peers know the node, and nobody is introduced.
	if _, err := n.RegisterPeersAs(ctx, []string{b.String(), c.String(), d.String()}, peer.Reply); err != nil {
		t.Fatal(err)
	}
	hash := MustTipHash(t, g, "b2")
	if _, err := n.Resolve(ctx, b.String(), hash); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the block is announced to both other peers", func() bool {
		announced, _ := fake.seen()
		return slices.Contains(announced, c.String()+" "+hash) && slices.Contains(announced, d.String()+" "+hash)
	})
	announced, registers := fake.seen()
	if len(announced) != 2 {
		t.Errorf("announcements %q, want one to each peer but the block's source", announced)
	}
	if len(registers) != 0 {
		t.Errorf("registrations %q after replies, want none", registers)
	}

	// Once the node has heard from every peer (the syncs that
	// registering them started are over), an announcement of its own tip
	// by a peer costs no fetch from that peer.
	waitFor(t, "the node hears from every peer", func() bool {
		peers, err := n.Peers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range peers {
			if p.LastSeen == 0 {
				return false
			}
		}
		return len(peers) == 3
	})
	before := fake.fetchesFrom(c)
	if changed, err := n.Resolve(ctx, c.String(), hash); err != nil || changed {
		t.Fatalf("Resolve of our own tip = %v, %v", changed, err)
	}
	if got := fake.fetchesFrom(c) - before; got != 0 {
		t.Errorf("an announcement of our tip cost %d fetches, want none", got)
	}
}

// TestAnnouncementFloodIsBounded: a peer announces 500 blocks that do not
// exist while its chain answers slowly. The node answers each at once and
// fetches from that peer one sync at a time, with at most one more
// waiting: the flood costs neither goroutines nor syncs in proportion.
func TestAnnouncementFloodIsBounded(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	fake := &gossipPeers{FakePeers: NewFakePeers(), gate: make(chan struct{})}
	hostile := fake.Serve("http://127.0.0.1:6001", g.Chain(consensustest.GenesisName), false)
	n := mustGossipNode(t, fake)
	if _, err := n.RegisterPeersAs(ctx, []string{hostile.String()}, peer.Reply); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for i := range 500 {
		start := time.Now()
		if _, err := n.Resolve(ctx, hostile.String(), fmt.Sprintf("%064x", i+1)); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > time.Second {
			t.Fatalf("announcement %d waited %v for an answer", i, took)
		}
	}
	if grown := runtime.NumGoroutine() - before; grown > 10 {
		t.Errorf("500 announcements left %d more goroutines, want a handful", grown)
	}
	close(fake.gate)
	waitFor(t, "the fetches end", func() bool { return runtime.NumGoroutine() <= before+2 })
	// One sync from registering, then at most the two the flood may start.
	if got := fake.fetchesFrom(hostile); got > 3 {
		t.Errorf("500 announcements cost %d requests for the peer's chain, want at most 3", got)
	}
}

// TestAnnouncedBlockFromNextAnnouncer: a peer announces a block first and
// then answers slowly, with a chain that does not hold it (a hostile peer,
// or one whose answer failed); another peer announces the block while
// that fetch runs. The node asks the second once the first has answered
// without the block, and takes it: the first announcement does not make
// the node ignore the others.
func TestAnnouncedBlockFromNextAnnouncer(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	genesis := g.Chain(consensustest.GenesisName)
	g.NextBlock("b2")
	fake := &gossipPeers{FakePeers: NewFakePeers()}
	liar := fake.Serve("http://127.0.0.1:6001", genesis, false)
	honest := fake.Serve("http://127.0.0.1:6002", genesis, false)
	n := mustGossipNode(t, fake)
	if _, err := n.RegisterPeersAs(ctx, []string{liar.String(), honest.String()}, peer.Reply); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the syncs of registering end", func() bool {
		return fake.fetchesFrom(liar) == 1 && fake.fetchesFrom(honest) == 1
	})
	hash := MustTipHash(t, g, "b2")
	fake.Serve(honest.String(), g.Chain("b2"), false)
	fake.mu.Lock()
	fake.gate, fake.gateURL = make(chan struct{}), liar.String()
	fake.mu.Unlock()

	if _, err := n.Resolve(ctx, liar.String(), hash); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the node asks the first announcer", func() bool { return fake.fetchesFrom(liar) == 2 })
	if _, err := n.Resolve(ctx, honest.String(), hash); err != nil {
		t.Fatal(err)
	}
	close(fake.gate)
	waitFor(t, "the node takes the block from the second announcer", func() bool { return n.Tip().Hash == hash })
}

// TestFullNodeIntroducesNewcomerOnce: a node at its peer cap refuses a
// newcomer but introduces it to its peers, so that a class larger than the
// cap still joins; a newcomer refused again and again is introduced once,
// not four registrations at its peers each time.
func TestFullNodeIntroducesNewcomerOnce(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	genesis := g.Chain(consensustest.GenesisName)
	fake := &gossipPeers{FakePeers: NewFakePeers()}
	a := fake.Serve("http://127.0.0.1:6001", genesis, false)
	b := fake.Serve("http://127.0.0.1:6002", genesis, false)
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, _ := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1, MaxPeers: 2})
	if _, err := n.RegisterPeersAs(ctx, []string{a.String(), b.String()}, peer.Reply); err != nil {
		t.Fatal(err)
	}
	const newcomer = "http://127.0.0.1:7000"
	for range 10 {
		if _, err := n.RegisterPeersAs(ctx, []string{newcomer}, peer.Newcomer); err == nil {
			t.Fatal("a full node took a newcomer")
		}
	}
	waitFor(t, "the newcomer is introduced to both peers", func() bool {
		_, registers := fake.seen()
		return len(registers) >= 2
	})
	time.Sleep(50 * time.Millisecond) // let any further introduction show
	_, registers := fake.seen()
	introductions := 0
	for _, r := range registers {
		if strings.Contains(r, newcomer+" "+string(peer.Introduction)) {
			introductions++
		}
	}
	if introductions != 2 {
		t.Fatalf("registrations %q: the newcomer was introduced %d times, want once to each of the 2 peers", registers, introductions)
	}
}

// refusingPeers is gossipPeers whose peers refuse every relayed
// transaction with a 400, as a peer a block behind refuses a payment of
// coins it cannot see yet.
type refusingPeers struct {
	*gossipPeers
	relays chan struct{}
}

func (r *refusingPeers) RelayTransaction(context.Context, peer.URL, []byte) error {
	r.relays <- struct{}{}
	return &peer.StatusError{Code: 400, Snippet: `{"message":"amount 1 exceeds what sender \"alice\" can spend"}`}
}

// TestRefusedRelayIsNoFailure: a peer that refuses a relayed transaction
// answered; it is not failing, and the node's next block is announced to
// it. Counted as a failure, it backed the peer off, and the announcement
// of the very block that would fund the payment never went out.
func TestRefusedRelayIsNoFailure(t *testing.T) {
	ctx := context.Background()
	g := consensustest.NewGenerator(t)
	fake := &refusingPeers{gossipPeers: &gossipPeers{FakePeers: NewFakePeers()}, relays: make(chan struct{}, 1)}
	b := fake.Serve("http://127.0.0.1:6001", g.Chain(consensustest.GenesisName), false)
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, _ := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1, AllowOverdraft: true})
	if _, err := n.RegisterPeersAs(ctx, []string{b.String()}, peer.Reply); err != nil {
		t.Fatal(err)
	}
	if _, err := submit(ctx, n, "alice", "bob", "1"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fake.relays:
	case <-time.After(10 * time.Second):
		t.Fatal("the transaction was not relayed")
	}
	mined, err := n.Mine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the block is announced to the peer that refused the payment", func() bool {
		announced, _ := fake.seen()
		return slices.Contains(announced, b.String()+" "+mined.Hash)
	})
}
