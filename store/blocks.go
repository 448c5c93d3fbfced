package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
)

// Tip returns the last block of the chain, or ENOTFOUND when the chain is
// empty (a new database before the genesis block is stored).
func (db *DB) Tip(ctx context.Context) (pybtc.ChainTip, error) {
	return tip(ctx, db.read)
}

type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// tipRow is a block's row as a chain tip snapshot.
type tipRow struct {
	Height    int64   `db:"height"`
	Hash      string  `db:"hash"`
	Nonce     int64   `db:"nonce"`
	Timestamp float64 `db:"timestamp"`
}

func (r tipRow) tip() pybtc.ChainTip {
	return pybtc.ChainTip{Height: r.Height, Hash: r.Hash, Nonce: r.Nonce, Timestamp: r.Timestamp}
}

// BlockAt returns the block at height as a tip snapshot (height, hash,
// nonce, timestamp), or ENOTFOUND: what a branch above it is checked against.
func (db *DB) BlockAt(ctx context.Context, height int64) (pybtc.ChainTip, error) {
	var row tipRow
	err := db.read.GetContext(ctx, &row, `
		SELECT
			height,
			hash,
			nonce,
			timestamp
		FROM blocks
		WHERE height = ?`, height)
	if errors.Is(err, sql.ErrNoRows) {
		return pybtc.ChainTip{}, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonBlockNotFound, pybtc.Args{Height: height})
	} else if err != nil {
		return pybtc.ChainTip{}, fmt.Errorf("read block %d: %w", height, err)
	}
	return row.tip(), nil
}

func tip(ctx context.Context, q queryer) (pybtc.ChainTip, error) {
	var row tipRow
	err := q.GetContext(ctx, &row, `
		SELECT
			height,
			hash,
			nonce,
			timestamp
		FROM blocks
		ORDER BY height DESC
		LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return pybtc.ChainTip{}, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonChainEmpty, pybtc.Args{})
	} else if err != nil {
		return pybtc.ChainTip{}, fmt.Errorf("read tip: %w", err)
	}
	return row.tip(), nil
}

// AppendBlock stores b on top of the chain and removes the block's
// transactions from the mempool, in one database transaction. It returns
// ECONFLICT, and stores nothing, when the tip is no longer the block b
// builds on (another block got there first).
func (db *DB) AppendBlock(ctx context.Context, b pybtc.Block) error {
	return db.AppendBlocks(ctx, []pybtc.Block{b})
}

// AppendBlocks stores blocks, in order, on top of the chain in one database
// transaction, as AppendBlock does for one: either all are stored or none.
// Each must link to the one before it (index and previous_hash); the store
// checks links, not proofs of work, which are consensus's.
func (db *DB) AppendBlocks(ctx context.Context, blocks []pybtc.Block) error {
	return db.AppendBlocksFrom(ctx, blocks, "")
}

// AppendBlocksFrom is AppendBlocks for blocks that came from source: "self"
// for the node's own, else the peer's URL, recorded as their arrival.
func (db *DB) AppendBlocksFrom(ctx context.Context, blocks []pybtc.Block, source string) (err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	if len(blocks) == 0 {
		return nil
	}
	committed := false
	defer db.pending.lock()(&committed)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store block %d: %w", blocks[0].Index, err)
	}
	defer tx.Rollback()
	if err := db.pending.load(ctx, tx); err != nil {
		return fmt.Errorf("store block %d: %w", blocks[0].Index, err)
	}

	cur, err := tip(ctx, tx)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		cur, err = pybtc.ChainTip{}, nil
	} else if err != nil {
		return fmt.Errorf("store block %d: %w", blocks[0].Index, err)
	}
	w, err := db.newBlockWriter(ctx, tx, source)
	if err != nil {
		return fmt.Errorf("store block %d: %w", blocks[0].Index, err)
	}
	defer w.close()
	for _, b := range blocks {
		fits := b.Index == cur.Height+1 && (b.Index == 1 || cur.Hash == b.PreviousHash)
		if !fits {
			return pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonNotOnTip, pybtc.Args{Height: b.Index, Parent: cur.Height, Hash: cur.Hash})
		}
		if err := w.write(ctx, b); err != nil {
			return fmt.Errorf("store block %d: %w", b.Index, err)
		}
		cur = pybtc.ChainTip{Height: b.Index, Hash: b.Hash, Nonce: b.Nonce, Timestamp: b.Timestamp}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store block %d: %w", blocks[0].Index, err)
	}
	committed = true
	return nil
}

// blockWriter inserts blocks inside one database transaction, with its
// statements prepared once however many blocks it writes. The caller holds
// pending's lock.
type blockWriter struct {
	insertBlock, insertTx, repeated, removePending, restamped *sql.Stmt
	arrival, leaveStale, insertMessage, messageHeight         *sql.Stmt
	pending                                                   *pendingIndex
	now                                                       float64
	source                                                    string
	// balance returns an address's confirmed balance as the write
	// transaction sees it, for rule K's overdraft check.
	balance func(ctx context.Context, address string) (pybtc.Sum, error)
}

// newBlockWriter returns a blockWriter that writes in tx and records the
// blocks' arrival, now, from source, unless source is "" (unknown).
func (db *DB) newBlockWriter(ctx context.Context, tx *sqlx.Tx, source string) (*blockWriter, error) {
	w := blockWriter{pending: &db.pending, now: db.now(), source: source}
	w.balance = func(ctx context.Context, address string) (pybtc.Sum, error) {
		return db.confirmedBalance(ctx, tx, address)
	}
	var err error
	if w.insertMessage, err = tx.PrepareContext(ctx, `
		INSERT OR IGNORE INTO signed_messages (hash, block_height, position) VALUES (?, ?, ?)`); err != nil {
		return nil, err
	}
	if w.messageHeight, err = tx.PrepareContext(ctx, `SELECT block_height FROM signed_messages WHERE hash = ?`); err != nil {
		w.close()
		return nil, err
	}
	if w.arrival, err = tx.PrepareContext(ctx, `
		INSERT OR IGNORE INTO arrivals (hash, arrived_at, source) VALUES (?, ?, ?)`); err != nil {
		w.close()
		return nil, err
	}
	// A stale block that joins the main chain (the chain switched to its
	// branch, or back to it) is no longer stale.
	if w.leaveStale, err = tx.PrepareContext(ctx, `DELETE FROM stale_blocks WHERE hash = ?`); err != nil {
		w.close()
		return nil, err
	}
	if w.insertBlock, err = tx.PrepareContext(ctx, `
		INSERT INTO blocks (
			height,
			hash,
			previous_hash,
			nonce,
			timestamp,
			tx_count,
			raw
		) VALUES (?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if w.insertTx, err = tx.PrepareContext(ctx, `
		INSERT INTO transactions (
			block_height,
			position,`+txColumns+`
		) VALUES (?, ?, ?, ?, ?, ?, ?)`); err != nil {
		w.close()
		return nil, err
	}
	if w.repeated, err = tx.PrepareContext(ctx, `
		SELECT EXISTS (
			SELECT 1 FROM transactions
			WHERE id = ?1 AND NOT (block_height = ?2 AND position = ?3)
		)`); err != nil {
		w.close()
		return nil, err
	}
	if w.removePending, err = tx.PrepareContext(ctx, `
		DELETE FROM mempool
		WHERE seq = ?
		RETURNING`+rawTxColumns); err != nil {
		w.close()
		return nil, err
	}
	if w.restamped, err = tx.PrepareContext(ctx, `
		INSERT INTO restamped_transactions (`+rawTxColumns+`,
			copy_id,
			block_height,
			position
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		w.close()
		return nil, err
	}
	return &w, nil
}

func (w *blockWriter) close() {
	for _, st := range []*sql.Stmt{w.insertBlock, w.insertTx, w.repeated, w.removePending, w.restamped, w.arrival, w.leaveStale, w.insertMessage, w.messageHeight} {
		if st != nil {
			st.Close()
		}
	}
}

// write stores the block and its transactions and takes them out of the
// mempool. A tutorial node relays transactions without their timestamp and
// stamps them itself, so the same payment has another id in its blocks than
// in this node's mempool: when no pending transaction has the id, the oldest
// pending one with the same sender, recipient and amount is taken as the
// same payment, so that it is not mined twice.
func (w *blockWriter) write(ctx context.Context, b pybtc.Block) error {
	if _, err := w.insertBlock.ExecContext(ctx, b.Index, b.Hash, b.PreviousHash, b.Nonce, b.Timestamp, len(b.Transactions), string(b.Raw)); err != nil {
		return formatError(err)
	}
	if w.source != "" {
		if _, err := w.arrival.ExecContext(ctx, b.Hash, w.now, w.source); err != nil {
			return fmt.Errorf("record arrival: %w", err)
		}
	}
	if _, err := w.leaveStale.ExecContext(ctx, b.Hash); err != nil {
		return fmt.Errorf("leave stale blocks: %w", err)
	}
	for i, t := range b.Transactions {
		message, err := w.checkKeySpend(ctx, b, i)
		if err != nil {
			return err
		}
		if _, err := w.insertTx.ExecContext(ctx, b.Index, i, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp); err != nil {
			return fmt.Errorf("transaction %d: %w", i, formatError(err))
		}
		w.pending.confirm(t.Sender, t.Recipient, int64(t.Amount))
		seq, ok := w.pending.seq(t.ID)
		if !ok && message != "" {
			// The same signed payment under another signature: the chain
			// now holds it, so the pending one can never be mined.
			seq, ok = w.pending.messageSeq(message)
		}
		restamped := false
		if !ok && t.Sender != pybtc.CoinbaseSender {
			if seq, ok = w.pending.oldestAlike(t.Sender, t.Recipient, int64(t.Amount)); ok {
				// A transaction the chain already holds, repeated, is not
				// a re-stamped copy of a pending payment: taking one out
				// would lose a payment that was acknowledged.
				var repeated bool
				if err := w.repeated.QueryRowContext(ctx, t.ID, b.Index, i).Scan(&repeated); err != nil {
					return fmt.Errorf("transaction %d: %w", i, err)
				}
				ok = !repeated
				restamped = ok
			}
		}
		if !ok {
			continue
		}
		row, err := w.remove(ctx, seq)
		if err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
		if restamped {
			// Remember under which id the block holds the payment: its
			// sender knows it by the other one.
			if _, err := w.restamped.ExecContext(ctx, row.ID, row.Sender, row.Recipient, row.Amount, row.Timestamp, row.Raw, t.ID, b.Index, i); err != nil {
				return fmt.Errorf("transaction %d: record re-stamped %s: %w", i, row.ID, err)
			}
		}
	}
	return nil
}

// checkKeySpend applies rule K's checks against the chain to transaction
// i of b, before it is written: when its sender is a key address, its
// signed message must not be in the chain yet (nor earlier in b), and its
// sender's balance, counted in chain order up to it, must cover it. It
// records the message and returns its hash ("" for other senders).
func (w *blockWriter) checkKeySpend(ctx context.Context, b pybtc.Block, i int) (string, error) {
	t := b.Transactions[i]
	message, ok, err := keyMessage(t)
	if err != nil || !ok {
		return "", err
	}
	var replayedAt int64
	res, err := w.insertMessage.ExecContext(ctx, message, b.Index, i)
	if err != nil {
		return "", fmt.Errorf("transaction %d: record signed message: %w", i, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("transaction %d: record signed message: %w", i, err)
	} else if n == 0 {
		if err := w.messageHeight.QueryRowContext(ctx, message).Scan(&replayedAt); err != nil {
			return "", fmt.Errorf("transaction %d: find signed message: %w", i, err)
		}
	}
	balance, err := w.balance(ctx, t.Sender)
	if err != nil {
		return "", fmt.Errorf("transaction %d: %w", i, err)
	}
	if err := consensus.CheckKeySpend(b.Index, b.Hash, i, t, balance, replayedAt); err != nil {
		return "", err
	}
	return message, nil
}

// keyMessage returns the hash (hex SHA-256) of t's signed message when its
// sender is a key address: the same payment, signed again, has another id
// but the same message.
func keyMessage(t pybtc.Transaction) (string, bool, error) {
	if !consensus.IsKeySpend(t) {
		return "", false, nil
	}
	if t.Message != "" {
		return t.Message, true, nil
	}
	msg, err := keys.SignedMessageOfJSON(t.Raw)
	if err != nil {
		return "", false, fmt.Errorf("signed message of %s: %w", t.ID, err)
	}
	return consensus.MessageHash(msg), true, nil
}

// remove takes the pending row seq out of the mempool and the index, and
// returns it.
func (w *blockWriter) remove(ctx context.Context, seq int64) (rawTxRow, error) {
	var row rawTxRow
	if err := w.removePending.QueryRowContext(ctx, seq).Scan(&row.ID, &row.Sender, &row.Recipient, &row.Amount, &row.Timestamp, &row.Raw); err != nil {
		return row, fmt.Errorf("remove pending %d: %w", seq, err)
	}
	w.pending.remove(seq, row.ID, row.Sender, row.Recipient, row.Amount)
	return row, nil
}

// StreamChain calls begin once with the chain's length and then each with
// the raw JSON of every block from height from (1 for the whole chain) to
// the tip, at most limit of them (0: no limit), in order, all from one snapshot: a block mined meanwhile is
// neither counted nor sent. Rows are read one at a time, so memory does not
// grow with the chain.
func (db *DB) StreamChain(ctx context.Context, from, limit int64, begin func(length int64) error, each func(raw []byte) error) error {
	// The driver watches a cancellable context on every row it steps; the
	// loop below checks ctx itself every few hundred rows instead.
	ctx, cancelled := context.WithoutCancel(ctx), ctx
	tx, err := db.beginRead(ctx)
	if err != nil {
		return fmt.Errorf("stream chain: %w", err)
	}
	defer tx.Rollback()

	var length int64
	if err := tx.GetContext(ctx, &length, `SELECT COALESCE(MAX(height), 0) FROM blocks`); err != nil {
		return fmt.Errorf("stream chain: %w", err)
	}
	if err := begin(length); err != nil {
		return err
	}
	to := length
	if limit > 0 && from+limit-1 < to {
		to = from + limit - 1
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT raw
		FROM blocks
		WHERE height BETWEEN ? AND ?
		ORDER BY height`, from, to)
	if err != nil {
		return fmt.Errorf("stream chain: %w", err)
	}
	defer rows.Close()
	var raw sql.RawBytes
	for n := 0; rows.Next(); n++ {
		if n%256 == 255 && cancelled.Err() != nil {
			return fmt.Errorf("stream chain: %w", cancelled.Err())
		}
		if err := rows.Scan(&raw); err != nil {
			return fmt.Errorf("stream chain: %w", err)
		}
		if err := each(raw); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stream chain: %w", err)
	}
	return nil
}
