package store

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Balance returns what address has received and sent in the chain
// (confirmed transactions only). An address never seen has a zero balance.
// Each sum reads only a covering index (address, …, amount).
func (db *DB) Balance(ctx context.Context, address string) (pybtc.Balance, error) {
	var row addressSums
	if err := db.read.GetContext(ctx, &row, addressSumsSQL, address); err != nil {
		return pybtc.Balance{}, fmt.Errorf("balance of %q: %w", address, err)
	}
	return pybtc.Balance{Address: address, Received: row.received(), Sent: row.sent()}, nil
}

// addressSums is a row of addressSumsSQL: what an address received and
// sent in the chain, in satoshis, each as the sums of the amounts' high
// and low 32 bits (see splitSum).
type addressSums struct {
	ReceivedHigh int64 `db:"received_high"`
	ReceivedLow  int64 `db:"received_low"`
	SentHigh     int64 `db:"sent_high"`
	SentLow      int64 `db:"sent_low"`
}

func (r addressSums) received() pybtc.Sum { return pybtc.SumOfParts(r.ReceivedHigh, r.ReceivedLow) }
func (r addressSums) sent() pybtc.Sum     { return pybtc.SumOfParts(r.SentHigh, r.SentLow) }

// splitSum sums the amount column of the rows as two columns, prefix_high
// and prefix_low, which pybtc.SumOfParts joins. SQLite's SUM fails with
// "integer overflow" past an int64, and a chain may hold amounts up to
// the largest int64 each: summed apart, the high and low 32 bits of the
// amounts cannot overflow before 2³¹ rows. The expressions read only the
// amount, so a covering index still serves them.
func splitSum(amount, prefix string) string {
	return `COALESCE(SUM((` + amount + `) >> 32), 0) AS ` + prefix + `_high, ` +
		`COALESCE(SUM((` + amount + `) & 4294967295), 0) AS ` + prefix + `_low`
}

// addressSumsSQL sums what address ?1 received and sent in the chain.
var addressSumsSQL = `
	SELECT r.*, s.*
	FROM
		(SELECT ` + splitSum("amount", "received") + ` FROM transactions WHERE recipient = ?1) AS r,
		(SELECT ` + splitSum("amount", "sent") + ` FROM transactions WHERE sender = ?1) AS s`
