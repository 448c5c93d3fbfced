package store

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// ReplaceChain switches to another branch in one database transaction: it
// removes the blocks above height fork (0 replaces the whole chain, genesis
// included), stores blocks in their place, and repairs the mempool.
// Transactions of the removed blocks that the new blocks do not contain go
// back to the mempool (coinbases are dropped); pending transactions that the
// new blocks contain leave it. blocks[0] must have index fork+1 and build on
// the block at fork. A crash at any moment leaves either the old chain or
// the new one. ECONFLICT when blocks do not fit.
func (db *DB) ReplaceChain(ctx context.Context, fork int64, blocks []pybtc.Block) (err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	if len(blocks) == 0 {
		return pybtc.Errorf(pybtc.ECONFLICT, "No blocks to replace the chain above %d with.", fork)
	}
	committed := false
	defer db.pending.lock()(&committed)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	defer tx.Rollback()
	if err := db.pending.load(ctx, tx); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}

	var base pybtc.ChainTip
	if fork > 0 {
		if err := tx.GetContext(ctx, &base.Hash, `SELECT hash FROM blocks WHERE height = ?`, fork); err != nil {
			return pybtc.Errorf(pybtc.ECONFLICT, "No block %d to fork from.", fork)
		}
		base.Height = fork
	}
	if blocks[0].Index != fork+1 || (fork > 0 && blocks[0].PreviousHash != base.Hash) {
		return pybtc.Errorf(pybtc.ECONFLICT, "Block %d does not build on block %d.", blocks[0].Index, fork)
	}

	// Read what the removed blocks carried before removing them.
	var raws []string
	if err := tx.SelectContext(ctx, &raws, `SELECT raw FROM blocks WHERE height > ? ORDER BY height`, fork); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	var orphaned []pybtc.Transaction
	for _, raw := range raws {
		txs, err := consensus.StoredTransactions([]byte(raw))
		if err != nil {
			return fmt.Errorf("replace chain above %d: stored block: %w", fork, err)
		}
		for _, t := range txs {
			if t.Sender != pybtc.CoinbaseSender {
				orphaned = append(orphaned, t)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE height > ?`, fork); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	db.pending.forgetBalances()

	// Orphaned transactions go back to the mempool in their old order
	// first, and the new branch's blocks then take out those they hold,
	// by id or as a re-stamped copy (see blockWriter.write): a payment this
	// node mined that a tutorial peer's branch holds re-stamped must leave,
	// or it would be mined twice.
	restore := tx.StmtxContext(ctx, db.stmts.insertPending)
	defer restore.Close()
	now := db.now()
	for _, t := range orphaned {
		if _, pending := db.pending.seq(t.ID); pending {
			continue
		}
		// No balance check: they were valid when first accepted.
		res, err := restore.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, now, string(t.Raw))
		if err != nil {
			return fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		} else if n == 0 {
			continue
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		db.pending.add(seq, t.ID, t.Sender, t.Recipient, int64(t.Amount))
	}

	w, err := newBlockWriter(ctx, tx, &db.pending)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	defer w.close()
	prev := base.Hash
	for i, b := range blocks {
		if i > 0 && (b.Index != blocks[i-1].Index+1 || b.PreviousHash != prev) {
			return pybtc.Errorf(pybtc.ECONFLICT, "Block %d does not build on block %d.", b.Index, blocks[i-1].Index)
		}
		if err := w.write(ctx, b); err != nil {
			return fmt.Errorf("replace chain: store block %d: %w", b.Index, err)
		}
		prev = b.Hash
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	committed = true
	return nil
}

// Hashes returns the hashes of the blocks from height from to height to
// (inclusive), keyed by height; heights beyond the tip are absent.
func (db *DB) Hashes(ctx context.Context, from, to int64) (map[int64]string, error) {
	var rows []struct {
		Height int64  `db:"height"`
		Hash   string `db:"hash"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			height,
			hash
		FROM blocks
		WHERE height BETWEEN ? AND ?`, from, to); err != nil {
		return nil, fmt.Errorf("read hashes %d-%d: %w", from, to, err)
	}
	hashes := make(map[int64]string, len(rows))
	for _, r := range rows {
		hashes[r.Height] = r.Hash
	}
	return hashes, nil
}
