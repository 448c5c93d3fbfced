package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// timedPeers are FakePeers whose answers take rtt to begin.
type timedPeers struct {
	*FakePeers
	rtt time.Duration
}

func (p timedPeers) StreamChain(ctx context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	ch, err := p.FakePeers.StreamChain(ctx, u, since, limit, each)
	ch.RTT = p.rtt
	return ch, err
}

// mustPeer returns the node's peer at url as Peers shows it.
func mustPeer(tb testing.TB, n *node.Node, url string) pybtc.Peer {
	tb.Helper()
	peers, err := n.Peers(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range peers {
		if p.URL == url {
			return p
		}
	}
	tb.Fatalf("no peer %s in %+v", url, peers)
	return pybtc.Peer{}
}

// TestSyncWatchesPeers: the sync's own requests tell the node each peer's
// height, tip, when it last answered and how long it took, for the peers
// page; a peer that is not ahead sends no block, so its tip stays what an
// earlier answer at the same height said, or unknown.
func TestSyncWatchesPeers(t *testing.T) {
	ctx := context.Background()
	const url = "http://127.0.0.1:6201"
	g := consensustest.NewGenerator(t)
	g.NextBlock("a2")
	g.NextBlock("a3")
	g.NextBlock("a4")
	g.NextBlock("a5")
	fake := timedPeers{NewFakePeers(), 7 * time.Millisecond}
	self, _ := peer.ParseURL("http://127.0.0.1:5999")
	n, _ := MustOpenNode(t, node.Config{Self: self, Client: fake, SyncInterval: -1, AllowOverdraft: true})

	steps := []struct {
		name       string
		serve      string // the generator block the peer's chain ends at
		mine       int    // blocks this node mines first
		wantHeight int64
		wantTip    string // a generator block's name; "" for unknown
	}{
		{"Ahead", "a3", 0, 3, "a3"},
		{"LevelKeepsTip", "a3", 0, 3, "a3"},
		{"Grows", "a5", 0, 5, "a5"},
		{"BehindTipUnknown", "a4", 2, 4, ""},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			u := fake.Serve(url, g.Chain(st.serve), false)
			if i == 0 {
				if _, err := n.RegisterPeers(ctx, []string{url}); err != nil {
					t.Fatal(err)
				}
			}
			for range st.mine {
				if _, err := n.Mine(ctx, ""); err != nil {
					t.Fatal(err)
				}
			}
			before := float64(time.Now().UnixMicro()) / 1e6
			if _, err := n.SyncWith(ctx, u); err != nil {
				t.Fatalf("SyncWith: %v", err)
			}
			// A sync the registration started may answer meanwhile: it
			// too is the peer seen, so the bound is when we look.
			p := mustPeer(t, n, url)
			after := float64(time.Now().UnixMicro()) / 1e6
			wantTip := ""
			if st.wantTip != "" {
				wantTip = MustTipHash(t, g, st.wantTip)
			}
			switch {
			case p.Height != st.wantHeight:
				t.Errorf("Height = %d, want %d", p.Height, st.wantHeight)
			case p.TipHash != wantTip:
				t.Errorf("TipHash = %q, want %q", p.TipHash, wantTip)
			case p.LastSeen < before || p.LastSeen > after:
				t.Errorf("LastSeen = %f, want between %f and %f", p.LastSeen, before, after)
			case p.RTT != fake.rtt:
				t.Errorf("RTT = %v, want %v", p.RTT, fake.rtt)
			}
		})
	}
}
