package store

import "github.com/pybtc/pybtc"

// rawTxRow is a transaction as the mempool and dropped_transactions keep
// it: its queryable columns and its JSON as it came.
type rawTxRow struct {
	ID        string  `db:"id"`
	Sender    string  `db:"sender"`
	Recipient string  `db:"recipient"`
	Amount    int64   `db:"amount"`
	Timestamp float64 `db:"timestamp"`
	Raw       string  `db:"raw"`
}

func (r rawTxRow) transaction() pybtc.Transaction {
	return pybtc.Transaction{
		ID:        r.ID,
		Sender:    r.Sender,
		Recipient: r.Recipient,
		Amount:    pybtc.Amount(r.Amount),
		Timestamp: r.Timestamp,
		Raw:       []byte(r.Raw),
	}
}

// txColumns are the columns every table of transactions has.
const txColumns = `
			id,
			sender,
			recipient,
			amount,
			timestamp`

// rawTxColumns are the columns of a rawTxRow.
const rawTxColumns = txColumns + `,
			raw`
