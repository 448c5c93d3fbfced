package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// PendingForBlock returns up to limit pending transactions, in arrival
// order, for a block this node is about to mine. Unless policy allows
// overdrafts (which it never does for key addresses, rule K), they are checked in block order against the chain as it is
// now: each sender's confirmed balance, minus what the sender pays earlier
// in the block, must cover the amount. A pending payment that fails (a
// reorganisation removed the coins it spent, or gave them to another
// payment) leaves the mempool and is recorded in dropped_transactions:
// kept, it would hold its sender's pending sum and so refuse the sender's
// new payments, and be mined by surprise once the sender is paid again.
// dropped is how many left.
func (db *DB) PendingForBlock(ctx context.Context, limit int, policy consensus.MempoolPolicy) (txs []pybtc.Transaction, dropped int, err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	committed := false
	defer db.pending.lock()(&committed)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("pending for block: %w", err)
	}
	defer tx.Rollback()
	if err := db.pending.load(ctx, tx); err != nil {
		return nil, 0, fmt.Errorf("pending for block: %w", err)
	}
	var rows []struct {
		Seq int64 `db:"seq"`
		rawTxRow
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT
			seq,`+rawTxColumns+`
		FROM mempool
		ORDER BY seq
		LIMIT ?`, limit); err != nil {
		return nil, 0, fmt.Errorf("pending for block: %w", err)
	}

	var d *dropper
	spent := make(map[string]pybtc.Sum)
	txs = make([]pybtc.Transaction, 0, len(rows))
	for _, r := range rows {
		t := r.transaction()
		// Rule K makes a key address's overdraft invalid in a block,
		// whatever this node's policy on others.
		if policy.AllowOverdraft && !consensus.IsKeySpend(t) {
			txs = append(txs, t)
			continue
		}
		balance, err := db.confirmedBalance(ctx, tx, t.Sender)
		if err != nil {
			return nil, 0, fmt.Errorf("pending for block: %w", err)
		}
		if ahead := spent[t.Sender]; pybtc.SumOf(t.Amount).Cmp(balance.Sub(ahead)) <= 0 {
			spent[t.Sender] = ahead.AddAmount(t.Amount)
			txs = append(txs, t)
			continue
		}
		if d == nil {
			if d, err = newDropper(ctx, tx, db.now()); err != nil {
				return nil, 0, fmt.Errorf("pending for block: %w", err)
			}
			defer d.close()
		}
		if _, err := d.drop(ctx, r.Seq, t, pybtc.Overdraft(pybtc.ReasonOverdraftInBlock, t.Sender, t.Amount, balance, spent[t.Sender]), pybtc.DroppedByMine, sql.NullInt64{}); err != nil {
			return nil, 0, fmt.Errorf("pending for block: %w", err)
		}
		db.pending.remove(r.Seq, t.ID, t.Sender, t.Recipient, r.Amount)
		dropped++
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("pending for block: %w", err)
	}
	committed = true
	return txs, dropped, nil
}
