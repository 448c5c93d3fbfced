package api_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
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
