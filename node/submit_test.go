package node_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// openSlowNode opens a node on a disk whose syncs take sync. Inside a
// synctest bubble that time is the fake clock's: the tests below see the
// batcher's schedule as it is, whatever the machine's load.
func openSlowNode(t *testing.T, sync time.Duration) *node.Node {
	t.Helper()
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	db.SyncLog = func(f *os.File) error {
		time.Sleep(sync)
		return f.Sync()
	}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := node.New(db, node.Config{Miner: "miner", AllowOverdraft: true, SyncInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

// TestClientsShareCommits runs 16 clients that each post, wait a moment
// (an HTTP round trip) and post again, on a disk whose syncs take 3 ms.
// Were each batch only what queued during the previous commit, the clients
// answered by one commit would always miss the next and the 16 would take
// turns in two groups, about twice as many commits as posts per client;
// the batcher waits for the clients it just answered, so after the first
// commit all 16 share every commit.
func TestClientsShareCommits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := openSlowNode(t, 3*time.Millisecond)
		const clients, posts = 16, 30
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := range posts {
					if _, err := submit(context.Background(), n, fmt.Sprint("client", c), "shop", fmt.Sprint(i+1)); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(500 * time.Microsecond)
				}
			})
		}
		wg.Wait()
		st := n.Stats()
		if st.Committed != clients*posts {
			t.Fatalf("%d transactions committed, want %d", st.Committed, clients*posts)
		}
		// The first commit may take only the clients that were quick to
		// start; the rest join the second, and from then on every commit
		// answers all 16.
		if limit := int64(posts + 1); st.Commits > limit {
			t.Fatalf("%d commits for %d posts from each of %d clients, want at most %d: the clients did not share commits", st.Commits, posts, clients, limit)
		}
	})
}

// TestLoneClientDoesNotWait: sixteen clients post once and leave; a client
// then posting alone is not held back waiting for them. A post waits for
// others at most the batcher's bound (2 ms), once, on top of its commit.
func TestLoneClientDoesNotWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const commit, maxWait = 3 * time.Millisecond, 2 * time.Millisecond
		n := openSlowNode(t, commit)
		ctx := context.Background()
		// Sixteen clients post once, so the batcher expects sixteen again.
		var wg sync.WaitGroup
		for c := range 16 {
			wg.Go(func() {
				if _, err := submit(ctx, n, fmt.Sprint("client", c), "shop", "1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i := range 3 {
			start := time.Now()
			if _, err := submit(ctx, n, "alone", "shop", fmt.Sprint(i+1)); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > commit+maxWait {
				t.Fatalf("post %d took %v, want at most %v", i, took, commit+maxWait)
			}
		}
	})
}
