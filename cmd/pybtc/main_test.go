package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// MustBuild compiles the pybtc binary once per test run, as "make build"
// does (static, without cgo): durability can only be shown on a real
// process that the kernel kills, and the benchmarks measure the binary
// people run.
func MustBuild(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pybtc-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "pybtc")
		build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// apiURLs reads a starting node's standard output, sends on the channel
// it returns the API URL the node prints, and drains the rest.
func apiURLs(out io.Reader) <-chan string {
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "API:"); ok {
				select {
				case urls <- strings.TrimSuffix(strings.TrimSpace(rest), "/chain"):
				default:
				}
			}
		}
		io.Copy(io.Discard, out)
	}()
	return urls
}

// Process is a pybtc node running as a child process.
type Process struct {
	Cmd    *exec.Cmd
	URL    string
	stderr *bytes.Buffer
	log    *lockedWriter // writes stderr
	exited chan error
}

// Log returns what the node has logged so far; safe while it runs.
func (p *Process) Log() string {
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	return p.stderr.String()
}

// MustStartNode starts "pybtc node" on a free port of 127.0.0.1 with the
// database at db, and waits until it prints its URLs.
func MustStartNode(tb testing.TB, db string, args ...string) *Process {
	tb.Helper()
	cmd := exec.Command(MustBuild(tb), append([]string{"node", "--listen", "127.0.0.1:0", "--db", db}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &Process{Cmd: cmd, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	p.log = &lockedWriter{w: p.stderr}
	cmd.Stderr = p.log
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("log of node %s:\n%s", p.URL, p.stderr)
		}
	})

	urls := apiURLs(stdout)
	go func() { p.exited <- cmd.Wait() }()
	select {
	case p.URL = <-urls:
		return p
	case err := <-p.exited:
		tb.Fatalf("node exited at start: %v\n%s", err, p.stderr)
	case <-time.After(30 * time.Second):
		tb.Fatalf("node did not start within 30s\n%s", p.stderr)
	}
	return nil
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Process) Kill() {
	if p.Cmd.ProcessState != nil {
		return
	}
	p.Cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
	}
}

// Stop sends SIGTERM and returns the exit error (nil for status 0).
func (p *Process) Stop(tb testing.TB) error {
	tb.Helper()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		return err
	case <-time.After(20 * time.Second):
		tb.Fatalf("node did not stop within 20s of SIGTERM\n%s", p.stderr)
	}
	return nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

var client = &http.Client{Timeout: 30 * time.Second}

// MustGet fetches url and returns the body; the status must be 200.
func MustGet(tb testing.TB, url string) []byte {
	tb.Helper()
	resp, err := client.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return body
}

// postTransaction posts a transaction and returns the status and decoded body.
func postTransaction(url, sender, recipient string, amount float64) (int, map[string]any, error) {
	body := fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %v}`, sender, recipient, amount)
	resp, err := client.Post(url+"/transactions/new", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, m, nil
}

// chainOf returns the node's chain as parsed canonical values.
func chainOf(tb testing.TB, url string) []wire.Value {
	tb.Helper()
	v, err := wire.Parse(MustGet(tb, url+"/chain"))
	if err != nil {
		tb.Fatal(err)
	}
	chain, _ := v.Get("chain")
	length, _ := v.Get("length")
	if n, _ := length.Num.Int64(); int(n) != len(chain.Arr) {
		tb.Fatalf("length=%d, but %d blocks", n, len(chain.Arr))
	}
	return chain.Arr
}

// TestKillNineKeepsAcknowledgedTransactions posts transactions from many
// clients, kills the node with SIGKILL right after a 201, and checks that
// every acknowledged transaction is in the mempool after the crash and in
// the next mined block after the restart.
func TestKillNineKeepsAcknowledgedTransactions(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	p := MustStartNode(t, db, "--allow-overdraft")

	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		wg    sync.WaitGroup
		once  sync.Once
	)
	killed := make(chan struct{})
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-killed:
					return
				default:
				}
				status, body, err := postTransaction(p.URL, fmt.Sprintf("client%d", c), "shop", float64(i%7+1))
				if err != nil || status != http.StatusCreated {
					continue // the node is dying: an unacknowledged post may be lost
				}
				mu.Lock()
				acked[body["transaction_id"].(string)] = true
				n := len(acked)
				mu.Unlock()
				if n >= 300 {
					// Kill right after this 201, while other posts are in flight.
					once.Do(func() { p.Kill(); close(killed) })
					return
				}
			}
		})
	}
	wg.Wait()
	if len(acked) < 300 {
		t.Fatalf("only %d transactions acknowledged", len(acked))
	}

	// After the crash, before any restart: the file holds them all.
	s := store.NewDB(db)
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(context.Background(), 1_000_000)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	inMempool := map[string]bool{}
	for _, tx := range pending {
		inMempool[tx.ID] = true
	}
	for id := range acked {
		if !inMempool[id] {
			t.Fatalf("acknowledged transaction %s is not in the mempool after SIGKILL", id)
		}
	}

	// After a restart the next block mines every one of them.
	p = MustStartNode(t, db, "--allow-overdraft")
	MustGet(t, p.URL+"/mine")
	chain := chainOf(t, p.URL)
	mined := map[string]int{}
	txs, _ := chain[len(chain)-1].Get("transactions")
	for _, tx := range txs.Arr {
		mined[wire.Hash(tx)]++
	}
	for id := range acked {
		if mined[id] != 1 {
			t.Fatalf("acknowledged transaction %s is in the new block %d times, want 1", id, mined[id])
		}
	}
	if _, err := consensus.ValidateChain(wire.Blocks(chain), float64(time.Now().Unix())); err != nil {
		t.Fatalf("chain after restart does not validate: %v", err)
	}
}

// TestSigtermKeepsChain stops a node gracefully and finds the same chain,
// byte for byte, after the restart.
func TestSigtermKeepsChain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "node.db")
	p := MustStartNode(t, db)
	for range 3 {
		MustGet(t, p.URL+"/mine")
	}
	if status, _, err := postTransaction(p.URL, "node_x", "shop", 0.1); err != nil || status != http.StatusBadRequest {
		t.Fatalf("overdraft post: status %d, err %v; want 400", status, err)
	}
	before := MustGet(t, p.URL+"/chain")
	if err := p.Stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}

	p = MustStartNode(t, db)
	after := MustGet(t, p.URL+"/chain")
	if !bytes.Equal(before, after) {
		t.Fatalf("chain changed across restart:\nbefore %s\nafter  %s", before, after)
	}
	chain := chainOf(t, p.URL)
	if got, want := len(chain), 4; got != want {
		t.Fatalf("length=%d, want %d", got, want)
	}
}

// TestSQLiteQueriesOnLiveNode runs the README's sqlite3 queries through the
// sqlite3 command line against the file of a running node.
func TestSQLiteQueriesOnLiveNode(t *testing.T) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Fatal("the sqlite3 command line is required (apt-get install sqlite3)")
	}
	db := filepath.Join(t.TempDir(), "node.db")
	p := MustStartNode(t, db, "--miner", "alice")
	MustGet(t, p.URL+"/mine")
	MustGet(t, p.URL+"/mine")
	if status, body, err := postTransaction(p.URL, "alice", "bob", 0.05); err != nil || status != http.StatusCreated {
		t.Fatalf("post: %d %v %v", status, body, err)
	}
	MustGet(t, p.URL+"/mine")
	if status, _, err := postTransaction(p.URL, "alice", "carol", 0.01); err != nil || status != http.StatusCreated {
		t.Fatalf("post: %d %v", status, err)
	}

	for _, tt := range readmeQueries(t) {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(sqlite3, db, tt.sql).CombinedOutput()
			if err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Fatalf("output %q does not contain %q", out, tt.want)
			}
		})
	}
}

type readmeQuery struct{ name, sql, want string }

// readmeQueries takes the queries from the README, so the README cannot
// drift from what works; each is paired with a line of expected output for
// the chain that TestSQLiteQueriesOnLiveNode builds.
func readmeQueries(t *testing.T) []readmeQuery {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"balances":    "alice|0.25",
		"one address": "bob|5000000|0|5000000",
		"received by": "bob|0.05|1",
		"sent by":     "alice|0.05|1",
		"latest":      "4|",
		"mempool":     "alice|carol|0.01",
		"address txs": "4|0|alice|bob|0.05",
		// The block tree: a lone node has no fork, so these must run and
		// may print nothing, except when its blocks arrived.
		"reorganisations deeper than 1":            "",
		"blocks that lost":                         "",
		"miners of lost blocks":                    "",
		"arrival delay":                            "4|self|",
		"what reorganisations did to transactions": "",
		"refused blocks":                           "",
		"peers":                                    "",
		"the coinbase's sender":                    "master|0.3|-0.3",
	}
	var queries []readmeQuery
	for _, block := range strings.Split(string(readme), "```sql\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		for _, q := range strings.Split(body, ";\n") {
			q = strings.TrimSpace(q)
			name, rest, ok := strings.Cut(q, "\n")
			name = strings.TrimPrefix(name, "-- ")
			if _, wanted := want[name]; !ok || !wanted {
				continue
			}
			queries = append(queries, readmeQuery{name: name, sql: rest + ";", want: want[name]})
		}
	}
	if len(queries) != len(want) {
		t.Fatalf("found %d README queries, want %d", len(queries), len(want))
	}
	return queries
}
