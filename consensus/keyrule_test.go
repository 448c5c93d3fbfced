package consensus_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/wire"
)

// TestKeySignatures checks rule K's half that a block shows by itself:
// every spend from a key address carries its key's signature over the
// whole transaction.
func TestKeySignatures(t *testing.T) {
	alice, mallory := consensustest.Key(1), consensustest.Key(2)
	g := consensustest.NewGenerator(t)
	signed := func() pybtc.Transaction { return g.SignedTx(alice, alice, "bob", "0.05") }
	tests := []struct {
		name string
		tx   func() pybtc.Transaction
		want consensustest.Outcome
	}{
		{"signed", signed, consensustest.Accept},
		{"plain address needs no signature", func() pybtc.Transaction { return g.Tx("alice", "bob", "1") }, consensustest.Accept},
		{"unsigned", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) { consensustest.Delete(v, "signature") })
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"forged", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) {
				consensustest.Set(v, "signature", wire.StringValue(strings.Repeat("1", 128)))
			})
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"signed by another key", func() pybtc.Transaction { return g.SignedTx(alice, mallory, "bob", "0.05") }, consensustest.Reject(consensus.ErrKeySignature)},
		{"amount altered after signing", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) { consensustest.Set(v, "amount", wire.FloatValue(5)) })
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"recipient altered after signing", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) { consensustest.Set(v, "recipient", wire.StringValue("mallory")) })
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"key added after signing", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) { consensustest.Set(v, "memo", wire.StringValue("x")) })
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"signature not a string", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) { consensustest.Set(v, "signature", wire.IntValue(7)) })
		}, consensustest.Reject(consensus.ErrKeySignature)},
		{"signature in upper case", func() pybtc.Transaction {
			return consensustest.Rewrite(t, signed(), func(v *wire.Value) {
				sig, _ := v.Get("signature")
				consensustest.Set(v, "signature", wire.StringValue(strings.ToUpper(sig.Str)))
			})
		}, consensustest.Reject(consensus.ErrKeySignature)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.Fork(consensustest.GenesisName)
			name := g.NextBlock("b-"+tt.name, tt.tx())
			g.Expect(name, tt.want)
		})
	}
}

// TestKeySignaturesManyInBlock checks that the signatures of a block are
// checked whatever their number (they are split between cores), and that
// one bad signature among many refuses the block.
func TestKeySignaturesManyInBlock(t *testing.T) {
	alice := consensustest.Key(1)
	g := consensustest.NewGenerator(t)
	var txs []pybtc.Transaction
	for range 200 {
		txs = append(txs, g.SignedTx(alice, alice, "bob", "0.001"))
	}
	g.Expect(g.NextBlock("good", txs...), consensustest.Accept)
	g.Fork(consensustest.GenesisName)
	txs[137] = g.SignedTx(alice, consensustest.Key(9), "bob", "0.001")
	name := g.NextBlock("one bad", txs...)
	wb := wire.BlockOf(g.Block(name))
	_, err := consensus.DecodeBlock(&wb, g.Now)
	var re *consensus.RuleError
	if !errors.As(err, &re) || re.Code != consensus.ErrKeySignature {
		t.Fatalf("a block with one forged signature among 200: %v, want ErrKeySignature", err)
	}
	if want := "transaction 137"; !strings.Contains(re.Description, want) {
		t.Errorf("error %q does not name %s", re.Description, want)
	}
}

// TestCheckKeySpend checks rule K's half that needs the chain: a signed
// payment is paid once, and a key address never goes below zero.
func TestCheckKeySpend(t *testing.T) {
	g := consensustest.NewGenerator(t)
	tx := g.SignedTx(consensustest.Key(1), consensustest.Key(1), "bob", "0.5")
	half := pybtc.SumOf(pybtc.Coin / 2)
	tests := []struct {
		name       string
		balance    pybtc.Sum
		replayedAt int64
		want       consensustest.Outcome
	}{
		{"covered", pybtc.SumOf(pybtc.Coin), 0, consensustest.Accept},
		{"exactly covered", half, 0, consensustest.Accept},
		{"one satoshi short", half.SubAmount(1), 0, consensustest.Reject(consensus.ErrKeyOverdraft)},
		{"nothing", pybtc.Sum{}, 0, consensustest.Reject(consensus.ErrKeyOverdraft)},
		{"replayed", pybtc.SumOf(pybtc.Coin), 3, consensustest.Reject(consensus.ErrKeyReplay)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := consensus.CheckKeySpend(7, "abc", 1, tx, tt.balance, tt.replayedAt)
			got := consensustest.Accept
			var re *consensus.RuleError
			if errors.As(err, &re) {
				got = consensustest.Reject(re.Code)
				if re.Height != 7 || re.Hash != "abc" {
					t.Errorf("error names block %d %q, want 7 abc", re.Height, re.Hash)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

func parseChain(tb testing.TB, raws []json.RawMessage) []wire.Block {
	tb.Helper()
	blocks := make([]wire.Block, len(raws))
	for i, r := range raws {
		b, err := wire.ParseBlock(r)
		if err != nil {
			tb.Fatal(err)
		}
		blocks[i] = b
	}
	return blocks
}

// TestSecureChainSignatures reads the shared secure chain: its signed
// payments verify, and the variants whose signature is altered or missing
// are refused at the block that says so. (Replays and overdrafts need the
// chain's state: the node's tests check those variants.)
func TestSecureChainSignatures(t *testing.T) {
	sc := MustSecureChain(t)
	now := 2e9
	if _, err := consensus.ValidateChain(parseChain(t, sc.Chain), now); err != nil {
		t.Fatalf("the secure chain: %v", err)
	}
	checked := 0
	for _, v := range sc.Invalid {
		_, err := consensus.ValidateChain(parseChain(t, v.Chain), now)
		var re *consensus.RuleError
		if errors.As(err, &re) && re.Code == consensus.ErrKeySignature {
			checked++
			if !strings.Contains(re.Description, fmt.Sprintf("block %d ", v.BrokenAt)) {
				t.Errorf("%s: refused as %q, want block %d", v.Why, re.Description, v.BrokenAt)
			}
		}
	}
	if checked != 2 {
		t.Errorf("%d variants refused for their signature, want 2 (altered amount, no signature)", checked)
	}
}
