package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
)

// Why a transaction was dropped, as dropped_transactions.reason says.
const (
	// DropOverdraft: its sender cannot cover it on the chain as it is now.
	DropOverdraft = "overdraft"
	// DropMempoolFull: restoring it would pass the mempool's cap.
	DropMempoolFull = "mempool full"
	// DropPolicy: a field breaks the policy on new transactions (a peer's
	// block may hold what this node would never accept).
	DropPolicy = "policy"
)

// Who dropped a transaction, as dropped_transactions.dropped_by says.
const (
	DroppedByReorg = "reorg"
	DroppedByMine  = "mine"
)

// DroppedTx is a transaction the node stopped holding without mining it.
type DroppedTx struct {
	pybtc.Transaction
	// Reason is one of the Drop constants; Detail says the rule and the
	// numbers in one sentence.
	Reason, Detail string
	// DroppedBy is DroppedByReorg or DroppedByMine; ForkHeight is the
	// reorganisation's fork point (meaningless for the miner's drops).
	DroppedBy  string
	ForkHeight int64
	DroppedAt  float64
}

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
		INSERT INTO dropped_transactions (
			id,
			sender,
			recipient,
			amount,
			timestamp,
			raw,
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
// reason and detail. fork is the reorganisation's fork point, if any.
func (d *dropper) drop(ctx context.Context, seq int64, t pybtc.Transaction, reason, detail, by string, fork sql.NullInt64) error {
	if _, err := d.remove.ExecContext(ctx, seq); err != nil {
		return fmt.Errorf("drop pending %s: %w", t.ID, err)
	}
	if _, err := d.record.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, string(t.Raw),
		reason, detail, by, fork, d.now); err != nil {
		return fmt.Errorf("record dropped %s: %w", t.ID, err)
	}
	return nil
}

// overdraftDetail says why t is an overdraft: balance is its sender's
// confirmed balance, ahead what the sender pays before it, which ahead
// names ("pending", "earlier in the block").
func overdraftDetail(t pybtc.Transaction, balance, ahead pybtc.Sum, what string) string {
	spendable := balance.Sub(ahead)
	if spendable.Sign() < 0 {
		spendable = pybtc.Sum{}
	}
	return fmt.Sprintf("amount %s exceeds what sender %q can spend: %s pyBTC (confirmed balance %s minus %s %s)",
		t.Amount, t.Sender, spendable, balance, ahead, what)
}

// Dropped returns up to limit dropped transactions, the latest first.
func (db *DB) Dropped(ctx context.Context, limit int) ([]DroppedTx, error) {
	var rows []struct {
		ID         string        `db:"id"`
		Sender     string        `db:"sender"`
		Recipient  string        `db:"recipient"`
		Amount     int64         `db:"amount"`
		Timestamp  float64       `db:"timestamp"`
		Raw        string        `db:"raw"`
		Reason     string        `db:"reason"`
		Detail     string        `db:"detail"`
		DroppedBy  string        `db:"dropped_by"`
		ForkHeight sql.NullInt64 `db:"fork_height"`
		DroppedAt  float64       `db:"dropped_at"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			id,
			sender,
			recipient,
			amount,
			timestamp,
			raw,
			reason,
			detail,
			dropped_by,
			fork_height,
			dropped_at
		FROM dropped_transactions
		ORDER BY seq DESC
		LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("read dropped transactions: %w", err)
	}
	dropped := make([]DroppedTx, len(rows))
	for i, r := range rows {
		dropped[i] = DroppedTx{
			Transaction: pybtc.Transaction{
				ID:        r.ID,
				Sender:    r.Sender,
				Recipient: r.Recipient,
				Amount:    pybtc.Amount(r.Amount),
				Timestamp: r.Timestamp,
				Raw:       []byte(r.Raw),
			},
			Reason:     r.Reason,
			Detail:     r.Detail,
			DroppedBy:  r.DroppedBy,
			ForkHeight: r.ForkHeight.Int64,
			DroppedAt:  r.DroppedAt,
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
