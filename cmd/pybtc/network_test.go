package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// syncFlags make nodes poll their peers often, so tests converge fast.
var syncFlags = []string{"--sync-interval", "300ms", "--allow-overdraft"}

// MustRegister posts a registration to url and wants a 201.
func MustRegister(tb testing.TB, url string, nodes ...string) {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"nodes": nodes})
	if len(nodes) == 1 {
		body, _ = json.Marshal(map[string]any{"nodes": nodes[0]}) // the tutorial's form
	}
	resp, err := client.Post(url+"/nodes/register", "application/json", strings.NewReader(string(body)))
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		tb.Fatalf("register %v at %s: status %d", nodes, url, resp.StatusCode)
	}
}

// WaitFor polls cond every 100ms until it holds or timeout passes.
func WaitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tipOf returns the hash of the last block url serves, by our own hashing.
func tipOf(tb testing.TB, url string) string {
	tb.Helper()
	chain := chainOf(tb, url)
	return wire.Hash(chain[len(chain)-1])
}

// tryTip is tipOf for polling: errors give "".
func tryTip(url string) string {
	resp, err := client.Get(url + "/chain")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var body struct {
		Chain []json.RawMessage
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Chain) == 0 {
		return ""
	}
	v, err := wire.Parse(body.Chain[len(body.Chain)-1])
	if err != nil {
		return ""
	}
	return wire.Hash(v)
}

// converged reports whether every url serves the same tip.
func converged(urls ...string) bool {
	first := tryTip(urls[0])
	for _, u := range urls[1:] {
		if t := tryTip(u); t == "" || t != first {
			return false
		}
	}
	return first != ""
}

func peerCount(url string) int {
	resp, err := client.Get(url + "/nodes")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var body struct{ Length int }
	json.NewDecoder(resp.Body).Decode(&body)
	return body.Length
}

// allPending reports whether every url holds every transaction of ids in
// its mempool.
func allPending(urls, ids []string) bool {
	for _, u := range urls {
		for _, id := range ids {
			resp, err := client.Get(u + "/api/tx/" + id)
			if err != nil {
				return false
			}
			var tx struct{ Status string }
			err = json.NewDecoder(resp.Body).Decode(&tx)
			resp.Body.Close()
			if err != nil || tx.Status != "pending" {
				return false
			}
		}
	}
	return true
}

// heightOf is the number of blocks url serves, or -1 when it does not
// answer.
func heightOf(url string) int {
	resp, err := client.Get(url + "/chain")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var body struct{ Length int }
	if json.NewDecoder(resp.Body).Decode(&body) != nil {
		return -1
	}
	return body.Length
}

// minedIDs counts how often each transaction id appears in url's chain.
func minedIDs(tb testing.TB, url string) map[string]int {
	tb.Helper()
	ids := map[string]int{}
	for _, b := range chainOf(tb, url) {
		txs, _ := b.Get("transactions")
		for _, tx := range txs.Arr {
			ids[wire.Hash(tx)]++
		}
	}
	return ids
}

func TestThreeNodes(t *testing.T) {
	dir := t.TempDir()
	var nodes []*Process
	var urls []string
	for i := range 3 {
		p := MustStartNode(t, filepath.Join(dir, fmt.Sprintf("n%d.db", i)), syncFlags...)
		nodes = append(nodes, p)
		urls = append(urls, p.URL)
	}
	// The tutorial's three steps: A learns B and C, registers back with
	// each, and tells each about the other.
	MustRegister(t, urls[0], urls[1], urls[2])
	WaitFor(t, 5*time.Second, "every node knows the two others", func() bool {
		return peerCount(urls[0]) == 2 && peerCount(urls[1]) == 2 && peerCount(urls[2]) == 2
	})

	parent := t
	t.Run("RelayAndMine", func(t *testing.T) {
		var ids []string
		for i, u := range urls {
			status, body, err := postTransaction(u, fmt.Sprintf("sender%d", i), "shop", float64(i+1))
			if err != nil || status != http.StatusCreated {
				t.Fatalf("post to node %d: %d %v", i, status, err)
			}
			ids = append(ids, body["transaction_id"].(string))
		}
		// Every transaction reaches every mempool, so the miner (node 1)
		// mines all three.
		WaitFor(t, 5*time.Second, "the three transactions are in every mempool", func() bool { return allPending(urls, ids) })
		MustGet(t, urls[1]+"/mine")
		WaitFor(t, 5*time.Second, "all three serve the same chain", func() bool { return converged(urls...) })
		mined := minedIDs(t, urls[2])
		for _, id := range ids {
			if mined[id] != 1 {
				t.Fatalf("transaction %s mined %d times, want 1", id, mined[id])
			}
		}
	})

	t.Run("RestartedNodeCatchesUp", func(t *testing.T) {
		db := filepath.Join(dir, "n2.db")
		if err := nodes[2].Stop(t); err != nil {
			t.Fatal(err)
		}
		MustGet(t, urls[0]+"/mine")
		MustGet(t, urls[0]+"/mine")
		WaitFor(t, 5*time.Second, "the two running nodes agree", func() bool { return converged(urls[0], urls[1]) })
		nodes[2] = MustStartNode(parent, db, syncFlags...) // lives past this subtest
		urls[2] = nodes[2].URL                             // a new port: peers learn it by registration
		MustRegister(t, urls[2], urls[0])
		WaitFor(t, 10*time.Second, "the restarted node catches up", func() bool { return converged(urls...) })
	})

	t.Run("ConcurrentMinersConverge", func(t *testing.T) {
		var ids []string
		for i := range 4 {
			_, body, err := postTransaction(urls[i%2], "payer", "payee", float64(10+i))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, body["transaction_id"].(string))
		}
		// Both miners hold all four, so both blocks carry them.
		WaitFor(t, 5*time.Second, "the four transactions are in every mempool", func() bool { return allPending(urls, ids) })
		height := len(chainOf(t, urls[0]))
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, u := range urls[:2] {
			wg.Go(func() {
				resp, err := client.Get(u + "/mine")
				if err == nil {
					resp.Body.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		// Two blocks of equal height: each node keeps the one it has until
		// a longer chain appears. The next block settles it, and gives the
		// losing branch's transactions, back in the mempool, a block.
		// (Should one miner have seen the other's block first, there is no
		// fork; the heights still meet.)
		WaitFor(t, 5*time.Second, "every node holds the new blocks' height", func() bool {
			h := heightOf(urls[0])
			for _, u := range urls[1:] {
				if heightOf(u) != h {
					return false
				}
			}
			return h > height
		})
		MustGet(t, urls[0]+"/mine")
		WaitFor(t, 10*time.Second, "one chain after the next block", func() bool { return converged(urls...) })
		MustGet(t, urls[2]+"/mine")
		WaitFor(t, 10*time.Second, "one chain after a block from the third node", func() bool { return converged(urls...) })
		mined := minedIDs(t, urls[1])
		for _, id := range ids {
			if mined[id] != 1 {
				t.Fatalf("transaction %s mined %d times, want exactly 1", id, mined[id])
			}
		}
		if _, err := consensus.ValidateChain(wire.Blocks(chainOf(t, urls[2])), float64(time.Now().Unix())); err != nil {
			t.Fatalf("converged chain is invalid: %v", err)
		}
	})
}

// MustStartTutorial runs the tutorial's Python node on a free port. Its
// path comes from PYBTC_TUTORIAL_NODE; in CI a missing script fails.
func MustStartTutorial(tb testing.TB) string {
	tb.Helper()
	return mustStartPython(tb, tutorialScript(tb, "node_network_1.py"), nil, func(port int) []string {
		return []string{fmt.Sprint(port)}
	})
}

// tutorialScript is the path of one of the tutorial's Python programs, in
// the folder of PYBTC_TUTORIAL_NODE (make test points it at ../shared/seed
// when that folder is there). A clone of the repository alone does not
// have them: outside CI a test that needs one skips, saying how to run it;
// in CI (CI set) it fails, so the interoperability tests cannot silently
// stop running there.
func tutorialScript(tb testing.TB, name string) string {
	tb.Helper()
	script, err := findTutorial(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%v; CI must run the interoperability tests", err)
		}
		tb.Skipf("%v; to run it: PYBTC_TUTORIAL_NODE=/path/to/node_network_1.py go test ./cmd/pybtc", err)
	}
	return script
}

// findTutorial finds the tutorial's program name beside PYBTC_TUTORIAL_NODE.
func findTutorial(name string) (string, error) {
	node := os.Getenv("PYBTC_TUTORIAL_NODE")
	if node == "" {
		return "", fmt.Errorf("no tutorial program %s: PYBTC_TUTORIAL_NODE is not set", name)
	}
	script := filepath.Join(filepath.Dir(node), name)
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("no tutorial program: %w", err)
	}
	return script, nil
}

// mustStartPython runs script with Debian's Python (or PYBTC_PYTHON) on a
// free port, passed by args(port) and env, and waits until GET / answers.
func mustStartPython(tb testing.TB, script string, env []string, args func(port int) []string) string {
	tb.Helper()
	python := os.Getenv("PYBTC_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(python, append([]string{script}, args(port)...)...)
	cmd.Env = append(os.Environ(), append(env, fmt.Sprintf("PORT=%d", port))...)
	out := &lockedWriter{w: &strings.Builder{}}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if tb.Failed() {
			tb.Logf("log of %s:\n%s", filepath.Base(script), out.w)
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	WaitFor(tb, 20*time.Second, filepath.Base(script)+" answers", func() bool {
		resp, err := client.Get(url + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return url
}

// TestTutorialInterop runs one tutorial node and two pyBTC nodes. The
// tutorial node adopts pyBTC's blocks only if its own Python hashing
// agrees with ours, so convergence proves byte compatibility.
func TestTutorialInterop(t *testing.T) {
	tutorial := MustStartTutorial(t)
	dir := t.TempDir()
	a := MustStartNode(t, filepath.Join(dir, "a.db"), syncFlags...)
	b := MustStartNode(t, filepath.Join(dir, "b.db"), syncFlags...)
	MustRegister(t, a.URL, tutorial)
	MustRegister(t, a.URL, b.URL)
	// The tutorial node answers /mine with a 500 while it has no peers, and
	// learns them in the background here: tell it directly, as its own
	// users would.
	MustRegister(t, tutorial, a.URL)
	MustRegister(t, tutorial, b.URL)
	all := []string{tutorial, a.URL, b.URL}

	t.Run("TutorialMines", func(t *testing.T) {
		MustGet(t, tutorial+"/mine")
		WaitFor(t, 10*time.Second, "pyBTC nodes adopt the tutorial's block", func() bool { return converged(all...) })
	})
	t.Run("PyBTCMines", func(t *testing.T) {
		if status, _, err := postTransaction(a.URL, "학생", "test_to", 0.25); err != nil || status != http.StatusCreated {
			t.Fatalf("post: %d %v", status, err)
		}
		MustGet(t, a.URL+"/mine")
		WaitFor(t, 10*time.Second, "the tutorial node adopts pyBTC's block", func() bool { return converged(all...) })
	})
	t.Run("TutorialRelaysAndMines", func(t *testing.T) {
		if status, _, err := postTransaction(tutorial, "test_from", "test_to1", 1); err != nil || status != http.StatusCreated {
			t.Fatalf("post to tutorial: %d %v", status, err)
		}
		MustGet(t, tutorial+"/mine")
		WaitFor(t, 10*time.Second, "all agree after the tutorial mines a payment", func() bool { return converged(all...) })
		// The relayed copy in pyBTC's mempool was the same payment: it must
		// not be mined a second time.
		MustGet(t, b.URL+"/mine")
		WaitFor(t, 10*time.Second, "all agree again", func() bool { return converged(all...) })
		count := 0
		for _, blk := range chainOf(t, b.URL) {
			txs, _ := blk.Get("transactions")
			for _, tx := range txs.Arr {
				if s, _ := tx.Get("sender"); s.Str == "test_from" {
					count++
				}
			}
		}
		if count != 1 {
			t.Fatalf("the tutorial's payment is in the chain %d times, want 1", count)
		}
	})
}

// TestAutomineCompetes runs two nodes that mine on their own; they keep
// producing blocks and still agree on one chain.
func TestAutomineCompetes(t *testing.T) {
	dir := t.TempDir()
	flags := append([]string{"--automine", "--block-interval", "150ms"}, syncFlags...)
	a := MustStartNode(t, filepath.Join(dir, "a.db"), flags...)
	b := MustStartNode(t, filepath.Join(dir, "b.db"), flags...)
	MustRegister(t, a.URL, b.URL)
	// Which node finds the next block is a race, which one node can win
	// many times in a row on a busy machine: wait until each has won one.
	miners := map[string]bool{}
	WaitFor(t, 30*time.Second, "both nodes past height 8, each with blocks of its own in the chain", func() bool {
		if len(chainOf(t, a.URL)) <= 8 || len(chainOf(t, b.URL)) <= 8 {
			return false
		}
		clear(miners)
		for _, blk := range chainOf(t, a.URL)[1:] {
			txs, _ := blk.Get("transactions")
			to, _ := txs.Arr[len(txs.Arr)-1].Get("recipient")
			miners[to.Str] = true
		}
		return len(miners) >= 2
	})
	// Restart b without automine: it must end on a's chain, a prefix of
	// what a (still mining) serves.
	if err := b.Stop(t); err != nil {
		t.Fatal(err)
	}
	b = MustStartNode(t, filepath.Join(dir, "b.db"), syncFlags...)
	WaitFor(t, 10*time.Second, "b's chain is a prefix of a's", func() bool {
		tip := tryTip(b.URL)
		for _, blk := range chainOf(t, a.URL) {
			if wire.Hash(blk) == tip {
				return len(chainOf(t, b.URL)) > 8
			}
		}
		return false
	})
	if _, err := consensus.ValidateChain(wire.Blocks(chainOf(t, a.URL)), float64(time.Now().Unix())); err != nil {
		t.Fatalf("automined chain is invalid: %v", err)
	}
}
