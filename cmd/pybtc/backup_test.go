package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pybtc/pybtc/wire"
)

// TestBackupDuringLoad backs up a live node's database while clients post
// transactions and blocks are mined. The copy passes integrity_check, and
// a node started on it serves the same chain, block for block, up to the
// copy's tip.
func TestBackupDuringLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "node.db")
	live := MustStartNode(t, db, "--allow-overdraft")
	for range 5 {
		MustGet(t, live.URL+"/mine")
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				postTransaction(live.URL, "alice", "bob", float64(c*1000+i+1)/1e4)
				if c == 0 && i%20 == 0 {
					MustGet(t, live.URL+"/mine")
				}
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()

	dest := filepath.Join(dir, "backup.db")
	var out, errs bytes.Buffer
	cmd := exec.CommandContext(context.Background(), MustBuild(t), "backup", "--db", db, dest)
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("pybtc backup: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "integrity ok") {
		t.Fatalf("pybtc backup printed %q", out.String())
	}
	stop.Store(true)
	wg.Wait()

	restored := MustStartNode(t, dest, "--allow-overdraft")
	got := chainOf(t, restored.URL)
	want := chainOf(t, live.URL)
	if len(got) < 6 || len(got) > len(want) {
		t.Fatalf("restored chain has %d blocks; the live one %d", len(got), len(want))
	}
	for i, b := range got {
		if !bytes.Equal(wire.AppendCanonical(nil, b), wire.AppendCanonical(nil, want[i])) {
			t.Fatalf("restored block %d differs from the live one", i+1)
		}
	}

	t.Run("Refusals", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
		}{
			{[]string{"backup", "--db", db, dest}, 1},                              // exists
			{[]string{"backup", "--db", filepath.Join(dir, "nope.db"), "x.db"}, 1}, // no source
			{[]string{"backup"}, 2},
		} {
			err := exec.Command(MustBuild(t), tc.args...).Run()
			var code int
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Fatalf("pybtc %v: exit %d, want %d", tc.args, code, tc.code)
			}
		}
	})
}
