package node_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// slowSync is a store whose commits of new transactions take as long as a
// sync to a slow disk.
type slowSync struct {
	*store.DB
	sync time.Duration
}

func (s slowSync) AddPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool) ([]error, error) {
	time.Sleep(s.sync)
	return s.DB.AddPending(ctx, txs, checkBalance)
}

// TestClientsShareCommits runs 16 clients that each post, wait a moment
// (an HTTP round trip) and post again, against commits of 3 ms. Were each
// batch only what queued during the previous commit, the clients answered
// by one commit would always miss the next and the 16 would take turns in
// two groups of about 8; the batcher waits for the clients it just answered,
// so nearly all 16 share every commit.
func TestClientsShareCommits(t *testing.T) {
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := node.New(slowSync{db, 3 * time.Millisecond}, node.Config{Miner: "miner", AllowOverdraft: true, Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)

	const clients, posts = 16, 30
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range posts {
				if _, err := submit(ctx, n, fmt.Sprint("client", c), "shop", fmt.Sprint(i+1)); err != nil {
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
	// Taking turns gives 8.0 here; the margin is for a loaded machine.
	if perCommit := float64(st.Committed) / float64(st.Commits); perCommit < 11 {
		t.Fatalf("%.1f transactions a commit (%d commits), want at least 11 of the 16 clients in each", perCommit, st.Commits)
	}
}

// TestLoneClientDoesNotWait: sixteen clients post once and leave; a client
// then posting alone is not held back waiting for them. The wait is bounded
// by a commit's time (at most 2 ms); the bound checked here is loose so
// that only an unbounded or repeated wait fails on a loaded machine.
func TestLoneClientDoesNotWait(t *testing.T) {
	ctx := context.Background()
	n, _ := MustOpenNode(t, node.Config{AllowOverdraft: true})
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
	// They do not come back: one post waits at most one commit's time
	// (bounded by 2 ms) for them, and the next does not wait at all.
	for i := range 3 {
		start := time.Now()
		if _, err := submit(ctx, n, "alone", "shop", fmt.Sprint(i+1)); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); i > 0 && took > 200*time.Millisecond {
			t.Fatalf("post %d took %v", i, took)
		}
	}
}
