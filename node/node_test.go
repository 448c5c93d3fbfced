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
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// MustOpenNode opens a node on a temporary database.
func MustOpenNode(tb testing.TB, cfg node.Config) (*node.Node, *store.DB) {
	tb.Helper()
	db := store.NewDB(filepath.Join(tb.TempDir(), "node.db"))
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if cfg.Miner == "" {
		cfg.Miner = "miner"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := node.New(db, cfg)
	if err := n.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(n.Close)
	return n, db
}

// MustChain reads the whole stored chain and validates it.
func MustChain(tb testing.TB, db *store.DB) []pybtc.Block {
	tb.Helper()
	var values []wire.Value
	err := db.StreamChain(context.Background(), 1, 0, func(int64) error { return nil }, func(raw []byte) error {
		v, err := wire.Parse(raw)
		values = append(values, v)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	blocks, err := consensus.ValidateChain(wire.Blocks(values), float64(time.Now().Unix()))
	if err != nil {
		tb.Fatalf("stored chain does not validate: %v", err)
	}
	return blocks
}

func submit(ctx context.Context, n *node.Node, sender, recipient, amount string) (node.Accepted, error) {
	t, err := consensus.ReadTransaction([]byte(fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s}`, sender, recipient, amount)))
	if err != nil {
		return node.Accepted{}, err
	}
	return n.SubmitTransaction(ctx, t)
}

// TestConcurrentMineNeverDuplicates mines from several goroutines while
// transactions arrive; every transaction must land in exactly one block.
func TestConcurrentMineNeverDuplicates(t *testing.T) {
	ctx := context.Background()
	n, db := MustOpenNode(t, node.Config{AllowOverdraft: true})
	var wg sync.WaitGroup
	ids := make(chan string, 400)
	for c := range 4 {
		wg.Go(func() {
			for i := range 100 {
				acc, err := submit(ctx, n, fmt.Sprintf("c%d", c), "shop", fmt.Sprint(i+1))
				if err != nil {
					t.Error(err)
					return
				}
				ids <- acc.Transaction.ID
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 3 {
				if _, err := n.Mine(ctx, ""); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if _, err := n.Mine(ctx, ""); err != nil { // sweep what arrived last
		t.Fatal(err)
	}
	close(ids)

	seen := map[string]int{}
	blocks := MustChain(t, db)
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			seen[tx.ID]++
		}
	}
	count := 0
	for id := range ids {
		count++
		if seen[id] != 1 {
			t.Fatalf("transaction %s is in %d blocks, want 1", id, seen[id])
		}
	}
	if got, want := len(blocks), 1+13; got != want {
		t.Fatalf("chain length %d, want %d", got, want)
	}
	if count != 400 {
		t.Fatalf("%d transactions, want 400", count)
	}
	// Each proof of work takes about 65,536 tries on average; 13 blocks
	// cannot have taken fewer than 13 tries.
	if s := n.Stats(); s.BlocksMined != 13 || s.Hashes < 13 || s.HashRate <= 0 {
		t.Fatalf("stats after 13 blocks: %+v", s)
	}
}

// TestConcurrentSendsCannotOverdraw sends from one address many times at
// once; together they may not spend more than it has.
func TestConcurrentSendsCannotOverdraw(t *testing.T) {
	ctx := context.Background()
	n, _ := MustOpenNode(t, node.Config{Miner: "alice"})
	for range 3 {
		if _, err := n.Mine(ctx, ""); err != nil { // alice: 0.3
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, refused := 0, 0
	for i := range 20 {
		wg.Go(func() {
			_, err := submit(ctx, n, "alice", fmt.Sprintf("r%d", i), "0.05")
			mu.Lock()
			defer mu.Unlock()
			switch pybtc.ErrorCode(err) {
			case "":
				accepted++
			case pybtc.EINVALID:
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if accepted != 6 || refused != 14 {
		t.Fatalf("accepted %d, refused %d; want 6 and 14 (0.3 / 0.05)", accepted, refused)
	}
}

func TestSearchNonce(t *testing.T) {
	t.Run("Finds", func(t *testing.T) {
		for _, prev := range []int64{100, -664736, 0} {
			nonce, err := node.SearchNonce(context.Background(), prev, 2)
			if err != nil || !consensus.ValidProof(prev, nonce) {
				t.Fatalf("SearchNonce(%d)=%d, %v; not a proof", prev, nonce, err)
			}
		}
	})
	t.Run("StopsWhenCancelled", func(t *testing.T) {
		// A cancelled search returns its cancellation, not a proof found
		// meanwhile: a search that ignored it would find one in
		// milliseconds and return it, whatever the machine's speed.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for range 100 {
			if _, err := node.SearchNonce(ctx, 100, 2); err != context.Canceled {
				t.Fatalf("err=%v, want context.Canceled", err)
			}
		}
	})
}

func TestSubmitAfterClose(t *testing.T) {
	n, _ := MustOpenNode(t, node.Config{AllowOverdraft: true})
	n.Close()
	if _, err := submit(context.Background(), n, "a", "b", "1"); pybtc.ErrorCode(err) != pybtc.EUNAVAILABLE {
		t.Fatalf("submit after close: %v, want EUNAVAILABLE", err)
	}
}
