package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pybtc/pybtc/internal/loadgen"
)

// benchClients is how many keep-alive clients post at once.
const benchClients = 16

// BenchmarkPostsAgainstTutorial runs the tutorial's node and a pyBTC node
// side by side and posts to each from the same load generator, 16
// keep-alive clients: the tutorial keeps its transactions in memory,
// pyBTC checks each against its sender's balance and has it on disk
// before its 201. It reports each node's posts a second, their ratio, each
// one's p50 and p99 latency, and how long the disk under pyBTC's database
// takes to sync, measured just before and after pyBTC's run.
//
//	go test -run '^$' -bench PostsAgainstTutorial -count 5 ./cmd/pybtc
func BenchmarkPostsAgainstTutorial(b *testing.B) {
	const tutorialPosts, pybtcPosts = 4_000, 60_000
	tutorial := MustStartTutorial(b)
	dir := b.TempDir()
	node := MustStartNode(b, filepath.Join(dir, "node.db"), "--miner", "payer", "--max-mempool", "1000000")
	MustGet(b, node.URL+"/mine") // pays payer 0.1, a million posts of a satoshi
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"sender": "payer", "recipient": "shop%d", "amount": 0.00000001}`, i%benchClients)
	}
	// Warm both: Flask's first requests, and pyBTC's write-ahead log up to
	// the size at which it starts over, as on a node that has run a while.
	mustPost(b, tutorial, 500, body)
	mustPost(b, node.URL, 20_000, body)

	b.ResetTimer()
	for range b.N {
		tut := mustPost(b, tutorial, tutorialPosts, body)
		syncBefore := diskSyncTime(b, dir)
		py := mustPost(b, node.URL, pybtcPosts, body)
		syncAfter := diskSyncTime(b, dir)

		b.ReportMetric(tut.rate, "tutorial-tx/s")
		b.ReportMetric(py.rate, "pybtc-tx/s")
		b.ReportMetric(py.rate/tut.rate, "ratio")
		b.ReportMetric(ms(tut.res.Percentile(0.5)), "tutorial-p50-ms")
		b.ReportMetric(ms(tut.res.Percentile(0.99)), "tutorial-p99-ms")
		b.ReportMetric(ms(py.res.Percentile(0.5)), "pybtc-p50-ms")
		b.ReportMetric(ms(py.res.Percentile(0.99)), "pybtc-p99-ms")
		b.ReportMetric(ms((syncBefore+syncAfter)/2), "disk-sync-ms")
	}
}

type postRun struct {
	res  loadgen.Result
	rate float64
}

// mustPost posts n bodies to url's /transactions/new from benchClients
// clients; every one must be accepted.
func mustPost(b *testing.B, url string, n int, body func(int) []byte) postRun {
	b.Helper()
	start := time.Now()
	res, err := loadgen.Post(context.Background(), url+"/transactions/new", benchClients, n, body)
	took := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if res.Status[http.StatusCreated] != int64(n) {
		b.Fatalf("%s: %v answers for %d posts, want all 201", url, res.Status, n)
	}
	return postRun{res: res, rate: float64(n) / took.Seconds()}
}

// diskSyncTime is the median time of 200 syncs of three pages of the
// write-ahead log's size, written in place in a file in dir: what one
// group commit's sync costs there.
func diskSyncTime(b *testing.B, dir string) time.Duration {
	b.Helper()
	f, err := os.CreateTemp(dir, "sync-probe-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 3*(4096+24))
	if _, err := f.Write(make([]byte, 64*len(page))); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	times := make([]time.Duration, 200)
	for i := range times {
		if _, err := f.WriteAt(page, int64(i%64*len(page))); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[len(times)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
