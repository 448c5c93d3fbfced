package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pybtc/pybtc/store"
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

// TestNodeForgetPeers: a node started on a backup keeps the original's
// peers, and so rejoins its network, unless started with --forget-peers.
func TestNodeForgetPeers(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	orig := filepath.Join(dir, "node.db")
	db := store.NewDB(orig)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddPeer(ctx, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		args  []string
		peers int
	}{
		{"KeepsPeers", nil, 1},
		{"ForgetPeers", []string{"--forget-peers"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			copyDB := filepath.Join(dir, tt.name+".db")
			if err := store.Backup(ctx, orig, copyDB); err != nil {
				t.Fatal(err)
			}
			m := NewMain(io.Discard, io.Discard)
			if err := m.ParseFlags(append([]string{"--listen", "127.0.0.1:0", "--db", copyDB}, tt.args...)); err != nil {
				t.Fatal(err)
			}
			if err := m.Run(ctx); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			peers, err := m.Node.Peers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(peers) != tt.peers {
				t.Fatalf("node on the backup with %v has %d peers (%+v), want %d", tt.args, len(peers), peers, tt.peers)
			}
		})
	}
}
