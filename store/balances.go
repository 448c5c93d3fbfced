package store

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Balance returns what address has received and sent in the chain
// (confirmed transactions only). An address never seen has a zero balance.
// Each sum reads only a covering index (address, amount).
func (db *DB) Balance(ctx context.Context, address string) (pybtc.Balance, error) {
	var row addressSums
	if err := db.read.GetContext(ctx, &row, addressSumsSQL, address); err != nil {
		return pybtc.Balance{}, fmt.Errorf("balance of %q: %w", address, err)
	}
	return pybtc.Balance{Address: address, Received: pybtc.Amount(row.Received), Sent: pybtc.Amount(row.Sent)}, nil
}

// addressSums is a row of addressSumsSQL: what an address received and
// sent in the chain, in satoshis.
type addressSums struct {
	Received int64 `db:"received"`
	Sent     int64 `db:"sent"`
}

// addressSumsSQL sums what address ?1 received and sent in the chain.
const addressSumsSQL = `
	SELECT
		COALESCE((SELECT SUM(amount) FROM transactions WHERE recipient = ?1), 0) AS received,
		COALESCE((SELECT SUM(amount) FROM transactions WHERE sender = ?1), 0) AS sent`
