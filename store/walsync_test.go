package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
)

// TestSyncFailureFailsWrites: once a sync of the write-ahead log fails,
// the pages it was to flush may be lost, so nothing written before or
// after it can be promised: the write waiting for it and every later one
// fail as the disk's failure (EUNAVAILABLE, a 503), and readiness says so.
// The later ones are refused before they are made: they store nothing.
func TestSyncFailureFailsWrites(t *testing.T) {
	ctx := context.Background()
	var failing atomic.Bool
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	db.SyncLog = func(f *os.File) error {
		if failing.Load() {
			return errors.New("input/output error")
		}
		return f.Sync()
	}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.AppendBlock(ctx, consensus.Genesis()); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	for i, write := range []func() error{
		func() error {
			_, err := db.AddPending(ctx, []pybtc.Transaction{MustTx(t, "alice", "bob", "1", 1)}, false)
			return err
		},
		func() error {
			failing.Store(false) // the disk answers again: too late
			_, err := db.AddPending(ctx, []pybtc.Transaction{MustTx(t, "alice", "bob", "2", 2)}, false)
			return err
		},
		func() error {
			_, err := db.AddPeer(ctx, "http://127.0.0.1:5001")
			return err
		},
	} {
		err := write()
		if pybtc.ErrorCode(err) != pybtc.EUNAVAILABLE {
			t.Fatalf("write %d after the failed sync: %v, want EUNAVAILABLE", i, err)
		}
	}
	if db.WriteFailure(time.Minute) == nil {
		t.Fatal("readiness does not tell that the disk failed")
	}
	// The writes refused after the failed sync stored nothing: a client
	// told 503 that posts again must not pay twice.
	if pending, err := db.Pending(ctx, 10); err != nil || len(pending) != 1 || pending[0].Recipient != "bob" || pending[0].Timestamp != 1 {
		t.Fatalf("pending after the failed sync: %v, %v; want only the write whose sync failed", pending, err)
	}
	if peers, err := db.Peers(ctx); err != nil || len(peers) != 0 {
		t.Fatalf("peers after the failed sync: %v, %v; want none", peers, err)
	}
}

// TestSyncsAreShared: commits made while a sync runs share the next one.
// Sixteen writers post one transaction each while the disk takes 20 ms a
// sync: far fewer syncs than posts, and none is answered before a sync
// that started after its commit.
func TestSyncsAreShared(t *testing.T) {
	if testing.Short() {
		t.Skip("waits on slow syncs")
	}
	ctx := context.Background()
	var syncs atomic.Int64
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	db.SyncLog = func(f *os.File) error {
		syncs.Add(1)
		time.Sleep(20 * time.Millisecond)
		return f.Sync()
	}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := syncs.Load()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			tx := MustTx(t, "alice", "bob", "1", float64(i))
			if _, err := db.AddPending(ctx, []pybtc.Transaction{tx}, false); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := syncs.Load() - before; n > 8 {
		t.Fatalf("%d syncs for 16 commits made while syncs ran, want them shared", n)
	}
	count, took := db.LogSyncs()
	if count != syncs.Load() || took < time.Duration(count)*20*time.Millisecond {
		t.Fatalf("LogSyncs says %d syncs in %v; %d were made, of 20 ms each", count, took, syncs.Load())
	}
}
