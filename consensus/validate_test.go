package consensus_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/wire"
)

const (
	// referenceChainPath is a 7-block chain served by a tutorial node,
	// with the Korean sender 학생.
	referenceChainPath = "../testdata/reference-chain.json"
	// referenceNow is a clock just after the reference chain's blocks,
	// which are stamped around 1795869583.
	referenceNow = 1795869600.0
)

// MustReferenceChain reads a fresh copy of the reference chain's blocks,
// so that each test can edit its own.
func MustReferenceChain(tb testing.TB) []wire.Value {
	tb.Helper()
	data, err := os.ReadFile(referenceChainPath)
	if err != nil {
		tb.Fatal(err)
	}
	v := MustParse(tb, string(data))
	chain, ok := v.Get("chain")
	if !ok || chain.Kind != wire.Array {
		tb.Fatalf("%s: no chain list", referenceChainPath)
	}
	length, _ := v.Get("length")
	if n, ok := length.Num.Int64(); !ok || n != 7 || len(chain.Arr) != 7 {
		tb.Fatalf("%s: length %s with %d blocks, want 7", referenceChainPath, length.Num.Text, len(chain.Arr))
	}
	return chain.Arr
}

func TestReferenceChain(t *testing.T) {
	chain := MustReferenceChain(t)
	blocks, err := consensus.ValidateChain(wire.Blocks(chain), referenceNow)
	if err != nil {
		t.Fatalf("ValidateChain: %v", err)
	}
	if got, want := len(blocks), 7; got != want {
		t.Fatalf("len(blocks)=%d, want %d", got, want)
	}
	for i, b := range blocks {
		if got, want := b.Index, int64(i+1); got != want {
			t.Fatalf("block %d: Index=%d, want %d", i, got, want)
		}
		if got, want := b.Hash, wire.Hash(chain[i]); got != want {
			t.Fatalf("block %d: Hash=%s, want %s", i+1, got, want)
		}
		if i > 0 && b.PreviousHash != blocks[i-1].Hash {
			t.Fatalf("block %d: PreviousHash=%s, want %s", i+1, b.PreviousHash, blocks[i-1].Hash)
		}
	}
	// The tutorial node stamped its own genesis: valid, but not pyBTC's.
	if blocks[0].Hash == consensus.GenesisHash {
		t.Fatal("the tutorial genesis has pyBTC's genesis hash")
	}
	// Block 2, transaction 1: 0.25 from 학생, sent as \ud559\uc0dd.
	tx := blocks[1].Transactions[1]
	if got, want := tx.Sender, "학생"; got != want {
		t.Fatalf("Sender=%q, want %q", got, want)
	}
	if got, want := tx.Amount.String(), "0.25"; got != want {
		t.Fatalf("Amount=%s, want %s", got, want)
	}
	if got, want := blocks[6].Transactions[0].Amount.String(), "6"; got != want {
		t.Fatalf("block 7 payment Amount=%s, want %s", got, want)
	}

	t.Run("ChainChecker", func(t *testing.T) {
		// One block at a time, as a streamed chain is checked.
		c := consensus.ChainChecker{Now: referenceNow}
		for i, v := range chain {
			b := wire.BlockOf(v)
			if _, err := c.Next(&b); err != nil {
				t.Fatalf("block %d: %v", i+1, err)
			}
		}
		tip := c.Tip()
		if tip.Height != 7 || tip.Hash != blocks[6].Hash || tip.Nonce != -685217 || tip.Timestamp != blocks[6].Timestamp {
			t.Fatalf("Tip()=%+v, want block 7 (%s, nonce -685217)", tip, blocks[6].Hash)
		}
	})
	t.Run("Prefix", func(t *testing.T) {
		// Every prefix of a valid chain is valid: a node that has synced
		// part of it holds a valid chain.
		for n := 1; n <= len(chain); n++ {
			if _, err := consensus.ValidateChain(wire.Blocks(chain[:n]), referenceNow); err != nil {
				t.Fatalf("first %d blocks: %v", n, err)
			}
		}
	})
}

// TestReferenceChainOneByteChanged changes one byte of one block's content
// and checks that the chain no longer validates: the next block's link
// breaks, or, for the last block, its proof of work.
func TestReferenceChainOneByteChanged(t *testing.T) {
	tests := []struct {
		block  int // 1-based
		what   string
		mutate func(v *wire.Value)
		want   consensus.ErrorCode
		where  string
	}{
		{1, "timestamp", func(v *wire.Value) {
			// 1795869582.088757 -> 1795869582.088758
			consensustest.Set(v, "timestamp", MustParse(t, "1795869582.088758"))
		}, consensus.ErrBadPrevHash, "block 2:"},
		{2, "amount", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 0), "amount", wire.IntValue(9))
		}, consensus.ErrBadPrevHash, "block 3:"},
		{3, "sender", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 0), "sender", wire.StringValue("test_frum"))
		}, consensus.ErrBadPrevHash, "block 4:"},
		{4, "korean sender", func(v *wire.Value) {
			// \ud559\uc0dd -> \ud559\uc0de on the wire.
			consensustest.Set(consensustest.TxAt(v, 1), "sender", wire.StringValue("학\uc0de"))
		}, consensus.ErrBadPrevHash, "block 5:"},
		{5, "amount", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 1), "amount", MustParse(t, "0.35"))
		}, consensus.ErrBadPrevHash, "block 6:"},
		{6, "coinbase recipient", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, -1), "recipient", wire.StringValue("node_5951"))
		}, consensus.ErrBadPrevHash, "block 7:"},
		{7, "nonce", func(v *wire.Value) {
			// -685217 -> -685218
			consensustest.Set(v, "nonce", wire.IntValue(-685218))
		}, consensus.ErrBadProof, "block 7:"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("Block%d/%s", tt.block, tt.want), func(t *testing.T) {
			chain := MustReferenceChain(t)
			before := wire.Hash(chain[tt.block-1])
			tt.mutate(&chain[tt.block-1])
			if wire.Hash(chain[tt.block-1]) == before {
				t.Fatalf("changing the %s left block %d as it was", tt.what, tt.block)
			}
			_, err := consensus.ValidateChain(wire.Blocks(chain), referenceNow)
			re := MustRuleError(t, err, tt.want)
			if !strings.Contains(re.Description, tt.where) {
				t.Fatalf("Description=%q, want it about %q", re.Description, tt.where)
			}
		})
	}
}

// TestReferenceChainMutations breaks one rule at a time in the reference
// chain. Unless a case says otherwise, the broken block is the last one to
// be checked or the links are recomputed, so that the rule under test is
// the only one broken.
func TestReferenceChainMutations(t *testing.T) {
	coinbase := func(chain []wire.Value, block int) wire.Value {
		return consensustest.Clone(*consensustest.TxAt(&chain[block-1], -1))
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T, chain []wire.Value) []wire.Value
		want   consensus.ErrorCode
		where  string // a part of the error's description
	}{
		{"ErrBadPrevHash/Link", func(t *testing.T, c []wire.Value) []wire.Value {
			// a0dd…3bef -> a0dd…3bee
			prev, _ := c[6].Get("previous_hash")
			consensustest.Set(&c[6], "previous_hash", wire.StringValue(prev.Str[:63]+"e"))
			return c
		}, consensus.ErrBadPrevHash, "block 7:"},
		{"ErrBadPrevHash/Uppercase", func(t *testing.T, c []wire.Value) []wire.Value {
			prev, _ := c[3].Get("previous_hash")
			consensustest.Set(&c[3], "previous_hash", wire.StringValue(strings.ToUpper(prev.Str)))
			return c
		}, consensus.ErrBadPrevHash, "block 4:"},
		{"ErrBadProof/OnlyProof", func(t *testing.T, c []wire.Value) []wire.Value {
			// Block 4's nonce no longer proves work on block 3's; the links
			// are recomputed, so the proof is all that is wrong.
			consensustest.Set(&c[3], "nonce", wire.IntValue(606386))
			if consensus.ValidProof(-664736, 606386) {
				t.Fatal("606386 is a proof on -664736; pick another nonce")
			}
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadProof, "block 4:"},
		{"ErrBadProof/TutorialForgets", func(t *testing.T, c []wire.Value) []wire.Value {
			// The tutorial's valid_chain checks links only; a chain with
			// every link right and no work at all must still fail.
			for i := 1; i < len(c); i++ {
				consensustest.Set(&c[i], "nonce", wire.IntValue(int64(i)))
			}
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadProof, "block 2:"},
		{"ErrBadIndex/Skipped", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[3], "index", wire.IntValue(5))
			return c
		}, consensus.ErrBadIndex, "does not follow 3"},
		{"ErrBadIndex/Repeated", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[3], "index", wire.IntValue(3))
			return c
		}, consensus.ErrBadIndex, "does not follow 3"},
		{"ErrBadIndex/BlockRemoved", func(t *testing.T, c []wire.Value) []wire.Value {
			return append(c[:3:3], c[4:]...)
		}, consensus.ErrBadIndex, "does not follow 3"},
		{"ErrBadCoinbase/Second", func(t *testing.T, c []wire.Value) []wire.Value {
			txs := consensustest.Txs(&c[2])
			txs.Arr = append([]wire.Value{coinbase(c, 3)}, txs.Arr...)
			return c
		}, consensus.ErrBadCoinbase, "block 3 transaction 0"},
		{"ErrBadCoinbase/MasterPays", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "sender", wire.StringValue("master"))
			return c
		}, consensus.ErrBadCoinbase, "block 3 transaction 0"},
		{"ErrBadCoinbase/Missing", func(t *testing.T, c []wire.Value) []wire.Value {
			txs := consensustest.Txs(&c[2])
			txs.Arr = txs.Arr[:len(txs.Arr)-1]
			return c
		}, consensus.ErrBadCoinbase, "block 3"},
		{"ErrBadCoinbase/NotLast", func(t *testing.T, c []wire.Value) []wire.Value {
			txs := consensustest.Txs(&c[2])
			txs.Arr[0], txs.Arr[2] = txs.Arr[2], txs.Arr[0]
			return c
		}, consensus.ErrBadCoinbase, "block 3"},
		{"ErrBadCoinbase/NoTransactions", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Txs(&c[2]).Arr = []wire.Value{}
			return c
		}, consensus.ErrBadCoinbase, "block 3"},
		{"ErrBadCoinbase/Amount0.2", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], -1), "amount", MustParse(t, "0.2"))
			return c
		}, consensus.ErrBadCoinbase, "block 3"},
		{"ErrBadCoinbase/Amount1", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], -1), "amount", wire.IntValue(1))
			return c
		}, consensus.ErrBadCoinbase, "block 3"},
		{"ErrTooManyTransactions", func(t *testing.T, c []wire.Value) []wire.Value {
			txs := consensustest.Txs(&c[6])
			pay := txs.Arr[0]
			list := make([]wire.Value, 0, consensus.MaxBlockTransactions+1)
			for len(list) < consensus.MaxBlockTransactions {
				list = append(list, pay)
			}
			txs.Arr = append(list, coinbase(c, 7))
			return c
		}, consensus.ErrTooManyTransactions, "10001 transactions"},
		{"ErrTimeTooNew/Block", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[6], "timestamp", wire.FloatValue(referenceNow+3*60*60))
			return c
		}, consensus.ErrTimeTooNew, "block 7"},
		{"ErrTimeTooNew/Transaction", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[6], 0), "timestamp", wire.FloatValue(referenceNow+3*60*60))
			return c
		}, consensus.ErrTimeTooNew, "block 7 transaction 0"},
		{"ErrBadGenesis/Nonce101", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[0], "nonce", wire.IntValue(101))
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadGenesis, "nonce"},
		{"ErrBadGenesis/PrevHashString", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[0], "previous_hash", wire.StringValue("1"))
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadGenesis, "previous_hash"},
		{"ErrMalformed/GenesisPrevHashFloat", func(t *testing.T, c []wire.Value) []wire.Value {
			// 1.0 is not the integer 1: a float previous_hash is no type a
			// block may carry, in the genesis or elsewhere.
			consensustest.Set(&c[0], "previous_hash", wire.FloatValue(1))
			consensustest.Relink(c)
			return c
		}, consensus.ErrMalformed, "previous_hash"},
		{"ErrBadGenesis/PrevHashTwo", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[0], "previous_hash", wire.IntValue(2))
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadGenesis, "previous_hash"},
		{"ErrBadGenesis/Transaction", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Txs(&c[0]).Arr = []wire.Value{consensustest.Clone(*consensustest.TxAt(&c[1], 0))}
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadGenesis, "transactions"},
		{"ErrBadGenesis/Coinbase", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Txs(&c[0]).Arr = []wire.Value{coinbase(c, 2)}
			consensustest.Relink(c)
			return c
		}, consensus.ErrBadGenesis, "transactions"},
		{"ErrBadGenesis/StartsAtBlock2", func(t *testing.T, c []wire.Value) []wire.Value {
			return c[1:]
		}, consensus.ErrBadGenesis, "index 2"},
		{"ErrMalformed/BlockNotObject", func(t *testing.T, c []wire.Value) []wire.Value {
			c[2] = wire.ArrayValue(c[2])
			return c
		}, consensus.ErrMalformed, "not a JSON object"},
		{"ErrMalformed/BlockString", func(t *testing.T, c []wire.Value) []wire.Value {
			c[2] = wire.StringValue("block")
			return c
		}, consensus.ErrMalformed, "not a JSON object"},
		{"ErrMalformed/PrevHashInteger", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(&c[2], "previous_hash", wire.IntValue(1))
			return c
		}, consensus.ErrMalformed, "previous_hash"},
		{"ErrMalformed/MissingTransactions", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Delete(&c[2], "transactions")
			return c
		}, consensus.ErrMalformed, "transactions"},
		{"ErrBadTransaction/AmountString", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "amount", wire.StringValue("2"))
			return c
		}, consensus.ErrBadTransaction, "amount"},
		{"ErrBadTransaction/AmountNegative", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "amount", wire.IntValue(-2))
			return c
		}, consensus.ErrBadTransaction, "amount"},
		{"ErrBadTransaction/AmountZero", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "amount", wire.IntValue(0))
			return c
		}, consensus.ErrBadTransaction, "amount"},
		{"ErrBadTransaction/MissingSender", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Delete(consensustest.TxAt(&c[2], 0), "sender")
			return c
		}, consensus.ErrBadTransaction, "sender"},
		{"ErrBadTransaction/SenderNumber", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "sender", wire.IntValue(7))
			return c
		}, consensus.ErrBadTransaction, "sender"},
		{"ErrBadTransaction/TimestampString", func(t *testing.T, c []wire.Value) []wire.Value {
			consensustest.Set(consensustest.TxAt(&c[2], 0), "timestamp", wire.StringValue("now"))
			return c
		}, consensus.ErrBadTransaction, "timestamp"},
		{"ErrEmptyChain", func(t *testing.T, c []wire.Value) []wire.Value {
			return nil
		}, consensus.ErrEmptyChain, ""},
		{"ErrEmptyChain/EmptySlice", func(t *testing.T, c []wire.Value) []wire.Value {
			return c[:0]
		}, consensus.ErrEmptyChain, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := tt.mutate(t, MustReferenceChain(t))
			_, err := consensus.ValidateChain(wire.Blocks(chain), referenceNow)
			re := MustRuleError(t, err, tt.want)
			if !strings.Contains(re.Description, tt.where) {
				t.Fatalf("Description=%q, want it to mention %q", re.Description, tt.where)
			}
		})
	}
}

// TestReferenceChainStillValid lists changes that keep the chain valid, so
// that the rules are not stricter than the network's.
func TestReferenceChainStillValid(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(chain []wire.Value)
		now    float64
	}{
		{"Unchanged", func(c []wire.Value) {}, referenceNow},
		{"Relinked", func(c []wire.Value) { consensustest.Relink(c) }, referenceNow},
		{
			// Proof of work covers the nonces, not the contents: history
			// rewritten and relinked is valid. Only the longest-chain rule
			// and the links protect it, which is why every link is checked.
			"RewrittenAndRelinked", func(c []wire.Value) {
				consensustest.Set(consensustest.TxAt(&c[2], 0), "amount", wire.IntValue(2000))
				consensustest.Relink(c)
			}, referenceNow,
		},
		{"GenesisTimestampFree", func(c []wire.Value) {
			consensustest.Set(&c[0], "timestamp", wire.FloatValue(consensus.GenesisTimestamp))
			consensustest.Relink(c)
		}, referenceNow},
		{"ExtraKeyOnLastBlock", func(c []wire.Value) {
			consensustest.Set(&c[6], "miner", wire.StringValue("node_5950"))
		}, referenceNow},
		{"OverdraftAllowed", func(c []wire.Value) {
			// Balances are policy, not consensus: test_from never received
			// anything, and a richer overdraft changes nothing.
			consensustest.Set(consensustest.TxAt(&c[6], 0), "amount", wire.IntValue(1_000_000_000))
		}, referenceNow},
		// The last block is stamped 1795869583.98; a clock 2 hours behind
		// the default one still accepts it.
		{"ClockTwoHoursBehind", func(c []wire.Value) {}, referenceNow - consensus.MaxFutureDrift},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := MustReferenceChain(t)
			tt.mutate(chain)
			if _, err := consensus.ValidateChain(wire.Blocks(chain), tt.now); err != nil {
				t.Fatalf("ValidateChain: %v", err)
			}
		})
	}
	t.Run("ErrTimeTooNew/ClockThreeHoursBehind", func(t *testing.T) {
		_, err := consensus.ValidateChain(wire.Blocks(MustReferenceChain(t)), referenceNow-3*60*60)
		MustRuleError(t, err, consensus.ErrTimeTooNew)
	})
}

// TestErrorCodeString checks that every code has its name, which logs
// and peer reports show.
func TestErrorCodeString(t *testing.T) {
	tests := []struct {
		code consensus.ErrorCode
		want string
	}{
		{consensus.ErrMalformed, "ErrMalformed"},
		{consensus.ErrBadGenesis, "ErrBadGenesis"},
		{consensus.ErrBadIndex, "ErrBadIndex"},
		{consensus.ErrBadPrevHash, "ErrBadPrevHash"},
		{consensus.ErrBadProof, "ErrBadProof"},
		{consensus.ErrBadTransaction, "ErrBadTransaction"},
		{consensus.ErrBadCoinbase, "ErrBadCoinbase"},
		{consensus.ErrTooManyTransactions, "ErrTooManyTransactions"},
		{consensus.ErrTimeTooNew, "ErrTimeTooNew"},
		{consensus.ErrEmptyChain, "ErrEmptyChain"},
		{consensus.ErrNoWork, "ErrNoWork"},
		{consensus.ErrorCode(99), "ErrorCode(99)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.code.String(); got != tt.want {
				t.Fatalf("String()=%q, want %q", got, tt.want)
			}
		})
	}
}
