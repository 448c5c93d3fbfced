package node_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
)

// TestForgetDeadPeer: a peer that has failed without a break for a day is
// forgotten, by the node's clock, so that dead peers do not hold places
// under the cap for ever.
func TestForgetDeadPeer(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	// FakePeers knows no chain at this address: every sync fails.
	n, db := MustOpenNode(t, node.Config{Client: NewFakePeers(), SyncInterval: -1, Now: clock})
	if _, err := n.RegisterPeers(ctx, []string{"http://127.0.0.1:6500"}); err != nil {
		t.Fatal(err)
	}
	dead, _ := peer.ParseURL("http://127.0.0.1:6500")
	stored := func() int {
		t.Helper()
		peers, err := db.Peers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(peers)
	}
	for _, step := range []struct {
		after time.Duration
		want  int
	}{
		{0, 1},
		{23 * time.Hour, 1},
		{2 * time.Hour, 0},
	} {
		advance(step.after)
		if _, err := n.SyncWith(ctx, dead); err == nil {
			t.Fatal("sync with a dead peer succeeded")
		}
		if got := stored(); got != step.want {
			t.Fatalf("%d peers stored after %v more, want %d", got, step.after, step.want)
		}
	}
	// Forgotten in memory too: registering it again is news.
	reg, err := n.RegisterPeers(ctx, []string{dead.String()})
	if err != nil || reg.Added != 1 {
		t.Fatalf("register again: %+v, %v", reg, err)
	}
}
