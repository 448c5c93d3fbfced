package store

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Balance returns what address has received and sent in the chain
// (confirmed transactions only). An address never seen has a zero balance.
// It reads the received_by and sent_by views, each of which sums only
// that address's rows of a covering index (address, …, amount).
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

// addressRow reads address ?1's row of view, received_by or sent_by
// (migration 0009), as prefix_high, prefix_low and n, its count: zeros for
// an address the view has no row of. The view's GROUP BY takes the WHERE,
// so only that address's rows of a covering index are read.
func addressRow(view, prefix, count string) string {
	// At most one row matches; MAX turns none into NULL, and so into 0.
	return `(SELECT
			COALESCE(MAX(` + prefix + `_high), 0) AS ` + prefix + `_high,
			COALESCE(MAX(` + prefix + `_low), 0) AS ` + prefix + `_low,
			COALESCE(MAX(` + count + `), 0) AS n
		FROM ` + view + `
		WHERE address = ?1)`
}

// addressSumsSQL sums what address ?1 received and sent in the chain.
var addressSumsSQL = `
	SELECT r.received_high, r.received_low, s.sent_high, s.sent_low
	FROM
		` + addressRow("received_by", "received", "receipts") + ` AS r,
		` + addressRow("sent_by", "sent", "payments") + ` AS s`
