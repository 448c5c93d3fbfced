package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

// TestMixedNetwork runs the two soft forks of SPEC §11 on a mixed network:
// a secure pyBTC node (rules K and W from height 2) that mines, a pyBTC node
// with the tutorial's proof of work, and the tutorial's own node. The
// tutorial node mines a spend from a key address that its key never signed,
// as any tutorial node would; both pyBTC nodes refuse that block and keep
// their chain, and once theirs is longer the tutorial node follows it,
// dropping the theft.
func TestMixedNetwork(t *testing.T) {
	tutorial := MustStartTutorial(t)
	dir := t.TempDir()
	_, owner := keys.NewKey()
	secure := MustStartNode(t, filepath.Join(dir, "secure.db"), append([]string{"--secure-from", "2", "--miner", owner}, syncFlags...)...)
	plain := MustStartNode(t, filepath.Join(dir, "plain.db"), syncFlags...)
	MustRegister(t, secure.URL, plain.URL, tutorial)
	MustRegister(t, tutorial, secure.URL)
	MustRegister(t, tutorial, plain.URL)
	all := []string{secure.URL, plain.URL, tutorial}

	// The secure node mines two blocks, with work, paying the key address.
	for range 2 {
		MustGet(t, secure.URL+"/mine")
		WaitFor(t, 20*time.Second, "every node takes the secure node's block", func() bool { return converged(all...) })
	}
	for _, b := range chainOf(t, tutorial)[1:] {
		if _, ok := b.Get("work"); !ok || !strings.HasPrefix(wire.Hash(b), "0000") {
			t.Fatalf("the tutorial node holds block %s without the work the secure node put in it", wire.AppendCompact(nil, b))
		}
	}
	before := tipOf(t, secure.URL)

	// The tutorial's node takes an unsigned spend of the key address's
	// coins and mines it.
	if status, _, err := postTransaction(tutorial, owner, "thief", 0.15); err != nil || status != http.StatusCreated {
		t.Fatalf("post the theft to the tutorial node: %d %v", status, err)
	}
	MustGet(t, tutorial+"/mine")
	theft := tipOf(t, tutorial)
	for _, u := range []string{secure.URL, plain.URL} {
		WaitFor(t, 20*time.Second, u+" records the tutorial's block as refused", func() bool {
			page := string(MustGet(t, u+"/scan/refused"))
			return strings.Contains(page, theft[:16]) && strings.Contains(page, "ErrKeySignature")
		})
		if got := tipOf(t, u); got != before {
			t.Fatalf("%s moved to %s after refusing the theft", u, got)
		}
	}

	// The pyBTC nodes grow longer; the tutorial node follows them.
	for range 2 {
		MustGet(t, secure.URL+"/mine")
	}
	WaitFor(t, 30*time.Second, "the tutorial node follows the pyBTC nodes' longer chain", func() bool { return converged(all...) })
	for _, b := range chainOf(t, tutorial) {
		if strings.Contains(string(wire.AppendCompact(nil, b)), `"thief"`) {
			t.Fatalf("the theft is still in the tutorial node's chain: %s", wire.AppendCompact(nil, b))
		}
	}
}
