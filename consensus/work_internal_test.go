package consensus

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
)

// TestWorkLayout checks, for every place the JSON before the work can end
// in its last 64-byte chunk, that a try takes one SHA-256 compression,
// that every value fits an int64 and that there are millions to try.
func TestWorkLayout(t *testing.T) {
	for held := range sha256.BlockSize {
		lead, tail := workLayout(held)
		if lead < 1 || tail < 2 || lead+tail > maxWorkDigits {
			t.Fatalf("held %d: lead %d and tail %d digits", held, lead, tail)
		}
		// The chunk of a try: the held bytes and the lead's, the tail,
		// "}", 0x80 and the 8-byte length.
		if last := (held+lead)%sha256.BlockSize + tail + 1 + 1 + 8; last > sha256.BlockSize {
			t.Fatalf("held %d: lead %d and tail %d digits need %d bytes in the last chunk", held, lead, tail, last)
		}
		if tries := 9 * pow10(lead-1) * pow10(tail); tries < 9_000_000 {
			t.Fatalf("held %d: %d tries", held, tries)
		}
	}
}

// index is the number of the try of work, the inverse of Work.
func (w *WorkSearch) index(work int64) int64 {
	return (work/w.tails-w.firstLead)*w.tails + work%w.tails
}

// benchTransactions returns n transactions of a block: n-1 payments and
// the coinbase.
func benchTransactions(n int) []pybtc.Transaction {
	txs := make([]pybtc.Transaction, 0, n)
	for i := range n - 1 {
		id, raw := wire.EncodeTransaction(fmt.Sprintf("sender-%d", i), "recipient", wire.FloatField(1.25), wire.FloatField(GenesisTimestamp+float64(i)/10))
		txs = append(txs, pybtc.Transaction{ID: id, Raw: raw})
	}
	return append(txs, Coinbase("miner", GenesisTimestamp+3600))
}

// BenchmarkWorkTry measures one try of the work search on one core, at 10
// and at 10,000 transactions a block: the JSON before the work is hashed
// once, outside the timing, so a try costs the same at both sizes.
// Compare ns/try with BenchmarkProofTry, a try of the nonce search.
func BenchmarkWorkTry(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			ws, err := NewWorkSearch(2, GenesisTimestamp+3600, benchTransactions(n), 1, GenesisHash)
			if err != nil {
				b.Fatal(err)
			}
			benchTries(b, ws.Tries(), func(start, count int64) int64 {
				work, ok := ws.Search(start, count)
				if !ok {
					return count
				}
				return ws.index(work) - start + 1
			})
		})
	}
}

// BenchmarkProofTry measures one try of the nonce search on one core.
func BenchmarkProofTry(b *testing.B) {
	const prev = 1 << 40
	benchTries(b, 1<<61, func(start, count int64) int64 {
		nonce, ok := SearchProof(prev, start, count)
		if !ok {
			return count
		}
		return nonce + prev - start + 1 // start is a sum
	})
}

// benchTries runs search, which returns the tries it made (a range stops
// at its first success), over ranges of tries and reports the time of one.
func benchTries(b *testing.B, limit int64, search func(start, count int64) int64) {
	const chunk = 1 << 14
	var tries int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tries += search(int64(i)*chunk%(limit-chunk), chunk)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(tries), "ns/try")
}

// TestWorkIndex checks that index inverts Work, which the benchmark
// counts tries with, and that Work numbers values without gaps.
func TestWorkIndex(t *testing.T) {
	for held := range sha256.BlockSize {
		lead, tail := workLayout(held)
		w := &WorkSearch{tails: pow10(tail), firstLead: pow10(lead - 1)}
		w.tries = 9 * w.firstLead * w.tails
		for _, i := range []int64{0, 1, w.tails - 1, w.tails, w.tails + 1, w.tries / 2, w.tries - 1} {
			if got := w.index(w.Work(i)); got != i {
				t.Fatalf("held %d: index(Work(%d))=%d", held, i, got)
			}
			if i > 0 && w.Work(i) != w.Work(i-1)+1 {
				t.Fatalf("held %d: Work(%d)=%d after %d", held, i, w.Work(i), w.Work(i-1))
			}
		}
	}
}
