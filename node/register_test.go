package node_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// TestRegistrationWaitsForStore: a registration of a peer that another
// registration is still storing is answered after that write, with its
// outcome. Here the disk fails the first write's sync: both must fail, and
// neither may say the peer is registered.
func TestRegistrationWaitsForStore(t *testing.T) {
	ctx := context.Background()
	inSync, release := make(chan struct{}), make(chan struct{})
	var syncing atomic.Bool
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	db.SyncLog = func(f *os.File) error {
		if !syncing.Load() {
			return f.Sync()
		}
		close(inSync)
		<-release
		return errors.New("input/output error")
	}
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := node.New(db, node.Config{Miner: "miner", SyncInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)

	const newcomer = "http://127.0.0.1:7001"
	syncing.Store(true)
	first := make(chan error, 1)
	go func() {
		_, err := n.RegisterPeers(ctx, []string{newcomer})
		first <- err
	}()
	<-inSync // the first registration's write waits on the disk
	second := make(chan error, 1)
	go func() {
		reg, err := n.RegisterPeers(ctx, []string{newcomer})
		if err == nil && !slices.Contains(reg.Total, "127.0.0.1:7001") {
			err = fmt.Errorf("registered, but not among the peers: %v", reg.Total)
		}
		second <- err
	}()
	// Give the second registration time to find the peer being stored:
	// it then waits whatever the timing; without waiting it would answer
	// at once.
	time.Sleep(50 * time.Millisecond)
	close(release)
	for name, errc := range map[string]chan error{"first": first, "second": second} {
		select {
		case err := <-errc:
			if pybtc.ErrorCode(err) != pybtc.EUNAVAILABLE {
				t.Errorf("%s registration: %v, want the disk's failure", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s registration did not end", name)
		}
	}
}
