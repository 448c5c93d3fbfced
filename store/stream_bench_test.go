package store_test

import (
	"context"
	"testing"

	"github.com/pybtc/pybtc/internal/benchchain"
)

// BenchmarkStreamChain reads 1,000 blocks of 10 transactions from the
// database, without HTTP, to separate storage from serving costs.
func BenchmarkStreamChain(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	if err := benchchain.Extend(ctx, db, 999, 9, benchchain.Addresses("a", 100)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		err := db.StreamChain(ctx, 1, 0, func(int64) error { return nil }, func(raw []byte) error {
			n += len(raw)
			return nil
		})
		if err != nil || n == 0 {
			b.Fatal(err)
		}
	}
}
