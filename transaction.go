package pybtc

import (
	"strconv"
	"strings"
)

// CoinbaseSender is the sender of the mining reward, the last transaction of
// every block. Nobody else may send as "master".
const CoinbaseSender = "master"

// Transaction is a transfer of coins as it appears in a block or in the
// mempool: {"sender", "recipient", "amount", "timestamp"} on the wire.
type Transaction struct {
	// ID is the lowercase hex SHA-256 of the transaction's canonical JSON.
	ID string
	// Sender is the paying address; "master" only for the coinbase.
	Sender string
	// Recipient is the receiving address.
	Recipient string
	// Amount is the value in satoshis. The JSON number it came as (3 or 3.0)
	// is kept in Raw, because it changes the hash.
	Amount Amount
	// Timestamp is when the transaction was made, float seconds since the
	// epoch.
	Timestamp float64
	// Raw is the transaction as compact JSON with sorted keys.
	Raw []byte
	// Message is, for a spend from a key address whose signature was just
	// checked, the lowercase hex SHA-256 of its signed message (rule K's
	// replay check needs it, and the check had it at hand); empty when
	// not known.
	Message string
}

// Amount is a quantity of pyBTC in satoshis (10⁻⁸ pyBTC). Sums of amounts are
// exact, unlike the floats the tutorial adds up.
type Amount int64

// Coin is one pyBTC.
const Coin Amount = 100_000_000

// String formats the amount in pyBTC with no trailing zeros: "0.1", "3", "-2.5".
func (a Amount) String() string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	whole := strconv.FormatUint(u/uint64(Coin), 10)
	frac := strings.TrimRight(strconv.FormatUint(u%uint64(Coin)+uint64(Coin), 10)[1:], "0")
	s := whole
	if frac != "" {
		s += "." + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Balance is what an address has received and sent, in satoshis.
type Balance struct {
	Address  string
	Received Sum
	Sent     Sum
}

// Total is received minus sent.
func (b Balance) Total() Sum { return b.Received.Sub(b.Sent) }

// TxRecord is a transaction where the node keeps it: in a block of the main
// chain, or pending in the mempool.
type TxRecord struct {
	Transaction
	// Height is the block's height; 0 while the transaction is pending.
	Height int64
	// Position is the transaction's place in its block, from 0; for a
	// pending one, its place in the mempool's arrival order.
	Position int64
	// MinedAs is, when the block holds the payment under another id, that
	// id: a tutorial node stamps a relayed payment anew, so its block
	// holds a copy that this node took as the same payment.
	MinedAs string
}

// Pending reports whether the transaction waits in the mempool.
func (r TxRecord) Pending() bool { return r.Height == 0 }

// AddressInfo sums up an address: its confirmed balance, what it has
// pending, and how many transactions name it.
type AddressInfo struct {
	Balance
	// PendingReceived and PendingSent are the amounts of mempool
	// transactions to and from the address.
	PendingReceived, PendingSent Sum
	// Confirmed and Pending count the transactions that name the address
	// as sender or recipient, each transaction once.
	Confirmed, Pending int64
}

// Spendable is what the address may still send: its confirmed balance
// minus what it has pending. Pending receipts do not count until mined.
func (a AddressInfo) Spendable() Sum { return a.Total().Sub(a.PendingSent) }

// Seen reports whether any transaction, confirmed or pending, names the
// address.
func (a AddressInfo) Seen() bool { return a.Confirmed > 0 || a.Pending > 0 }
