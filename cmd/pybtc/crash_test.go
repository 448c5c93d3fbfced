package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// crashRounds is how many times the crash test kills the node.
const crashRounds = 20

// TestCrashConsistency runs the real node under load (clients posting
// transactions, a miner, and a rival node whose bursts of blocks force
// reorganisations) and kills it with SIGKILL at a random moment, 20 times
// over. After every kill the database file must pass integrity_check and
// hold a valid chain; every transaction the node acknowledged must be in
// the chain exactly once or pending; and nothing pending may be in the
// chain already.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash loop kills a node 20 times under load; run without -short")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 42))
	dir := t.TempDir()
	db := filepath.Join(dir, "victim.db")
	rival := MustStartNode(t, filepath.Join(dir, "rival.db"), "--allow-overdraft", "--sync-interval", "150ms")

	acked := map[string]bool{}
	var reorgs, rivalMined int
	for round := range crashRounds {
		victim := MustStartNode(t, db, "--allow-overdraft", "--sync-interval", "150ms", "--peer", rival.URL)
		ids, rivalBlocks := crashLoad(t, victim, rival, rng, round)
		for _, id := range ids {
			acked[id] = true
		}
		rivalMined += rivalBlocks
		reorgs += strings.Count(victim.stderr.String(), "chain reorganised")
		checkAfterCrash(t, db, acked, round)
	}
	t.Logf("%d kills, %d acknowledged transactions, %d rival blocks, %d reorganisations", crashRounds, len(acked), rivalMined, reorgs)
	if reorgs == 0 {
		t.Fatal("no reorganisation happened: the test did not exercise one")
	}
}

// crashLoad loads victim for a random time, then kills it while the load
// runs, and returns the ids it acknowledged and how many blocks the rival
// mined meanwhile.
func crashLoad(t *testing.T, victim, rival *Process, rng *rand.Rand, round int) ([]string, int) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		ids         []string
		rivalBlocks atomic.Int64
	)
	httpc := &http.Client{Timeout: 5 * time.Second}
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"sender": "r%dc%d", "recipient": "shop", "amount": %d}`, round, c, i+1)
				resp, err := httpc.Post(victim.URL+"/transactions/new", "application/json", strings.NewReader(body))
				if err != nil {
					return // killed
				}
				var ans struct {
					ID string `json:"transaction_id"`
				}
				err = json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && err == nil {
					mu.Lock()
					ids = append(ids, ans.ID)
					mu.Unlock()
				}
			}
		})
	}
	wg.Go(func() { // the victim's own miner
		for ctx.Err() == nil {
			if resp, err := httpc.Get(victim.URL + "/mine"); err == nil {
				resp.Body.Close()
			}
			time.Sleep(30 * time.Millisecond)
		}
	})
	// rng is not safe for goroutines: draw everything here.
	burst := rng.IntN(2) == 0
	burstAfter := time.Duration(rng.IntN(200)) * time.Millisecond
	wg.Go(func() { // the rival, now and then, mines past the victim
		if !burst {
			return
		}
		time.Sleep(burstAfter)
		for range 6 {
			if resp, err := httpc.Get(rival.URL + "/mine"); err == nil {
				resp.Body.Close()
				rivalBlocks.Add(1)
			}
		}
	})
	time.Sleep(time.Duration(300+rng.IntN(700)) * time.Millisecond)
	victim.Kill()
	stop()
	wg.Wait()
	return ids, int(rivalBlocks.Load())
}

// checkAfterCrash opens the killed node's database and checks it.
func checkAfterCrash(t *testing.T, path string, acked map[string]bool, round int) {
	t.Helper()
	ctx := context.Background()
	if err := store.IntegrityCheck(ctx, path); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer db.Close()

	var chain []wire.Value
	err := db.StreamChain(ctx, 1, 0, func(int64) error { return nil }, func(raw []byte) error {
		v, err := wire.Parse(raw)
		chain = append(chain, v)
		return err
	})
	if err != nil {
		t.Fatalf("round %d: read chain: %v", round, err)
	}
	blocks, err := consensus.ValidateChain(wire.Blocks(chain), float64(time.Now().Unix()+3600))
	if err != nil {
		t.Fatalf("round %d: the stored chain of %d blocks does not validate: %v", round, len(chain), err)
	}
	inChain := map[string]int{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			inChain[tx.ID]++
		}
	}
	pending, err := db.Pending(ctx, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	inMempool := map[string]bool{}
	for _, tx := range pending {
		inMempool[tx.ID] = true
		if inChain[tx.ID] > 0 {
			t.Fatalf("round %d: pending transaction %s is already in the chain", round, tx.ID)
		}
	}
	for id, n := range inChain {
		if n > 1 {
			t.Fatalf("round %d: transaction %s is in the chain %d times", round, id, n)
		}
	}
	for id := range acked {
		if inChain[id] == 0 && !inMempool[id] {
			t.Fatalf("round %d: acknowledged transaction %s is lost (chain of %d blocks, %d pending)", round, id, len(blocks), len(pending))
		}
	}
}
