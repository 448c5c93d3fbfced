package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

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
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
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
	now := db.now()
	results := make([]error, len(txs))
	for i, t := range txs {
		if _, known := db.pending.seq(t.ID); known {
			results[i] = errKnown(t.ID)
			continue
		}
		if checkBalance {
			balance, err := db.confirmedBalance(ctx, tx, t.Sender)
			if err != nil {
				return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
			}
			if pending := db.pending.pending(t.Sender); int64(t.Amount) > balance-pending {
				// A transaction already in a block is known, whatever
				// its sender has now: peers relay mined ones again.
				if results[i], err = db.refuseOverdraft(ctx, tx, t, balance, pending); err != nil {
					return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
				}
				continue
			}
		}
		res, err := insert.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, now, string(t.Raw))
		if err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		} else if n == 0 {
			results[i] = errKnown(t.ID)
			continue
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		db.pending.add(seq, t.ID, t.Sender, t.Recipient, int64(t.Amount))
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

// PendingCount returns the number of transactions in the mempool as of
// the last commit. The writer knows it: counting the table would read it
// through, as it has no index but its seq.
func (db *DB) PendingCount(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("count mempool: %w", err)
	}
	return int64(db.pending.publishedCount()), nil
}

// errKnown refuses a transaction whose id is already pending or confirmed.
func errKnown(id string) error {
	return pybtc.Errorf(pybtc.ECONFLICT, "Transaction %s is already known.", id)
}

// confirmedBalance returns address's confirmed balance in satoshis, from
// the writer's memory or else summed from the chain and kept.
func (db *DB) confirmedBalance(ctx context.Context, tx *sqlx.Tx, address string) (int64, error) {
	if balance, ok := db.pending.balance(address); ok {
		return balance, nil
	}
	var sums addressSums
	if err := tx.StmtxContext(ctx, db.stmts.addressSums).GetContext(ctx, &sums, address); err != nil {
		return 0, fmt.Errorf("balance of %q: %w", address, err)
	}
	balance := sums.Received - sums.Sent
	db.pending.keepBalance(address, balance)
	return balance, nil
}

// refuseOverdraft says why t is refused: known, when a block has it, or
// else more than its sender can spend. err is a failure to find out.
func (db *DB) refuseOverdraft(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction, balance, pending int64) (refusal, err error) {
	var confirmed bool
	if err := tx.StmtxContext(ctx, db.stmts.isConfirmed).GetContext(ctx, &confirmed, t.ID); err != nil {
		return nil, fmt.Errorf("look %s up: %w", t.ID, err)
	}
	if confirmed {
		return errKnown(t.ID), nil
	}
	return pybtc.Errorf(pybtc.EINVALID,
		"amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s minus %s pending)",
		t.Amount, t.Sender, max(pybtc.Amount(balance-pending), 0), pybtc.Amount(balance), pybtc.Amount(pending)), nil
}

// Statements of the hot path, prepared once on the writer connection: at
// thousands of posts a second, compiling SQL would cost more than running it.
const (
	isConfirmedSQL = `SELECT EXISTS (SELECT 1 FROM transactions WHERE id = ?1)`
	// insertPendingSQL stores a transaction unless a block has its id.
	// The writer keeps which ids are pending, what each sender has pending
	// and recent senders' confirmed balances in memory (pendingIndex).
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
		WHERE NOT EXISTS (SELECT 1 FROM transactions WHERE id = ?1)`
)
