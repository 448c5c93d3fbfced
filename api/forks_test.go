package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api/apijson"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// branchPeers serve chains as pyBTC peers would, without HTTP: the blocks
// asked for, page by page.
type branchPeers struct {
	mu     sync.Mutex
	chains map[string][]wire.Value
}

func (f *branchPeers) serve(tb testing.TB, url string, chain []wire.Value) peer.URL {
	tb.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chains[url] = chain
	u, err := peer.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func (f *branchPeers) Register(context.Context, peer.URL, peer.URL, peer.Registration) error {
	return nil
}
func (f *branchPeers) RelayTransaction(context.Context, peer.URL, []byte) error { return nil }
func (f *branchPeers) AnnounceBlock(context.Context, peer.URL, peer.URL, int64, string) error {
	return nil
}
func (f *branchPeers) NudgeTutorial(context.Context, peer.URL, peer.URL, string, int64) error {
	return nil
}

func (f *branchPeers) StreamChain(_ context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	f.mu.Lock()
	chain, ok := f.chains[u.String()]
	f.mu.Unlock()
	if !ok {
		return peer.Chain{}, errors.New("connection refused")
	}
	from := min(since-1, int64(len(chain)))
	to := int64(len(chain))
	if limit > 0 {
		to = min(to, from+limit)
	}
	for _, v := range chain[from:to] {
		b := wire.BlockOf(v)
		if err := each(&b); err != nil {
			return peer.Chain{}, err
		}
	}
	return peer.Chain{Length: int64(len(chain)), Sent: to - from}, nil
}

// TestForkScenario reorganises a node through forks of 1, 3 and 20
// blocks, each from a peer with a longer branch, and checks what a
// learner reads after each: the chain tips, the reorganisation log, the
// stale blocks' answers, and the mempool repaired.
//
//	m2..m5 -> n6(pay)                          the node mines n6 on m5
//	     m5 -> f6 -> f7(pending)                fork of 1 (peer B)
//	m4 -> t5..t8, then t9..t25                  fork of 3 (peer C), extended
//	t5 -> u6..u26                               fork of 20 (peer D)
func TestForkScenario(t *testing.T) {
	ctx := context.Background()
	peers := &branchPeers{chains: map[string][]wire.Value{}}
	self, _ := peer.ParseURL("http://127.0.0.1:5990")
	e := MustOpenEnv(t, node.Config{Self: self, Client: peers, SyncInterval: -1, AllowOverdraft: true})
	n := e.Node

	read := func(body string) wire.Transaction {
		t.Helper()
		tx, err := consensus.ReadTransaction([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	g := consensustest.NewGenerator(t)
	g.Miner = "peer-miner"
	for _, name := range []string{"m2", "m3", "m4", "m5"} {
		g.NextBlock(name)
	}
	sync := func(url, tip string) {
		t.Helper()
		u := peers.serve(t, url, g.Chain(tip))
		if changed, err := n.SyncWith(ctx, u); err != nil || !changed {
			t.Fatalf("SyncWith(%s) = %v, %v; want the chain to change", url, changed, err)
		}
		if got, want := n.Tip().Hash, wire.Hash(g.Block(tip)); got != want {
			t.Fatalf("tip %s, want %s's %s", got, url, want)
		}
	}
	sync("http://127.0.0.1:6001", "m5")

	pay, err := n.SubmitTransaction(ctx, read(`{"sender": "alice", "recipient": "bob", "amount": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	n6, err := n.Mine(ctx, "node-miner")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := n.SubmitTransaction(ctx, read(`{"sender": "carol", "recipient": "dave", "amount": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	hash := func(name string) string { return wire.Hash(g.Block(name)) }

	type want struct {
		tips    []apijson.Tip
		removed []int // blocks each reorganisation removed, newest first
		peers   []string
		stale   []string // hashes answered as stale, with what replaced them
		pending []string
		gone    []string // ids no longer pending
	}
	steps := []struct {
		name string
		grow func() (url, tip string)
		want func() want
	}{
		{
			name: "OneBlock",
			grow: func() (string, string) {
				g.Fork("m5")
				g.NextBlock("f6")
				g.NextBlock("f7", pending.Transaction)
				return "http://127.0.0.1:6002", "f7"
			},
			want: func() want {
				return want{
					tips: []apijson.Tip{
						{Height: 7, Hash: hash("f7"), ForkHeight: 7, Status: "active"},
						{Height: 6, Hash: n6.Hash, ForkHeight: 5, BranchLength: 1, Status: "valid-fork"},
					},
					removed: []int{1},
					peers:   []string{"http://127.0.0.1:6002"},
					stale:   []string{n6.Hash},
					pending: []string{pay.Transaction.ID},
					gone:    []string{pending.Transaction.ID},
				}
			},
		},
		{
			name: "ThreeBlocks",
			grow: func() (string, string) {
				g.Fork("m4")
				for _, name := range []string{"t5", "t6", "t7", "t8"} {
					g.NextBlock(name)
				}
				return "http://127.0.0.1:6003", "t8"
			},
			want: func() want {
				return want{
					tips: []apijson.Tip{
						{Height: 8, Hash: hash("t8"), ForkHeight: 8, Status: "active"},
						{Height: 7, Hash: hash("f7"), ForkHeight: 4, BranchLength: 3, Status: "valid-fork"},
						{Height: 6, Hash: n6.Hash, ForkHeight: 4, BranchLength: 2, Status: "valid-fork"},
					},
					removed: []int{3, 1},
					peers:   []string{"http://127.0.0.1:6003", "http://127.0.0.1:6002"},
					stale:   []string{n6.Hash, hash("m5"), hash("f7")},
					pending: []string{pay.Transaction.ID, pending.Transaction.ID},
				}
			},
		},
		{
			name: "TwentyBlocks",
			grow: func() (string, string) {
				// The node first follows t up to 25 (no reorganisation),
				// then a branch from t5 replaces 20 of its blocks.
				for i := 9; i <= 25; i++ {
					g.NextBlock(fmt.Sprint("t", i))
				}
				sync := peers.serve(t, "http://127.0.0.1:6003", g.Chain("t25"))
				if changed, err := n.SyncWith(ctx, sync); err != nil || !changed {
					t.Fatalf("extend: %v, %v", changed, err)
				}
				g.Fork("t5")
				for i := 6; i <= 26; i++ {
					g.NextBlock(fmt.Sprint("u", i))
				}
				return "http://127.0.0.1:6004", "u26"
			},
			want: func() want {
				return want{
					tips: []apijson.Tip{
						{Height: 26, Hash: hash("u26"), ForkHeight: 26, Status: "active"},
						{Height: 25, Hash: hash("t25"), ForkHeight: 5, BranchLength: 20, Status: "valid-fork"},
						{Height: 7, Hash: hash("f7"), ForkHeight: 4, BranchLength: 3, Status: "valid-fork"},
						{Height: 6, Hash: n6.Hash, ForkHeight: 4, BranchLength: 2, Status: "valid-fork"},
					},
					removed: []int{20, 3, 1},
					peers:   []string{"http://127.0.0.1:6004", "http://127.0.0.1:6003", "http://127.0.0.1:6002"},
					stale:   []string{n6.Hash, hash("t6"), hash("t25")},
					pending: []string{pay.Transaction.ID, pending.Transaction.ID},
				}
			},
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			sync(s.grow())
			w := s.want()

			var tips []apijson.Tip
			mustGetJSON(t, e, "/api/tips", &tips)
			if !slices.Equal(tips, w.tips) {
				t.Errorf("GET /api/tips =\n%+v\nwant\n%+v", tips, w.tips)
			}
			var reorgs []apijson.Reorg
			mustGetJSON(t, e, "/api/reorgs", &reorgs)
			var removed []int
			var from []string
			for _, r := range reorgs {
				removed = append(removed, len(r.Removed))
				from = append(from, r.Peer)
				if len(r.Added) <= len(r.Removed) || r.ForkHeight+int64(len(r.Added)) != r.NewHeight {
					t.Errorf("reorganisation %d: %+v", r.ID, r)
				}
			}
			if !slices.Equal(removed, w.removed) || !slices.Equal(from, w.peers) {
				t.Errorf("GET /api/reorgs: removed %v from %v, want %v from %v", removed, from, w.removed, w.peers)
			}
			for _, h := range w.stale {
				var b apijson.BlockInfo
				mustGetJSON(t, e, "/api/blocks/"+h, &b)
				main, err := e.DB.BlockSummary(ctx, b.Height)
				if b.Status != "stale" || b.Hash != h || err != nil || b.ReplacedBy != main.Hash || len(b.TxList) != b.TxCount {
					t.Errorf("GET /api/blocks/%.8s: %+v (main %v)", h, b, err)
				}
				if rec := e.Do(t, "GET", "/scan/block/"+h, ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), main.Hash[:8]) {
					t.Errorf("GET /scan/block/%.8s: %d; want its page, naming the block that replaced it", h, rec.Code)
				}
			}
			holding, err := e.DB.BlocksHolding(ctx, pay.Transaction.ID)
			if err != nil || len(holding) != 1 || holding[0].Hash != n6.Hash || holding[0].Status != pybtc.BlockStale || holding[0].Source != node.SourceSelf {
				t.Errorf("BlocksHolding(pay) = %+v, %v; want the stale n6 mined here", holding, err)
			}
			for _, id := range w.pending {
				if rec := e.Do(t, "GET", "/api/tx/"+id, ""); !json.Valid(rec.Body.Bytes()) || !pendingStatus(t, rec.Body.Bytes()) {
					t.Errorf("transaction %.8s is not pending: %s", id, rec.Body)
				}
			}
			for _, id := range w.gone {
				if rec := e.Do(t, "GET", "/api/tx/"+id, ""); pendingStatus(t, rec.Body.Bytes()) {
					t.Errorf("transaction %.8s, which the new branch holds, is still pending", id)
				}
			}
		})
	}

	t.Run("Refusals", func(t *testing.T) {
		if rec := e.Do(t, "GET", "/api/reorgs?limit=0", ""); rec.Code != http.StatusBadRequest || message(t, rec) == "" {
			t.Errorf("limit=0: %d %s", rec.Code, rec.Body)
		}
		if rec := e.Do(t, "GET", "/api/blocks/"+hash("u26")+"00", ""); rec.Code != http.StatusBadRequest {
			t.Errorf("bad hash: %d %s", rec.Code, rec.Body)
		}
		unknown := "ab" + hash("u26")[2:]
		if rec := e.Do(t, "GET", "/api/blocks/"+unknown, ""); rec.Code != http.StatusNotFound {
			t.Errorf("unknown hash: %d %s", rec.Code, rec.Body)
		}
	})
}

func pendingStatus(tb testing.TB, body []byte) bool {
	tb.Helper()
	var tx apijson.Tx
	return json.Unmarshal(body, &tx) == nil && tx.Status == "pending"
}

func mustGetJSON(tb testing.TB, e *Env, target string, v any) {
	tb.Helper()
	rec := e.Do(tb, "GET", target, "")
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
}
