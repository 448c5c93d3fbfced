package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/pybtc/pybtc/api/apijson"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// TestRegisterCapUnderConcurrency sends hundreds of registrations of
// distinct peers at once: the cap of 64 must hold, and the goroutines they
// leave must be bounded.
func TestRegisterCapUnderConcurrency(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1})
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	codes := make([]int, 500)
	for i := range codes {
		wg.Go(func() {
			rec := e.Do(t, "POST", "/nodes/register", fmt.Sprintf(`{"nodes": "http://127.0.0.1:%d"}`, 10000+i))
			codes[i] = rec.Code
		})
	}
	wg.Wait()
	added := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			added++
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d", c)
		}
	}
	peers, err := e.Node.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(peers) != 64 || added != 64 {
		t.Fatalf("%d peers stored, %d registrations accepted; want 64", len(peers), added)
	}
	// Each peer keeps its relay workers; the rest must end.
	limit := before + 64*4 + 32
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > limit {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRemovePeer(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1})
	e.Do(t, "POST", "/nodes/register", `{"nodes": ["http://127.0.0.1:5001", "http://127.0.0.1:5002"]}`)
	tests := []struct {
		name, body string
		status     int
		message    string
		left       int
	}{
		{"Unknown", `{"nodes": "http://127.0.0.1:5009"}`, 404, "not known", 2},
		{"Malformed", `{"nodes": "127.0.0.1:5001"}`, 400, "http://", 2},
		{"Missing", `{"node": "http://127.0.0.1:5001"}`, 400, "nodes", 2},
		{"NotJSON", `nodes`, 400, "nodes", 2},
		{"Known", `{"nodes": "http://127.0.0.1:5001/"}`, 200, "Node removed", 1},
		{"AlreadyRemoved", `{"nodes": "http://127.0.0.1:5001"}`, 404, "not known", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.Do(t, "POST", "/nodes/remove", tt.body)
			if rec.Code != tt.status || !strings.Contains(message(t, rec), tt.message) {
				t.Fatalf("status %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.message)
			}
			peers, err := e.Node.Peers(context.Background())
			if err != nil || len(peers) != tt.left {
				t.Fatalf("%d peers left (%v), want %d", len(peers), err, tt.left)
			}
		})
	}
	// A removed peer can come back.
	if rec := e.Do(t, "POST", "/nodes/register", `{"nodes": "http://127.0.0.1:5001"}`); message(t, rec) != "New nodes have been added" {
		t.Fatalf("register again: %s", rec.Body)
	}
}

// TestRegisterSelfAliases: no spelling of the node's own address becomes
// its peer.
func TestRegisterSelfAliases(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1})
	for _, alias := range []string{
		"http://127.0.0.1:5000", "http://localhost:5000", "http://0.0.0.0:5000", "http://[::1]:5000",
		"http://[::ffff:127.0.0.1]:5000", "http://[::]:5000", "http://127.0.0.2:5000", "http://127.1:5000",
		"https://LOCALHOST:5000/",
	} {
		t.Run(alias, func(t *testing.T) {
			rec := e.Do(t, "POST", "/nodes/register", fmt.Sprintf(`{"nodes": %q}`, alias))
			if rec.Code != http.StatusCreated || message(t, rec) != "Already Registered Node" {
				t.Fatalf("status %d %s", rec.Code, rec.Body)
			}
			if peers, _ := e.Node.Peers(context.Background()); len(peers) != 0 {
				t.Fatalf("%s registered as a peer of itself", alias)
			}
		})
	}
}

// TestPeersShowTheirChains: after a sync, /scan/peers (in English and
// Korean) and /api/peers show each peer's height, tip, how far it is
// ahead or behind, when it last answered and its round-trip time.
func TestPeersShowTheirChains(t *testing.T) {
	ctx := context.Background()
	// The source reaches no peer (its client fetches nothing), so the
	// watcher's announcement of its own block cannot make it follow: its
	// chain stays what the test says.
	source := MustServeNetworkNode(t, "", node.Config{SyncInterval: -1, Client: &branchPeers{chains: map[string][]wire.Value{}}})
	source.MustMine(t)
	source.MustMine(t)
	watcher := MustServeNetworkNode(t, "", node.Config{SyncInterval: -1})
	if _, err := watcher.Node.RegisterPeers(ctx, []string{source.URL.String()}); err != nil {
		t.Fatal(err)
	}
	if _, err := watcher.Node.SyncWith(ctx, source.URL); err != nil {
		t.Fatal(err)
	}
	// This node goes one block ahead; the peer's answer then carries no
	// block, and its tip is kept from the answer at the same height.
	watcher.MustMine(t)
	if _, err := watcher.Node.SyncWith(ctx, source.URL); err != nil {
		t.Fatal(err)
	}
	tip := source.Node.Tip()

	var list apijson.PeerList
	rec := watcher.Do(t, "GET", "/api/peers", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); rec.Code != http.StatusOK || err != nil || len(list.Peers) != 1 {
		t.Fatalf("GET /api/peers: %d %s (%v)", rec.Code, rec.Body, err)
	}
	p := list.Peers[0]
	switch {
	case p.Height != 3 || p.TipHash != tip.Hash:
		t.Errorf("peer at height %d tip %q, want 3 %q", p.Height, p.TipHash, tip.Hash)
	case p.Ahead == nil || *p.Ahead != -1:
		t.Errorf("ahead = %v, want -1", p.Ahead)
	case p.LastSeen == 0 || time.Since(time.UnixMicro(int64(p.LastSeen*1e6))) > time.Minute:
		t.Errorf("last_seen = %f, want just now", p.LastSeen)
	case p.RTTMillis <= 0:
		t.Errorf("rtt_ms = %f, want the time the answer took", p.RTTMillis)
	}

	for _, tc := range []struct{ lang, behind string }{{"en", "1 behind"}, {"ko", "1블록 뒤처짐"}} {
		t.Run(tc.lang, func(t *testing.T) {
			rec := watcher.Get(t, "/scan/peers", tc.lang)
			doc, err := goquery.NewDocumentFromReader(rec.Body)
			if rec.Code != http.StatusOK || err != nil {
				t.Fatalf("GET /scan/peers: %d (%v)", rec.Code, err)
			}
			for sel, want := range map[string]string{
				"#peers .peer-height": "3",
				"#peers .peer-versus": tc.behind,
				"#peers .peer-tip":    tip.Hash[:8],
			} {
				if got := MustText(t, doc, sel); !strings.Contains(got, want) {
					t.Errorf("%s says %q, want %q", sel, got, want)
				}
			}
			if doc.Find("#peers .peer-tip code").AttrOr("title", "") != tip.Hash {
				t.Error("the tip's full hash is not in its title")
			}
			for _, sel := range []string{"#peers .peer-seen time", "#peers .peer-rtt"} {
				if got := strings.TrimSpace(doc.Find(sel).Text()); got == "" || got == "—" {
					t.Errorf("%s is empty", sel)
				}
			}
		})
	}
}
