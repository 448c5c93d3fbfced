package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
)

// TestSimulate runs pybtc simulate against a node that checks balances:
// every transaction it sends must be accepted, and since every block it
// mines pays one of its wallets, their balances must add up to 0.1 pyBTC a
// block.
func TestSimulate(t *testing.T) {
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"))
	var out, errs bytes.Buffer
	cmd := exec.Command(MustBuild(t), "simulate", "--node", node.URL, "--wallets", "4", "--transactions", "40",
		"--block-every", "5", "--fund", "2", "--seed", "7", "--json")
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("pybtc simulate: %v\n%s", err, errs.String())
	}
	var sum struct {
		Transactions int
		Refused      map[string]int
		Blocks       int
		Balances     map[string]json.Number
		Heights      map[string]int64
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	if sum.Transactions != 40 || len(sum.Refused) != 0 {
		t.Fatalf("sent %d, refused %v; want 40 and none", sum.Transactions, sum.Refused)
	}
	if sum.Heights[node.URL] != int64(sum.Blocks)+1 {
		t.Fatalf("node at height %d after %d blocks", sum.Heights[node.URL], sum.Blocks)
	}
	var total pybtc.Amount
	for _, b := range sum.Balances {
		total += amountOf(b)
	}
	if want := pybtc.Amount(sum.Blocks) * pybtc.Coin / 10; total != want {
		t.Fatalf("wallets hold %s pyBTC in all, want %s for %d blocks", total, want, sum.Blocks)
	}
	if !bytes.Contains(errs.Bytes(), []byte("40/40 transactions")) {
		t.Fatalf("no progress bar on stderr: %q", errs.String())
	}

	t.Run("Unreachable", func(t *testing.T) {
		err := exec.Command(MustBuild(t), "simulate", "--node", "http://127.0.0.1:1", "--transactions", "1").Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("unreachable node: %v, want exit 3", err)
		}
	})
}

// TestSimulateKeys runs pybtc simulate --keys: every wallet is a key
// address, every payment between them the node received is signed by the
// sender's key, and none is refused.
func TestSimulateKeys(t *testing.T) {
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"))
	proxy := newRecordingProxy(t, node.URL)
	r := runCLI(t, "simulate", "--keys", "--node", proxy.URL, "--wallets", "3", "--transactions", "12",
		"--block-every", "4", "--fund", "1", "--seed", "7", "--timeout", "1m", "--json")
	if r.code != 0 {
		t.Fatalf("pybtc simulate --keys: %+v", r)
	}
	var sum struct {
		Transactions int
		Refused      map[string]int
		Blocks       int
		Balances     map[string]json.Number
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("summary %q: %v", r.stdout, err)
	}
	if sum.Transactions != 12 || len(sum.Refused) != 0 || len(sum.Balances) != 3 {
		t.Fatalf("sent %d, refused %v, %d wallets; want 12, none, 3", sum.Transactions, sum.Refused, len(sum.Balances))
	}
	var total pybtc.Amount
	for addr, b := range sum.Balances {
		if !keys.IsKeyAddress(addr) {
			t.Fatalf("wallet %q is not a key address", addr)
		}
		total += amountOf(b)
	}
	if want := pybtc.Amount(sum.Blocks) * pybtc.Coin / 10; total != want {
		t.Fatalf("wallets hold %s pyBTC in all, want %s for %d blocks", total, want, sum.Blocks)
	}
	posts := proxy.Posts()
	if len(posts) != 12 {
		t.Fatalf("%d payments posted, want 12", len(posts))
	}
	for _, body := range posts {
		var tx struct{ Sender, Recipient string }
		if err := json.Unmarshal(body, &tx); err != nil {
			t.Fatal(err)
		}
		if _, ok := sum.Balances[tx.Sender]; !ok {
			t.Fatalf("payment %s is not from a wallet", body)
		}
		if _, ok := sum.Balances[tx.Recipient]; !ok || tx.Recipient == tx.Sender {
			t.Fatalf("payment %s is not to another wallet", body)
		}
		if err := keys.VerifyTransactionJSON(body); err != nil || !bytes.Contains(body, []byte(`"signature":"`)) {
			t.Fatalf("payment %s: %v, want it signed by the sender's key", body, err)
		}
	}
}
