package node_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
)

// TestSlowPeerDoesNotHoldSync: a peer that drips its answer a byte at a
// time must not delay adopting a good peer's longer chain, and its own
// sync must end by the sync deadline.
func TestSlowPeerDoesNotHoldSync(t *testing.T) {
	const deadline = 3 * time.Second
	g := consensustest.NewGenerator(t)
	for i := 2; i <= 4; i++ {
		g.NextBlock(fmt.Sprintf("g%d", i))
	}
	chain := g.Chain("g4")
	good := httptest.NewServer(forkPeer(chain, 500, func(int64) int64 { return int64(len(chain)) }))
	defer good.Close()
	var dripping atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dripping.Add(1)
		defer dripping.Add(-1)
		w.Write([]byte(`{"chain": [`))
		for range 1200 { // at most two minutes
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer slow.Close()
	defer slow.CloseClientConnections()

	// Without an address of its own the node does not register back, so
	// only SyncAll talks to the peers.
	n, _ := MustOpenNode(t, node.Config{SyncInterval: -1, SyncTimeout: deadline})
	if _, err := n.RegisterPeers(context.Background(), []string{slow.URL, good.URL}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.SyncAll(ctx)
	}()

	want := MustTipHash(t, g, "g4")
	for n.Tip().Hash != want {
		if time.Since(start) > deadline {
			t.Fatalf("the good peer's chain was not adopted within %v", deadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if dripping.Load() == 0 {
		t.Fatal("the slow peer's sync ended before the good peer's chain was adopted")
	}
	select {
	case <-done:
	case <-time.After(deadline + 2*time.Second):
		t.Fatalf("SyncAll still running %v after it started, beyond the %v deadline", time.Since(start), deadline)
	}
	peers, err := n.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		if u, _ := peer.ParseURL(slow.URL); p.URL == u.String() && p.Failures == 0 {
			t.Fatal("the slow peer's timeout was not recorded as a failure")
		}
	}
}
