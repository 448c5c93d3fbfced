package node_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	first := registerAsync(n, newcomer)
	<-inSync // the first registration's write waits on the disk
	second := registerAsync(n, newcomer)
	// Give the second registration time to find the peer being stored:
	// it then waits whatever the timing; without waiting it would answer
	// at once.
	time.Sleep(50 * time.Millisecond)
	close(release)
	for name, errc := range map[string]<-chan error{"first": first, "second": second} {
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

// cancelledFirstStore is a store whose first AddPeer waits for release
// and then fails as a request whose client went away does.
type cancelledFirstStore struct {
	*store.DB
	calls           atomic.Int32
	inAdd, released chan struct{}
}

func (s *cancelledFirstStore) AddPeer(ctx context.Context, url string) (bool, error) {
	if s.calls.Add(1) == 1 {
		close(s.inAdd)
		<-s.released
		return false, fmt.Errorf("add peer %s: %w", url, context.Canceled)
	}
	return s.DB.AddPeer(ctx, url)
}

// TestRegistrationOutlivesAnotherCancelled: a registration waiting for
// another's store of the same peer is not failed by that one's client
// going away: it stores the peer itself.
func TestRegistrationOutlivesAnotherCancelled(t *testing.T) {
	ctx := context.Background()
	db := store.NewDB(filepath.Join(t.TempDir(), "node.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &cancelledFirstStore{DB: db, inAdd: make(chan struct{}), released: make(chan struct{})}
	n := node.New(st, node.Config{Miner: "miner", SyncInterval: -1, Logger: slog.New(slog.DiscardHandler)})
	if err := n.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)

	const newcomer = "http://127.0.0.1:7002"
	first := registerAsync(n, newcomer)
	<-st.inAdd
	second := registerAsync(n, newcomer)
	time.Sleep(50 * time.Millisecond) // the second now waits for the first's store
	close(st.released)
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("first registration: %v, want its own cancellation", err)
	}
	select {
	case err := <-second:
		if err != nil {
			t.Fatalf("second registration: %v, want the peer registered", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second registration did not end")
	}
	peers, err := n.Peers(ctx)
	if err != nil || len(peers) != 1 || peers[0].URL != newcomer {
		t.Fatalf("peers %v, %v; want the newcomer, stored", peers, err)
	}
}

// registerAsync registers url at n in the background and sends the
// outcome: an error, or nil once url is among the peers n answers with.
func registerAsync(n *node.Node, url string) <-chan error {
	done := make(chan error, 1)
	go func() {
		reg, err := n.RegisterPeers(context.Background(), []string{url})
		if err == nil && !slices.Contains(reg.Total, strings.TrimPrefix(url, "http://")) {
			err = fmt.Errorf("registered, but not among the peers: %v", reg.Total)
		}
		done <- err
	}()
	return done
}
