package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/refusal"
)

// dropper takes pending rows out of the mempool and records why, inside
// one write transaction. The caller keeps the pending index in step.
type dropper struct {
	remove, record *sql.Stmt
	now            float64
}

func newDropper(ctx context.Context, tx *sqlx.Tx, now float64) (*dropper, error) {
	d := dropper{now: now}
	var err error
	if d.remove, err = tx.PrepareContext(ctx, `DELETE FROM mempool WHERE seq = ?`); err != nil {
		return nil, err
	}
	if d.record, err = tx.PrepareContext(ctx, `
		INSERT INTO dropped_transactions (`+rawTxColumns+`,
			reason,
			detail,
			dropped_by,
			fork_height,
			dropped_at
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		d.close()
		return nil, err
	}
	return &d, nil
}

func (d *dropper) close() {
	for _, st := range []*sql.Stmt{d.remove, d.record} {
		if st != nil {
			st.Close()
		}
	}
}

// drop deletes the pending row seq, which holds t, and records it with
// the table's reason for the refusal why and, as detail, why worded as
// the protocol words it. fork is the reorganisation's fork point, if any.
//
// It returns the row's seq in dropped_transactions.
func (d *dropper) drop(ctx context.Context, seq int64, t pybtc.Transaction, why *pybtc.Error, by string, fork sql.NullInt64) (int64, error) {
	reason, detail := droppedReason(why.Reason), refusal.English(why.Reason, why.Args)
	if _, err := d.remove.ExecContext(ctx, seq); err != nil {
		return 0, fmt.Errorf("drop pending %s: %w", t.ID, err)
	}
	res, err := d.record.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, string(t.Raw),
		reason, detail, by, fork, d.now)
	if err != nil {
		return 0, fmt.Errorf("record dropped %s: %w", t.ID, err)
	}
	return res.LastInsertId()
}

// droppedReason is the dropped_transactions table's reason for a refusal.
func droppedReason(r pybtc.Reason) string {
	switch r {
	case pybtc.ReasonOverdraft, pybtc.ReasonOverdraftInBlock:
		return pybtc.DropOverdraft
	case pybtc.ReasonMempoolCap, pybtc.ReasonMempoolFull:
		return pybtc.DropMempoolFull
	case pybtc.ReasonRestampedCopy, pybtc.ReasonPendingCopy, pybtc.ReasonKeyReplay:
		return pybtc.DropCopy
	}
	return pybtc.DropPolicy
}

// Dropped returns up to limit dropped transactions, the latest first.
func (db *DB) Dropped(ctx context.Context, limit int) ([]pybtc.DroppedTx, error) {
	dropped, err := db.readDropped(ctx, `ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read dropped transactions: %w", err)
	}
	return dropped, nil
}

// DroppedTransaction returns every time the node dropped transaction id,
// the latest first; none when it never did.
func (db *DB) DroppedTransaction(ctx context.Context, id string) ([]pybtc.DroppedTx, error) {
	dropped, err := db.readDropped(ctx, `WHERE id = ? ORDER BY seq DESC LIMIT 16`, id)
	if err != nil {
		return nil, fmt.Errorf("read dropped transaction %s: %w", id, err)
	}
	return dropped, nil
}

// readDropped reads rows of dropped_transactions; where filters and
// orders them.
func (db *DB) readDropped(ctx context.Context, where string, args ...any) ([]pybtc.DroppedTx, error) {
	var rows []struct {
		rawTxRow
		Reason     string        `db:"reason"`
		Detail     string        `db:"detail"`
		DroppedBy  string        `db:"dropped_by"`
		ForkHeight sql.NullInt64 `db:"fork_height"`
		DroppedAt  float64       `db:"dropped_at"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+rawTxColumns+`,
			reason,
			detail,
			dropped_by,
			fork_height,
			dropped_at
		FROM dropped_transactions
		`+where, args...); err != nil {
		return nil, err
	}
	dropped := make([]pybtc.DroppedTx, len(rows))
	for i, r := range rows {
		dropped[i] = pybtc.DroppedTx{
			Transaction: r.transaction(),
			Reason:      r.Reason,
			Detail:      r.Detail,
			DroppedBy:   r.DroppedBy,
			ForkHeight:  r.ForkHeight.Int64,
			DroppedAt:   r.DroppedAt,
		}
	}
	return dropped, nil
}

// DroppedCount returns how many transactions were dropped in all.
func (db *DB) DroppedCount(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.GetContext(ctx, &n, `SELECT COUNT(*) FROM dropped_transactions`); err != nil {
		return 0, fmt.Errorf("count dropped transactions: %w", err)
	}
	return n, nil
}
