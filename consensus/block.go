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
	hash, raw, _ := wire.EncodeBlock(1, GenesisTimestamp, nil, GenesisNonce, wire.IntField(1))
	return pybtc.Block{
		Index:        1,
		Timestamp:    GenesisTimestamp,
		Nonce:        GenesisNonce,
		PreviousHash: "1",
		Hash:         hash,
		Transactions: []pybtc.Transaction{},
		Raw:          raw,
	}
}

// NewBlock assembles a block as a pyBTC miner makes it: exactly the five
// tutorial keys, txs as they came (their Raw JSON), coinbase last.
func NewBlock(index int64, timestamp float64, txs []pybtc.Transaction, nonce int64, previousHash string) (pybtc.Block, error) {
	raws := make([][]byte, len(txs))
	for i, t := range txs {
		raws[i] = t.Raw
	}
	hash, raw, err := wire.EncodeBlock(index, timestamp, raws, nonce, wire.StringField(previousHash))
	if err != nil {
		for _, t := range txs {
			if _, terr := wire.ParseTransaction(t.Raw); terr != nil {
				return pybtc.Block{}, ruleError(ErrBadTransaction, "transaction %s: %v", t.ID, terr)
			}
		}
		return pybtc.Block{}, ruleError(ErrBadTransaction, "%v", err)
	}
	return pybtc.Block{
		Index:        index,
		Timestamp:    timestamp,
		Nonce:        nonce,
		PreviousHash: previousHash,
		Hash:         hash,
		Transactions: txs,
		Raw:          raw,
	}, nil
}

// DecodeBlock checks everything the block wb, as read, says about itself,
// and returns it as a pybtc.Block:
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
// checked against the genesis rules by ValidateChain, not here. Every
// key-address spend must carry its key's signature (rule K).
func DecodeBlock(wb *wire.Block, now float64) (pybtc.Block, error) {
	b, err := decodeBlock(wb, now)
	if err != nil {
		return pybtc.Block{}, err
	}
	if err := checkSignatures(b.Index, wb, b.Transactions); err != nil {
		return pybtc.Block{}, err
	}
	return b, nil
}

// decodeBlock is DecodeBlock without the signatures.
func decodeBlock(wb *wire.Block, now float64) (pybtc.Block, error) {
	if wb.Kind != wire.Object {
		return pybtc.Block{}, ruleError(ErrMalformed, "block is not a JSON object")
	}
	var b pybtc.Block
	var ok bool
	if b.Index, ok = wb.Index.Int64(); !ok || b.Index < 1 {
		return pybtc.Block{}, ruleError(ErrMalformed, "block index must be an integer ≥ 1")
	}
	if b.Timestamp, ok = finite(&wb.Timestamp); !ok {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: timestamp must be a finite number", b.Index)
	}
	if b.Timestamp > now+MaxFutureDrift {
		return pybtc.Block{}, ruleError(ErrTimeTooNew, "block %d: timestamp %s is more than 2 hours ahead", b.Index, wire.FormatFloat(b.Timestamp))
	}
	if b.Nonce, ok = wb.Nonce.Int64(); !ok || b.Nonce > MaxNonce || b.Nonce < -MaxNonce {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: nonce must be an integer within ±2^62", b.Index)
	}
	prev := &wb.PreviousHash
	switch {
	case prev.Kind == wire.String:
		b.PreviousHash = prev.Str
	case prev.Present && prev.Kind == wire.Number && prev.Num.IsInt && b.Index == 1:
		b.PreviousHash = prev.Num.Text
	default:
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: previous_hash must be a string", b.Index)
	}
	if wb.TransactionsKind != wire.Array {
		return pybtc.Block{}, ruleError(ErrMalformed, "block %d: transactions must be a list", b.Index)
	}
	if len(wb.Transactions) > MaxBlockTransactions {
		return pybtc.Block{}, ruleError(ErrTooManyTransactions, "block %d: %d transactions, at most %d allowed", b.Index, len(wb.Transactions), MaxBlockTransactions)
	}
	b.Transactions = make([]pybtc.Transaction, len(wb.Transactions))
	for i := range wb.Transactions {
		wt := &wb.Transactions[i]
		t, err := decodeTransaction(wt, now)
		if err != nil {
			return pybtc.Block{}, ruleError(err.Code, "block %d transaction %d: %s", b.Index, i, err.Description)
		}
		isLast := i == len(wb.Transactions)-1
		if t.Sender == pybtc.CoinbaseSender && !isLast {
			return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d transaction %d: only the last transaction may be sent by master", b.Index, i)
		}
		if isLast && b.Index > 1 && !isCoinbase(wt, t) {
			return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d: the last transaction must be the coinbase: 0.1 from master", b.Index)
		}
		b.Transactions[i] = t
	}
	if b.Index > 1 && len(b.Transactions) == 0 {
		return pybtc.Block{}, ruleError(ErrBadCoinbase, "block %d has no coinbase", b.Index)
	}
	b.Hash = wb.Hash
	b.Raw = wb.Raw
	return b, nil
}

func isCoinbase(wt *wire.Transaction, t pybtc.Transaction) bool {
	return t.Sender == pybtc.CoinbaseSender && wt.Amount.Num.Float == 0.1
}

// decodeTransaction checks one transaction of a block: string sender and
// recipient (valid UTF-8 by construction of wire.Parse), a finite amount > 0
// that fits in satoshis, a finite timestamp not too far ahead.
func decodeTransaction(wt *wire.Transaction, now float64) (pybtc.Transaction, *RuleError) {
	if wt.Kind != wire.Object {
		return pybtc.Transaction{}, ruleError(ErrBadTransaction, "not a JSON object")
	}
	var t pybtc.Transaction
	var ok bool
	if t.Sender, ok = text(&wt.Sender); !ok {
		return t, ruleError(ErrBadTransaction, "sender must be a string")
	}
	if t.Recipient, ok = text(&wt.Recipient); !ok {
		return t, ruleError(ErrBadTransaction, "recipient must be a string")
	}
	amount := &wt.Amount
	if amount.Kind != wire.Number || !(amount.Num.Float > 0) || math.IsInf(amount.Num.Float, 0) {
		return t, ruleError(ErrBadTransaction, "amount must be a finite number > 0")
	}
	if t.Amount, _, ok = AmountOf(amount.Num); !ok {
		return t, ruleError(ErrBadTransaction, "amount %s is too large", amount.Num.Text)
	}
	if t.Timestamp, ok = finite(&wt.Timestamp); !ok {
		return t, ruleError(ErrBadTransaction, "timestamp must be a finite number")
	}
	if t.Timestamp > now+MaxFutureDrift {
		return t, ruleError(ErrTimeTooNew, "timestamp %s is more than 2 hours ahead", wire.FormatFloat(t.Timestamp))
	}
	t.ID = wt.ID
	t.Raw = wt.Raw
	return t, nil
}

// finite returns f's value if it is a finite number.
func finite(f *wire.Field) (float64, bool) {
	if f.Kind != wire.Number || math.IsInf(f.Num.Float, 0) || math.IsNaN(f.Num.Float) {
		return 0, false
	}
	return f.Num.Float, true
}

// text returns f's value if it is a string of valid UTF-8.
func text(f *wire.Field) (string, bool) {
	if f.Kind != wire.String || !utf8.ValidString(f.Str) {
		return "", false
	}
	return f.Str, true
}

// Coinbase returns the mining reward transaction: 0.1 from master to miner.
func Coinbase(miner string, now float64) pybtc.Transaction {
	id, raw := wire.EncodeTransaction(pybtc.CoinbaseSender, miner, wire.FloatField(0.1), wire.FloatField(now))
	return pybtc.Transaction{
		ID:        id,
		Sender:    pybtc.CoinbaseSender,
		Recipient: miner,
		Amount:    CoinbaseReward,
		Timestamp: now,
		Raw:       raw,
	}
}

// StoredTransactions returns the transactions of a block this node stored
// earlier (its Raw JSON). Stored blocks were validated when they arrived, so
// no clock is involved (a block is not refused later for its timestamps),
// and signatures are not checked again.
func StoredTransactions(raw []byte) ([]pybtc.Transaction, error) {
	wb, err := wire.ParseBlock(raw)
	if err != nil {
		return nil, err
	}
	b, err := decodeBlock(&wb, math.Inf(1))
	if err != nil {
		return nil, err
	}
	return b.Transactions, nil
}
