package node_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pybtc/pybtc/node"
)

// BenchmarkSearchNonce finds one proof of work on every core, as mining a
// block does; it reports the median time per block besides the mean.
func BenchmarkSearchNonce(b *testing.B) {
	ctx := context.Background()
	times := make([]time.Duration, 0, b.N)
	prev := int64(100)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		nonce, err := node.SearchNonce(ctx, prev, 0)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		prev = nonce
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms/block")
}

// BenchmarkMine mines whole blocks through the node (snapshot, search,
// store), with an empty mempool.
func BenchmarkMine(b *testing.B) {
	ctx := context.Background()
	n, _ := MustOpenNode(b, node.Config{})
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := n.Mine(ctx, ""); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms/block")
}
