// Package consensustest builds small block trees for tests, in the spirit
// of btcd's fullblocktests: a Generator mines named blocks on a tip that
// can be moved back to any earlier block, so a test can grow competing
// branches, break one block on purpose and check what ValidateChain makes
// of each chain:
//
//	g := consensustest.NewGenerator(t)
//	g.NextBlock("b2")
//	g.NextBlock("b3")
//	g.Fork("b2")
//	g.NextBlock("b3a")
//	g.NextBlock("b4a")
//	g.Accepted("b3")
//	g.Accepted("b4a") // genesis -> b2 -> b3a -> b4a, the longer branch
//
// Blocks are kept as wire.Value trees, exactly as a peer would serve
// them, so a test can also hand a chain to code that reads GET /chain.
// Everything is deterministic: the same calls give the same blocks.
package consensustest

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

// GenesisName is the name of the genesis block every Generator starts from.
const GenesisName = "genesis"

// The Generator keeps its own clock and advances it by these steps, in
// seconds, for each block and each transaction it makes, so that every
// timestamp is distinct: sibling blocks differ even when they carry the
// same transactions, and two equal payments still have different ids.
const (
	BlockInterval = 60
	TxInterval    = 0.25
)

// Generator grows a tree of blocks from pyBTC's genesis. Its methods report
// misuse (an unknown or reused name) through the testing.TB it was made
// with, so a scenario reads as a straight list of steps.
type Generator struct {
	// Now is the validating clock used by Accepted and Rejected. It starts
	// a year after genesis, ahead of the first half million blocks the
	// Generator stamps, and is a field so that a test of the 2-hour rule
	// can move it.
	Now float64
	// Miner receives the coinbase of each block the Generator mines.
	Miner string

	tb     testing.TB
	blocks map[string]wire.Value
	parent map[string]string
	tip    string
	clock  float64
}

// NewGenerator returns a Generator whose tip is pyBTC's genesis block,
// named GenesisName.
func NewGenerator(tb testing.TB) *Generator {
	tb.Helper()
	genesis, err := wire.Parse(consensus.Genesis().Raw)
	if err != nil {
		tb.Fatalf("parse genesis: %v", err)
	}
	return &Generator{
		Now:    consensus.GenesisTimestamp + 365*24*60*60,
		Miner:  "node_5000",
		tb:     tb,
		blocks: map[string]wire.Value{GenesisName: genesis},
		parent: map[string]string{},
		tip:    GenesisName,
		clock:  consensus.GenesisTimestamp,
	}
}

// Tx returns a transaction from sender to recipient. amount is JSON number
// text, kept as written ("3" and "3.0" hash differently). No policy is
// applied, so a scenario can build what a node would refuse, such as a
// second payment from "master".
func (g *Generator) Tx(sender, recipient, amount string) pybtc.Transaction {
	g.tb.Helper()
	a, err := wire.Parse([]byte(amount))
	if err != nil || a.Kind != wire.Number {
		g.tb.Fatalf("Tx amount %q is not a JSON number (%v)", amount, err)
	}
	sats, _, _ := consensus.AmountOf(a.Num)
	g.clock += TxInterval
	ts := g.clock
	v := wire.ObjectValue(
		wire.Member{Key: "sender", Value: wire.StringValue(sender)},
		wire.Member{Key: "recipient", Value: wire.StringValue(recipient)},
		wire.Member{Key: "amount", Value: a},
		wire.Member{Key: "timestamp", Value: wire.FloatValue(ts)},
	)
	return pybtc.Transaction{
		ID:        wire.Hash(v),
		Sender:    sender,
		Recipient: recipient,
		Amount:    sats,
		Timestamp: ts,
		Raw:       wire.AppendCompact(nil, v),
	}
}

// NextBlock mines a valid block named name on the current tip, carrying
// txs followed by the coinbase, makes it the tip and returns its name. The
// nonce is the first proof found searching the sums 0, 1, 2, … so the same
// steps always give the same blocks.
func (g *Generator) NextBlock(name string, txs ...pybtc.Transaction) string {
	g.tb.Helper()
	if _, dup := g.blocks[name]; dup {
		g.tb.Fatalf("NextBlock(%q): a block of that name exists", name)
	}
	prev := g.blocks[g.tip]
	index, prevNonce := mustInt(g.tb, prev, "index"), mustInt(g.tb, prev, "nonce")
	g.clock += BlockInterval
	ts := g.clock
	all := append(slices.Clone(txs), consensus.Coinbase(g.Miner, ts))
	b, err := consensus.NewBlock(index+1, ts, all, Mine(prevNonce), wire.Hash(prev))
	if err != nil {
		g.tb.Fatalf("NextBlock(%q): %v", name, err)
	}
	v, err := wire.Parse(b.Raw)
	if err != nil {
		g.tb.Fatalf("NextBlock(%q): parse the new block: %v", name, err)
	}
	g.blocks[name] = v
	g.parent[name] = g.tip
	g.tip = name
	return name
}

// Mine returns the first nonce whose proof of work on prevNonce is valid,
// searching the sums prevNonce+nonce = 0, 1, 2, … with consensus.SearchProof.
func Mine(prevNonce int64) int64 {
	const chunk = 1 << 20
	for start := int64(0); ; start += chunk {
		if nonce, found := consensus.SearchProof(prevNonce, start, chunk); found {
			return nonce
		}
	}
}

// Fork moves the tip back to the named block: the next NextBlock builds a
// sibling branch on it.
func (g *Generator) Fork(name string) {
	g.tb.Helper()
	g.mustHave(name)
	g.tip = name
}

// Tip returns the name of the current tip.
func (g *Generator) Tip() string { return g.tip }

// Mutate applies f to the tip block in place, after it was mined. The
// block keeps its name and its nonce; blocks already built on it (reached
// with Fork) now link to a block that has changed, which is how a test
// tampers with history. Use it to break one rule, then check the chain with
// Rejected.
func (g *Generator) Mutate(f func(v *wire.Value)) {
	g.tb.Helper()
	v := g.blocks[g.tip]
	f(&v)
	g.blocks[g.tip] = v
}

// Block returns a copy of the named block.
func (g *Generator) Block(name string) wire.Value {
	g.tb.Helper()
	g.mustHave(name)
	return Clone(g.blocks[name])
}

// Chain returns copies of the blocks from genesis to the named block, in
// chain order. Changing them does not change the Generator's blocks.
func (g *Generator) Chain(name string) []wire.Value {
	g.tb.Helper()
	g.mustHave(name)
	var chain []wire.Value
	for n := name; ; n = g.parent[n] {
		chain = append(chain, Clone(g.blocks[n]))
		if n == GenesisName {
			break
		}
	}
	slices.Reverse(chain)
	return chain
}

// ChainJSON returns the chain ending at the named block as GET /chain
// serves it: {"chain": [...], "length": N}, compact with sorted keys.
func (g *Generator) ChainJSON(name string) []byte {
	g.tb.Helper()
	chain := g.Chain(name)
	v := wire.ObjectValue(
		wire.Member{Key: "chain", Value: wire.ArrayValue(chain...)},
		wire.Member{Key: "length", Value: wire.IntValue(int64(len(chain)))},
	)
	return wire.AppendCompact(nil, v)
}

// Accepted validates the chain ending at the named block at g.Now and
// fails the test if it is invalid. It returns the decoded blocks.
func (g *Generator) Accepted(name string) []pybtc.Block {
	g.tb.Helper()
	blocks, err := consensus.ValidateChain(wire.Blocks(g.Chain(name)), g.Now)
	if err != nil {
		g.tb.Fatalf("chain to %s: %v, want it accepted", name, err)
	}
	return blocks
}

// Rejected validates the chain ending at the named block at g.Now and
// fails the test unless it breaks the rule code.
func (g *Generator) Rejected(name string, code consensus.ErrorCode) {
	g.tb.Helper()
	_, err := consensus.ValidateChain(wire.Blocks(g.Chain(name)), g.Now)
	if err == nil {
		g.tb.Fatalf("chain to %s accepted, want %v", name, code)
	}
	var re *consensus.RuleError
	if !errors.As(err, &re) {
		g.tb.Fatalf("chain to %s: %T %v, want a *consensus.RuleError", name, err, err)
	}
	if got, want := re.Code, code; got != want {
		g.tb.Fatalf("chain to %s: Code=%v (%v), want %v", name, got, err, want)
	}
}

func (g *Generator) mustHave(name string) {
	g.tb.Helper()
	if _, ok := g.blocks[name]; !ok {
		g.tb.Fatalf("no block named %q", name)
	}
}

func mustInt(tb testing.TB, v wire.Value, key string) int64 {
	tb.Helper()
	f, _ := v.Get(key)
	n, ok := f.Num.Int64()
	if f.Kind != wire.Number || !ok {
		tb.Fatalf("the tip's %s is not an integer; mine on a valid block", key)
	}
	return n
}

// Clone returns a deep copy of v, so that changing one does not change the
// other: Values share their slices when copied.
func Clone(v wire.Value) wire.Value {
	switch v.Kind {
	case wire.Array:
		arr := make([]wire.Value, len(v.Arr))
		for i, e := range v.Arr {
			arr[i] = Clone(e)
		}
		v.Arr = arr
	case wire.Object:
		obj := make([]wire.Member, len(v.Obj))
		for i, m := range v.Obj {
			obj[i] = wire.Member{Key: m.Key, Value: Clone(m.Value)}
		}
		v.Obj = obj
	}
	return v
}

// Set sets key to val in the object *v, adding the key when it is missing.
// It rebuilds the object with wire.ObjectValue so that members stay
// sorted, as Value.Get and the encoder require.
func Set(v *wire.Value, key string, val wire.Value) {
	mustObject(*v, "Set")
	*v = wire.ObjectValue(append(slices.Clone(v.Obj), wire.Member{Key: key, Value: val})...)
}

// Delete removes key from the object *v, if present.
func Delete(v *wire.Value, key string) {
	mustObject(*v, "Delete")
	v.Obj = slices.DeleteFunc(slices.Clone(v.Obj), func(m wire.Member) bool { return m.Key == key })
}

// Field returns a pointer to the value of key in the object *v, through
// which nested values can be changed in place, or nil when key is missing.
func Field(v *wire.Value, key string) *wire.Value {
	for i := range v.Obj {
		if v.Obj[i].Key == key {
			return &v.Obj[i].Value
		}
	}
	return nil
}

// Txs returns a pointer to the transactions list of block *v, so that a
// test can add, remove or reorder transactions; it panics when the block
// has no list, which is a mistake in the test.
func Txs(v *wire.Value) *wire.Value {
	f := Field(v, "transactions")
	if f == nil || f.Kind != wire.Array {
		panic("consensustest: block has no transactions list")
	}
	return f
}

// TxAt returns a pointer to transaction i of block *v; a negative i counts
// from the end, so TxAt(v, -1) is the coinbase.
func TxAt(v *wire.Value, i int) *wire.Value {
	list := Txs(v)
	if i < 0 {
		i += len(list.Arr)
	}
	return &list.Arr[i]
}

// Relink sets each block's previous_hash after the first to the hash of
// the block before it, so that after an edit the links hold again and only
// the rule under test is broken. Proofs of work are not redone: in this
// protocol they cover nonces only, never block contents.
func Relink(chain []wire.Value) {
	for i := 1; i < len(chain); i++ {
		Set(&chain[i], "previous_hash", wire.StringValue(wire.Hash(chain[i-1])))
	}
}

func mustObject(v wire.Value, op string) {
	if v.Kind != wire.Object {
		panic(fmt.Sprintf("consensustest: %s on a %v, want an object", op, v.Kind))
	}
}

// Outcome is what a scenario expects of a chain: accepted, or rejected for
// breaking one rule. It lets scenarios be written as tables.
type Outcome struct {
	Accepted bool
	Code     consensus.ErrorCode // when not Accepted
}

// Accept is the Outcome of a valid chain.
var Accept = Outcome{Accepted: true}

// Reject is the Outcome of a chain that breaks the rule code.
func Reject(code consensus.ErrorCode) Outcome { return Outcome{Code: code} }

// String describes the outcome for failure messages.
func (o Outcome) String() string {
	if o.Accepted {
		return "accepted"
	}
	return "rejected with " + o.Code.String()
}

// Expect checks the chain ending at the named block against want, with
// Accepted or Rejected.
func (g *Generator) Expect(name string, want Outcome) {
	g.tb.Helper()
	if want.Accepted {
		g.Accepted(name)
		return
	}
	g.Rejected(name, want.Code)
}

// SignedTx returns a spend from the key address of from to recipient,
// signed by signer: from itself for a valid spend, another key for a
// forged one. amount is JSON number text, as for Tx.
func (g *Generator) SignedTx(from, signer ed25519.PrivateKey, recipient, amount string) pybtc.Transaction {
	g.tb.Helper()
	t := g.Tx(keys.AddressOfKey(from), recipient, amount)
	return Resign(g.tb, t, signer)
}

// Resign returns t with "signature" set to signer's signature of its
// signed message.
func Resign(tb testing.TB, t pybtc.Transaction, signer ed25519.PrivateKey) pybtc.Transaction {
	tb.Helper()
	return Rewrite(tb, t, func(v *wire.Value) {
		*v = keys.SignTransaction(signer, *v)
	})
}

// Rewrite returns t with its JSON changed by f, and its id and fields
// read again: an altered amount keeps the old signature.
func Rewrite(tb testing.TB, t pybtc.Transaction, f func(v *wire.Value)) pybtc.Transaction {
	tb.Helper()
	v, err := wire.Parse(t.Raw)
	if err != nil {
		tb.Fatalf("Rewrite %s: %v", t.ID, err)
	}
	f(&v)
	t.ID, t.Raw = wire.Hash(v), wire.AppendCompact(nil, v)
	if a, ok := v.Get("amount"); ok && a.Kind == wire.Number {
		t.Amount, _, _ = consensus.AmountOf(a.Num)
	}
	return t
}

// Key returns the private key made from a 32-byte seed of b's.
func Key(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}
