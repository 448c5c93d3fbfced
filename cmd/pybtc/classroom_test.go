package main

import (
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"
)

// TestClassroom: a class of 20 nodes joins its teacher's node, node 0, as
// "pybtc devnet" starts them. The teacher answers one registration a
// student, not one for every pair of them; a student ends with a handful
// of peers, not the whole class; and every block mined reaches every node,
// each serving for it a few requests for each of its peers, however large
// the class.
func TestClassroom(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 nodes")
	}
	const count, blocks = 20, 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mains, err := startDevnet(ctx, count, 0, t.TempDir(), []string{"--log-level", "error"}, io.Discard)
	defer func() {
		for _, m := range mains {
			m.Close()
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	urls := make([]string, count)
	for i, m := range mains {
		urls[i] = m.HTTP.URL()
	}

	// The join is over once no node has answered a registration for a
	// second; a storm would go on for much longer than the wait allows.
	total, last, quietSince := 0.0, -1.0, time.Now()
	WaitFor(t, 60*time.Second, "the registrations end", func() bool {
		total = 0
		for _, u := range urls {
			total += requests(t, u)["POST /nodes/register"]
		}
		if total != last {
			last, quietSince = total, time.Now()
		}
		return time.Since(quietSince) >= time.Second
	})
	teacher := requests(t, urls[0])["POST /nodes/register"]
	if teacher > 2*count {
		t.Errorf("the teacher answered %v registrations for %d students, want at most %d", teacher, count-1, 2*count)
	}
	if perNode := total / count; perNode > 3*4 {
		t.Errorf("a node answered %.1f registrations on average, want at most 12 (a few for each of its peers)", perNode)
	}
	peers := make([]int, count)
	sum := 0
	for i, u := range urls {
		peers[i] = statusOf(t, u).Peers
		sum += peers[i]
		if peers[i] == 0 {
			t.Errorf("node %d has no peer", i)
		}
	}
	if mean := float64(sum) / count; mean > count/2 {
		t.Errorf("a node has %.1f peers on average in a class of %d, want a handful", mean, count)
	}

	before := make([]float64, count)
	for i, u := range urls {
		before[i] = networkRequests(requests(t, u))
	}
	for k := range blocks {
		miner := urls[1+k*7%(count-1)]
		var mined struct {
			Index int64 `json:"index"`
		}
		if err := json.Unmarshal(MustGet(t, miner+"/mine"), &mined); err != nil {
			t.Fatal(err)
		}
		hash := statusOf(t, miner).TipHash
		for _, u := range urls {
			WaitFor(t, 30*time.Second, "block mined at "+miner+" reaches node "+u, func() bool { return statusOf(t, u).TipHash == hash })
		}
	}
	for i, u := range urls {
		// An announcement and a fetch for each peer, and a poll or two
		// of the periodic sync while the blocks go round.
		perBlock := (networkRequests(requests(t, u)) - before[i]) / blocks
		if limit := 3*float64(peers[i]) + 2; perBlock > limit {
			t.Errorf("node %d, with %d peers, served %.1f requests a block, want at most %.0f", i, peers[i], perBlock, limit)
		}
	}
}
