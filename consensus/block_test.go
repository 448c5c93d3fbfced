package consensus_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/wire"
)

// genesisRaw is pyBTC's genesis block as GET /chain serves it.
const genesisRaw = `{"index":1,"nonce":100,"previous_hash":1,"timestamp":1727568000.0,"transactions":[]}`

func TestGenesis(t *testing.T) {
	g := consensus.Genesis()
	if got, want := g.Hash, consensus.GenesisHash; got != want {
		t.Fatalf("Hash=%s, want %s", got, want)
	}
	if got, want := consensus.GenesisHash, "6d1a2da9240a80ce413d9ee073a97cbe4485bf1979aa0f1b6549575228078f62"; got != want {
		t.Fatalf("GenesisHash=%s, want %s, the hash of the genesis block's canonical JSON", got, want)
	}
	if got, want := string(g.Raw), genesisRaw; got != want {
		t.Fatalf("Raw=%s, want %s", got, want)
	}
	// The hash is that of json.dumps(block, sort_keys=True), spelled out.
	sum := sha256.Sum256([]byte(`{"index": 1, "nonce": 100, "previous_hash": 1, "timestamp": 1727568000.0, "transactions": []}`))
	if got, want := g.Hash, hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("Hash=%s, want sha256 of the Python text %s", got, want)
	}
	if g.Index != 1 || g.Nonce != consensus.GenesisNonce || g.PreviousHash != "1" || g.Timestamp != consensus.GenesisTimestamp || len(g.Transactions) != 0 {
		t.Fatalf("Genesis()=%+v, want index 1, nonce 100, previous_hash 1, no transactions", g)
	}
	blocks, err := consensus.ValidateChain(wire.Blocks([]wire.Value{MustParse(t, string(g.Raw))}), consensus.GenesisTimestamp)
	if err != nil {
		t.Fatalf("ValidateChain(genesis): %v", err)
	}
	if got, want := blocks[0].Hash, consensus.GenesisHash; got != want {
		t.Fatalf("decoded genesis Hash=%s, want %s", got, want)
	}
}

func TestCoinbase(t *testing.T) {
	cb := consensus.Coinbase("node_5000", 1795869583.4289367)
	if got, want := string(cb.Raw), `{"amount":0.1,"recipient":"node_5000","sender":"master","timestamp":1795869583.4289367}`; got != want {
		t.Fatalf("Raw=%s, want %s", got, want)
	}
	if got, want := cb.Amount, consensus.CoinbaseReward; got != want {
		t.Fatalf("Amount=%d, want %d", got, want)
	}
	if got, want := cb.Amount.String(), "0.1"; got != want {
		t.Fatalf("Amount=%s, want %s", got, want)
	}
	if got, want := cb.ID, wire.Hash(MustParse(t, string(cb.Raw))); got != want {
		t.Fatalf("ID=%s, want %s", got, want)
	}
}

func TestNewBlock(t *testing.T) {
	const ts = consensus.GenesisTimestamp + 60
	pay, err := consensus.ParseNewTransaction([]byte(`{"sender": "a", "recipient": "b", "amount": 3}`), ts-1)
	if err != nil {
		t.Fatal(err)
	}
	txs := []pybtc.Transaction{pay.Transaction, consensus.Coinbase("node_5000", ts)}
	nonce := consensustest.Mine(consensus.GenesisNonce)
	b, err := consensus.NewBlock(2, ts, txs, nonce, consensus.GenesisHash)
	if err != nil {
		t.Fatalf("NewBlock: %v", err)
	}
	want := `{"index":2,"nonce":` + strconv.FormatInt(nonce, 10) + `,"previous_hash":"` + consensus.GenesisHash +
		`","timestamp":1727568060.0,"transactions":[` + string(txs[0].Raw) + `,` + string(txs[1].Raw) + `]}`
	if got := string(b.Raw); got != want {
		t.Fatalf("Raw=%s, want %s", got, want)
	}
	// The transaction keeps its integer amount inside the block.
	if !strings.Contains(string(b.Raw), `"amount":3,`) {
		t.Fatalf("Raw=%s lost the integer amount 3", b.Raw)
	}
	// What the miner makes, a peer decodes to the same block.
	chain := []wire.Value{MustParse(t, genesisRaw), MustParse(t, string(b.Raw))}
	blocks, err := consensus.ValidateChain(wire.Blocks(chain), ts)
	if err != nil {
		t.Fatalf("ValidateChain: %v", err)
	}
	got := blocks[1]
	if got.Hash != b.Hash || got.Index != 2 || got.Nonce != nonce || got.PreviousHash != consensus.GenesisHash || got.Timestamp != ts {
		t.Fatalf("decoded %+v, want %+v", got, b)
	}
	for i := range txs {
		if got.Transactions[i].ID != txs[i].ID || got.Transactions[i].Amount != txs[i].Amount {
			t.Fatalf("transaction %d decoded as %+v, want %+v", i, got.Transactions[i], txs[i])
		}
	}

	t.Run("ErrBadTransaction", func(t *testing.T) {
		bad := pybtc.Transaction{ID: "x", Raw: []byte(`{"amount": `)}
		_, err := consensus.NewBlock(2, ts, []pybtc.Transaction{bad}, nonce, consensus.GenesisHash)
		MustRuleError(t, err, consensus.ErrBadTransaction)
	})
}

// TestDecodeBlock checks the rules a block is held to on its own, apart
// from its place in a chain.
func TestDecodeBlock(t *testing.T) {
	const now = 1795869600.0
	// block builds block 2 of a made-up chain with n payments and a coinbase.
	block := func(n int) wire.Value {
		txs := make([]wire.Value, 0, n+1)
		pay := MustParse(t, `{"amount": 1, "recipient": "b", "sender": "a", "timestamp": 1795869583.5}`)
		for range n {
			txs = append(txs, pay)
		}
		txs = append(txs, MustParse(t, `{"amount": 0.1, "recipient": "m", "sender": "master", "timestamp": 1795869583.5}`))
		return wire.ObjectValue(
			wire.Member{Key: "index", Value: wire.IntValue(2)},
			wire.Member{Key: "timestamp", Value: wire.FloatValue(1795869583.5)},
			wire.Member{Key: "transactions", Value: wire.ArrayValue(txs...)},
			wire.Member{Key: "nonce", Value: wire.IntValue(937011)},
			wire.Member{Key: "previous_hash", Value: wire.StringValue(strings.Repeat("0", 64))},
		)
	}
	tests := []struct {
		name   string
		mutate func(v *wire.Value)
		now    float64
		want   *consensus.ErrorCode // nil: accepted
	}{
		{"Plain", func(v *wire.Value) {}, now, nil},
		{"MaxTransactions", func(v *wire.Value) { *v = block(consensus.MaxBlockTransactions - 1) }, now, nil},
		{"ErrTooManyTransactions", func(v *wire.Value) { *v = block(consensus.MaxBlockTransactions) }, now, code(consensus.ErrTooManyTransactions)},
		{"TimestampAtDrift", func(v *wire.Value) {
			consensustest.Set(v, "timestamp", wire.FloatValue(now+consensus.MaxFutureDrift))
		}, now, nil},
		{"ErrTimeTooNew", func(v *wire.Value) {
			consensustest.Set(v, "timestamp", wire.FloatValue(now+consensus.MaxFutureDrift+0.001))
		}, now, code(consensus.ErrTimeTooNew)},
		{"ErrTimeTooNew/Transaction", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 0), "timestamp", wire.FloatValue(now+3*60*60))
		}, now, code(consensus.ErrTimeTooNew)},
		{"IntegerTimestamp", func(v *wire.Value) { consensustest.Set(v, "timestamp", wire.IntValue(1795869583)) }, now, nil},
		{"ErrMalformed/PrevHashInteger", func(v *wire.Value) { consensustest.Set(v, "previous_hash", wire.IntValue(1)) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/IndexZero", func(v *wire.Value) { consensustest.Set(v, "index", wire.IntValue(0)) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/IndexFloat", func(v *wire.Value) { consensustest.Set(v, "index", wire.FloatValue(2)) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/NonceFloat", func(v *wire.Value) { consensustest.Set(v, "nonce", wire.FloatValue(937011)) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/NonceTooBig", func(v *wire.Value) {
			consensustest.Set(v, "nonce", wire.IntValue(consensus.MaxNonce+1))
		}, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/MissingNonce", func(v *wire.Value) { consensustest.Delete(v, "nonce") }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/TimestampString", func(v *wire.Value) { consensustest.Set(v, "timestamp", wire.StringValue("1795869583.5")) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/TransactionsObject", func(v *wire.Value) { consensustest.Set(v, "transactions", wire.ObjectValue()) }, now, code(consensus.ErrMalformed)},
		{"ErrMalformed/Array", func(v *wire.Value) { *v = wire.ArrayValue(*v) }, now, code(consensus.ErrMalformed)},
		{"ErrBadTransaction/NotObject", func(v *wire.Value) { *consensustest.TxAt(v, 0) = wire.StringValue("tx") }, now, code(consensus.ErrBadTransaction)},
		{"ErrBadTransaction/HugeAmount", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 0), "amount", wire.FloatValue(1e300))
		}, now, code(consensus.ErrBadTransaction)},
		{"ErrBadTransaction/RecipientNull", func(v *wire.Value) { consensustest.Set(consensustest.TxAt(v, 0), "recipient", wire.Value{}) }, now, code(consensus.ErrBadTransaction)},
		{"ErrBadTransaction/MissingTimestamp", func(v *wire.Value) { consensustest.Delete(consensustest.TxAt(v, 0), "timestamp") }, now, code(consensus.ErrBadTransaction)},
		// The tutorial checks nothing about amounts, so consensus follows
		// it as far as satoshis allow: more than 8 decimals is valid.
		{"NineDecimalAmount", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, 0), "amount", wire.FloatValue(1e-9))
		}, now, nil},
		{"ErrBadCoinbase/Amount3", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, -1), "amount", wire.IntValue(3))
		}, now, code(consensus.ErrBadCoinbase)},
		{"ErrBadCoinbase/Sender", func(v *wire.Value) {
			consensustest.Set(consensustest.TxAt(v, -1), "sender", wire.StringValue("Master"))
		}, now, code(consensus.ErrBadCoinbase)},
		{"ErrBadCoinbase/Empty", func(v *wire.Value) { consensustest.Txs(v).Arr = nil }, now, code(consensus.ErrBadCoinbase)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := block(1)
			tt.mutate(&v)
			wb := wire.BlockOf(v)
			b, err := consensus.DecodeBlock(&wb, tt.now)
			if tt.want != nil {
				MustRuleError(t, err, *tt.want)
				return
			}
			if err != nil {
				t.Fatalf("DecodeBlock: %v", err)
			}
			if got, want := b.Hash, wire.Hash(v); got != want {
				t.Fatalf("Hash=%s, want %s", got, want)
			}
		})
	}
}

// TestDecodeBlockKeepsExtraKeys checks that keys pyBTC does not know are
// kept and hashed: dropping one would change a peer's block hash.
func TestDecodeBlockKeepsExtraKeys(t *testing.T) {
	plain := MustParse(t, `{"index": 2, "nonce": 5, "previous_hash": "x", "timestamp": 1.5, "transactions": [{"amount": 0.1, "recipient": "m", "sender": "master", "timestamp": 1.5, "note": "tx"}]}`)
	extra := consensustest.Clone(plain)
	consensustest.Set(&extra, "miner", wire.StringValue("학생"))
	wa, wb := wire.BlockOf(plain), wire.BlockOf(extra)
	a, err := consensus.DecodeBlock(&wa, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := consensus.DecodeBlock(&wb, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash == b.Hash {
		t.Fatal("an extra key did not change the hash")
	}
	for _, want := range []string{`"miner":"\ud559\uc0dd"`, `"note":"tx"`} {
		if !strings.Contains(string(b.Raw), want) {
			t.Fatalf("Raw=%s, want it to keep %s", b.Raw, want)
		}
	}
	if !strings.Contains(string(b.Transactions[0].Raw), `"note":"tx"`) {
		t.Fatalf("transaction Raw=%s lost its extra key", b.Transactions[0].Raw)
	}
}

func code(c consensus.ErrorCode) *consensus.ErrorCode { return &c }

// MustRuleError fails the test unless err is a *consensus.RuleError with
// the given code.
func MustRuleError(tb testing.TB, err error, want consensus.ErrorCode) *consensus.RuleError {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %v", want)
	}
	var re *consensus.RuleError
	if !errors.As(err, &re) {
		tb.Fatalf("error %T %v, want a *consensus.RuleError", err, err)
	}
	if got := re.Code; got != want {
		tb.Fatalf("Code=%v (%v), want %v", got, err, want)
	}
	return re
}
