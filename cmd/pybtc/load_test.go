package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/wire"
)

// raiseTo sets a to v if v is larger, safely against other goroutines.
func raiseTo(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// residentKiB reads a process's resident memory from /proc.
func residentKiB(tb testing.TB, pid int) int64 {
	tb.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatal("no VmRSS in /proc status")
	return 0
}

// maxPostWait is the longest a post may wait in TestLoad.
const maxPostWait = 5 * time.Second

// TestLoad has 32 clients post 50,000 transactions to the real node while a
// block is mined every 100 ms. Every acknowledged transaction must end up
// in exactly one block, no post may wait more than maxPostWait, and the
// node's resident memory must stay flat once it has warmed up.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the 50,000-post load test takes a minute; run without -short")
	}
	const (
		clients = 32
		total   = 50_000
	)
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"), "--allow-overdraft")
	ctx, stopMining := context.WithCancel(context.Background())
	var miner sync.WaitGroup
	miner.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				MustGet(t, node.URL+"/mine")
			}
		}
	})

	var (
		next, acked atomic.Int64
		slowest     atomic.Int64 // nanoseconds
		mu          sync.Mutex
		ids         = make(map[string]bool, total)
		memory      []int64 // resident KiB, sampled as the load runs
	)
	var wg sync.WaitGroup
	wg.Go(func() {
		for acked.Load() < total && !t.Failed() {
			mu.Lock()
			memory = append(memory, residentKiB(t, node.Cmd.Process.Pid))
			mu.Unlock()
			time.Sleep(250 * time.Millisecond)
		}
	})
	for c := range clients {
		wg.Go(func() {
			httpc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer httpc.CloseIdleConnections()
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				body := fmt.Sprintf(`{"sender": "client%d", "recipient": "shop", "amount": %d}`, c, i)
				start := time.Now()
				resp, err := httpc.Post(node.URL+"/transactions/new", "application/json", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				var ans struct {
					ID string `json:"transaction_id"`
				}
				err = json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
				waited := time.Since(start)
				raiseTo(&slowest, int64(waited))
				if resp.StatusCode != http.StatusCreated || err != nil {
					t.Errorf("post %d: status %d (%v)", i, resp.StatusCode, err)
					return
				}
				mu.Lock()
				ids[ans.ID] = true
				mu.Unlock()
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	stopMining()
	miner.Wait()
	MustGet(t, node.URL+"/mine") // the last ones
	if t.Failed() {
		return
	}

	mined := map[string]int{}
	for _, b := range chainOf(t, node.URL) {
		txs, _ := b.Get("transactions")
		for _, tx := range txs.Arr {
			mined[wire.Hash(tx)]++
		}
	}
	for id := range ids {
		if mined[id] != 1 {
			t.Fatalf("acknowledged transaction %s is in %d blocks, want 1", id, mined[id])
		}
	}
	if len(ids) != total {
		t.Fatalf("%d distinct acknowledged transactions, want %d", len(ids), total)
	}
	// A bound on the worst wait, not a speed target (BenchmarkPostTransactions
	// measures speed): a post stuck behind a commit or a block waits for
	// ever, while a busy machine stretches an honest wait past a second.
	if d := time.Duration(slowest.Load()); d > maxPostWait {
		t.Fatalf("the slowest post waited %v, more than %v", d, maxPostWait)
	}
	// Flat memory: after the first fifth (caches filling, the heap finding
	// its size), the resident size may wobble but not climb. The heap may
	// still find its size late, in one step (with GOGC=400 a few MiB more
	// of caches are five times that of resident memory), so a climb is a
	// rise from the first half of the run to the second that is still
	// going on in its last quarter: a leak grows all along, a cache that
	// filled stops.
	warm := memory[len(memory)/5:]
	half, quarter := len(warm)/2, len(warm)*3/4
	first, last := slices.Max(warm[:half]), slices.Max(warm[half:])
	third, fourth := slices.Max(warm[half:quarter]), slices.Max(warm[quarter:])
	t.Logf("%d posts, slowest %v; resident memory %d MiB warm, %d MiB at the end (samples %v KiB)",
		total, time.Duration(slowest.Load()), first/1024, last/1024, memory)
	if last > first+32*1024 && fourth > third+8*1024 {
		t.Fatalf("resident memory grew from %d to %d MiB under steady load, and still grew in the last quarter (%d to %d MiB)", first/1024, last/1024, third/1024, fourth/1024)
	}
}
