package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/internal/benchchain"
	"github.com/pybtc/pybtc/node"
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
// over loopback to a durable node (synchronous=FULL) with the balance check
// on: every post is checked against its sender's balance and committed
// before its 201. Reports accepted transactions per second.
func BenchmarkPostTransactions(b *testing.B) {
	const clients = 16
	e := MustOpenEnv(b, node.Config{})
	senders := benchchain.Addresses("sender", 1000)
	// Fund every sender in one block: a coinbase would pay only 0.1.
	if err := benchchain.Fund(context.Background(), e.DB, senders, 1000*pybtc.Coin); err != nil {
		b.Fatal(err)
	}
	url := MustServe(b, e) + "/transactions/new"

	var next, accepted atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := range clients {
		wg.Go(func() {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				body := fmt.Sprintf(`{"sender": "sender%d", "recipient": "shop%d", "amount": 0.00000001}`, i%1000, c)
				resp, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
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
	b.StopTimer()
	if accepted.Load() != int64(b.N) {
		b.Fatalf("accepted %d of %d", accepted.Load(), b.N)
	}
	b.ReportMetric(float64(accepted.Load())/b.Elapsed().Seconds(), "tx/s")
	stats := e.Node.Stats()
	b.ReportMetric(float64(stats.Committed)/float64(stats.Commits), "tx/commit")
	b.ReportMetric(float64(b.Elapsed())/float64(stats.Commits)/1000, "µs/commit")
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
// each streamed: the same growth for ten times the chain means the chain
// is never held whole.
func BenchmarkChainMemory(b *testing.B) {
	for _, blocks := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("blocks=%d", blocks), func(b *testing.B) { benchmarkChainMemory(b, blocks) })
	}
}

func benchmarkChainMemory(b *testing.B, blocks int) {
	e := MustOpenEnv(b, node.Config{})
	if err := benchchain.Extend(context.Background(), e.DB, blocks-1, 1, benchchain.Addresses("a", 100)); err != nil {
		b.Fatal(err)
	}
	url := MustServe(b, e) + "/chain"
	client := &http.Client{}
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
	b.ReportMetric(float64(peak)/1e6, "peak-live-heap-growth-MB")
	b.ReportMetric(float64(size)/1e6, "MB/answer")
}
