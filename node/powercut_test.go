package node_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// errPowerCut is what the cut sync returns: the disk never finished it.
var errPowerCut = errors.New("power cut")

// powerCut models the disk under a node: what a sync of the write-ahead
// log has flushed survives a power cut, what was only written does not.
// With checkpoints off the log only grows, so what a sync flushed is the
// log up to its size when the sync started.
type powerCut struct {
	dbPath string
	// The power goes during the first sync from the cutAt-th on while
	// which the writer commits more: the window a sync made outside the
	// writer's connection opens.
	cutAt int64
	// onCut runs at the cut, before the disk image is taken.
	onCut func()

	syncs   atomic.Int64
	mu      sync.Mutex
	flushed int64
	cut     bool
	image   string
}

// sync is the store's SyncLog.
func (p *powerCut) sync(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	start := st.Size()
	p.mu.Lock()
	cut := p.cut
	p.mu.Unlock()
	if cut {
		return errPowerCut
	}
	if p.syncs.Add(1) >= p.cutAt && p.committedDuring(f, start) {
		return p.powerOff()
	}
	if err := f.Sync(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushed = max(p.flushed, start)
	return nil
}

// committedDuring waits a few milliseconds for the writer to commit while
// this sync runs (the log grows past its size when the sync started).
func (p *powerCut) committedDuring(f *os.File, start int64) bool {
	for range 10 {
		if st, err := f.Stat(); err == nil && st.Size() > start {
			return true
		}
		time.Sleep(500 * time.Microsecond)
	}
	return false
}

// powerOff keeps as the disk's image the database file and the log as far
// as the last finished sync flushed it.
func (p *powerCut) powerOff() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.onCut()
	if err := copyFile(p.dbPath, p.image, -1); err != nil {
		return err
	}
	if err := copyFile(p.dbPath+"-wal", p.image+"-wal", p.flushed); err != nil {
		return err
	}
	return errPowerCut
}

// copyFile copies src to dst, its first n bytes when n ≥ 0.
func copyFile(src, dst string, n int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	var r io.Reader = in
	if n >= 0 {
		r = io.LimitReader(in, n)
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestPowerCutKeepsAcknowledged posts from 16 clients while a miner mines
// block after block, and cuts the power during the first sync of the
// write-ahead log, from the 60th on, while which another write commits
// (the store syncs after a commit, without the writer's connection, so a
// block can be written while a batch of posts syncs, and the other way
// round). The disk as the cut leaves it must hold every transaction and
// every block the node acknowledged: a node that answered before the sync
// covering its commit had finished would lose them here.
func TestPowerCutKeepsAcknowledged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var acked, mined sync.Map
	var ackedAtCut, minedAtCut []string
	cut := &powerCut{
		dbPath: filepath.Join(dir, "node.db"),
		image:  filepath.Join(dir, "image.db"),
		cutAt:  60,
		onCut: func() {
			acked.Range(func(id, _ any) bool {
				ackedAtCut = append(ackedAtCut, id.(string))
				return true
			})
			mined.Range(func(hash, _ any) bool {
				minedAtCut = append(minedAtCut, hash.(string))
				return true
			})
		},
	}
	db := store.NewDB(cut.dbPath)
	// Checkpoints off: the log only grows, so the disk model above holds.
	db.Pragmas = []string{"wal_autocheckpoint(0)"}
	db.SyncLog = cut.sync
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := node.New(db, node.Config{Miner: "miner", AllowOverdraft: true, SyncInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 2000 {
			b, err := n.Mine(ctx, "")
			if err != nil {
				return
			}
			mined.Store(b.Hash, true)
		}
	})
	for c := range 16 {
		wg.Go(func() {
			for i := range 1000 {
				acc, err := submit(ctx, n, fmt.Sprint("client", c), "shop", fmt.Sprint(i+1))
				if err != nil {
					// Once the power is cut, no post is acknowledged.
					return
				}
				acked.Store(acc.Transaction.ID, true)
			}
		})
	}
	wg.Wait()
	n.Close()
	if !cut.cut {
		t.Fatalf("the power was never cut: in %d syncs the writer never committed while one ran", cut.syncs.Load())
	}
	if len(ackedAtCut) == 0 {
		t.Fatal("nothing was acknowledged before the cut")
	}

	image := store.NewDB(cut.image)
	if err := image.Open(ctx); err != nil {
		t.Fatalf("the disk after the cut does not open: %v", err)
	}
	defer image.Close()
	kept, err := image.Pending(ctx, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := make(map[string]bool, len(kept))
	for _, tx := range kept {
		onDisk[tx.ID] = true
	}
	blocks := MustChain(t, image)
	blockOnDisk := make(map[string]bool, len(blocks))
	for _, b := range blocks {
		blockOnDisk[b.Hash] = true
		for _, tx := range b.Transactions {
			onDisk[tx.ID] = true
		}
	}
	for _, hash := range minedAtCut {
		if !blockOnDisk[hash] {
			t.Fatalf("block %s was mined and answered before the cut but is not on the disk after it", hash)
		}
	}
	for _, id := range ackedAtCut {
		if !onDisk[id] {
			t.Fatalf("transaction %s was acknowledged before the cut but is not on the disk after it (%d of %d acknowledged kept)", id, countKept(ackedAtCut, onDisk), len(ackedAtCut))
		}
	}
	t.Logf("%d transactions and %d blocks acknowledged before the cut, all on disk; %d pending and %d blocks on disk in all", len(ackedAtCut), len(minedAtCut), len(kept), len(blocks))
}

func countKept(ids []string, onDisk map[string]bool) int {
	k := 0
	for _, id := range ids {
		if onDisk[id] {
			k++
		}
	}
	return k
}
