package consensus

import (
	"math"
	"unicode/utf8"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
)

// Consensus parameters.
const (
	// GenesisNonce is the nonce of block 1.
	GenesisNonce = 100
	// GenesisTimestamp stamps pyBTC's genesis block (2024-09-29 00:00 UTC), so
	// that every pyBTC node starts from the same block.
	GenesisTimestamp = 1727568000.0
	// GenesisHash is the hash of pyBTC's genesis block.
	GenesisHash = "6d1a2da9240a80ce413d9ee073a97cbe4485bf1979aa0f1b6549575228078f62"
	// MaxBlockTransactions bounds a block's transactions, coinbase included.
	MaxBlockTransactions = 10_000
	// MaxFutureDrift is how far, in seconds, a timestamp may run ahead of
	// the validating node's clock.
	MaxFutureDrift = 2 * 60 * 60
	// CoinbaseReward is the miner's reward, 0.1 pyBTC.
	CoinbaseReward = pybtc.Coin / 10
)

// The keys of a block and of a transaction, as the tutorial names them.
const (
	keyIndex        = "index"
	keyTimestamp    = "timestamp"
	keyTransactions = "transactions"
	keyNonce        = "nonce"
	keyPreviousHash = "previous_hash"
	keySender       = "sender"
	keyRecipient    = "recipient"
	keyAmount       = "amount"
)

// Genesis returns pyBTC's genesis block.
func Genesis() pybtc.Block {
	v := wire.ObjectValue(
		wire.Member{Key: keyIndex, Value: wire.IntValue(1)},
		wire.Member{Key: keyTimestamp, Value: wire.FloatValue(GenesisTimestamp)},
		wire.Member{Key: keyTransactions, Value: wire.ArrayValue()},
		wire.Member{Key: keyNonce, Value: wire.IntValue(GenesisNonce)},
		wire.Member{Key: keyPreviousHash, Value: wire.IntValue(1)},
	)
	return pybtc.Block{
		Index:        1,
		Timestamp:    GenesisTimestamp,
		Nonce:        GenesisNonce,
		PreviousHash: "1",
		Hash:         wire.Hash(v),
		Transactions: []pybtc.Transaction{},
		Raw:          wire.AppendCompact(nil, v),
	}
}

// NewBlock assembles a block as a pyBTC miner makes it: exactly the five
// tutorial keys, txs as they came (their Raw JSON), coinbase last.
func NewBlock(index int64, timestamp float64, txs []pybtc.Transaction, nonce int64, previousHash string) (pybtc.Block, error) {
	values := make([]wire.Value, len(txs))
	for i, t := range txs {
		v, err := wire.Parse(t.Raw)
		if err != nil {
			return pybtc.Block{}, ruleError(ErrBadTransaction, "transaction %s: %v", t.ID, err)
		}
		values[i] = v
	}
	v := wire.ObjectValue(
		wire.Member{Key: keyIndex, Value: wire.IntValue(index)},
		wire.Member{Key: keyTimestamp, Value: wire.FloatValue(timestamp)},
		wire.Member{Key: keyTransactions, Value: wire.Value{Kind: wire.Array, Arr: values}},
		wire.Member{Key: keyNonce, Value: wire.IntValue(nonce)},
		wire.Member{Key: keyPreviousHash, Value: wire.StringValue(previousHash)},
	)
	return pybtc.Block{
		Index:        index,
		Timestamp:    timestamp,
		Nonce:        nonce,
		PreviousHash: previousHash,
		Hash:         wire.Hash(v),
		Transactions: txs,
		Raw:          wire.AppendCompact(nil, v),
	}, nil
}

// DecodeBlock turns a block received as JSON into a pybtc.Block and checks
// everything the block says about itself:
//
//   - it is an object with an integer index ≥ 1, a finite number timestamp,
//     a list of transactions, an integer nonce within ±MaxNonce, and a
//     previous_hash that is a string (the integer 1 for block 1);
//   - at most MaxBlockTransactions transactions, each valid (see
//     decodeTransaction); every block after the genesis ends with the
//     coinbase, sender "master" and amount 0.1, and no other transaction is
//     sent by "master";
//   - no timestamp is more than MaxFutureDrift seconds after now.
//
// Keys it does not know are kept: they are part of the hash. Block 1 is
// checked against the genesis rules by ValidateChain, not here.
func DecodeBlock(v wire.Value, now float64) (pybtc.Block, error) {
	if v.Kind != wire.Object {
		return pybtc.Block{}, ruleError(ErrMalformed, "block is not a JSON object")
	}
	var b pybtc.Block
	var ok bool
	if b.Index, ok = intField(v, keyIndex); !ok || b.Index < 1 {
		return pybtc.Block{}, ruleError(ErrMalformed, "block index must be an integer ≥ 1")
	}
	if b.Timestamp, ok = finiteField(v, keyTimestamp); !ok {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: timestamp must be a finite number", b.Index)
	}
	if b.Timestamp > now+MaxFutureDrift {
		return pybtc.Block{}, ruleError(ErrTimeTooNew, "block %d: timestamp %s is more than 2 hours ahead", b.Index, wire.FormatFloat(b.Timestamp))
	}
	if b.Nonce, ok = intField(v, keyNonce); !ok || b.Nonce > MaxNonce || b.Nonce < -MaxNonce {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: nonce must be an integer within ±2^62", b.Index)
	}
	prev, ok := v.Get(keyPreviousHash)
	switch {
	case ok && prev.Kind == wire.String:
		b.PreviousHash = prev.Str
	case ok && prev.Kind == wire.Number && prev.Num.IsInt && b.Index == 1:
		b.PreviousHash = prev.Num.Text
	default:
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: previous_hash must be a string", b.Index)
	}
	list, ok := v.Get(keyTransactions)
	if !ok || list.Kind != wire.Array {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: transactions must be a list", b.Index)
	}
	if len(list.Arr) > MaxBlockTransactions {
		return pybtc.Block{}, ruleError(ErrTooManyTransactions, "block %d: %d transactions, at most %d allowed", b.Index, len(list.Arr), MaxBlockTransactions)
	}
	b.Transactions = make([]pybtc.Transaction, len(list.Arr))
	for i, tv := range list.Arr {
		t, err := decodeTransaction(tv, now)
		if err != nil {
			return pybtc.Block{}, ruleError(err.Code, "block %d transaction %d: %s", b.Index, i, err.Description)
		}
		isLast := i == len(list.Arr)-1
		if t.Sender == pybtc.CoinbaseSender && !isLast {
			return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d transaction %d: only the last transaction may be sent by master", b.Index, i)
		}
		if isLast && b.Index > 1 && !isCoinbase(tv, t) {
			return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d: the last transaction must be the coinbase: 0.1 from master", b.Index)
		}
		b.Transactions[i] = t
	}
	if b.Index > 1 && len(b.Transactions) == 0 {
		return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d has no coinbase", b.Index)
	}
	b.Hash = wire.Hash(v)
	b.Raw = wire.AppendCompact(nil, v)
	return b, nil
}

func isCoinbase(v wire.Value, t pybtc.Transaction) bool {
	amount, _ := v.Get(keyAmount)
	return t.Sender == pybtc.CoinbaseSender && amount.Num.Float == 0.1
}

// decodeTransaction checks one transaction of a block: string sender and
// recipient (valid UTF-8 by construction of Parse), a finite amount > 0 that
// fits in satoshis, a finite timestamp not too far ahead.
func decodeTransaction(v wire.Value, now float64) (pybtc.Transaction, *RuleError) {
	if v.Kind != wire.Object {
		return pybtc.Transaction{}, ruleError(ErrBadTransaction, "not a JSON object")
	}
	var t pybtc.Transaction
	var ok bool
	if t.Sender, ok = stringField(v, keySender); !ok {
		return t, ruleError(ErrBadTransaction, "sender must be a string")
	}
	if t.Recipient, ok = stringField(v, keyRecipient); !ok {
		return t, ruleError(ErrBadTransaction, "recipient must be a string")
	}
	amount, ok := v.Get(keyAmount)
	if !ok || amount.Kind != wire.Number || !(amount.Num.Float > 0) || math.IsInf(amount.Num.Float, 0) {
		return t, ruleError(ErrBadTransaction, "amount must be a finite number > 0")
	}
	if t.Amount, _, ok = AmountOf(amount.Num); !ok {
		return t, ruleError(ErrBadTransaction, "amount %s is too large", amount.Num.Text)
	}
	if t.Timestamp, ok = finiteField(v, keyTimestamp); !ok {
		return t, ruleError(ErrBadTransaction, "timestamp must be a finite number")
	}
	if t.Timestamp > now+MaxFutureDrift {
		return t, ruleError(ErrTimeTooNew, "timestamp %s is more than 2 hours ahead", wire.FormatFloat(t.Timestamp))
	}
	t.ID = wire.Hash(v)
	t.Raw = wire.AppendCompact(nil, v)
	return t, nil
}

func intField(v wire.Value, key string) (int64, bool) {
	f, ok := v.Get(key)
	if !ok || f.Kind != wire.Number {
		return 0, false
	}
	return f.Num.Int64()
}

func finiteField(v wire.Value, key string) (float64, bool) {
	f, ok := v.Get(key)
	if !ok || f.Kind != wire.Number || math.IsInf(f.Num.Float, 0) || math.IsNaN(f.Num.Float) {
		return 0, false
	}
	return f.Num.Float, true
}

func stringField(v wire.Value, key string) (string, bool) {
	f, ok := v.Get(key)
	if !ok || f.Kind != wire.String || !utf8.ValidString(f.Str) {
		return "", false
	}
	return f.Str, true
}

// Coinbase returns the mining reward transaction: 0.1 from master to miner.
func Coinbase(miner string, now float64) pybtc.Transaction {
	v := wire.ObjectValue(
		wire.Member{Key: keySender, Value: wire.StringValue(pybtc.CoinbaseSender)},
		wire.Member{Key: keyRecipient, Value: wire.StringValue(miner)},
		wire.Member{Key: keyAmount, Value: wire.FloatValue(0.1)},
		wire.Member{Key: keyTimestamp, Value: wire.FloatValue(now)},
	)
	return pybtc.Transaction{
		ID:        wire.Hash(v),
		Sender:    pybtc.CoinbaseSender,
		Recipient: miner,
		Amount:    CoinbaseReward,
		Timestamp: now,
		Raw:       wire.AppendCompact(nil, v),
	}
}

// StoredTransactions returns the transactions of a block this node stored
// earlier (its Raw JSON). Stored blocks were validated when they arrived, so
// no clock is involved: a block is not refused later for its timestamps.
func StoredTransactions(raw []byte) ([]pybtc.Transaction, error) {
	v, err := wire.Parse(raw)
	if err != nil {
		return nil, err
	}
	b, err := DecodeBlock(v, math.Inf(1))
	if err != nil {
		return nil, err
	}
	return b.Transactions, nil
}
