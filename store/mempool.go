package store

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// AddPending stores txs in the mempool, in order, in one database
// transaction with one commit: many posts that arrive together share the
// cost of the sync to disk. The result has one entry per transaction: nil
// when it was stored, ECONFLICT when a transaction with the same id is
// already pending or confirmed, EINVALID when checkBalance is set and the
// sender cannot cover the amount (confirmed balance minus what it already
// has pending, counting the transactions before it in txs). Refused
// transactions change nothing. A non-nil error means nothing was stored.
func (db *DB) AddPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool) (_ []error, err error) {
	defer func() { err = storageError(err) }()
	committed := false
	defer db.pending.lock()(&committed)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("add pending: %w", err)
	}
	defer tx.Rollback()
	if err := db.pending.load(ctx, tx); err != nil {
		return nil, fmt.Errorf("add pending: %w", err)
	}

	insert := tx.StmtxContext(ctx, db.stmts.insertPending)
	check := tx.StmtxContext(ctx, db.stmts.checkPending)

	now := db.now()
	results := make([]error, len(txs))
	for i, t := range txs {
		// One statement does the checks and the insert; only a refusal
		// pays for a second query, to say why.
		if _, known := db.pending.seq(t.ID); known {
			results[i] = errKnown(t.ID)
			continue
		}
		pending := db.pending.pending(t.Sender)
		res, err := insert.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, now, string(t.Raw), checkBalance, pending)
		if err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		} else if n == 1 {
			seq, err := res.LastInsertId()
			if err != nil {
				return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
			}
			db.pending.add(seq, t.ID, t.Sender, t.Recipient, int64(t.Amount))
			continue
		}
		var row struct {
			Known    bool  `db:"known"`
			Received int64 `db:"received"`
			Sent     int64 `db:"sent"`
		}
		if err := check.GetContext(ctx, &row, t.ID, t.Sender); err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		available := pybtc.Amount(row.Received - row.Sent - pending)
		if row.Known {
			results[i] = errKnown(t.ID)
		} else {
			results[i] = pybtc.Errorf(pybtc.EINVALID,
				"amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s minus %s pending)",
				t.Amount, t.Sender, max(available, 0), pybtc.Amount(row.Received-row.Sent), pybtc.Amount(pending))
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("add pending: %w", err)
	}
	committed = true
	return results, nil
}

// Pending returns up to limit mempool transactions in arrival order.
func (db *DB) Pending(ctx context.Context, limit int) ([]pybtc.Transaction, error) {
	var rows []struct {
		ID        string  `db:"id"`
		Sender    string  `db:"sender"`
		Recipient string  `db:"recipient"`
		Amount    int64   `db:"amount"`
		Timestamp float64 `db:"timestamp"`
		Raw       string  `db:"raw"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			id,
			sender,
			recipient,
			amount,
			timestamp,
			raw
		FROM mempool
		ORDER BY seq
		LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("read mempool: %w", err)
	}
	txs := make([]pybtc.Transaction, len(rows))
	for i, r := range rows {
		txs[i] = pybtc.Transaction{
			ID:        r.ID,
			Sender:    r.Sender,
			Recipient: r.Recipient,
			Amount:    pybtc.Amount(r.Amount),
			Timestamp: r.Timestamp,
			Raw:       []byte(r.Raw),
		}
	}
	return txs, nil
}

// PendingCount returns the number of transactions in the mempool.
func (db *DB) PendingCount(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.GetContext(ctx, &n, `SELECT COUNT(*) FROM mempool`); err != nil {
		return 0, fmt.Errorf("count mempool: %w", err)
	}
	return n, nil
}

// errKnown refuses a transaction whose id is already pending or confirmed.
func errKnown(id string) error {
	return pybtc.Errorf(pybtc.ECONFLICT, "Transaction %s is already known.", id)
}

// Statements of the hot path, prepared once on the writer connection: at
// thousands of posts a second, compiling SQL would cost more than running it.
const (
	checkPendingSQL = `
		SELECT
			EXISTS (SELECT 1 FROM transactions WHERE id = ?1) AS known,
			COALESCE((SELECT SUM(amount) FROM transactions WHERE recipient = ?2), 0) AS received,
			COALESCE((SELECT SUM(amount) FROM transactions WHERE sender = ?2), 0) AS sent`
	// insertPendingSQL stores a transaction unless its id is confirmed or
	// (?8 set) the sender cannot cover it: confirmed balance minus ?9, what
	// it has pending. The writer keeps which ids are pending and what each
	// sender has pending in memory (pendingIndex).
	insertPendingSQL = `
		INSERT INTO mempool (
			id,
			sender,
			recipient,
			amount,
			timestamp,
			received_at,
			raw
		)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
		WHERE NOT EXISTS (SELECT 1 FROM transactions WHERE id = ?1)
			AND (NOT ?8 OR ?4 <=
				COALESCE((SELECT SUM(amount) FROM transactions WHERE recipient = ?2), 0)
				- COALESCE((SELECT SUM(amount) FROM transactions WHERE sender = ?2), 0)
				- ?9)`
)
