package consensustest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/wire"
)

// TestScenarios grows small block trees and checks the verdict of
// ValidateChain on the chain ending at one named block.
func TestScenarios(t *testing.T) {
	tests := []struct {
		name string
		// build grows the tree and returns the block whose chain is checked.
		build func(t *testing.T, g *consensustest.Generator) string
		want  consensustest.Outcome
	}{
		{
			// genesis -> b2 -> b3 -> b4
			name: "Linear",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2", g.Tx("alice", "bob", "1"))
				g.NextBlock("b3")
				return g.NextBlock("b4", g.Tx("bob", "carol", "0.5"), g.Tx("학생", "bob", "3.0"))
			},
			want: consensustest.Accept,
		},
		{
			// genesis -> b2 -> b3
			//              \-> b3a -> b4a
			// Both branches are valid; b4a is the longer.
			name: "ForkLongerBranch",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3")
				g.Fork("b2")
				g.NextBlock("b3a")
				g.Accepted("b3")
				return g.NextBlock("b4a")
			},
			want: consensustest.Accept,
		},
		{
			// genesis -> b2 -> b3
			//              \-> b3b (second coinbase) -> b4b
			// The longer branch is invalid from b3b on.
			name: "LongerBranchInvalid",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3")
				g.Fork("b2")
				g.NextBlock("b3b", g.Tx("master", "thief", "0.1"))
				g.NextBlock("b4b")
				g.Accepted("b3")
				return "b4b"
			},
			want: consensustest.Reject(consensus.ErrBadCoinbase),
		},
		{
			name: "ErrBadProof",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3")
				prevNonce := intOf(t, g.Block("b2"), "nonce")
				g.Mutate(func(v *wire.Value) {
					consensustest.Set(v, "nonce", wire.IntValue(BadNonce(t, prevNonce, intOf(t, *v, "nonce"))))
				})
				return "b3"
			},
			want: consensustest.Reject(consensus.ErrBadProof),
		},
		{
			name: "ErrBadPrevHash",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3")
				g.Mutate(func(v *wire.Value) {
					consensustest.Set(v, "previous_hash", wire.StringValue(consensus.GenesisHash))
				})
				return "b3"
			},
			want: consensustest.Reject(consensus.ErrBadPrevHash),
		},
		{
			// genesis -> b2 -> b3 -> b4, then b3's payment is raised after
			// b4 was built on it: b4's link no longer holds.
			name: "TamperedHistory",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3", g.Tx("alice", "bob", "1"))
				g.NextBlock("b4")
				g.Fork("b3")
				g.Mutate(func(v *wire.Value) {
					consensustest.Set(consensustest.TxAt(v, 0), "amount", wire.IntValue(1000))
				})
				// Proof of work covers nonces only, so b3 itself still holds.
				g.Accepted("b3")
				return "b4"
			},
			want: consensustest.Reject(consensus.ErrBadPrevHash),
		},
		{
			name: "ErrBadIndex",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.NextBlock("b3")
				g.Mutate(func(v *wire.Value) { consensustest.Set(v, "index", wire.IntValue(4)) })
				return "b3"
			},
			want: consensustest.Reject(consensus.ErrBadIndex),
		},
		{
			name: "ErrBadCoinbase/Missing",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2", g.Tx("alice", "bob", "1"))
				g.Mutate(func(v *wire.Value) {
					txs := consensustest.Txs(v)
					txs.Arr = txs.Arr[:len(txs.Arr)-1]
				})
				return "b2"
			},
			want: consensustest.Reject(consensus.ErrBadCoinbase),
		},
		{
			name: "ErrTimeTooNew",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.Mutate(func(v *wire.Value) {
					consensustest.Set(v, "timestamp", wire.FloatValue(g.Now+3*60*60))
				})
				return "b2"
			},
			want: consensustest.Reject(consensus.ErrTimeTooNew),
		},
		{
			// The same block becomes valid once the clock catches up: the
			// rule is relative to the validating node's time.
			name: "TimeWithinDrift",
			build: func(t *testing.T, g *consensustest.Generator) string {
				g.NextBlock("b2")
				g.Mutate(func(v *wire.Value) {
					consensustest.Set(v, "timestamp", wire.FloatValue(g.Now+3*60*60))
				})
				g.Now += 60 * 60
				return "b2"
			},
			want: consensustest.Accept,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := consensustest.NewGenerator(t)
			g.Expect(tt.build(t, g), tt.want)
		})
	}
}

// TestForkShape checks that Fork really branches: both chains share the
// blocks up to the fork point and differ after it.
func TestForkShape(t *testing.T) {
	// genesis -> b2 -> b3
	//              \-> b3a -> b4a
	g := consensustest.NewGenerator(t)
	g.NextBlock("b2")
	g.NextBlock("b3")
	g.Fork("b2")
	g.NextBlock("b3a")
	g.NextBlock("b4a")

	short, long := g.Accepted("b3"), g.Accepted("b4a")
	if got, want := len(short), 3; got != want {
		t.Fatalf("len(chain to b3)=%d, want %d", got, want)
	}
	if got, want := len(long), 4; got != want {
		t.Fatalf("len(chain to b4a)=%d, want %d", got, want)
	}
	if got, want := short[0].Hash, consensus.GenesisHash; got != want {
		t.Fatalf("first block %s, want the genesis %s", got, want)
	}
	if got, want := long[1].Hash, short[1].Hash; got != want {
		t.Fatalf("b2 differs between branches: %s and %s", got, want)
	}
	if short[2].Hash == long[2].Hash {
		t.Fatalf("b3 and b3a have the same hash %s", short[2].Hash)
	}
	if got, want := long[2].PreviousHash, short[1].Hash; got != want {
		t.Fatalf("b3a.previous_hash=%s, want b2's hash %s", got, want)
	}
	if got, want := g.Tip(), "b4a"; got != want {
		t.Fatalf("Tip()=%q, want %q", got, want)
	}
}

// TestBlocksAsMined checks what NextBlock puts in a block: the given
// transactions as written, then the coinbase to Miner.
func TestBlocksAsMined(t *testing.T) {
	g := consensustest.NewGenerator(t)
	g.Miner = "node_7000"
	g.NextBlock("b2", g.Tx("alice", "bob", "3"), g.Tx("alice", "bob", "3.0"))
	blocks := g.Accepted("b2")
	b := blocks[1]
	if got, want := len(b.Transactions), 3; got != want {
		t.Fatalf("len(Transactions)=%d, want %d", got, want)
	}
	if got, want := b.Transactions[2].Recipient, "node_7000"; got != want {
		t.Fatalf("coinbase recipient %q, want %q", got, want)
	}
	for i, want := range []string{`"amount":3,`, `"amount":3.0,`} {
		if got := string(b.Transactions[i].Raw); !strings.Contains(got, want) {
			t.Fatalf("transaction %d Raw %s, want it to contain %s", i, got, want)
		}
	}
	if b.Transactions[0].ID == b.Transactions[1].ID {
		t.Fatal("3 and 3.0 gave the same transaction id")
	}
	if b.Timestamp <= blocks[0].Timestamp {
		t.Fatalf("b2 timestamp %v not after genesis %v", b.Timestamp, blocks[0].Timestamp)
	}
}

// TestChainJSON checks the GET /chain form and that it is deterministic,
// so that tests of two nodes can build the same chain independently.
func TestChainJSON(t *testing.T) {
	build := func() []byte {
		g := consensustest.NewGenerator(t)
		g.NextBlock("b2", g.Tx("alice", "bob", "1"))
		g.NextBlock("b3")
		return g.ChainJSON("b3")
	}
	got := build()
	if again := build(); !bytes.Equal(got, again) {
		t.Fatalf("two runs differ:\n%s\n%s", got, again)
	}
	v, err := wire.Parse(got)
	if err != nil {
		t.Fatalf("Parse(ChainJSON): %v", err)
	}
	length, _ := v.Get("length")
	if n, _ := length.Num.Int64(); n != 3 {
		t.Fatalf("length=%s, want 3", length.Num.Text)
	}
	chain, _ := v.Get("chain")
	if _, err := consensus.ValidateChain(wire.Blocks(chain.Arr), consensus.GenesisTimestamp+24*60*60); err != nil {
		t.Fatalf("ValidateChain(ChainJSON chain): %v", err)
	}
}

// TestChainIsACopy checks that editing what Chain and Block return leaves
// the Generator's blocks alone, so one scenario's edits cannot leak.
func TestChainIsACopy(t *testing.T) {
	g := consensustest.NewGenerator(t)
	g.NextBlock("b2", g.Tx("alice", "bob", "1"))
	chain := g.Chain("b2")
	consensustest.Set(consensustest.TxAt(&chain[1], 0), "amount", wire.IntValue(99))
	b := g.Block("b2")
	consensustest.Set(&b, "nonce", wire.IntValue(1))
	g.Accepted("b2")
}

// TestHelpers checks the Value editing helpers.
func TestHelpers(t *testing.T) {
	v, err := wire.Parse([]byte(`{"b": 1, "d": [{"x": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	consensustest.Set(&v, "a", wire.IntValue(0))
	consensustest.Set(&v, "c", wire.StringValue("c"))
	consensustest.Set(&v, "b", wire.IntValue(2))
	consensustest.Delete(&v, "c")
	consensustest.Set(&consensustest.Field(&v, "d").Arr[0], "x", wire.IntValue(5))
	if got, want := string(wire.AppendCompact(nil, v)), `{"a":0,"b":2,"d":[{"x":5}]}`; got != want {
		t.Fatalf("after edits %s, want %s", got, want)
	}
	if got, ok := v.Get("b"); !ok || got.Num.Text != "2" {
		t.Fatalf(`Get("b")=%v, %v; want 2 (members must stay sorted)`, got.Num.Text, ok)
	}
	if consensustest.Field(&v, "missing") != nil {
		t.Fatal(`Field("missing") is not nil`)
	}

	chain := []wire.Value{v, wire.ObjectValue()}
	consensustest.Relink(chain)
	prev, _ := chain[1].Get("previous_hash")
	if got, want := prev.Str, wire.Hash(v); got != want {
		t.Fatalf("Relink previous_hash=%s, want %s", got, want)
	}
}

// TestMine checks that Mine finds a proof, and the first one from sum 0.
func TestMine(t *testing.T) {
	for _, prev := range []int64{100, -664736, 0} {
		t.Run(fmt.Sprint(prev), func(t *testing.T) {
			nonce := consensustest.Mine(prev)
			if !consensus.ValidProof(prev, nonce) {
				t.Fatalf("Mine(%d)=%d is not a proof", prev, nonce)
			}
			for s := int64(0); s < prev+nonce; s++ {
				if consensus.ValidProof(prev, s-prev) {
					t.Fatalf("Mine(%d)=%d skipped the proof at sum %d", prev, nonce, s)
				}
			}
		})
	}
}

// TestMisuseFails checks that the Generator fails the test on misuse and on
// a wrong expectation: a checker that cannot fail proves nothing.
func TestMisuseFails(t *testing.T) {
	tests := []struct {
		name string
		do   func(g *consensustest.Generator)
		want string
	}{
		{"DuplicateName", func(g *consensustest.Generator) { g.NextBlock("b2") }, "exists"},
		{"UnknownFork", func(g *consensustest.Generator) { g.Fork("nope") }, "no block named"},
		{"UnknownChain", func(g *consensustest.Generator) { g.Chain("nope") }, "no block named"},
		{"BadTxAmount", func(g *consensustest.Generator) { g.Tx("a", "b", `"3"`) }, "not a JSON number"},
		{"AcceptedOnInvalid", func(g *consensustest.Generator) { g.Accepted("bad") }, "want it accepted"},
		{"RejectedOnValid", func(g *consensustest.Generator) { g.Rejected("b2", consensus.ErrBadProof) }, "accepted, want ErrBadProof"},
		{"RejectedWrongCode", func(g *consensustest.Generator) { g.Rejected("bad", consensus.ErrBadProof) }, "want ErrBadProof"},
		{"ExpectReject", func(g *consensustest.Generator) { g.Expect("b2", consensustest.Reject(consensus.ErrBadIndex)) }, "want ErrBadIndex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeTB{TB: t}
			g := consensustest.NewGenerator(fake)
			g.NextBlock("b2")
			g.NextBlock("bad")
			g.Mutate(func(v *wire.Value) { consensustest.Set(v, "index", wire.IntValue(9)) })
			msg := fake.run(tt.do, g)
			if msg == "" {
				t.Fatal("the Generator did not fail the test")
			}
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("failure %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

// fakeTB stands in for a test so that TestMisuseFails can watch the
// Generator fail one. Fatalf panics to stop the caller, as the real one
// stops the goroutine.
type fakeTB struct {
	testing.TB
	msg string
}

type fatal struct{}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatal{})
}

func (f *fakeTB) run(do func(*consensustest.Generator), g *consensustest.Generator) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatal); !ok {
				panic(r)
			}
			msg = f.msg
		}
	}()
	do(g)
	return ""
}

// BadNonce returns a nonce near near that is not a proof of work on
// prevNonce, so that a mutation breaks the proof for certain.
func BadNonce(tb testing.TB, prevNonce, near int64) int64 {
	tb.Helper()
	for n := near + 1; ; n++ {
		if !consensus.ValidProof(prevNonce, n) {
			return n
		}
	}
}

func intOf(tb testing.TB, v wire.Value, key string) int64 {
	tb.Helper()
	f, _ := v.Get(key)
	n, ok := f.Num.Int64()
	if !ok {
		tb.Fatalf("%s is not an integer", key)
	}
	return n
}
