package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// isRefusal reports whether err is a refusal with reason and args.
func isRefusal(err error, reason pybtc.Reason, args pybtc.Args) bool {
	e, ok := pybtc.AsError(err)
	return ok && e.Reason == reason && e.Args == args
}

// isOverdraft reports whether err refuses an overdraft that leaves its
// sender spendable pyBTC.
func isOverdraft(err error, spendable string) bool {
	e, ok := pybtc.AsError(err)
	return ok && e.Code == pybtc.EINVALID && e.Reason == pybtc.ReasonOverdraft && e.Args.Spendable.String() == spendable
}

// MustOpenDB opens a database in a temporary directory holding the genesis
// block.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "node.db"))
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.AppendBlock(context.Background(), consensus.Genesis()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// MustTx builds a policy-checked transaction.
func MustTx(tb testing.TB, sender, recipient, amount string, now float64) pybtc.Transaction {
	tb.Helper()
	nt, err := consensus.ParseNewTransaction([]byte(fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s}`, sender, recipient, amount)), now)
	if err != nil {
		tb.Fatal(err)
	}
	return nt.Transaction
}

// MustAppend stores a block on the tip holding txs plus a coinbase to miner.
// The store does not check proofs of work, so none is searched.
func MustAppend(tb testing.TB, db *store.DB, miner string, txs ...pybtc.Transaction) pybtc.Block {
	tb.Helper()
	ctx := context.Background()
	tip, err := db.Tip(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	txs = append(txs, consensus.Coinbase(miner, float64(tip.Height)))
	b, err := consensus.NewBlock(tip.Height+1, float64(tip.Height), txs, 0, tip.Hash)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.AppendBlock(ctx, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "node.db")
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendBlock(ctx, consensus.Genesis()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	t.Run("Reopen", func(t *testing.T) {
		db := store.NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatalf("second open: %v", err)
		}
		defer db.Close()
		tip, err := db.Tip(ctx)
		if err != nil || tip.Hash != consensus.GenesisHash {
			t.Fatalf("tip after reopen=%+v, %v", tip, err)
		}
	})
	t.Run("EmptyChain", func(t *testing.T) {
		db := store.NewDB(filepath.Join(t.TempDir(), "empty.db"))
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Tip(ctx); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
			t.Fatalf("Tip on empty chain: %v, want ENOTFOUND", err)
		}
	})
}

func TestAppendBlock(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	tx := MustTx(t, "alice", "bob", "1", 10)
	if res, err := db.AddPending(ctx, []pybtc.Transaction{tx}, false); err != nil || res[0] != nil {
		t.Fatalf("AddPending: %v %v", res, err)
	}
	b := MustAppend(t, db, "miner", tx)

	t.Run("RemovesMinedFromMempool", func(t *testing.T) {
		if n, _ := db.PendingCount(ctx); n != 0 {
			t.Fatalf("mempool has %d transactions after mining, want 0", n)
		}
	})
	t.Run("ErrConflictOnStaleTip", func(t *testing.T) {
		stale, err := consensus.NewBlock(2, 1, []pybtc.Transaction{consensus.Coinbase("x", 1)}, 0, consensus.GenesisHash)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AppendBlock(ctx, stale); pybtc.ErrorCode(err) != pybtc.ECONFLICT {
			t.Fatalf("AppendBlock on a stale tip: %v, want ECONFLICT", err)
		}
		tip, _ := db.Tip(ctx)
		if tip.Hash != b.Hash {
			t.Fatalf("tip changed to %s", tip.Hash)
		}
	})
	t.Run("StreamChain", func(t *testing.T) {
		var length int64
		var raws []string
		err := db.StreamChain(ctx, 1, 0, func(n int64) error { length = n; return nil }, func(raw []byte) error {
			raws = append(raws, string(raw))
			return nil
		})
		if err != nil || length != 2 || len(raws) != 2 || raws[1] != string(b.Raw) {
			t.Fatalf("StreamChain: length %d, %d blocks, err %v", length, len(raws), err)
		}
	})
}

func TestAddPending(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustAppend(t, db, "alice") // alice: 0.1
	t.Run("OverdraftWithinOneBatch", func(t *testing.T) {
		a := MustTx(t, "alice", "bob", "0.06", 1)
		b := MustTx(t, "alice", "carol", "0.06", 2)
		res, err := db.AddPending(ctx, []pybtc.Transaction{a, b}, true)
		if err != nil {
			t.Fatal(err)
		}
		if res[0] != nil {
			t.Fatalf("first send refused: %v", res[0])
		}
		if !isOverdraft(res[1], "0.04") {
			t.Fatalf("second send: %v, want EINVALID saying 0.04 is left", res[1])
		}
	})
	t.Run("DuplicateIsConflict", func(t *testing.T) {
		a := MustTx(t, "alice", "dave", "0.01", 3)
		res, err := db.AddPending(ctx, []pybtc.Transaction{a, a}, true)
		if err != nil || res[0] != nil || pybtc.ErrorCode(res[1]) != pybtc.ECONFLICT {
			t.Fatalf("results %v, err %v; want nil then ECONFLICT", res, err)
		}
	})
	t.Run("OverdraftAllowed", func(t *testing.T) {
		a := MustTx(t, "nobody", "dave", "5", 4)
		if res, err := db.AddPending(ctx, []pybtc.Transaction{a}, false); err != nil || res[0] != nil {
			t.Fatalf("results %v, err %v", res, err)
		}
	})
	t.Run("PendingInArrivalOrder", func(t *testing.T) {
		txs, err := db.Pending(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tx := range txs {
			got = append(got, tx.Recipient)
		}
		if strings.Join(got, ",") != "bob,dave,dave" {
			t.Fatalf("pending recipients %v, want bob,dave,dave", got)
		}
	})
}

func TestBalance(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustAppend(t, db, "alice")
	MustAppend(t, db, "alice", MustTx(t, "alice", "bob", "0.03", 1), MustTx(t, "bob", "carol", "0.01", 2))
	tests := []struct {
		address          string
		received, sent   pybtc.Amount
		viewBalanceInSat int64
	}{
		{"alice", 20_000_000, 3_000_000, 17_000_000},
		{"bob", 3_000_000, 1_000_000, 2_000_000},
		{"carol", 1_000_000, 0, 1_000_000},
		{"stranger", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			b, err := db.Balance(ctx, tt.address)
			if err != nil {
				t.Fatal(err)
			}
			if b.Received != pybtc.SumOf(tt.received) || b.Sent != pybtc.SumOf(tt.sent) || b.Total() != pybtc.SumOf(pybtc.Amount(tt.viewBalanceInSat)) {
				t.Fatalf("Balance=%+v, want received %d sent %d", b, tt.received, tt.sent)
			}
			if got := db.MustViewBalance(t, tt.address); got != tt.viewBalanceInSat {
				t.Fatalf("balances view says %d, want %d", got, tt.viewBalanceInSat)
			}
		})
	}
}

// TestPathsWithURICharacters: a database whose path holds '#', '?' or '%'
// (a folder named after a class, "room#2") opens that file, not the path
// cut at the character, which another node may use.
func TestPathsWithURICharacters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"room#2.db", "what?.db", "100%.db", "a%23b.db"} {
		path := filepath.Join(dir, name)
		db := store.NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("open %s made no file of that name: %v", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "room#2.db", "what?.db", "100%.db", "a%23b.db":
		default:
			t.Errorf("unexpected file %s beside the databases", e.Name())
		}
	}
}
