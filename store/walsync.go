package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
)

// walSync makes commits durable after they return, so that the writer can
// run the next write while the disk syncs the last.
//
// The writer connection runs with synchronous=NORMAL: a commit writes its
// frames to the write-ahead log and returns without syncing it. Nothing is
// acknowledged until a sync of the log file that started after the commit
// returned has finished: an fsync on any descriptor of a file flushes all
// of its written pages, so such a sync holds the commit and every earlier
// one. SQLite checkpoints only frames it has synced itself (with NORMAL it
// syncs the log before every checkpoint, and syncs the new header when the
// log starts over), and recovery after a crash keeps the longest run of
// frames whose checksums chain, so a crash keeps a prefix of the commits
// that holds every acknowledged one.
//
// Syncs are shared: a caller that finds no sync running starts one for
// every commit noted so far; callers that come while it runs wait for it,
// and those whose commits it does not cover start the next together.
type walSync struct {
	path string
	// flush syncs the opened log file; nil means (*os.File).Sync.
	flush func(*os.File) error

	mu   sync.Mutex
	cond sync.Cond
	// noted counts the commits that returned; synced, those known to be
	// on disk.
	noted, synced uint64
	syncing       bool
	// syncs and syncNanos count the syncs and the time they took.
	syncs, syncNanos atomic.Int64
	// failed is the first failed sync: after it the log's pages may have
	// been dropped from memory unwritten, so no later commit can be
	// promised either (the node must be restarted to recover from the
	// file as it is).
	failed error
}

func newWALSync(dbPath string, flush func(*os.File) error) *walSync {
	w := &walSync{path: dbPath + "-wal", flush: flush}
	w.cond.L = &w.mu
	return w
}

// noteCommit records a commit that has returned and gives its number, for
// wait.
func (w *walSync) noteCommit() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.noted++
	return w.noted
}

// wait returns once commit number seq is on disk, or the error that
// prevents it.
func (w *walSync) wait(seq uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		switch {
		case w.failed != nil:
			return w.failed
		case w.synced >= seq:
			return nil
		case w.syncing:
			w.cond.Wait()
			continue
		}
		target := w.noted
		w.syncing = true
		w.mu.Unlock()
		start := time.Now()
		err := w.syncFile()
		w.syncs.Add(1)
		w.syncNanos.Add(int64(time.Since(start)))
		w.mu.Lock()
		w.syncing = false
		if err != nil {
			w.failed = pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonDiskError, pybtc.Args{})
			w.failed = fmt.Errorf("%w: sync write-ahead log: %w", w.failed, err)
		} else {
			w.synced = max(w.synced, target)
		}
		w.cond.Broadcast()
	}
}

// err is the failed sync that stops every later write, or nil.
func (w *walSync) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

// syncFile opens the log anew for each sync: SQLite deletes and creates
// the file when its connections close and open, and a descriptor kept
// from before would sync a file no longer in use.
func (w *walSync) syncFile() error {
	f, err := os.Open(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		// No log: the last connection folded it into the database file,
		// syncing it, and removed it.
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if w.flush != nil {
		return w.flush(f)
	}
	return f.Sync()
}

// LogSyncs returns how many syncs of the write-ahead log the writes made
// and the time they took: how fast the disk under the node syncs.
func (db *DB) LogSyncs() (count int64, total time.Duration) {
	return db.wal.syncs.Load(), time.Duration(db.wal.syncNanos.Load())
}
