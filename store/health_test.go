package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// TestWriteFailure makes every write fail, as a read-only file does:
// WriteFailure says so, for a window, and a refused transaction (not the
// disk's fault) never counts.
func TestWriteFailure(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "node.db")
	{
		db := store.NewDB(path)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.AppendBlock(ctx, consensus.Genesis()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddPending(ctx, []pybtc.Transaction{MustTx(t, "alice", "bob", "1", 1)}, true); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteFailure(time.Minute); err != nil {
			t.Fatalf("a refused transaction counts as a failing disk: %v", err)
		}
		db.Close()
	}
	now := time.Unix(1_800_000_000, 0)
	db := store.NewDB(path)
	db.Now = func() time.Time { return now }
	db.Pragmas = []string{"query_only(1)"}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.WriteFailure(time.Minute); err != nil {
		t.Fatalf("before any write: %v", err)
	}
	if _, err := db.AddPeer(ctx, "127.0.0.1:5001"); err == nil {
		t.Fatal("a write to a read-only database succeeded")
	}
	for _, tc := range []struct {
		after time.Duration
		fails bool
	}{{0, true}, {59 * time.Second, true}, {61 * time.Second, false}} {
		now = time.Unix(1_800_000_000, 0).Add(tc.after)
		err := db.WriteFailure(time.Minute)
		if (err != nil) != tc.fails || (err != nil && !isRefusal(err, pybtc.ReasonReadOnly, pybtc.Args{})) {
			t.Fatalf("%v after the failure: WriteFailure = %v, want failing %v", tc.after, err, tc.fails)
		}
	}
}
