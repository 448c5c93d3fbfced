package consensus_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

func TestCheckWork(t *testing.T) {
	const worked = "0000c3a1" + "5e7f0a2b4c6d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7"
	const unworked = "a1b2c3d4" + "5e7f0a2b4c6d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7"
	tests := []struct {
		name       string
		index      int64
		hash       string
		secureFrom int64
		wantErr    bool
	}{
		{"never", 9, unworked, 0, false},
		{"below the height", 4, unworked, 5, false},
		{"at the height without work", 5, unworked, 5, true},
		{"above the height without work", 6, unworked, 5, true},
		{"at the height with work", 5, worked, 5, false},
		{"000 is not enough", 5, "000f" + unworked[4:], 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := consensus.CheckWork(pybtc.Block{Index: tt.index, Hash: tt.hash}, tt.secureFrom)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("CheckWork: %v", err)
				}
				return
			}
			re := MustRuleError(t, err, consensus.ErrNoWork)
			want := fmt.Sprintf("block %d: its hash %s… does not start with 0000 (rule W, from height %d)", tt.index, tt.hash[:16], tt.secureFrom)
			if re.Description != want {
				t.Fatalf("Description=%q, want %q", re.Description, want)
			}
		})
	}
}

// TestWorkSearch mines the work of blocks of several sizes, so that the
// JSON before the work ends at many places in its last 64-byte chunk, and
// checks the block made: its JSON is what a peer parses, its hash is the
// canonical JSON's and starts with 0000, and it still has the nonce's
// proof and every tutorial key.
func TestWorkSearch(t *testing.T) {
	g := consensus.Genesis()
	for n := range 6 {
		t.Run(fmt.Sprintf("txs=%d", n+1), func(t *testing.T) {
			txs := make([]pybtc.Transaction, 0, n+1)
			for i := range n {
				id, raw := wire.EncodeTransaction(strings.Repeat("a", i*7), "bob", wire.FloatField(1.5), wire.FloatField(consensus.GenesisTimestamp+float64(i)))
				txs = append(txs, pybtc.Transaction{ID: id, Raw: raw})
			}
			txs = append(txs, consensus.Coinbase("miner", consensus.GenesisTimestamp+60))
			nonce, found := consensus.SearchProof(g.Nonce, 0, 1<<24)
			if !found {
				t.Fatal("no nonce")
			}
			ws, err := consensus.NewWorkSearch(2, consensus.GenesisTimestamp+60, txs, nonce, g.Hash)
			if err != nil {
				t.Fatal(err)
			}
			// Small ranges, as a parallel search hands them out, most of
			// them starting in the middle of a lead's run of tails.
			var work int64
			ok := false
			for from := int64(0); !ok; from += 37 {
				if from >= ws.Tries() {
					t.Fatal("no work")
				}
				work, ok = ws.Search(from, 37)
			}
			made := ws.Block(work)
			c := consensus.CheckerFrom(consensus.TipOf(g), consensus.GenesisTimestamp+120)
			c.SecureFrom = 2
			wb, err := wire.ParseBlock(made.Raw)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Next(&wb)
			if err != nil {
				t.Fatalf("the block made is invalid: %v", err)
			}
			if b.Hash != made.Hash || !strings.HasPrefix(b.Hash, "0000") {
				t.Fatalf("hash %s, made %s, want the same, starting with 0000", b.Hash, made.Hash)
			}
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(made.Raw, &keys); err != nil {
				t.Fatal(err)
			}
			if got, want := string(keys["work"]), fmt.Sprint(work); got != want {
				t.Fatalf("work=%s, want %s", got, want)
			}
			for _, k := range []string{"index", "nonce", "previous_hash", "timestamp", "transactions"} {
				if _, ok := keys[k]; !ok {
					t.Fatalf("the block has no %q: %s", k, made.Raw)
				}
			}
		})
	}
}

// secureChainPath is SPEC §11's secure chain, copied from the project's
// shared test data.
const secureChainPath = "../testdata/secure-chain.json"

// secureNow is a clock just after the secure chain's blocks.
const secureNow = 1796078900.0

// secureChain is testdata/secure-chain.json: a chain valid under rules K
// and W from height 2, and variants that break them.
type secureChain struct {
	Chain   []json.RawMessage
	Invalid []struct {
		Why      string
		BrokenAt int64 `json:"broken_at"`
		Rules    []string
		Chain    []json.RawMessage
	}
}

// MustSecureChain reads the secure chain of SPEC §11.
func MustSecureChain(tb testing.TB) secureChain {
	tb.Helper()
	data, err := os.ReadFile(secureChainPath)
	if err != nil {
		tb.Fatal(err)
	}
	var sc secureChain
	if err := json.Unmarshal(data, &sc); err != nil {
		tb.Fatalf("%s: %v", secureChainPath, err)
	}
	return sc
}

// checkChain checks raw blocks as a node streams them, with rule W from
// secureFrom.
func checkChain(tb testing.TB, chain []json.RawMessage, secureFrom int64) error {
	tb.Helper()
	c := consensus.ChainChecker{Now: secureNow, SecureFrom: secureFrom}
	for _, raw := range chain {
		wb, err := wire.ParseBlock(raw)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := c.Next(&wb); err != nil {
			return err
		}
	}
	return nil
}

func TestSecureChainRuleW(t *testing.T) {
	sc := MustSecureChain(t)
	for _, h := range []int64{0, 2, 6} {
		if err := checkChain(t, sc.Chain, h); err != nil {
			t.Fatalf("secure from %d: the secure chain is invalid: %v", h, err)
		}
	}
	var tested int
	for _, v := range sc.Invalid {
		if len(v.Rules) != 1 || v.Rules[0] != "W" {
			continue // rule K's variants
		}
		tested++
		t.Run(v.Why, func(t *testing.T) {
			re := MustRuleError(t, checkChain(t, v.Chain, 2), consensus.ErrNoWork)
			if want := fmt.Sprintf("block %d:", v.BrokenAt); !strings.HasPrefix(re.Description, want) {
				t.Fatalf("Description=%q, want it about block %d", re.Description, v.BrokenAt)
			}
			for _, h := range []int64{0, v.BrokenAt + 1} {
				if err := checkChain(t, v.Chain, h); err != nil {
					t.Fatalf("secure from %d: %v, want valid", h, err)
				}
			}
		})
	}
	if tested == 0 {
		t.Fatal("the secure chain has no variant that breaks rule W alone")
	}
}
