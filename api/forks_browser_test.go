package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/internal/browsertest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// TestBrowserLiveReorg keeps the block tree open in Chromium while the
// node reorganises: the branch the node mined, now stale, appears beside
// the main chain in the open page, without a reload.
func TestBrowserLiveReorg(t *testing.T) {
	ctx := context.Background()
	peers := &branchPeers{chains: map[string][]wire.Value{}}
	self, _ := peer.ParseURL("http://127.0.0.1:5990")
	e := MustOpenEnv(t, node.Config{Self: self, Client: peers, SyncInterval: -1, AllowOverdraft: true})
	for range 2 {
		if _, err := e.Node.Mine(ctx, "node-miner"); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(e.Handler)
	t.Cleanup(srv.Close)

	bctx := browsertest.New(t, browsertest.WithTimeout(90*time.Second))
	if status := browsertest.Navigate(t, bctx, srv.URL+"/scan/tree"); status != http.StatusOK {
		t.Fatalf("/scan/tree: status %d", status)
	}
	staleEdges := func() int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#tree .tree-edge-stale").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := staleEdges(); n != 0 {
		t.Fatalf("%d stale edges before any fork", n)
	}

	g := consensustest.NewGenerator(t)
	g.Miner = "peer-miner"
	for _, name := range []string{"p2", "p3", "p4", "p5"} {
		g.NextBlock(name)
	}
	u := peers.serve(t, "http://127.0.0.1:6001", g.Chain("p5"))
	if changed, err := e.Node.SyncWith(ctx, u); err != nil || !changed {
		t.Fatalf("SyncWith = %v, %v; want the node to reorganise", changed, err)
	}
	for deadline := time.Now().Add(20 * time.Second); staleEdges() < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the open page shows %d stale edges 20s after the reorganisation, want the node's 2 blocks", staleEdges())
		}
		time.Sleep(100 * time.Millisecond)
	}
	browsertest.Screenshot(t, bctx, "fork-live-reorg")
	browsertest.NoJSErrors(t, bctx)
	browsertest.NoCSPViolations(t, bctx)
}
