package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
)

// AddPending stores txs in the mempool, in order, in one database
// transaction with one commit, and returns once it is on disk: many posts
// that arrive together share the cost of the sync. The result has one
// entry per transaction: nil
// when it was stored, ECONFLICT when a transaction with the same id is
// already pending (marked pybtc.ErrPending) or in a block (the message
// names it), EINVALID when checkBalance is set and the sender cannot cover
// the amount (confirmed balance minus what it already has pending,
// counting the transactions before it in txs), or the error that storing
// that one transaction met. Refused transactions change nothing, and one
// transaction's failure does not fail the others. A non-nil error means
// nothing was stored, or (a failed sync, EUNAVAILABLE) that what was
// stored may not survive a crash.
func (db *DB) AddPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool) (_ []error, err error) {
	// Deferred first, noteWrite waits for the sync after the pending
	// index's lock and the writer's connection are released.
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	committed := false
	defer db.pending.lock()(&committed)
	results := make([]error, len(txs))
	failed := make([]bool, len(txs))
	// A transaction whose statements fail leaves the write transaction in
	// doubt (SQLite rolls some failures back whole), so the others are
	// tried again without it, in a new one; the retries cost nothing while
	// nothing fails. A failing disk fails the whole batch at once (see
	// addPending), and so do more failures than maxPendingRetries.
	for retries := 0; ; retries++ {
		i, err := db.addPending(ctx, txs, checkBalance, results, failed)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			committed = true
			return results, nil
		}
		failed[i] = true
		if retries == maxPendingRetries {
			return nil, fmt.Errorf("add pending: %w", results[i])
		}
	}
}

// maxPendingRetries bounds the write transactions one AddPending makes
// when transactions fail one after the other: so many failures are the
// database's, not the transactions'.
const maxPendingRetries = 3

// addPending is one attempt of AddPending over the transactions not
// failed, writing their results. It returns the index of a transaction
// whose statements failed, with its error in results and nothing stored,
// or -1 when it committed; err is a failure of the write transaction
// itself.
func (db *DB) addPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool, results []error, failed []bool) (int, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return -1, fmt.Errorf("add pending: %w", err)
	}
	defer tx.Rollback()
	if err := db.pending.load(ctx, tx); err != nil {
		return -1, fmt.Errorf("add pending: %w", err)
	}
	type added struct {
		seq int64
		t   pybtc.Transaction
	}
	var rows []added
	insert := tx.StmtxContext(ctx, db.stmts.insertPending)
	now := db.now()
	for i, t := range txs {
		if failed[i] {
			continue
		}
		seq, refusal, err := db.addOnePending(ctx, tx, insert, t, checkBalance, now)
		if err != nil {
			// A failing disk or a cancelled context is no one transaction's
			// doing: the batch fails.
			if ctx.Err() != nil || pybtc.ErrorCode(storageError(err)) == pybtc.EUNAVAILABLE {
				return -1, err
			}
			// The memory follows the rows: take out what this attempt added.
			for j := len(rows) - 1; j >= 0; j-- {
				r := rows[j]
				db.pending.remove(r.seq, r.t.ID, r.t.Sender, r.t.Recipient, int64(r.t.Amount))
			}
			results[i] = err
			return i, nil
		}
		results[i] = refusal
		if refusal == nil {
			rows = append(rows, added{seq, t})
		}
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("add pending: %w", err)
	}
	return -1, nil
}

// addOnePending stores t in the write transaction tx unless it is refused:
// refusal says why (known, overdraft); err is a failure to find out or to
// store.
func (db *DB) addOnePending(ctx context.Context, tx *sqlx.Tx, insert *sqlx.Stmt, t pybtc.Transaction, checkBalance bool, now float64) (seq int64, refusal, err error) {
	if _, known := db.pending.seq(t.ID); known {
		return 0, errPending(t.ID), nil
	}
	message, keySpend, err := keyMessage(t)
	if err != nil {
		return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
	}
	if keySpend {
		if refusal, err := db.keyReplay(ctx, tx, t, message); refusal != nil || err != nil {
			return 0, refusal, err
		}
	}
	// Rule K makes an overdraft from a key address invalid in a block:
	// the node never takes one, whatever its policy on other addresses.
	if checkBalance || keySpend {
		balance, err := db.confirmedBalance(ctx, tx, t.Sender)
		if err != nil {
			return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		if pending := db.pending.pending(t.Sender); pybtc.SumOf(t.Amount).Cmp(balance.Sub(pending)) > 0 {
			// A transaction already in a block is refused as such,
			// whatever its sender has now: peers relay mined ones again.
			refusal, err := db.refuseOverdraft(ctx, tx, t, balance, pending)
			if err != nil {
				return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
			}
			return 0, refusal, nil
		}
	}
	res, err := insert.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, now, string(t.Raw))
	if err != nil {
		return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
	} else if n == 0 {
		refusal, err := db.confirmedRefusal(ctx, tx, t.ID)
		if err == nil && refusal == nil {
			err = errors.New("not inserted, yet no block holds it")
		}
		if err != nil {
			return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
		}
		return 0, refusal, nil
	}
	if seq, err = res.LastInsertId(); err != nil {
		return 0, nil, fmt.Errorf("add pending %s: %w", t.ID, err)
	}
	db.pending.add(seq, t.ID, t.Sender, t.Recipient, int64(t.Amount))
	if keySpend {
		db.pending.addMessage(seq, message)
	}
	return seq, nil, nil
}

// keyReplay refuses t, a key-address spend whose signed message has the
// hash message, when the same signed payment is pending or in a block,
// under this id or another (a signature made again): rule K pays a signed
// payment once. One already pending is answered as such; one in a block
// under this very id as already mined (a peer relaying a mined one again),
// and under another as a replay.
func (db *DB) keyReplay(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction, message string) (refusal, err error) {
	if _, pending := db.pending.messageSeq(message); pending {
		return errPending(t.ID), nil
	}
	var height int64
	err = tx.GetContext(ctx, &height, `SELECT block_height FROM signed_messages WHERE hash = ?`, message)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("look up signed message of %s: %w", t.ID, err)
	}
	if refusal, err := db.confirmedRefusal(ctx, tx, t.ID); refusal != nil || err != nil {
		return refusal, err
	}
	return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonKeyReplay, pybtc.Args{Address: t.Sender, ID: t.ID, Height: height}), nil
}

// Pending returns up to limit mempool transactions in arrival order.
func (db *DB) Pending(ctx context.Context, limit int) ([]pybtc.Transaction, error) {
	var rows []rawTxRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+rawTxColumns+`
		FROM mempool
		ORDER BY seq
		LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("read mempool: %w", err)
	}
	txs := make([]pybtc.Transaction, len(rows))
	for i, r := range rows {
		txs[i] = r.transaction()
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

// errPending refuses a transaction whose id is already pending: the post
// changes nothing, and the transaction will be mined as it is.
func errPending(id string) error {
	return fmt.Errorf("%w: %w", pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonAlreadyPending, pybtc.Args{ID: id}), pybtc.ErrPending)
}

// errConfirmed refuses a transaction that a block of the chain holds.
func errConfirmed(id string, height int64) error {
	return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonAlreadyMined, pybtc.Args{ID: id, Height: height})
}

// confirmedBalance returns address's confirmed balance in satoshis, from
// the writer's memory or else summed from the chain and kept.
func (db *DB) confirmedBalance(ctx context.Context, tx *sqlx.Tx, address string) (pybtc.Sum, error) {
	if balance, ok := db.pending.balance(address); ok {
		return balance, nil
	}
	var sums addressSums
	if err := tx.StmtxContext(ctx, db.stmts.addressSums).GetContext(ctx, &sums, address); err != nil {
		return pybtc.Sum{}, fmt.Errorf("balance of %q: %w", address, err)
	}
	balance := sums.received().Sub(sums.sent())
	db.pending.keepBalance(address, balance)
	return balance, nil
}

// confirmedRefusal refuses the transaction id when a block holds it, with
// the newest such block; refusal is nil when none does.
func (db *DB) confirmedRefusal(ctx context.Context, tx *sqlx.Tx, id string) (refusal, err error) {
	var height int64
	err = tx.StmtxContext(ctx, db.stmts.confirmedHeight).GetContext(ctx, &height, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("look %s up: %w", id, err)
	}
	return errConfirmed(id, height), nil
}

// refuseOverdraft says why t is refused: known, when a block has it, or
// else more than its sender can spend. err is a failure to find out.
func (db *DB) refuseOverdraft(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction, balance, pending pybtc.Sum) (refusal, err error) {
	if refusal, err := db.confirmedRefusal(ctx, tx, t.ID); refusal != nil || err != nil {
		return refusal, err
	}
	return pybtc.Overdraft(pybtc.ReasonOverdraft, t.Sender, t.Amount, balance, pending), nil
}

// Statements of the hot path, prepared once on the writer connection: at
// thousands of posts a second, compiling SQL would cost more than running it.
const (
	// confirmedHeightSQL finds the newest block holding a transaction id.
	confirmedHeightSQL = `SELECT block_height FROM transactions WHERE id = ?1 ORDER BY block_height DESC LIMIT 1`
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
