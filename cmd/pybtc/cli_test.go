package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// cliResult is what one run of a client subcommand printed and returned.
type cliResult struct {
	stdout, stderr string
	code           int
}

// MustRunCLI runs the pybtc binary with args against the node at nodeURL,
// named by PYBTC_NODE as a user's shell would.
func MustRunCLI(tb testing.TB, nodeURL string, args ...string) cliResult {
	tb.Helper()
	cmd := exec.Command(MustBuild(tb), args...)
	cmd.Env = append(os.Environ(), "PYBTC_NODE="+nodeURL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		tb.Fatalf("pybtc %v: %v", args, err)
	}
	return cliResult{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// MustSucceed runs the binary and fails the test unless it exits 0 with
// nothing on stderr.
func MustSucceed(tb testing.TB, nodeURL string, args ...string) string {
	tb.Helper()
	r := MustRunCLI(tb, nodeURL, args...)
	if r.code != 0 || r.stderr != "" {
		tb.Fatalf("pybtc %v: exit %d, stderr %q, stdout %q", args, r.code, r.stderr, r.stdout)
	}
	return r.stdout
}

// MustJSON runs the binary with --json and decodes what it printed.
func MustJSON[T any](tb testing.TB, nodeURL string, args ...string) T {
	tb.Helper()
	out := MustSucceed(tb, nodeURL, append(args, "--json")...)
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		tb.Fatalf("pybtc %v --json: %v\n%s", args, err, out)
	}
	if !strings.HasPrefix(out, "{\n  \"") && !strings.HasPrefix(out, "[\n  {") {
		tb.Fatalf("pybtc %v --json: not indented:\n%s", args, out)
	}
	return v
}

// field returns the value after "key:" on a line of a key: value listing.
func field(tb testing.TB, out, key string) string {
	tb.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `:\s+(.*)$`).FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("no %q line in:\n%s", key, out)
	}
	return m[1]
}

// TestCLI drives a real node with the real binary, as a user would: each
// step builds on the chain the previous ones left.
func TestCLI(t *testing.T) {
	p := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"), "--allow-overdraft")
	url := p.URL
	const genesis = "6d1a2da9240a80ce413d9ee073a97cbe4485bf1979aa0f1b6549575228078f62"

	t.Run("Status", func(t *testing.T) {
		out := MustSucceed(t, url, "status")
		if got, want := field(t, out, "height"), "1"; got != want {
			t.Fatalf("height %q, want %q", got, want)
		}
		if got := field(t, out, "tip"); got != genesis {
			t.Fatalf("tip %q, want the genesis block", got)
		}
		if got := field(t, out, "tip time"); got != "2024-09-29 00:00:00 UTC (1727568000)" {
			t.Fatalf("tip time %q", got)
		}
		s := MustJSON[map[string]any](t, url, "status")
		if s["height"] != 1.0 || s["tip_hash"] != genesis {
			t.Fatalf("status --json: %v", s)
		}
	})

	var hashes []string
	t.Run("Mine", func(t *testing.T) {
		out := MustSucceed(t, url, "mine", "-n", "2", "--to", "alice")
		m := regexp.MustCompile(`(?m)^mined block (\d+)  ([0-9a-f]{64})  1 transaction$`).FindAllStringSubmatch(out, -1)
		if len(m) != 2 || m[0][1] != "2" || m[1][1] != "3" {
			t.Fatalf("mine -n 2 printed:\n%s", out)
		}
		hashes = []string{genesis, m[0][2], m[1][2]}
	})

	t.Run("TipsAndReorgs", func(t *testing.T) {
		out := MustSucceed(t, url, "tips")
		if !regexp.MustCompile(`(?m)^3\s+active\s+3\s+0\s+` + hashes[2] + `$`).MatchString(out) {
			t.Fatalf("tips printed:\n%s", out)
		}
		tips := MustJSON[[]map[string]any](t, url, "tips")
		if len(tips) != 1 || tips[0]["status"] != "active" || tips[0]["hash"] != hashes[2] || tips[0]["branch_length"] != 0.0 {
			t.Fatalf("tips --json: %v", tips)
		}
		if out := MustSucceed(t, url, "reorgs"); out != "no reorganisations\n" {
			t.Fatalf("reorgs printed %q", out)
		}
		if out := MustSucceed(t, url, "reorgs", "--limit", "5", "--json"); strings.TrimSpace(out) != "[]" {
			t.Fatalf("reorgs --json printed %q", out)
		}
		if r := MustRunCLI(t, url, "reorgs", "--limit", "0"); r.code != 2 || !strings.Contains(r.stderr, "--limit") {
			t.Fatalf("reorgs --limit 0: %+v, want a usage error", r)
		}
	})

	t.Run("Balance", func(t *testing.T) {
		out := MustSucceed(t, url, "balance", "alice")
		if got, want := field(t, out, "balance"), "0.2 pyBTC"; got != want {
			t.Fatalf("balance %q, want %q", got, want)
		}
		a := MustJSON[struct {
			Address    string      `json:"address"`
			Balance    json.Number `json:"balance"`
			BalanceSat int64       `json:"balance_sat"`
		}](t, url, "balance", "alice")
		if a.Address != "alice" || a.Balance != "0.2" || a.BalanceSat != 20_000_000 {
			t.Fatalf("balance --json: %+v", a)
		}
		r := MustRunCLI(t, url, "balance", "nobody")
		if r.code != 1 || r.stderr != "No transaction names the address \"nobody\".\n" || r.stdout != "" {
			t.Fatalf("balance nobody: %+v, want exit 1 with the node's message", r)
		}
	})

	var id string
	t.Run("Send", func(t *testing.T) {
		out := MustSucceed(t, url, "send", "--from", "alice", "--to", "bob", "--amount", "0.05")
		id = field(t, out, "transaction")
		if len(id) != 64 || field(t, out, "message") != "Transaction will be added to Block {4}" {
			t.Fatalf("send printed:\n%s", out)
		}
		s := MustJSON[map[string]string](t, url, "send", "--from", "alice", "--to", "carol", "--amount", "0.010")
		if len(s["transaction_id"]) != 64 || s["message"] != "Transaction will be added to Block {4}" {
			t.Fatalf("send --json: %v", s)
		}
	})

	t.Run("SendRefused", func(t *testing.T) {
		r := MustRunCLI(t, url, "send", "--from", "alice", "--to", "bob", "--amount", "0")
		want := "amount must be a positive number with at most 8 decimal places; got 0\n"
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Fatalf("send --amount 0: exit %d, stderr %q, stdout %q; want exit 1, stderr %q", r.code, r.stderr, r.stdout, want)
		}
		r = MustRunCLI(t, url, "send", "--from", "alice", "--to", "bob", "--amount", "0.000000001")
		if r.code != 1 || !strings.Contains(r.stderr, "at most 8 decimal places") {
			t.Fatalf("send 9 decimals: %+v, want the node's refusal", r)
		}
		r = MustRunCLI(t, url, "send", "--from", "alice", "--to", "bob", "--amount", "1e-3")
		if r.code != 2 || !strings.Contains(r.stderr, "decimal number") {
			t.Fatalf("send 1e-3: %+v, want a usage error", r)
		}
	})

	t.Run("TxPendingThenConfirmed", func(t *testing.T) {
		out := MustSucceed(t, url, "tx", id)
		if field(t, out, "status") != "pending" || field(t, out, "amount") != "0.05 pyBTC" || field(t, out, "sender") != "alice" {
			t.Fatalf("tx before mining:\n%s", out)
		}
		MustSucceed(t, url, "mine")
		out = MustSucceed(t, url, "tx", id)
		if got, want := field(t, out, "status"), "confirmed in block 4 (1 confirmation)"; got != want {
			t.Fatalf("status %q, want %q", got, want)
		}
		tx := MustJSON[map[string]any](t, url, "tx", id)
		if tx["status"] != "confirmed" || tx["block"] != 4.0 || tx["id"] != id {
			t.Fatalf("tx --json: %v", tx)
		}
		// The start of an id, as Block Scan's search takes it.
		if out := MustSucceed(t, url, "tx", id[:8]); field(t, out, "id") != id {
			t.Fatalf("tx %s:\n%s", id[:8], out)
		}
	})

	t.Run("Block", func(t *testing.T) {
		out := MustSucceed(t, url, "block", "1")
		if field(t, out, "hash") != genesis || field(t, out, "transactions") != "0" {
			t.Fatalf("block 1:\n%s", out)
		}
		out = MustSucceed(t, url, "block", hashes[1])
		if field(t, out, "height") != "2" || field(t, out, "previous hash") != genesis || !strings.Contains(out, "master") {
			t.Fatalf("block %s:\n%s", hashes[1], out)
		}
		b := MustJSON[struct {
			Height int64             `json:"height"`
			Hash   string            `json:"hash"`
			Txs    []json.RawMessage `json:"transaction_list"`
		}](t, url, "block", "4")
		if b.Height != 4 || len(b.Txs) != 3 {
			t.Fatalf("block 4 --json: %+v", b)
		}
		r := MustRunCLI(t, url, "block", "99")
		if r.code != 1 || r.stderr != "There is no block at height 99.\n" {
			t.Fatalf("block 99: %+v", r)
		}
	})

	t.Run("ChainSince", func(t *testing.T) {
		out := MustSucceed(t, url, "chain", "--since", "2")
		rows := regexp.MustCompile(`(?m)^(\d+)\s.*\s([0-9a-f]{64})$`).FindAllStringSubmatch(out, -1)
		if len(rows) != 3 || rows[0][1] != "2" || rows[0][2] != hashes[1] || rows[1][2] != hashes[2] || rows[2][1] != "4" {
			t.Fatalf("chain --since 2:\n%s", out)
		}
		ch := MustJSON[struct {
			Chain []struct {
				Index int64 `json:"index"`
			} `json:"chain"`
			Length int64 `json:"length"`
		}](t, url, "chain", "--since", "2", "--limit", "2")
		if ch.Length != 4 || len(ch.Chain) != 2 || ch.Chain[0].Index != 2 {
			t.Fatalf("chain --json: %+v", ch)
		}
	})

	t.Run("Peers", func(t *testing.T) {
		if out := MustSucceed(t, url, "peers"); out != "no peers\n" {
			t.Fatalf("peers: %q", out)
		}
		out := MustSucceed(t, url, "peers", "add", "http://127.0.0.1:1")
		if field(t, out, "message") != "New nodes have been added" || field(t, out, "peers") != "127.0.0.1:1" {
			t.Fatalf("peers add:\n%s", out)
		}
		if out := MustSucceed(t, url, "peers"); !strings.Contains(out, "http://127.0.0.1:1 ") {
			t.Fatalf("peers after add:\n%s", out)
		}
		ps := MustJSON[struct {
			Peers []struct {
				URL string `json:"url"`
			} `json:"peers"`
		}](t, url, "peers")
		if len(ps.Peers) != 1 || ps.Peers[0].URL != "http://127.0.0.1:1" {
			t.Fatalf("peers --json: %+v", ps)
		}
		if out := MustSucceed(t, url, "peers", "remove", "http://127.0.0.1:1"); field(t, out, "message") != "Node removed" {
			t.Fatalf("peers remove:\n%s", out)
		}
		if out := MustSucceed(t, url, "peers"); out != "no peers\n" {
			t.Fatalf("peers after remove: %q", out)
		}
	})

	t.Run("MineJSON", func(t *testing.T) {
		blocks := MustJSON[[]struct {
			Index int64  `json:"index"`
			Hash  string `json:"hash"`
		}](t, url, "mine", "-n", "2")
		if len(blocks) != 2 || blocks[0].Index != 5 || blocks[1].Index != 6 || len(blocks[1].Hash) != 64 {
			t.Fatalf("mine --json: %+v", blocks)
		}
	})

	t.Run("Unreachable", func(t *testing.T) {
		r := MustRunCLI(t, "http://127.0.0.1:1", "status")
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "127.0.0.1:1") {
			t.Fatalf("status against nothing: %+v, want exit 3", r)
		}
	})

	t.Run("BadFlag", func(t *testing.T) {
		r := MustRunCLI(t, url, "status", "--frobnicate")
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "frobnicate") {
			t.Fatalf("status --frobnicate: %+v, want exit 2", r)
		}
	})
}

// TestCLIExitCodes checks the exit-code contract against a fake node, in
// process.
func TestCLIExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		status  int    // of the fake node's answer; 0 for a node that never answers
		body    string // of the fake node's answer
		args    []string
		code    int
		stdout  string // contained in stdout
		stderr  string // contained in stderr; for exit 1, all of it
		noFetch bool   // the node must not be asked
	}{
		{name: "OK", status: 200, body: `{"height":7,"tip_hash":"ab","tip_timestamp":1727568000.25,"pending":0,"peers":0,"peers_by_state":{}}`,
			args: []string{"status"}, stdout: "2024-09-29 00:00:00 UTC (1727568000.25)"},
		{name: "JSONKeepsNumbers", status: 200, body: `{"address":"a","balance":0.10000000,"history":[]}`,
			args: []string{"balance", "a", "--json"}, stdout: `"balance": 0.10000000`},
		{name: "Refused", status: 400, body: `{"message":"sender must not be \"master\""}`,
			args: []string{"send", "--from", "master", "--to", "b", "--amount", "1"}, code: 1, stderr: "sender must not be \"master\"\n"},
		{name: "NotFound", status: 404, body: `{"message":"No transaction has the id ab."}`,
			args: []string{"tx", "ab"}, code: 1, stderr: "No transaction has the id ab.\n"},
		{name: "ServerError", status: 500, body: `{"message":"internal error"}`,
			args: []string{"status"}, code: 3, stderr: "500: internal error"},
		{name: "Unavailable", status: 503, body: `{"message":"the mempool is full"}`,
			args: []string{"send", "--from", "a", "--to", "b", "--amount", "1"}, code: 3, stderr: "the mempool is full"},
		{name: "Oversize", status: 200, body: `{"peers":[` + strings.Repeat(`{"url":"http://x"},`, 100_000) + `{}]}`,
			args: []string{"peers"}, code: 3, stderr: "answer too large"},
		{name: "Timeout", args: []string{"mine", "--timeout", "200ms"}, code: 3, stderr: "did not answer within 200ms"},
		{name: "BadFlag", args: []string{"chain", "--sinse", "2"}, code: 2, stderr: "-sinse", noFetch: true},
		{name: "MissingArgument", args: []string{"balance"}, code: 2, stderr: "missing the address", noFetch: true},
		{name: "ExtraArgument", args: []string{"tx", "a", "b"}, code: 2, stderr: `unexpected argument "b"`, noFetch: true},
		{name: "MissingFlag", args: []string{"send", "--from", "a", "--amount", "1"}, code: 2, stderr: "--to is required", noFetch: true},
		{name: "BadAmount", args: []string{"send", "--from", "a", "--to", "b", "--amount", "1,5"}, code: 2, stderr: "decimal number", noFetch: true},
		{name: "BadCount", args: []string{"mine", "-n", "0"}, code: 2, stderr: "-n must be 1 or more", noFetch: true},
		{name: "BadSince", args: []string{"chain", "--since", "0"}, code: 2, stderr: "--since", noFetch: true},
		{name: "BadTimeout", args: []string{"status", "--timeout", "0s"}, code: 2, stderr: "--timeout", noFetch: true},
		{name: "BadNode", args: []string{"status", "--node", "127.0.0.1:5000"}, code: 2, stderr: "--node", noFetch: true},
		{name: "BadPeersVerb", args: []string{"peers", "delete", "x"}, code: 2, stderr: "peers add URL", noFetch: true},
		{name: "PeersRemoveNoURL", args: []string{"peers", "remove"}, code: 2, stderr: "missing the URL", noFetch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fetched atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fetched.Store(true)
				if tt.status == 0 {
					<-r.Context().Done()
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			// The node comes from PYBTC_NODE unless the test names one.
			t.Setenv("PYBTC_NODE", srv.URL)

			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("pybtc %v: exit %d, want %d; stdout %q stderr %q", tt.args, code, tt.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Fatalf("stdout %q does not contain %q", stdout.String(), tt.stdout)
			}
			if tt.code == 1 && stderr.String() != tt.stderr || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("stderr %q, want %q", stderr.String(), tt.stderr)
			}
			if tt.code != 0 && tt.stdout == "" && stdout.Len() > 0 {
				t.Fatalf("exit %d with stdout %q: results only on success", code, stdout.String())
			}
			if fetched.Load() == tt.noFetch {
				t.Fatalf("node asked: %v, want %v", fetched.Load(), !tt.noFetch)
			}
		})
	}
}

// TestCLIHelp checks that every client subcommand is listed by "pybtc help"
// and describes itself completely with --help.
func TestCLIHelp(t *testing.T) {
	// The defaults shown must be the built-in ones.
	t.Setenv("PYBTC_NODE", "")
	unsetenv(t, "PYBTC_NODE")
	var top bytes.Buffer
	if code := run(t.Context(), []string{"help"}, &top, io.Discard); code != 0 {
		t.Fatalf("pybtc help: exit %d", code)
	}
	for _, want := range []string{"pybtc node", "pybtc devnet", "pybtc backup", "pybtc version", "Exit codes", "PYBTC_NODE", "--json", "--timeout"} {
		if !strings.Contains(top.String(), want) {
			t.Fatalf("pybtc help does not mention %q", want)
		}
	}
	for _, c := range cliCommands {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(top.String(), "pybtc "+c.name+" ") {
				t.Fatalf("pybtc help does not list %q", c.name)
			}
			timeout := "10s"
			if c.name == "mine" {
				timeout = "30s"
			}
			for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}} {
				var stdout, stderr bytes.Buffer
				if code := run(t.Context(), args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
					t.Fatalf("pybtc %v: exit %d, stderr %q", args, code, stderr.String())
				}
				for _, want := range []string{"Usage: pybtc " + c.name, c.help, "-node", "http://127.0.0.1:5000", "-json", "-timeout", "(default " + timeout + ")", "Example:\n  " + c.example, "Exit codes"} {
					if !strings.Contains(stdout.String(), want) {
						t.Fatalf("pybtc %v does not mention %q:\n%s", args, want, stdout.String())
					}
				}
			}
		})
	}
}

// TestCLIStoppedNode: every client command against a port where no node
// listens says so in one sentence, with how to start one, instead of a
// dial error, and exits 3.
func TestCLIStoppedNode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nodeURL := "http://" + ln.Addr().String()
	ln.Close()
	tests := [][]string{
		{"status"}, {"chain"}, {"send", "--from", "a", "--to", "b", "--amount", "1"}, {"mine"},
		{"balance", "a"}, {"tx", strings.Repeat("ab", 32)}, {"block", "1"}, {"peers"},
		{"peers", "add", "http://127.0.0.1:1"}, {"tips"}, {"reorgs"},
	}
	want := "pybtc %s: no node answers at " + nodeURL + "; start one with 'pybtc node' (or name another with --node URL or PYBTC_NODE).\n"
	for _, args := range tests {
		t.Run(args[0], func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append(args, "--node", nodeURL), &stdout, &stderr)
			if code != 3 || stdout.Len() > 0 || stderr.String() != fmt.Sprintf(want, args[0]) {
				t.Fatalf("pybtc %v: exit %d, stdout %q, stderr %q; want exit 3 and %q", args, code, stdout.String(), stderr.String(), fmt.Sprintf(want, args[0]))
			}
		})
	}
}
