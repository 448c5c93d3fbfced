package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
)

// The explorer's reads. Each answers from the indexes in time that does not
// grow with the chain: blocks by height range, transactions by block and
// position, an address's rows from its (address, block, position) indexes.

type blockRow struct {
	Height       int64   `db:"height"`
	Hash         string  `db:"hash"`
	PreviousHash string  `db:"previous_hash"`
	Nonce        int64   `db:"nonce"`
	Timestamp    float64 `db:"timestamp"`
	TxCount      int     `db:"tx_count"`
}

func (r blockRow) summary() pybtc.BlockSummary {
	return pybtc.BlockSummary{Height: r.Height, Hash: r.Hash, PreviousHash: r.PreviousHash, Nonce: r.Nonce, Timestamp: r.Timestamp, TxCount: r.TxCount}
}

const blockColumns = `
			height,
			hash,
			previous_hash,
			nonce,
			timestamp,
			tx_count`

// BlockSummaries returns up to limit blocks from height top down, newest
// first.
func (db *DB) BlockSummaries(ctx context.Context, top int64, limit int) ([]pybtc.BlockSummary, error) {
	var rows []blockRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+blockColumns+`
		FROM blocks
		WHERE height <= ?
		ORDER BY height DESC
		LIMIT ?`, top, limit); err != nil {
		return nil, fmt.Errorf("read blocks below %d: %w", top, err)
	}
	out := make([]pybtc.BlockSummary, len(rows))
	for i, r := range rows {
		out[i] = r.summary()
	}
	return out, nil
}

// BlockSummary returns the block at height, or ENOTFOUND.
func (db *DB) BlockSummary(ctx context.Context, height int64) (pybtc.BlockSummary, error) {
	b, err := db.blockWhere(ctx, "height", height)
	if errors.Is(err, sql.ErrNoRows) {
		return b, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoBlockAt, pybtc.Args{Height: height})
	} else if err != nil {
		return b, fmt.Errorf("read block %d: %w", height, err)
	}
	return b, nil
}

// BlockByHash returns the main chain's block with hash, or ENOTFOUND.
func (db *DB) BlockByHash(ctx context.Context, hash string) (pybtc.BlockSummary, error) {
	b, err := db.blockWhere(ctx, "hash", hash)
	if errors.Is(err, sql.ErrNoRows) {
		return b, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoBlockHash, pybtc.Args{Hash: hash})
	} else if err != nil {
		return b, fmt.Errorf("read block %s: %w", hash, err)
	}
	return b, nil
}

// blockWhere reads the block whose unique column (height or hash) is value.
func (db *DB) blockWhere(ctx context.Context, column string, value any) (pybtc.BlockSummary, error) {
	var row blockRow
	err := db.read.GetContext(ctx, &row, `
		SELECT`+blockColumns+`
		FROM blocks
		WHERE `+column+` = ?`, value)
	return row.summary(), err
}

type txRow struct {
	ID        string  `db:"id"`
	Sender    string  `db:"sender"`
	Recipient string  `db:"recipient"`
	Amount    int64   `db:"amount"`
	Timestamp float64 `db:"timestamp"`
	Height    int64   `db:"block_height"`
	Position  int64   `db:"position"`
	MinedAs   string  `db:"mined_as"`
}

func records(rows []txRow) []pybtc.TxRecord {
	out := make([]pybtc.TxRecord, len(rows))
	for i, r := range rows {
		out[i] = pybtc.TxRecord{
			Transaction: pybtc.Transaction{
				ID:        r.ID,
				Sender:    r.Sender,
				Recipient: r.Recipient,
				Amount:    pybtc.Amount(r.Amount),
				Timestamp: r.Timestamp,
			},
			Height:   r.Height,
			Position: r.Position,
			MinedAs:  r.MinedAs,
		}
	}
	return out
}

// BlockTransactions returns up to limit transactions of the block at
// height, in block order, skipping the first offset.
func (db *DB) BlockTransactions(ctx context.Context, height int64, offset, limit int) ([]pybtc.TxRecord, error) {
	var rows []txRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			id,
			sender,
			recipient,
			amount,
			timestamp,
			block_height,
			position
		FROM transactions
		WHERE block_height = ? AND position >= ?
		ORDER BY position
		LIMIT ?`, height, offset, limit); err != nil {
		return nil, fmt.Errorf("read transactions of block %d: %w", height, err)
	}
	return records(rows), nil
}

// FindTransaction returns every place the transaction id is kept: the
// blocks that hold it, newest first (the tutorial's rules let an id repeat;
// a block that holds it re-stamped, under another id, counts, with MinedAs
// set), then the mempool. ENOTFOUND when it is nowhere.
func (db *DB) FindTransaction(ctx context.Context, id string) ([]pybtc.TxRecord, error) {
	// The mempool has no index on ids: the seq comes from the writer's
	// published ids, taken before the read (see publishedIDs).
	seq, pending := db.pending.publishedSeq(id)
	if !pending {
		seq = -1
	}
	var rows []txRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT * FROM (
			SELECT`+txColumns+`,
				block_height,
				position,
				'' AS mined_as
			FROM transactions
			WHERE id = ?1
			UNION ALL
			SELECT`+txColumns+`,
				block_height,
				position,
				copy_id
			FROM restamped_transactions
			WHERE id = ?1
			ORDER BY block_height DESC
			LIMIT 100
		)
		UNION ALL
		SELECT`+txColumns+`,
			0,
			seq,
			''
		FROM mempool
		WHERE seq = ?2 AND id = ?1`, id, seq); err != nil {
		return nil, fmt.Errorf("find transaction %s: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoTransaction, pybtc.Args{ID: id})
	}
	return records(rows), nil
}

// AddressInfo sums up address: confirmed received and sent, pending in
// and out, and how many transactions name it. An address never seen has
// zeros everywhere (see AddressInfo.Seen).
//
// Summing an address's history costs as much as the history is long (the
// miner's address may have received 100,000 coinbases: 20 ms), so the
// chain's part of the last addresses read is kept as of a block, and read
// again only from the blocks after it while that block is still in the
// chain; a reorganisation that removed it makes the sums start over.
func (db *DB) AddressInfo(ctx context.Context, address string) (pybtc.AddressInfo, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return pybtc.AddressInfo{}, fmt.Errorf("sum up address %q: %w", address, err)
	}
	defer tx.Rollback()
	chain, err := db.addressChainSums(ctx, tx, address)
	if err != nil {
		return pybtc.AddressInfo{}, fmt.Errorf("sum up address %q: %w", address, err)
	}
	// The mempool is small (every block empties it), so its recipients
	// need no index.
	var pending struct {
		ReceivedHigh int64 `db:"pending_received_high"`
		ReceivedLow  int64 `db:"pending_received_low"`
		SentHigh     int64 `db:"pending_sent_high"`
		SentLow      int64 `db:"pending_sent_low"`
		N            int64 `db:"pending"`
	}
	if err := tx.GetContext(ctx, &pending, `
		SELECT
			`+splitSum("CASE WHEN recipient = ?1 THEN amount END", "pending_received")+`,
			`+splitSum("CASE WHEN sender = ?1 THEN amount END", "pending_sent")+`,
			COUNT(*) AS pending
		FROM mempool
		WHERE sender = ?1 OR recipient = ?1`, address); err != nil {
		return pybtc.AddressInfo{}, fmt.Errorf("sum up address %q: %w", address, err)
	}
	return pybtc.AddressInfo{
		Balance:         pybtc.Balance{Address: address, Received: chain.sums.received(), Sent: chain.sums.sent()},
		PendingReceived: pybtc.SumOfParts(pending.ReceivedHigh, pending.ReceivedLow),
		PendingSent:     pybtc.SumOfParts(pending.SentHigh, pending.SentLow),
		Confirmed:       chain.receipts + chain.payments - chain.toSelf,
		Pending:         pending.N,
	}, nil
}

// addressTotals is the chain's part of an address's sums up to the block
// height (hash).
type addressTotals struct {
	height                     int64
	hash                       string
	sums                       addressSums
	receipts, payments, toSelf int64
}

// addressCache keeps the addressTotals of the addresses read last, at most
// maxCachedAddresses of them. Readers share it.
type addressCache struct {
	mu sync.Mutex
	m  map[string]addressTotals
}

// maxCachedAddresses bounds the addresses whose sums are kept; past it they
// are all dropped and summed again as they are read.
const maxCachedAddresses = 1024

func (c *addressCache) get(address string) (addressTotals, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[address]
	return t, ok
}

func (c *addressCache) put(address string, t addressTotals) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedAddresses {
		c.m = make(map[string]addressTotals)
	}
	if old, ok := c.m[address]; !ok || old.height <= t.height {
		c.m[address] = t
	}
}

// addressChainSums returns the chain's part of address's sums as the read
// transaction tx sees the chain, from the kept sums and the blocks after
// them when the block they were kept at is still in the chain.
func (db *DB) addressChainSums(ctx context.Context, tx *sqlx.Tx, address string) (addressTotals, error) {
	top, err := tip(ctx, tx)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return addressTotals{}, nil
	} else if err != nil {
		return addressTotals{}, err
	}
	base, ok := db.addresses.get(address)
	if ok && base.height <= top.Height {
		var hash string
		err := tx.GetContext(ctx, &hash, `SELECT hash FROM blocks WHERE height = ?`, base.height)
		ok = err == nil && hash == base.hash
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return addressTotals{}, err
		}
	}
	if !ok || base.height > top.Height {
		base = addressTotals{}
	}
	var d struct {
		addressSums
		Receipts int64 `db:"receipts"`
		Payments int64 `db:"payments"`
	}
	if base.height < top.Height {
		// Both read only the address's rows above the height, from the
		// covering indexes (address, block_height, position, amount).
		if err := tx.GetContext(ctx, &d, `
			SELECT r.received_high, r.received_low, r.receipts, s.sent_high, s.sent_low, s.payments
			FROM
				(SELECT `+splitSum("amount", "received")+`, COUNT(*) AS receipts
				FROM transactions INDEXED BY transactions_recipient
				WHERE recipient = ?1 AND block_height > ?2) AS r,
				(SELECT `+splitSum("amount", "sent")+`, COUNT(*) AS payments
				FROM transactions INDEXED BY transactions_sender
				WHERE sender = ?1 AND block_height > ?2) AS s`, address, base.height); err != nil {
			return addressTotals{}, err
		}
	}
	// A payment to itself is both a receipt and a payment. Counting those
	// reads the rows of the shorter side only: a miner has thousands of
	// receipts and often no payment at all.
	var toSelf int64
	if d.Receipts > 0 && d.Payments > 0 {
		index := "transactions_sender"
		if d.Receipts < d.Payments {
			index = "transactions_recipient"
		}
		if err := tx.GetContext(ctx, &toSelf, `
			SELECT COUNT(*)
			FROM transactions INDEXED BY `+index+`
			WHERE sender = ?1 AND recipient = ?1 AND block_height > ?2`, address, base.height); err != nil {
			return addressTotals{}, err
		}
	}
	t := addressTotals{
		height: top.Height,
		hash:   top.Hash,
		sums: addressSums{
			ReceivedHigh: base.sums.ReceivedHigh + d.ReceivedHigh,
			ReceivedLow:  base.sums.ReceivedLow + d.ReceivedLow,
			SentHigh:     base.sums.SentHigh + d.SentHigh,
			SentLow:      base.sums.SentLow + d.SentLow,
		},
		receipts: base.receipts + d.Receipts,
		payments: base.payments + d.Payments,
		toSelf:   base.toSelf + toSelf,
	}
	db.addresses.put(address, t)
	return t, nil
}

// AddressHistory returns up to limit transactions that name address, newest
// first: its pending ones (latest arrival first), then its confirmed ones
// from the tip down; offset skips that many of this list. A transaction
// to itself is listed once.
func (db *DB) AddressHistory(ctx context.Context, address string, offset, limit int) ([]pybtc.TxRecord, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("history of %q: %w", address, err)
	}
	defer tx.Rollback()

	var pending []txRow
	if err := tx.SelectContext(ctx, &pending, `
		SELECT
			id,
			sender,
			recipient,
			amount,
			timestamp,
			0 AS block_height,
			seq AS position
		FROM mempool
		WHERE sender = ?1 OR recipient = ?1
		ORDER BY seq DESC
		LIMIT ?2 OFFSET ?3`, address, limit, offset); err != nil {
		return nil, fmt.Errorf("pending history of %q: %w", address, err)
	}
	out := records(pending)
	if len(out) == limit {
		return out, nil
	}
	// Skip what the pending part took of the offset.
	var npending int
	if err := tx.GetContext(ctx, &npending, `
		SELECT COUNT(*) FROM mempool WHERE sender = ?1 OR recipient = ?1`, address); err != nil {
		return nil, fmt.Errorf("pending history of %q: %w", address, err)
	}
	confirmedOffset := max(offset-npending, 0)

	// Both sides come from an index already in (block, position) order,
	// so UNION merges them, dropping the doubles of transactions to self,
	// and stops after the page.
	var confirmed []txRow
	if err := tx.SelectContext(ctx, &confirmed, `
		SELECT
			t.id,
			t.sender,
			t.recipient,
			t.amount,
			t.timestamp,
			t.block_height,
			t.position
		FROM (
			SELECT block_height, position FROM transactions WHERE sender = ?1
			UNION
			SELECT block_height, position FROM transactions WHERE recipient = ?1
			ORDER BY block_height DESC, position DESC
			LIMIT ?2 OFFSET ?3
		) AS page
		JOIN transactions AS t USING (block_height, position)
		ORDER BY t.block_height DESC, t.position DESC`, address, limit-len(out), confirmedOffset); err != nil {
		return nil, fmt.Errorf("history of %q: %w", address, err)
	}
	return append(out, records(confirmed)...), nil
}

// Mempool returns up to limit pending transactions in arrival order,
// skipping the first offset.
func (db *DB) Mempool(ctx context.Context, offset, limit int) ([]pybtc.TxRecord, error) {
	var rows []txRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			id,
			sender,
			recipient,
			amount,
			timestamp,
			0 AS block_height,
			seq AS position
		FROM mempool
		ORDER BY seq
		LIMIT ? OFFSET ?`, limit, offset); err != nil {
		return nil, fmt.Errorf("read mempool: %w", err)
	}
	return records(rows), nil
}

// MatchPrefix returns up to limit blocks and transactions (confirmed or
// pending) whose hash or id starts with prefix, a run of lowercase hex
// digits.
func (db *DB) MatchPrefix(ctx context.Context, prefix string, limit int) ([]pybtc.SearchMatch, error) {
	// A range on an indexed column finds the prefix without a scan: every
	// hash and id is lowercase hex, and "g" sorts after every hex digit.
	// Pending ids come from the writer's published ids: the mempool has
	// no index on them.
	pending := db.pending.publishedWithPrefix(prefix, limit)
	var out []pybtc.SearchMatch
	if err := db.read.SelectContext(ctx, &out, `
		SELECT 'block' AS kind, hash AS id FROM (
			SELECT hash FROM blocks WHERE hash >= ?1 AND hash < ?1 || 'g' LIMIT ?2)
		UNION
		SELECT 'transaction', id FROM (
			SELECT id FROM transactions WHERE id >= ?1 AND id < ?1 || 'g' LIMIT ?2)
		LIMIT ?2`, prefix, limit); err != nil {
		return nil, fmt.Errorf("match prefix %s: %w", prefix, err)
	}
	for _, id := range pending {
		m := pybtc.SearchMatch{Kind: "transaction", ID: id}
		if len(out) < limit && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}
