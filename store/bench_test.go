package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/internal/benchchain"
	"github.com/pybtc/pybtc/store"
)

// TestMain removes the benchmarks' large database when the run ends.
func TestMain(m *testing.M) {
	code := m.Run()
	if millionDB != nil {
		millionDB.Close()
		os.RemoveAll(filepath.Dir(millionDB.Path))
	}
	os.Exit(code)
}

var (
	millionOnce sync.Once
	millionDB   *store.DB
	millionErr  error
)

// openMillion builds, once per process, a database of 1,000,000 confirmed
// transactions among 1,000 addresses (100 blocks of 10,000).
func openMillion(b *testing.B) *store.DB {
	b.Helper()
	millionOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "pybtc-bench-")
		if err != nil {
			millionErr = err
			return
		}
		db := store.NewDB(filepath.Join(dir, "million.db"))
		if millionErr = db.Open(ctx); millionErr != nil {
			return
		}
		if millionErr = db.AppendBlock(ctx, consensus.Genesis()); millionErr != nil {
			return
		}
		millionErr = benchchain.Extend(ctx, db, 100, 9_999, benchchain.Addresses("addr", 1000))
		millionDB = db
	})
	if millionErr != nil {
		b.Fatal(millionErr)
	}
	return millionDB
}

// BenchmarkBalance reads one address's balance among 1,000,000 stored
// transactions (about 1,000 received and 1,000 sent by that address).
func BenchmarkBalance(b *testing.B) {
	db := openMillion(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bal, err := db.Balance(ctx, "addr"+strconv.Itoa(i%1000))
		if err != nil {
			b.Fatal(err)
		}
		if bal.Received.Sign() == 0 {
			b.Fatal("no coins received")
		}
	}
}

// BenchmarkBalancesViewOneAddress reads one address's row of the balances
// view, which groups every address at once: the cost the received_by and
// sent_by views, which BenchmarkBalance reads through, avoid.
func BenchmarkBalancesViewOneAddress(b *testing.B) {
	db := openMillion(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if received, _, _ := db.MustViewFigures(b, "addr"+strconv.Itoa(i%1000)); received == "0" {
			b.Fatal("no coins received")
		}
	}
}

// BenchmarkAddPending commits transactions to the mempool in batches of 8
// with the balance check on, the writer's share of a transaction post.
func BenchmarkAddPending(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	senders := benchchain.Addresses("sender", 1000)
	if err := benchchain.Fund(ctx, db, senders, 1000*pybtc.Coin); err != nil {
		b.Fatal(err)
	}
	txs := make([]pybtc.Transaction, b.N)
	for i := range txs {
		txs[i] = benchchain.Transaction(senders[i%1000], "shop", i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += 8 {
		res, err := db.AddPending(ctx, txs[i:min(i+8, b.N)], true)
		if err != nil {
			b.Fatal(err)
		}
		for _, err := range res {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkAddPendingBusySender commits transactions, one a commit, from
// an address with 20,001 confirmed transactions: its balance is summed
// once and then kept, so a post costs what a new address's does
// (BenchmarkAddPendingNewSender).
func BenchmarkAddPendingBusySender(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	if err := benchchain.Fund(ctx, db, []string{"busy"}, 1000*pybtc.Coin); err != nil {
		b.Fatal(err)
	}
	if err := benchchain.Extend(ctx, db, 1, 20_000, []string{"busy", "other"}); err != nil {
		b.Fatal(err)
	}
	benchmarkAddPendingOneByOne(b, db, func(int) string { return "busy" })
}

// BenchmarkAddPendingNewSender commits transactions, one a commit, each
// from an address with one confirmed transaction.
func BenchmarkAddPendingNewSender(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	senders := benchchain.Addresses("sender", 1000)
	if err := benchchain.Fund(ctx, db, senders, 1000*pybtc.Coin); err != nil {
		b.Fatal(err)
	}
	benchmarkAddPendingOneByOne(b, db, func(i int) string { return senders[i%1000] })
}

func benchmarkAddPendingOneByOne(b *testing.B, db *store.DB, sender func(i int) string) {
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := db.AddPending(ctx, []pybtc.Transaction{benchchain.Transaction(sender(i), "shop", i)}, true)
		if err != nil || res[0] != nil {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkFindPending looks a pending transaction up by id, and by the
// start of its id as Block Scan's search does, in a mempool at the node's
// default cap of 100,000. The mempool has no index on ids: the id's seq
// comes from the writer's published ids, and the prefix search goes
// through them all.
func BenchmarkFindPending(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	const pending = 100_000
	txs := make([]pybtc.Transaction, pending)
	for i := range txs {
		txs[i] = benchchain.Transaction("sender"+strconv.Itoa(i%1000), "shop", i)
	}
	for i := 0; i < pending; i += 1000 {
		if _, err := db.AddPending(ctx, txs[i:i+1000], false); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("ID", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			found, err := db.FindTransaction(ctx, txs[(i*7919)%pending].ID)
			if err != nil || len(found) != 1 {
				b.Fatalf("found %d, %v", len(found), err)
			}
		}
	})
	b.Run("Prefix", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			found, err := db.MatchPrefix(ctx, txs[(i*7919)%pending].ID[:8], 10)
			if err != nil || len(found) == 0 {
				b.Fatalf("found %d, %v", len(found), err)
			}
		}
	})
}
