package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// ReplaceChain switches to another branch in one database transaction: it
// removes the blocks above height fork (0 replaces the whole chain, genesis
// included), stores blocks in their place, and repairs the mempool.
// Pending transactions that the new blocks contain leave it. Transactions
// of the removed blocks that the new blocks do not contain go back to the
// mempool (coinbases are dropped) only if they pass policy on the new
// chain, in their old order: the field rules of a new transaction, the
// balance check (counting what their senders have pending, earlier
// restored ones included) and the mempool's cap. The others are recorded
// in dropped_transactions with their reason. blocks[0] must have index
// fork+1 and build on the block at fork. A crash at any moment leaves
// either the old chain or the new one. ECONFLICT when blocks do not fit.
//
// The removed blocks become stale blocks, with their transactions, and
// the reorganisation is recorded (reorgs), in the same transaction.
func (db *DB) ReplaceChain(ctx context.Context, fork int64, blocks []pybtc.Block, policy consensus.MempoolPolicy) error {
	return db.ReplaceChainFrom(ctx, fork, blocks, policy, "")
}

// ReplaceChainFrom is ReplaceChain for blocks that came from source (a
// peer's URL), which the arrivals and the reorganisation record.
func (db *DB) ReplaceChainFrom(ctx context.Context, fork int64, blocks []pybtc.Block, policy consensus.MempoolPolicy, source string) error {
	if len(blocks) == 0 {
		return db.noteWrite(pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonReorgEmpty, pybtc.Args{Height: fork}), addsRows)
	}
	return db.replaceChain(ctx, fork, policy, source, func(context.Context, *sqlx.Tx) (int, func(int) (pybtc.Block, error), error) {
		return len(blocks), func(i int) (pybtc.Block, error) { return blocks[i], nil }, nil
	})
}

// SwitchToStale is ReplaceChainFrom for a branch stored as stale blocks
// (AddStaleBlocks) from above fork up to the block tipHash: the blocks are
// read back one at a time, so the memory a switch takes does not grow
// with the branch, and leave the stale tables for the main chain.
// ECONFLICT when a block of the branch is no longer stored.
func (db *DB) SwitchToStale(ctx context.Context, fork int64, tipHash string, policy consensus.MempoolPolicy, source string) error {
	return db.replaceChain(ctx, fork, policy, source, func(ctx context.Context, tx *sqlx.Tx) (int, func(int) (pybtc.Block, error), error) {
		hashes, err := staleBranch(ctx, tx, fork, tipHash)
		if err != nil {
			return 0, nil, err
		}
		return len(hashes), func(i int) (pybtc.Block, error) { return staleBlock(ctx, tx, hashes[i]) }, nil
	})
}

// branchReader gives the blocks of the new branch: their count and each by
// its place, lowest first.
type branchReader func(ctx context.Context, tx *sqlx.Tx) (n int, at func(int) (pybtc.Block, error), _ error)

func (db *DB) replaceChain(ctx context.Context, fork int64, policy consensus.MempoolPolicy, source string, branch branchReader) (err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
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
	count, blockAt, err := branch(ctx, tx)
	if err != nil {
		return err
	}
	if count == 0 {
		return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonReorgEmpty, pybtc.Args{Height: fork})
	}

	var base pybtc.ChainTip
	if fork > 0 {
		if err := tx.GetContext(ctx, &base.Hash, `SELECT hash FROM blocks WHERE height = ?`, fork); err != nil {
			return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonNoForkBlock, pybtc.Args{Height: fork})
		}
		base.Height = fork
	}
	first, err := blockAt(0)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	if first.Index != fork+1 || (fork > 0 && first.PreviousHash != base.Hash) {
		return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonNotLinked, pybtc.Args{Height: first.Index, Parent: fork})
	}
	oldTip, err := tip(ctx, tx)
	if err != nil && pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}

	orphaned, err := orphansAbove(ctx, tx, fork)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	removed, err := moveToStale(ctx, tx, fork)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE height > ?`, fork); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	db.pending.forgetBalances()

	// Orphaned transactions go back to the mempool in their old order
	// first, and the new branch's blocks then take out those they hold,
	// by id or as a re-stamped copy (see blockWriter.write): a payment this
	// node mined that a tutorial peer's branch holds re-stamped must leave,
	// or it would be mined twice. Only what is left is checked against
	// policy, once the new chain is in place.
	restored, err := db.restoreOrphans(ctx, tx, fork, orphaned)
	if err != nil {
		return err
	}

	w, err := db.newBlockWriter(ctx, tx, source)
	if err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	defer w.close()
	prev := base.Hash
	added := make([]string, 0, count)
	var last pybtc.Block
	for i := range count {
		b := first
		if i > 0 {
			if b, err = blockAt(i); err != nil {
				return fmt.Errorf("replace chain above %d: %w", fork, err)
			}
			if b.Index != last.Index+1 || b.PreviousHash != prev {
				return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonNotLinked, pybtc.Args{Height: b.Index, Parent: last.Index})
			}
		}
		if err := w.write(ctx, b); err != nil {
			return fmt.Errorf("replace chain: store block %d: %w", b.Index, err)
		}
		prev = b.Hash
		added = append(added, b.Hash)
		last = pybtc.Block{Index: b.Index, Hash: b.Hash, Nonce: b.Nonce, Timestamp: b.Timestamp}
	}

	returned, dropped, err := db.reviewRestored(ctx, tx, fork, restored, policy)
	if err != nil {
		return err
	}
	if len(removed) > 0 {
		if err := recordReorg(ctx, tx, reorgRecord{
			fork: fork, oldTip: oldTip, newTip: consensus.TipOf(last),
			removed: removed, added: added, peer: source,
			returned: returned, dropped: dropped, at: db.now(),
		}); err != nil {
			return err
		}
	}
	if err := db.pruneStale(ctx, tx); err != nil {
		return err
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	committed = true
	return nil
}

// orphansAbove returns the transactions of the blocks above height fork,
// coinbases left out, in chain order: what goes back to the mempool when
// those blocks are removed. A copy that a block holds of a payment this
// node had pending under another id (restamped_transactions) comes back
// as that payment, under the id its sender was given.
func orphansAbove(ctx context.Context, tx *sqlx.Tx, fork int64) ([]pybtc.Transaction, error) {
	var blocks []struct {
		Height int64  `db:"height"`
		Raw    string `db:"raw"`
	}
	if err := tx.SelectContext(ctx, &blocks, `SELECT height, raw FROM blocks WHERE height > ? ORDER BY height`, fork); err != nil {
		return nil, fmt.Errorf("read removed blocks: %w", err)
	}
	var copies []struct {
		Height   int64 `db:"block_height"`
		Position int   `db:"position"`
		rawTxRow
	}
	if err := tx.SelectContext(ctx, &copies, `
		SELECT
			block_height,
			position,`+rawTxColumns+`
		FROM restamped_transactions
		WHERE block_height > ?`, fork); err != nil {
		return nil, fmt.Errorf("read re-stamped payments: %w", err)
	}
	type place struct {
		height int64
		pos    int
	}
	originals := make(map[place]pybtc.Transaction, len(copies))
	for _, c := range copies {
		originals[place{c.Height, c.Position}] = c.transaction()
	}
	var orphaned []pybtc.Transaction
	for _, b := range blocks {
		txs, err := consensus.StoredTransactions([]byte(b.Raw))
		if err != nil {
			return nil, fmt.Errorf("stored block %d: %w", b.Height, err)
		}
		for i, t := range txs {
			if original, ok := originals[place{b.Height, i}]; ok {
				t = original
			}
			if t.Sender != pybtc.CoinbaseSender {
				orphaned = append(orphaned, t)
			}
		}
	}
	return orphaned, nil
}

// restoredTx is an orphaned transaction put back in the mempool as row seq.
type restoredTx struct {
	seq int64
	tx  pybtc.Transaction
}

// restoreOrphans inserts orphaned into the mempool, in order, unless their
// id is pending or in the chain, and returns what it inserted.
func (db *DB) restoreOrphans(ctx context.Context, tx *sqlx.Tx, fork int64, orphaned []pybtc.Transaction) ([]restoredTx, error) {
	restore := tx.StmtxContext(ctx, db.stmts.insertPending)
	defer restore.Close()
	now := db.now()
	restored := make([]restoredTx, 0, len(orphaned))
	for _, t := range orphaned {
		if _, pending := db.pending.seq(t.ID); pending {
			continue
		}
		if message, ok, err := keyMessage(t); err != nil {
			return nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		} else if _, pending := db.pending.messageSeq(message); ok && pending {
			continue
		}
		res, err := restore.ExecContext(ctx, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp, now, string(t.Raw))
		if err != nil {
			return nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		} else if n == 0 {
			continue
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		if err := db.pending.addTransaction(seq, t); err != nil {
			return nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		restored = append(restored, restoredTx{seq, t})
	}
	return restored, nil
}

// restoredPolicy applies the policy on new transactions to t, put back by
// a reorganisation: the field rules and, unless overdrafts are allowed,
// the balance on the new chain minus what the sender has pending.
func (db *DB) restoredPolicy(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction, policy consensus.MempoolPolicy) (*pybtc.Error, error) {
	if err := consensus.CheckPolicy(t.Raw); err != nil {
		why, ok := pybtc.AsError(err)
		if !ok {
			return nil, err
		}
		return why, nil
	}
	// Rule K: a key address never overdraws, whatever the policy.
	if policy.AllowOverdraft && !consensus.IsKeySpend(t) {
		return nil, nil
	}
	balance, err := db.confirmedBalance(ctx, tx, t.Sender)
	if err != nil {
		return nil, err
	}
	if pending := db.pending.pending(t.Sender); pybtc.SumOf(t.Amount).Cmp(balance.Sub(pending)) > 0 {
		return pybtc.Overdraft(pybtc.ReasonOverdraft, t.Sender, t.Amount, balance, pending), nil
	}
	return nil, nil
}

// pendingCopy refuses a restored transaction t when the same payment is
// pending under another id: the oldest pending one with t's sender,
// recipient and amount, stamped within copyWindowSeconds. A
// reorganisation can restore both a payment and a tutorial node's copy of
// it (from blocks of both), or restore one while the other waits; kept,
// both would be mined. The one pending first stays.
func (db *DB) pendingCopy(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction) (*pybtc.Error, error) {
	seq, ok := db.pending.oldestAlike(t.Sender, t.Recipient, int64(t.Amount))
	if !ok {
		return nil, nil
	}
	var other struct {
		ID        string  `db:"id"`
		Timestamp float64 `db:"timestamp"`
	}
	if err := tx.GetContext(ctx, &other, `SELECT id, timestamp FROM mempool WHERE seq = ?`, seq); err != nil {
		return nil, fmt.Errorf("read pending %d: %w", seq, err)
	}
	if other.ID == t.ID || math.Abs(other.Timestamp-t.Timestamp) > copyWindowSeconds {
		return nil, nil
	}
	return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonPendingCopy, pybtc.Args{ID: t.ID, Hash: other.ID}), nil
}

// copyWindowSeconds is how far apart in time a payment and a copy of it
// are stamped: a tutorial node stamps a relayed payment when it arrives.
const copyWindowSeconds = 60

// restampedCopy refuses a restored transaction t when the chain already
// holds the same payment under another id: the same sender, recipient and
// amount, stamped within copyWindowSeconds. A tutorial node's block holds
// a copy of a relayed payment stamped anew; when the chain holds one of
// the two and a reorganisation restores the other, restoring it would pay
// twice. Two payments alike within a minute are rare, and the refused one
// is recorded with its reason.
func restampedCopy(ctx context.Context, tx *sqlx.Tx, t pybtc.Transaction) (*pybtc.Error, error) {
	var held struct {
		ID     string `db:"id"`
		Height int64  `db:"block_height"`
	}
	err := tx.GetContext(ctx, &held, `
		SELECT
			id,
			block_height
		FROM transactions
		WHERE sender = ? AND recipient = ? AND amount = ? AND id <> ?
			AND abs(timestamp - ?) <= ?
		LIMIT 1`, t.Sender, t.Recipient, int64(t.Amount), t.ID, t.Timestamp, copyWindowSeconds)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonRestampedCopy, pybtc.Args{ID: t.ID, Hash: held.ID, Height: held.Height}), nil
}

// reviewRestored applies policy, on the new chain, to the restored
// transactions the new blocks left pending, in their old order, as if each
// were posted again after what was pending before the reorganisation: the
// field rules, the balance check against the new chain minus what the
// sender has pending (the mempool's and earlier restored ones), and the
// cap. Those that fail leave the mempool and are recorded with their
// reason. A hostile peer's branch cannot so fill the mempool past its cap,
// nor this node's blocks with payments nobody can cover.
//
// It returns the ids of those that stay (returned to the mempool) and of
// those dropped, with their rows in dropped_transactions.
func (db *DB) reviewRestored(ctx context.Context, tx *sqlx.Tx, fork int64, restored []restoredTx, policy consensus.MempoolPolicy) (returned []string, dropped []droppedRef, err error) {
	// Take the survivors out of the index: each is added back once it
	// passes, so the sums and the count are what is ahead of the next.
	// They were inserted last and are added back in order, so their seqs
	// stay above every other pending one.
	survivors := restored[:0]
	for _, r := range restored {
		if seq, ok := db.pending.seq(r.tx.ID); ok && seq == r.seq {
			db.pending.remove(r.seq, r.tx.ID, r.tx.Sender, r.tx.Recipient, int64(r.tx.Amount))
			survivors = append(survivors, r)
		}
	}
	if len(survivors) == 0 {
		return nil, nil, nil
	}
	d, err := newDropper(ctx, tx, db.now())
	if err != nil {
		return nil, nil, fmt.Errorf("replace chain above %d: %w", fork, err)
	}
	defer d.close()
	forkHeight := sql.NullInt64{Int64: fork, Valid: true}
	for _, r := range survivors {
		t := r.tx
		var why *pybtc.Error
		var err error
		// A signed payment is never a tutorial node's re-stamped copy: its
		// copies are the same signed message, which the new chain's blocks
		// took out of the mempool as they were written.
		if !consensus.IsKeySpend(t) {
			why, err = restampedCopy(ctx, tx, t)
			if err == nil && why == nil {
				why, err = db.pendingCopy(ctx, tx, t)
			}
		}
		if err == nil && why == nil {
			why, err = db.restoredPolicy(ctx, tx, t, policy)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
		}
		if why == nil && policy.MaxPending > 0 && int64(len(db.pending.ids)) >= policy.MaxPending {
			why = pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonMempoolCap, pybtc.Args{Limit: policy.MaxPending})
		}
		if why == nil {
			if err := db.pending.addTransaction(r.seq, t); err != nil {
				return nil, nil, fmt.Errorf("replace chain above %d: restore %s: %w", fork, t.ID, err)
			}
			returned = append(returned, t.ID)
			continue
		}
		seq, err := d.drop(ctx, r.seq, t, why, pybtc.DroppedByReorg, forkHeight)
		if err != nil {
			return nil, nil, fmt.Errorf("replace chain above %d: %w", fork, err)
		}
		dropped = append(dropped, droppedRef{t.ID, seq})
	}
	return returned, dropped, nil
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
