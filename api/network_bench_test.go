package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/internal/benchchain"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
)

// NetworkNode is a node serving on loopback with peers enabled.
type NetworkNode struct {
	*Env
	URL peer.URL
}

// MustServeNetworkNode opens a node on db (a new file if empty) that
// serves on a free loopback port and knows its own URL.
func MustServeNetworkNode(tb testing.TB, db string, cfg node.Config) *NetworkNode {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.Self, err = peer.ParseURL("http://" + ln.Addr().String()); err != nil {
		tb.Fatal(err)
	}
	if db == "" {
		db = filepath.Join(tb.TempDir(), "node.db")
	}
	e := mustOpenEnvAt(tb, db, cfg)
	s := &api.Server{Listener: ln, Chain: e.DB, Explorer: e.DB, Node: e.Node, Logger: slog.New(slog.DiscardHandler)}
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return &NetworkNode{Env: e, URL: cfg.Self}
}

// TestMain removes the benchmarks' large databases when the run ends.
func TestMain(m *testing.M) {
	code := m.Run()
	benchDirsMu.Lock()
	for _, dir := range benchDirs {
		os.RemoveAll(dir)
	}
	benchDirsMu.Unlock()
	os.Exit(code)
}

// tenThousandBlocks builds, once per process, a database holding a valid
// chain of 10,000 blocks.
func tenThousandBlocks(b *testing.B) string {
	return mustBuilt(b, tenThousand)
}

var tenThousand = sync.OnceValues(func() (string, error) {
	return newBenchDB("ten-thousand.db", func(ctx context.Context, db *store.DB) error {
		return benchchain.Mine(ctx, db, 9_999, func(ctx context.Context, prev int64) (int64, error) {
			return node.SearchNonce(ctx, prev, 0)
		})
	})
})

// hundredThousandBlocks builds, once per process, a database holding a
// valid chain of 100,000 blocks: a copy of tenThousandBlocks' mined on.
// Searching 90,000 proofs of work takes minutes, so the chain is kept in
// the user's cache folder (pybtc-bench/) for later runs; remove the folder
// to build it anew.
func hundredThousandBlocks(b *testing.B) string {
	return mustBuilt(b, hundredThousand)
}

var hundredThousand = sync.OnceValues(func() (_ string, err error) {
	from, err := tenThousand()
	if err != nil {
		return "", err
	}
	path := filepath.Join(filepath.Dir(from), "hundred-thousand.db")
	cached := ""
	if dir, err := os.UserCacheDir(); err == nil {
		cached = filepath.Join(dir, "pybtc-bench", "chain-100000.db")
		if raw, err := os.ReadFile(cached); err == nil {
			return path, os.WriteFile(path, raw, 0o644)
		}
	}
	raw, err := os.ReadFile(from)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return "", err
	}
	ctx := context.Background()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		return "", err
	}
	err = benchchain.Mine(ctx, db, 90_000, func(ctx context.Context, prev int64) (int64, error) {
		return node.SearchNonce(ctx, prev, 0)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if cached != "" && os.MkdirAll(filepath.Dir(cached), 0o755) == nil {
		if raw, err := os.ReadFile(path); err == nil {
			os.WriteFile(cached, raw, 0o644)
		}
	}
	return path, nil
})

// BenchmarkJoin measures a new node catching up with a peer that has
// 10,000 and 100,000 blocks: pages of blocks over loopback, each validated
// and committed. It reports seconds to sync, how much the live heap grew,
// and the process's peak resident memory during the sync (both nodes, and
// the sampler's collections every 10 ms slow the sync a little).
func BenchmarkJoin(b *testing.B) {
	b.Run("blocks=10000", func(b *testing.B) { benchmarkJoin(b, tenThousandBlocks(b), 10_000) })
	b.Run("blocks=100000", func(b *testing.B) { benchmarkJoin(b, hundredThousandBlocks(b), 100_000) })
}

func benchmarkJoin(b *testing.B, path string, height int64) {
	source := MustServeNetworkNode(b, path, node.Config{SyncInterval: -1})
	var peak uint64
	var peakRSS int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		joiner := MustServeNetworkNode(b, "", node.Config{SyncInterval: -1})
		resetPeakRSS()
		stop := sampleLiveHeap(&peak)
		b.StartTimer()
		if _, err := joiner.Node.SyncWith(context.Background(), source.URL); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		stop()
		peakRSS = max(peakRSS, readPeakRSS())
		if got := joiner.Node.Tip(); got.Height != height {
			b.Fatalf("joined at height %d, want %d", got.Height, height)
		}
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/join")
	b.ReportMetric(float64(peak)/1e6, "peak-live-heap-growth-MB")
	if peakRSS > 0 {
		b.ReportMetric(float64(peakRSS)/1e6, "peak-RSS-MB")
	}
}

// resetPeakRSS starts the process's peak resident memory (VmHWM) over from
// what it holds now; it does nothing where Linux's clear_refs is missing.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// readPeakRSS returns the process's peak resident memory in bytes since
// resetPeakRSS, or 0 where /proc does not tell.
func readPeakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			return n * 1024
		}
	}
	return 0
}

// sampleLiveHeap records, until the returned stop is called, the largest
// growth of the live heap (what survives a collection) into peak. It
// collects every 10 ms, so garbage does not count: only what is held.
func sampleLiveHeap(peak *uint64) (stop func()) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base && ms.HeapAlloc-base > *peak {
					*peak = ms.HeapAlloc - base
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// BenchmarkRelay posts 1,000 transactions to one node of three and waits
// until all three hold them pending. It reports seconds per 1,000.
func BenchmarkRelay(b *testing.B) {
	cfg := node.Config{SyncInterval: -1, AllowOverdraft: true}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		nodes := []*NetworkNode{
			MustServeNetworkNode(b, "", cfg),
			MustServeNetworkNode(b, "", cfg),
			MustServeNetworkNode(b, "", cfg),
		}
		if _, err := nodes[0].Node.RegisterPeers(context.Background(), []string{nodes[1].URL.String(), nodes[2].URL.String()}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				client := &http.Client{}
				for {
					k := next.Add(1)
					if k > 1000 {
						return
					}
					body := fmt.Sprintf(`{"sender": "s%d", "recipient": "r", "amount": 1}`, k)
					resp, err := client.Post(nodes[0].URL.String()+"/transactions/new", "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
		deadline := time.Now().Add(30 * time.Second)
		for _, n := range nodes {
			for mempoolSize(b, n.Env) < 1000 {
				if time.Now().After(deadline) {
					b.Fatalf("%s holds %d of 1000 after 30s", n.URL, mempoolSize(b, n.Env))
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1000tx")
}
