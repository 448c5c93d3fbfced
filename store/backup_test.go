package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pybtc/pybtc/store"
)

// TestBackupWhileWriting backs up a database while blocks are being
// appended: the copy passes integrity_check and opens as a chain that is a
// prefix of the original's.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for range 20 {
		MustAppend(t, db, "miner", MustTx(t, "alice", "bob", "1", 1))
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			MustAppend(t, db, "miner", MustTx(t, "alice", "bob", "1", 1))
		}
	})
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := store.Backup(ctx, db.Path, dest)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}

	copied := store.NewDB(dest)
	if err := copied.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	tip, err := copied.Tip(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tip.Height < 21 {
		t.Fatalf("backup holds %d blocks, want at least the 21 there before", tip.Height)
	}
	original, err := db.BlockAt(ctx, tip.Height)
	if err != nil || original.Hash != tip.Hash {
		t.Fatalf("backup's block %d is %s, the original's %s (%v)", tip.Height, tip.Hash, original.Hash, err)
	}

	t.Run("DestinationExists", func(t *testing.T) {
		if err := store.Backup(ctx, db.Path, dest); err == nil {
			t.Fatal("a backup over an existing file was allowed")
		}
	})
	t.Run("CorruptCopyFails", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.db")
		data, _ := os.ReadFile(dest)
		for i := 8192; i < len(data) && i < 8192+2048; i++ {
			data[i] = 0xff
		}
		os.WriteFile(bad, data, 0o644)
		if err := store.IntegrityCheck(ctx, bad); err == nil {
			t.Fatal("integrity_check passed a damaged file")
		}
	})
}
