package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/wire"
)

// TestTutorialAdoptsSecureBlocks: rule W is a soft fork. A pyBTC node with
// --secure-from 2 mines blocks with "work"; a tutorial node that knows it
// adopts them (its own Python hashing must agree) and serves them with
// their work.
func TestTutorialAdoptsSecureBlocks(t *testing.T) {
	tutorial := MustStartTutorial(t)
	secure := MustStartNode(t, filepath.Join(t.TempDir(), "secure.db"), append(syncFlags, "--secure-from", "2")...)
	MustRegister(t, secure.URL, tutorial)
	MustRegister(t, tutorial, secure.URL)
	for range 3 {
		MustGet(t, secure.URL+"/mine")
	}
	ours := chainOf(t, secure.URL)
	if len(ours) != 4 {
		t.Fatalf("the secure node has %d blocks, want 4", len(ours))
	}
	for _, b := range ours[1:] {
		if _, ok := b.Get("work"); !ok || !strings.HasPrefix(wire.Hash(b), "0000") {
			t.Fatalf("block %s has no work: %s", wire.Hash(b), wire.AppendCompact(nil, b))
		}
	}
	want := wire.Hash(ours[len(ours)-1])
	WaitFor(t, 20*time.Second, "the tutorial node adopts the secure blocks", func() bool { return tryTip(tutorial) == want })
	for _, b := range chainOf(t, tutorial)[1:] {
		if _, ok := b.Get("work"); !ok {
			t.Fatalf("the tutorial node serves block %s without its work", wire.Hash(b))
		}
	}
}
