package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pybtc/pybtc"
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
