package store

import (
	"sync"
	"time"

	"github.com/pybtc/pybtc"
)

// writeKind says what a write does to the file, for writeHealth.
type writeKind int

const (
	// addsRows is a write that may make the file grow: new transactions,
	// blocks, peers. Its success shows that the disk takes new data.
	addsRows writeKind = iota
	// changesRows only updates or deletes rows. It may succeed on a full
	// disk, where a new row would not, so its success proves nothing.
	changesRows
)

// writeHealth remembers how the latest writes went, so that readiness can
// say a node cannot write before a client finds out with a 503.
type writeHealth struct {
	mu       sync.Mutex
	failure  error
	failedAt time.Time
	okAt     time.Time
}

// noteWrite records the outcome of a write, err as storageError returned
// it, and returns err. Only failures of the disk count: a refused
// transaction or a cancelled request says nothing about it.
//
// A write that returns without error has committed; noteWrite returns once
// that commit is on disk (see walSync), so that what a caller acknowledges
// survives a crash. Callers defer it first, so that it waits after their
// locks and the writer's connection are released. A failed sync counts as
// a failure of the disk.
func (db *DB) noteWrite(err error, kind writeKind) error {
	if err == nil {
		if serr := db.wal.wait(db.wal.noteCommit()); serr != nil {
			err, kind = serr, addsRows
		}
	}
	now := db.clock()
	if err == nil {
		db.generation.Add(1)
	}
	h := &db.health
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err == nil && kind == addsRows:
		h.okAt = now
	case err != nil && pybtc.ErrorCode(err) == pybtc.EUNAVAILABLE:
		h.failure, h.failedAt = err, now
	}
	return err
}

// WriteFailure returns the latest failure of the disk under the database
// (full, read-only, I/O error; its message says which) if it happened
// within window and no write that adds rows has succeeded since; nil when,
// as far as the node's own writes tell, it can write. After window without
// a new failure it is nil again: a node taken out of service gets no
// writes that would show it recovered.
func (db *DB) WriteFailure(window time.Duration) error {
	h := &db.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failure == nil || !h.failedAt.After(h.okAt) || db.clock().Sub(h.failedAt) > window {
		return nil
	}
	return h.failure
}

func (db *DB) clock() time.Time {
	if db.Now == nil {
		return time.Now()
	}
	return db.Now()
}
