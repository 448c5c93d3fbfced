package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/wire"
)

// syncBuffer is a bytes.Buffer that a running command writes to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watchedNetwork is /devnet.json as the test reads it.
type watchedNetwork struct {
	Nodes []struct {
		URL, Miner, Tip string
		Height          int64
		Blocks          []struct {
			Height int64
			Hash   string
			Miner  string
		}
	}
}

func getDevnet(tb testing.TB, url string) watchedNetwork {
	tb.Helper()
	var s watchedNetwork
	if err := json.Unmarshal(MustGet(tb, url+"devnet.json"), &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestDevnetWatchPage: "pybtc devnet" prints the address of a page that
// shows every node, serves it with its script under a strict policy, and
// its data follows the nodes as they mine and converge.
func TestDevnetWatchPage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- runDevnet(ctx, []string{"--base-port", "0", "--dir", t.TempDir()}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("devnet did not stop")
		}
	})
	watchLine := regexp.MustCompile(`Watch them:\s+(http://127\.0\.0\.1:\d+/)`)
	WaitFor(t, 30*time.Second, "devnet prints its watch page", func() bool { return watchLine.MatchString(stdout.String()) })
	page := watchLine.FindStringSubmatch(stdout.String())[1]
	nodeURLs := regexp.MustCompile(`(?m)^\s+(http://127\.0\.0\.1:\d+)\s+chain`).FindAllStringSubmatch(stdout.String(), -1)
	if len(nodeURLs) != 3 {
		t.Fatalf("devnet printed %d nodes, want 3:\n%s", len(nodeURLs), stdout.String())
	}

	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	switch {
	case resp.StatusCode != http.StatusOK:
		t.Fatalf("GET %s: status %d", page, resp.StatusCode)
	case !strings.Contains(string(html), `<script src="/devnet.js"`) || strings.Contains(string(html), "<script>"):
		t.Fatalf("the page does not load its script from a file:\n%s", html)
	case !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline"):
		t.Fatalf("Content-Security-Policy %q", csp)
	}
	if js := MustGet(t, page+"devnet.js"); !bytes.Contains(js, []byte("/devnet.json")) {
		t.Fatal("devnet.js does not poll /devnet.json")
	}

	s := getDevnet(t, page)
	if len(s.Nodes) != 3 {
		t.Fatalf("devnet.json shows %d nodes, want 3", len(s.Nodes))
	}
	for i, n := range s.Nodes {
		if n.URL != nodeURLs[i][1] || n.Height != 1 || len(n.Blocks) != 1 || n.Miner == "" {
			t.Fatalf("node %d: %+v, want %s at height 1 with its genesis", i, n, nodeURLs[i][1])
		}
	}

	// The first node mines: the page's data shows its block, with its
	// miner, on it and then on every node.
	MustGet(t, s.Nodes[0].URL+"/mine")
	miner := s.Nodes[0].Miner
	WaitFor(t, 30*time.Second, "every node shows block 2 mined by "+miner, func() bool {
		s = getDevnet(t, page)
		for _, n := range s.Nodes {
			if n.Height != 2 || n.Blocks[0].Miner != miner || n.Blocks[0].Hash != n.Tip || n.Tip != s.Nodes[0].Tip {
				return false
			}
		}
		return true
	})
}

// TestDevnetSecure: "pybtc devnet --secure" runs nodes with rule W from
// block 2, so a block mined there carries work.
func TestDevnetSecure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- runDevnet(ctx, []string{"--secure", "--nodes", "1", "--base-port", "0", "--dir", t.TempDir()}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("devnet did not stop")
		}
	})
	nodeLine := regexp.MustCompile(`(?m)^\s+(http://127\.0\.0\.1:\d+)\s+chain`)
	WaitFor(t, 30*time.Second, "devnet prints its node", func() bool { return nodeLine.MatchString(stdout.String()) })
	url := nodeLine.FindStringSubmatch(stdout.String())[1]
	MustGet(t, url+"/mine")
	chain := chainOf(t, url)
	if len(chain) != 2 {
		t.Fatalf("%d blocks, want 2", len(chain))
	}
	if _, ok := chain[1].Get("work"); !ok || !strings.HasPrefix(wire.Hash(chain[1]), "0000") {
		t.Fatalf("block 2 has no work: %s", wire.AppendCompact(nil, chain[1]))
	}
}

// TestDevnetDev: "pybtc devnet --dev" starts every node with --dev (the
// wallet's mine button, the lab's runs); without it, none has them.
func TestDevnetDev(t *testing.T) {
	for _, dev := range []bool{true, false} {
		t.Run(fmt.Sprint("dev=", dev), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr syncBuffer
			args := []string{"--nodes", "2", "--base-port", "0", "--dir", t.TempDir()}
			if dev {
				args = append(args, "--dev")
			}
			done := make(chan int)
			go func() { done <- runDevnet(ctx, args, &stdout, &stderr) }()
			t.Cleanup(func() {
				cancel()
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					t.Error("devnet did not stop")
				}
			})
			nodeLine := regexp.MustCompile(`(?m)^\s+(http://127\.0\.0\.1:\d+)\s+chain`)
			WaitFor(t, 30*time.Second, "devnet prints its nodes", func() bool { return len(nodeLine.FindAllString(stdout.String(), -1)) == 2 })
			for _, m := range nodeLine.FindAllStringSubmatch(stdout.String(), -1) {
				page := string(MustGet(t, m[1]+"/lab/rewrite"))
				if enabled := strings.Contains(page, `id="lab-button">`); enabled != dev {
					t.Fatalf("%s/lab/rewrite: run button enabled %v, want %v", m[1], enabled, dev)
				}
			}
		})
	}
}
