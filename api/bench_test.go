package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/internal/benchchain"
	"github.com/pybtc/pybtc/internal/loadgen"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// MustServe serves e's node on a real loopback listener.
func MustServe(tb testing.TB, e *Env) string {
	tb.Helper()
	s := &api.Server{Addr: "127.0.0.1:0", Chain: e.DB, Explorer: e.DB, Node: e.Node, Logger: slog.New(slog.DiscardHandler)}
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s.URL()
}

// BenchmarkPostTransactions posts transactions from 16 keep-alive clients
// over loopback to a durable node with the balance check on: every post is
// checked against its sender's balance, committed and synced to disk
// before its 201. Reports accepted transactions per second, and the
// disk's sync time in the same run.
//
// The clients share the node's two cores. client=loadgen is a plain
// keep-alive HTTP/1.1 poster (internal/loadgen), as a load generator such
// as wrk is, so the figure is the node's; client=net-http is Go's
// http.Client, whose own work per post is about a third of the node's.
func BenchmarkPostTransactions(b *testing.B) {
	b.Run("client=loadgen", func(b *testing.B) {
		benchmarkPostTransactions(b, func(url string, bodies func(int) []byte) (int64, error) {
			res, err := loadgen.Post(context.Background(), url, postClients, b.N, bodies)
			return res.Status[http.StatusCreated], err
		})
	})
	b.Run("client=net-http", func(b *testing.B) {
		benchmarkPostTransactions(b, func(url string, bodies func(int) []byte) (int64, error) {
			return postWithHTTPClient(url, postClients, b.N, bodies)
		})
	})
}

const postClients = 16

func benchmarkPostTransactions(b *testing.B, post func(url string, bodies func(int) []byte) (accepted int64, err error)) {
	// Nothing is mined: the mempool's cap is raised so that long runs
	// (-benchtime 100000x) fit after the warm-up.
	e := MustOpenEnv(b, node.Config{MaxPending: 1 << 30})
	senders := benchchain.Addresses("sender", 1000)
	// Fund every sender in one block: a coinbase would pay only 0.1.
	if err := benchchain.Fund(context.Background(), e.DB, senders, 1000*pybtc.Coin); err != nil {
		b.Fatal(err)
	}
	url := MustServe(b, e) + "/transactions/new"
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"sender": "sender%d", "recipient": "shop%d", "amount": 0.00000001}`, i%1000, i%postClients)
	}

	warmLog(b, e, url)
	before := e.Node.Stats()
	syncs, syncTime := e.DB.LogSyncs()

	b.ResetTimer()
	accepted, err := post(url, func(i int) []byte { return bodies[i] })
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if accepted != int64(b.N) {
		b.Fatalf("accepted %d of %d", accepted, b.N)
	}
	b.ReportMetric(float64(accepted)/b.Elapsed().Seconds(), "tx/s")
	after := e.Node.Stats()
	commits := after.Commits - before.Commits
	b.ReportMetric(float64(b.N)/float64(commits), "tx/commit")
	// A cycle: the posts' HTTP work, then their commit (inserts and sync).
	b.ReportMetric(float64(b.Elapsed())/float64(commits)/1000, "µs/commit")
	b.ReportMetric(float64(after.CommitTime-before.CommitTime)/float64(commits)/1000, "µs-in-commit")
	// The disk's pace in the same run: a sync of the write-ahead log.
	syncsAfter, syncTimeAfter := e.DB.LogSyncs()
	b.ReportMetric(float64(syncTimeAfter-syncTime)/float64(syncsAfter-syncs)/1000, "µs/sync")
	b.ReportMetric(float64(b.N)/float64(syncsAfter-syncs), "tx/sync")
}

// walCheckpointBytes is the size the write-ahead log reaches before the
// writer checkpoints it and starts it over (2,000 frames of a 4 KiB page
// and its 24-byte header, after the 32-byte file header).
const walCheckpointBytes = 32 + 2000*(4096+24)

// warmLog posts until the node's write-ahead log has reached the size at
// which it starts over, as it has on any node that has run for a while.
// From then on a commit overwrites blocks the file already has; a fresh
// log grows instead, and a sync of a growing file costs the file system a
// journal write too (about a tenth of the posts a second, measured here).
func warmLog(b *testing.B, e *Env, url string) {
	b.Helper()
	const round = 2000
	for range 20 {
		if st, err := os.Stat(e.DB.Path + "-wal"); err == nil && st.Size() >= walCheckpointBytes {
			return
		}
		if _, err := loadgen.Post(context.Background(), url, postClients, round, func(i int) []byte {
			return fmt.Appendf(nil, `{"sender": "sender%d", "recipient": "warm", "amount": 0.00000001}`, i%1000)
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.Fatal("the write-ahead log did not reach its checkpoint size")
}

// postWithHTTPClient posts n bodies from clients http.Clients, each with
// one keep-alive connection, and counts the 201s.
func postWithHTTPClient(url string, clients, n int, body func(int) []byte) (int64, error) {
	var next, accepted atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				resp, err := client.Post(url, "application/json", bytes.NewReader(body(int(i))))
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					accepted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return accepted.Load(), <-errs
}

// BenchmarkChain serves GET /chain at 1,000 blocks of 10 transactions over
// loopback.
func BenchmarkChain(b *testing.B) {
	e := MustOpenEnv(b, node.Config{})
	if err := benchchain.Extend(context.Background(), e.DB, 999, 9, benchchain.Addresses("a", 100)); err != nil {
		b.Fatal(err)
	}
	url := MustServe(b, e) + "/chain"
	// A client that reads in large pieces, as a peer fetching chains does.
	client := &http.Client{Transport: &http.Transport{ReadBufferSize: 256 << 10}}
	var size int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64(size)/1e6, "MB/answer")
}

// BenchmarkChainMemory streams chains of 10,000 and 100,000 blocks and
// reports how much the live heap (what survives a collection) grew while
// each streamed, sampled as it runs and, exactly, with the stream paused
// at three points: the same small growth for ten times the chain means the
// chain is never held whole. The client does not ask for gzip, as curl and the
// tutorial's readers' scripts do not: Go's client asks for it on its own,
// and the answer then also goes through a compressor (BenchmarkChainEncoding).
func BenchmarkChainMemory(b *testing.B) {
	for _, blocks := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("blocks=%d", blocks), func(b *testing.B) { benchmarkChainMemory(b, blocks) })
	}
}

func benchmarkChainMemory(b *testing.B, blocks int) {
	e := mustOpenEnvAt(b, chainOfBlocks(b, blocks), node.Config{})
	url := MustServe(b, e) + "/chain"
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	var peak uint64
	var size int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stop := sampleLiveHeap(&peak)
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		stop()
		if size = n; n < int64(blocks)*100 {
			b.Fatalf("answer of %d bytes is too short for %d blocks", n, blocks)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/1e6, "peak-live-heap-growth-MB")
	b.ReportMetric(float64(size)/1e6, "MB/answer")
	// What the stream holds, read with the stream paused at a tenth, half
	// and nine tenths of the chain: flat means the same at every point and
	// for ten times the chain.
	for _, part := range []int64{10, 50, 90} {
		held := heldMidStream(b, client, url, size*part/100)
		b.ReportMetric(float64(held)/1e6, fmt.Sprintf("held-at-%d%%-MB", part))
	}
}

// heldMidStream reads the first n bytes of GET url, stops reading, and
// returns how much the live heap has grown since before the request once
// the server, its socket full, is blocked writing: with nothing allocating,
// two collections leave only what the stream holds, where the sampler of
// a running stream also counts rows allocated while it collects.
func heldMidStream(b *testing.B, client *http.Client, url string, n int64) int64 {
	b.Helper()
	base := liveHeap()
	resp, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.CopyN(io.Discard, resp.Body, n); err != nil {
		b.Fatal(err)
	}
	// The server writes until the socket's buffers are full, then blocks:
	// wait until the live heap stops moving.
	held := liveHeap()
	for range 40 {
		time.Sleep(50 * time.Millisecond)
		now := liveHeap()
		steady := now-held < 64<<10 && held-now < 64<<10
		held = now
		if steady {
			break
		}
	}
	return held - base
}

// liveHeap is the heap that survives two collections in a row.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkChainEncoding serves GET /chain at 100,000 blocks (31 MB) over
// loopback, by what the client accepts and what serves it:
//   - handler=bare: the /chain handler alone, without and with the gzip
//     middleware, to a client that does not ask for gzip: the middleware
//     must cost such a client nothing (it wraps nothing for it);
//   - handler=server: the node's whole handler, to a client that does not
//     ask for gzip and to one that does (the tutorial's Python node, whose
//     requests library asks, and Go's http.Client). The gzipped answer is
//     read as it comes, not decoded: the figure is the node's.
func BenchmarkChainEncoding(b *testing.B) {
	e := mustOpenEnvAt(b, chainOfBlocks(b, 100_000), node.Config{})
	server := MustServe(b, e)
	bare := httptest.NewServer(api.ChainOnly(e.DB, false))
	defer bare.Close()
	bareGzip := httptest.NewServer(api.ChainOnly(e.DB, true))
	defer bareGzip.Close()
	for _, bc := range []struct{ name, url, accept, agent string }{
		{"handler=bare/middleware=none/accept=none", bare.URL, "", ""},
		{"handler=bare/middleware=gzip/accept=none", bareGzip.URL, "", ""},
		{"handler=server/accept=none", server, "", ""},
		{"handler=server/accept=gzip", server, "gzip", ""},
		// The tutorial's node: Python's requests asks for gzip.
		{"handler=server/accept=gzip/agent=python-requests", server, "gzip", "python-requests/2.31.0"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			defer client.CloseIdleConnections()
			var size int64
			for b.Loop() {
				req, err := http.NewRequest(http.MethodGet, bc.url+"/chain", nil)
				if err != nil {
					b.Fatal(err)
				}
				if bc.accept != "" {
					req.Header.Set("Accept-Encoding", bc.accept)
				}
				if bc.agent != "" {
					req.Header.Set("User-Agent", bc.agent)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				size, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if got := resp.Header.Get("Content-Encoding"); resp.StatusCode != http.StatusOK || (got == "gzip") != (bc.accept == "gzip" && bc.agent == "") {
					b.Fatalf("status %d, Content-Encoding %q for Accept-Encoding %q", resp.StatusCode, got, bc.accept)
				}
			}
			b.ReportMetric(float64(size)/1e6, "MB/answer")
		})
	}
}

var (
	chainsMu sync.Mutex
	// chains holds, by length, the chains chainOfBlocks built.
	chains = map[int]string{}
)

var (
	benchDirsMu sync.Mutex
	// benchDirs holds the folders of the databases newBenchDB made;
	// TestMain removes them.
	benchDirs []string
)

// chainOfBlocks builds, once per process, a database of blocks blocks of
// one payment each (and a coinbase), and returns its path.
func chainOfBlocks(b *testing.B, blocks int) string {
	b.Helper()
	chainsMu.Lock()
	defer chainsMu.Unlock()
	if path, ok := chains[blocks]; ok {
		return path
	}
	path, err := newBenchDB("chain.db", func(ctx context.Context, db *store.DB) error {
		return benchchain.Extend(ctx, db, blocks-1, 1, benchchain.Addresses("a", 100))
	})
	if err != nil {
		b.Fatal(err)
	}
	chains[blocks] = path
	return path
}

// newBenchDB makes a database named name in a new temporary folder, with
// the genesis block a node writes on its first start, and build's blocks
// on it; the folder is removed if that fails.
func newBenchDB(name string, build func(context.Context, *store.DB) error) (_ string, err error) {
	dir, err := os.MkdirTemp("", "pybtc-bench-")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	path := filepath.Join(dir, name)
	ctx := context.Background()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		return "", err
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	n := node.New(db, node.Config{Miner: "miner", Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		return "", err
	}
	n.Close()
	if err := build(ctx, db); err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	benchDirsMu.Lock()
	benchDirs = append(benchDirs, dir)
	benchDirsMu.Unlock()
	return path, nil
}

// mustBuilt returns the path of a database that built, a sync.OnceValues
// of a builder, made once per process.
func mustBuilt(b *testing.B, built func() (string, error)) string {
	b.Helper()
	path, err := built()
	if err != nil {
		b.Fatal(err)
	}
	return path
}
