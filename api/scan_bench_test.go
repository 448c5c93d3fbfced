package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/internal/benchchain"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// explorerChain builds, once per process, a database of 100,000 blocks and
// 1,000,000 transactions: nine payments among 10,000 addresses and a
// coinbase to "miner" in every block; and 1,000 stale blocks beside the
// top of the chain, 200 lost branches of 5.
func explorerChain(b *testing.B) string {
	return mustBuilt(b, explorer)
}

var explorer = sync.OnceValues(func() (string, error) {
	return newBenchDB("explorer.db", func(ctx context.Context, db *store.DB) error {
		if err := benchchain.Extend(ctx, db, 99_999, 9, benchchain.Addresses("addr", 10_000)); err != nil {
			return err
		}
		return benchchain.StaleBranches(ctx, db, 200, 5)
	})
})

// staleHash is the hash of one of the stale blocks explorerChain adds.
func staleHash(b *testing.B, db *store.DB) string {
	b.Helper()
	blocks, err := db.BlockTree(context.Background(), 99_990, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	for _, tb := range blocks {
		if tb.Status == pybtc.BlockStale {
			return tb.Hash
		}
	}
	b.Fatal("no stale block near the tip")
	return ""
}

// BenchmarkScanPages renders Block Scan's pages over a chain of 100,000
// blocks and 1,000,000 transactions, through the whole handler (routing,
// queries, templates), as a browser would ask for them.
func BenchmarkScanPages(b *testing.B) {
	path := explorerChain(b)
	ctx := context.Background()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	logger := slog.New(slog.DiscardHandler)
	n := node.New(db, node.Config{Miner: "miner", SyncInterval: -1, Logger: logger})
	if err := n.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	h := (&api.Server{Chain: db, Explorer: db, Node: n, Logger: logger}).Handler()
	for _, bc := range []struct{ name, target string }{
		{"Home", "/scan"},
		{"HomeDeepPage", "/scan?page=4000"},
		{"Block", "/scan/block/50000"},
		{"Address", "/scan/address/addr4242"},
		{"AddressLastPage", "/scan/address/addr4242?page=8"},
		{"AddressOfMiner", "/scan/address/miner"},
		{"Search", "/scan/search?q=addr4242"},
		{"Tree", "/scan/tree"},
		{"Reorgs", "/scan/reorgs"},
		{"APIAddress", "/api/address/addr4242"},
		{"APITips", "/api/tips"},
		{"APIStaleBlock", "/api/blocks/" + staleHash(b, db)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", bc.target, nil)
			req.Header.Set("Accept", "text/html")
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK && rec.Code != http.StatusSeeOther {
					b.Fatalf("GET %s: %d %s", bc.target, rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkColdStart opens a node on a database of 100,000 blocks and
// 1,000,000 transactions (explorerChain) and times it from the store's
// open to the first answer over loopback: migrations checked, the
// mempool's index and the tip loaded, the peers read, the listener bound.
// The file is in the page cache, as it is when a node restarts.
func BenchmarkColdStart(b *testing.B) {
	benchmarkColdStart(b, explorerChain(b))
}

func benchmarkColdStart(b *testing.B, path string) {
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for b.Loop() {
		db := store.NewDB(path)
		if err := db.Open(ctx); err != nil {
			b.Fatal(err)
		}
		n := node.New(db, node.Config{Miner: "miner", SyncInterval: -1, Logger: logger})
		if err := n.Open(ctx); err != nil {
			b.Fatal(err)
		}
		s := &api.Server{Addr: "127.0.0.1:0", Chain: db, Explorer: db, Node: n, Logger: logger}
		if err := s.Open(); err != nil {
			b.Fatal(err)
		}
		resp, err := client.Get(s.URL() + "/")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /: %d", resp.StatusCode)
		}
		b.StopTimer()
		s.Close(ctx)
		n.Close()
		db.Close()
		b.StartTimer()
	}
}
