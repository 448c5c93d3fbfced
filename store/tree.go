package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// Bounds of the block tree kept beside the main chain (SPEC §10).
const (
	// MaxStaleBlocks is the most stale blocks kept; beyond it the oldest
	// are forgotten, those deeper than StaleKeepDepth below the tip first.
	MaxStaleBlocks = 10_000
	// StaleKeepDepth is how deep below the tip stale blocks are kept
	// before any nearer the tip is forgotten.
	StaleKeepDepth = 1_000
	// MaxRefusedBlocks is how many refused blocks are remembered.
	MaxRefusedBlocks = 1_000
	// StaleGraceSeconds is how long a stale block is safe from pruning
	// after it arrived: a branch being fetched is stored as it streams,
	// and pruning its first blocks while a sync still fetches the rest
	// would leave it unable to win. A sync with one peer lasts at most
	// its deadline (--sync-timeout, a minute by default).
	StaleGraceSeconds = 600
)

// minerOf returns the recipient of b's coinbase, its last transaction.
func minerOf(b pybtc.Block) string {
	if n := len(b.Transactions); n > 0 && b.Transactions[n-1].Sender == pybtc.CoinbaseSender {
		return b.Transactions[n-1].Recipient
	}
	return ""
}

// staleWriter writes blocks of a competing branch into the stale tables
// inside one write transaction.
type staleWriter struct {
	arrival, block, tx *sql.Stmt
}

func newStaleWriter(ctx context.Context, tx *sqlx.Tx) (*staleWriter, error) {
	var w staleWriter
	var err error
	if w.arrival, err = tx.PrepareContext(ctx, `
		INSERT OR IGNORE INTO arrivals (hash, arrived_at, source) VALUES (?, ?, ?)`); err != nil {
		return nil, err
	}
	// A block the main chain holds is not stale; one already stored is
	// kept as it is.
	if w.block, err = tx.PrepareContext(ctx, `
		INSERT OR IGNORE INTO stale_blocks (`+staleBlockColumns+`)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, a.arrived_at, a.source
		FROM arrivals a
		WHERE a.hash = ?1 AND NOT EXISTS (SELECT 1 FROM blocks WHERE hash = ?1)`); err != nil {
		w.close()
		return nil, err
	}
	if w.tx, err = tx.PrepareContext(ctx, `
		INSERT INTO stale_transactions (
			block_hash,
			position,`+txColumns+`
		) VALUES (?, ?, ?, ?, ?, ?, ?)`); err != nil {
		w.close()
		return nil, err
	}
	return &w, nil
}

func (w *staleWriter) close() {
	for _, st := range []*sql.Stmt{w.arrival, w.block, w.tx} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *staleWriter) write(ctx context.Context, b pybtc.Block, at float64, source string) error {
	if _, err := w.arrival.ExecContext(ctx, b.Hash, at, source); err != nil {
		return fmt.Errorf("record arrival of %s: %w", b.Hash, err)
	}
	res, err := w.block.ExecContext(ctx, b.Hash, b.Index, b.PreviousHash, b.Nonce, b.Timestamp, len(b.Transactions), string(b.Raw), minerOf(b))
	if err != nil {
		return fmt.Errorf("store stale block %d: %w", b.Index, formatError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	for i, t := range b.Transactions {
		if _, err := w.tx.ExecContext(ctx, b.Hash, i, t.ID, t.Sender, t.Recipient, int64(t.Amount), t.Timestamp); err != nil {
			return fmt.Errorf("store stale block %d: transaction %d: %w", b.Index, i, formatError(err))
		}
	}
	return nil
}

// AddStaleBlocks stores blocks of a competing branch as stale blocks, as
// they arrive from source, in one commit: a branch being fetched lives on
// disk, not in memory, until it wins (SwitchToStale). Blocks the main
// chain or the stale tables hold already are skipped.
func (db *DB) AddStaleBlocks(ctx context.Context, source string, blocks []pybtc.Block) (err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	if len(blocks) == 0 {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store stale block %d: %w", blocks[0].Index, err)
	}
	defer tx.Rollback()
	w, err := newStaleWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("store stale block %d: %w", blocks[0].Index, err)
	}
	defer w.close()
	now := db.now()
	for _, b := range blocks {
		if err := w.write(ctx, b, now, source); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store stale block %d: %w", blocks[0].Index, err)
	}
	return nil
}

// PruneStale forgets the oldest stale blocks beyond MaxStaleBlocks,
// those deeper than StaleKeepDepth below the tip first.
func (db *DB) PruneStale(ctx context.Context) (err error) {
	// Most syncs store no stale block: ask a reader before taking the
	// writer.
	var n int64
	if err := db.read.GetContext(ctx, &n, `SELECT COUNT(*) FROM stale_blocks`); err != nil {
		return fmt.Errorf("prune stale blocks: %w", err)
	}
	if n <= MaxStaleBlocks {
		return nil
	}
	defer func() { err = db.noteWrite(storageError(err), changesRows) }()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("prune stale blocks: %w", err)
	}
	defer tx.Rollback()
	if err := db.pruneStale(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("prune stale blocks: %w", err)
	}
	return nil
}

func (db *DB) pruneStale(ctx context.Context, tx *sqlx.Tx) error {
	var n int64
	if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM stale_blocks`); err != nil {
		return fmt.Errorf("prune stale blocks: %w", err)
	}
	if n <= MaxStaleBlocks {
		return nil
	}
	// Blocks that arrived within the grace may belong to a branch still
	// being fetched: they stay, even past the bound, until it is over.
	graceStart := db.now() - StaleGraceSeconds
	var forgotten []string
	if err := tx.SelectContext(ctx, &forgotten, `
		DELETE FROM stale_blocks
		WHERE seq IN (
			SELECT seq
			FROM stale_blocks
			WHERE arrived_at < ?
			ORDER BY height > (SELECT COALESCE(MAX(height), 0) FROM blocks) - ?, seq
			LIMIT ?
		)
		RETURNING hash`, graceStart, StaleKeepDepth, n-MaxStaleBlocks); err != nil {
		return fmt.Errorf("prune stale blocks: %w", err)
	}
	for _, h := range forgotten {
		if _, err := tx.ExecContext(ctx, `DELETE FROM arrivals WHERE hash = ?`, h); err != nil {
			return fmt.Errorf("prune stale blocks: %w", err)
		}
	}
	return nil
}

// staleBlockColumns are the columns of stale_blocks a block is stored in.
const staleBlockColumns = `
			hash,
			height,
			previous_hash,
			nonce,
			timestamp,
			tx_count,
			raw,
			miner,
			arrived_at,
			source`

// moveToStale copies the main chain's blocks above fork, with their
// transactions, miner and arrival, into the stale tables, and returns
// their hashes, lowest first. The caller then deletes them from blocks.
func moveToStale(ctx context.Context, tx *sqlx.Tx, fork int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `
		INSERT OR IGNORE INTO stale_blocks (`+staleBlockColumns+`)
		SELECT
			b.hash,
			b.height,
			b.previous_hash,
			b.nonce,
			b.timestamp,
			b.tx_count,
			b.raw,
			COALESCE((
				SELECT recipient FROM transactions t
				WHERE t.block_height = b.height AND t.sender = ?
				ORDER BY t.position DESC LIMIT 1), ''),
			COALESCE(a.arrived_at, 0),
			COALESCE(a.source, '')
		FROM blocks b
		LEFT JOIN arrivals a ON a.hash = b.hash
		WHERE b.height > ?
		ORDER BY b.height`, pybtc.CoinbaseSender, fork); err != nil {
		return nil, fmt.Errorf("move blocks above %d to stale: %w", fork, err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT OR IGNORE INTO stale_transactions (
			block_hash,
			position,
			id,
			sender,
			recipient,
			amount,
			timestamp
		)
		SELECT b.hash, t.position, t.id, t.sender, t.recipient, t.amount, t.timestamp
		FROM transactions t
		JOIN blocks b ON b.height = t.block_height
		WHERE t.block_height > ?`, fork); err != nil {
		return nil, fmt.Errorf("move transactions above %d to stale: %w", fork, err)
	}
	var hashes []string
	if err := tx.SelectContext(ctx, &hashes, `SELECT hash FROM blocks WHERE height > ? ORDER BY height`, fork); err != nil {
		return nil, fmt.Errorf("read blocks above %d: %w", fork, err)
	}
	return hashes, nil
}

// staleBranch returns the hashes of the stale blocks from tipHash down to
// the block at height fork+1, lowest first; ECONFLICT when one is missing.
func staleBranch(ctx context.Context, tx *sqlx.Tx, fork int64, tipHash string) ([]string, error) {
	var hashes []string
	for hash := tipHash; ; {
		var row struct {
			Height int64  `db:"height"`
			Prev   string `db:"previous_hash"`
		}
		err := tx.GetContext(ctx, &row, `SELECT height, previous_hash FROM stale_blocks WHERE hash = ?`, hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, pybtc.Refuse(pybtc.ECONFLICT, pybtc.ReasonBranchMissing, pybtc.Args{Hash: hash, Height: fork + 1 + int64(len(hashes))})
		} else if err != nil {
			return nil, fmt.Errorf("read stale block %s: %w", hash, err)
		}
		hashes = append(hashes, hash)
		if row.Height <= fork+1 {
			break
		}
		hash = row.Prev
	}
	slices.Reverse(hashes)
	return hashes, nil
}

// staleBlock reads back the stale block hash as a block.
func staleBlock(ctx context.Context, tx *sqlx.Tx, hash string) (pybtc.Block, error) {
	var raw string
	if err := tx.GetContext(ctx, &raw, `SELECT raw FROM stale_blocks WHERE hash = ?`, hash); err != nil {
		return pybtc.Block{}, fmt.Errorf("read stale block %s: %w", hash, err)
	}
	return decodeStored([]byte(raw))
}

// decodeStored decodes a block this node stored: it was validated when it
// arrived, so no clock is involved.
func decodeStored(raw []byte) (pybtc.Block, error) {
	wb, err := wire.ParseBlock(raw)
	if err != nil {
		return pybtc.Block{}, err
	}
	return consensus.DecodeBlock(&wb, math.Inf(1))
}

// reorgRecord is what ReplaceChain records of a reorganisation.
type reorgRecord struct {
	fork           int64
	oldTip, newTip pybtc.ChainTip
	removed, added []string
	peer           string
	returned       []string
	dropped        []droppedRef
	at             float64
}

// droppedRef is a restored transaction that left again, and its row in
// dropped_transactions.
type droppedRef struct {
	id  string
	seq int64
}

func recordReorg(ctx context.Context, tx *sqlx.Tx, r reorgRecord) error {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO reorgs (
			time,
			fork_height,
			old_tip,
			old_height,
			new_tip,
			new_height,
			peer
		) VALUES (?, ?, ?, ?, ?, ?, ?)`, r.at, r.fork, r.oldTip.Hash, r.oldTip.Height, r.newTip.Hash, r.newTip.Height, r.peer)
	if err != nil {
		return fmt.Errorf("record reorganisation: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("record reorganisation: %w", err)
	}
	blk, err := tx.PrepareContext(ctx, `INSERT INTO reorg_blocks (reorg_id, change, height, hash) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("record reorganisation: %w", err)
	}
	defer blk.Close()
	for change, hashes := range map[string][]string{"removed": r.removed, "added": r.added} {
		for i, h := range hashes {
			if _, err := blk.ExecContext(ctx, id, change, r.fork+1+int64(i), h); err != nil {
				return fmt.Errorf("record reorganisation: %w", err)
			}
		}
	}
	txs, err := tx.PrepareContext(ctx, `INSERT INTO reorg_transactions (reorg_id, position, id, outcome, dropped_seq) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("record reorganisation: %w", err)
	}
	defer txs.Close()
	pos := 0
	for _, t := range r.returned {
		if _, err := txs.ExecContext(ctx, id, pos, t, "returned", nil); err != nil {
			return fmt.Errorf("record reorganisation: %w", err)
		}
		pos++
	}
	for _, d := range r.dropped {
		if _, err := txs.ExecContext(ctx, id, pos, d.id, "dropped", d.seq); err != nil {
			return fmt.Errorf("record reorganisation: %w", err)
		}
		pos++
	}
	return nil
}

// RecordRefused remembers a block the node refused, keeping the last
// MaxRefusedBlocks.
func (db *DB) RecordRefused(ctx context.Context, r pybtc.RefusedBlock) (err error) {
	defer func() { err = db.noteWrite(storageError(err), addsRows) }()
	if r.At == 0 {
		r.At = db.now()
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("record refused block %d: %w", r.Height, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO refused_blocks (
			hash,
			height,
			peer,
			reason,
			detail,
			at
		) VALUES (?, ?, ?, ?, ?, ?)`, r.Hash, r.Height, r.Peer, r.Reason, r.Detail, r.At); err != nil {
		return fmt.Errorf("record refused block %d: %w", r.Height, err)
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM refused_blocks
		WHERE seq <= (SELECT MAX(seq) FROM refused_blocks) - ?`, MaxRefusedBlocks); err != nil {
		return fmt.Errorf("record refused block %d: %w", r.Height, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record refused block %d: %w", r.Height, err)
	}
	return nil
}

// treeRow is a row of a block of the tree, main or stale.
type treeRow struct {
	Height       int64   `db:"height"`
	Hash         string  `db:"hash"`
	PreviousHash string  `db:"previous_hash"`
	Nonce        int64   `db:"nonce"`
	Timestamp    float64 `db:"timestamp"`
	TxCount      int     `db:"tx_count"`
	Status       string  `db:"status"`
	Miner        string  `db:"miner"`
	ArrivedAt    float64 `db:"arrived_at"`
	Source       string  `db:"source"`
	ReplacedBy   string  `db:"replaced_by"`
}

func (r treeRow) block() pybtc.TreeBlock {
	return pybtc.TreeBlock{
		BlockSummary: pybtc.BlockSummary{Height: r.Height, Hash: r.Hash, PreviousHash: r.PreviousHash, Nonce: r.Nonce, Timestamp: r.Timestamp, TxCount: r.TxCount},
		Status:       pybtc.BlockStatus(r.Status), Miner: r.Miner, ArrivedAt: r.ArrivedAt, Source: r.Source, ReplacedBy: r.ReplacedBy,
	}
}

// The columns of treeRow, for main blocks (b, with arrivals a) and stale
// ones (s, with m the main block at its height).
const (
	mainTreeColumns = `
			b.height,
			b.hash,
			b.previous_hash,
			b.nonce,
			b.timestamp,
			b.tx_count,
			'main' AS status,
			COALESCE((
				SELECT recipient FROM transactions c
				WHERE c.block_height = b.height AND c.sender = 'master'
				ORDER BY c.position DESC LIMIT 1), '') AS miner,
			COALESCE(a.arrived_at, 0) AS arrived_at,
			COALESCE(a.source, '') AS source,
			'' AS replaced_by`
	staleTreeColumns = `
			s.height,
			s.hash,
			s.previous_hash,
			s.nonce,
			s.timestamp,
			s.tx_count,
			'stale' AS status,
			s.miner,
			s.arrived_at,
			s.source,
			COALESCE(m.hash, '') AS replaced_by`
)

func treeBlocks(rows []treeRow) []pybtc.TreeBlock {
	out := make([]pybtc.TreeBlock, len(rows))
	for i, r := range rows {
		out[i] = r.block()
	}
	return out
}

// BlockTree returns the main and stale blocks with fromHeight ≤ height ≤
// toHeight, by height, the main chain's block first at each height.
func (db *DB) BlockTree(ctx context.Context, fromHeight, toHeight int64) ([]pybtc.TreeBlock, error) {
	var rows []treeRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+mainTreeColumns+`
		FROM blocks b
		LEFT JOIN arrivals a ON a.hash = b.hash
		WHERE b.height BETWEEN ?1 AND ?2
		UNION ALL
		SELECT`+staleTreeColumns+`
		FROM stale_blocks s
		LEFT JOIN blocks m ON m.height = s.height
		WHERE s.height BETWEEN ?1 AND ?2
		ORDER BY 1, 7, 2`, fromHeight, toHeight); err != nil {
		return nil, fmt.Errorf("read block tree %d-%d: %w", fromHeight, toHeight, err)
	}
	return treeBlocks(rows), nil
}

// StaleBlock returns the stale block hash and its transactions; ENOTFOUND
// when no stale block has that hash.
func (db *DB) StaleBlock(ctx context.Context, hash string) (pybtc.TreeBlock, []pybtc.Transaction, error) {
	var row struct {
		treeRow
		Raw string `db:"raw"`
	}
	err := db.read.GetContext(ctx, &row, `
		SELECT`+staleTreeColumns+`,
			s.raw
		FROM stale_blocks s
		LEFT JOIN blocks m ON m.height = s.height
		WHERE s.hash = ?`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return pybtc.TreeBlock{}, nil, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoStaleBlock, pybtc.Args{Hash: hash})
	} else if err != nil {
		return pybtc.TreeBlock{}, nil, fmt.Errorf("read stale block %s: %w", hash, err)
	}
	txs, err := consensus.StoredTransactions([]byte(row.Raw))
	if err != nil {
		return pybtc.TreeBlock{}, nil, fmt.Errorf("stale block %s: %w", hash, err)
	}
	return row.block(), txs, nil
}

// BlockArrival returns when this node first saw the block hash and from
// whom; 0 and "" when it does not know.
func (db *DB) BlockArrival(ctx context.Context, hash string) (at float64, source string, err error) {
	var row struct {
		At     float64 `db:"arrived_at"`
		Source string  `db:"source"`
	}
	err = db.read.GetContext(ctx, &row, `SELECT arrived_at, source FROM arrivals WHERE hash = ?`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	} else if err != nil {
		return 0, "", fmt.Errorf("read arrival of %s: %w", hash, err)
	}
	return row.At, row.Source, nil
}

// BlocksHolding returns every block, main or stale, that holds the
// transaction id, newest (highest) first.
func (db *DB) BlocksHolding(ctx context.Context, txID string) ([]pybtc.TreeBlock, error) {
	var rows []treeRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+mainTreeColumns+`
		FROM transactions t
		JOIN blocks b ON b.height = t.block_height
		LEFT JOIN arrivals a ON a.hash = b.hash
		WHERE t.id = ?1
		UNION
		SELECT`+staleTreeColumns+`
		FROM stale_transactions t
		JOIN stale_blocks s ON s.hash = t.block_hash
		LEFT JOIN blocks m ON m.height = s.height
		WHERE t.id = ?1
		ORDER BY 1 DESC, 7, 2`, txID); err != nil {
		return nil, fmt.Errorf("read blocks holding %s: %w", txID, err)
	}
	return treeBlocks(rows), nil
}

// Tips returns every chain tip the node knows, as Bitcoin's getchaintips:
// the active tip first, then the tips of stale branches (valid-fork) and
// of refused blocks (invalid), by height, highest first.
func (db *DB) Tips(ctx context.Context) ([]pybtc.TipInfo, error) {
	// The tips change only with a write, and reading them reads every
	// stale block; the generation is read before the snapshot, so what is
	// kept is never older than its generation says.
	gen := db.generation.Load()
	db.tips.Lock()
	if db.tips.tips != nil && db.tips.generation == gen {
		tips := slices.Clone(db.tips.tips)
		db.tips.Unlock()
		return tips, nil
	}
	db.tips.Unlock()
	tips, err := db.readTips(ctx)
	if err != nil {
		return nil, err
	}
	db.tips.Lock()
	if gen >= db.tips.generation {
		db.tips.generation, db.tips.tips = gen, slices.Clone(tips)
	}
	db.tips.Unlock()
	return tips, nil
}

// readTips reads Tips's answer from the database.
func (db *DB) readTips(ctx context.Context) ([]pybtc.TipInfo, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("read tips: %w", err)
	}
	defer tx.Rollback()
	active, err := tip(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("read tips: %w", err)
	}
	type link struct {
		Hash   string `db:"hash"`
		Height int64  `db:"height"`
		Prev   string `db:"previous_hash"`
	}
	var stale []link
	if err := tx.SelectContext(ctx, &stale, `SELECT hash, height, previous_hash FROM stale_blocks`); err != nil {
		return nil, fmt.Errorf("read tips: %w", err)
	}
	var refused []link
	if err := tx.SelectContext(ctx, &refused, `
		SELECT hash, height, '' AS previous_hash
		FROM refused_blocks
		GROUP BY hash`); err != nil {
		return nil, fmt.Errorf("read tips: %w", err)
	}
	byHash := make(map[string]link, len(stale))
	parents := make(map[string]bool, len(stale))
	for _, l := range stale {
		byHash[l.Hash] = l
		parents[l.Prev] = true
	}
	// forkOf walks down the stale blocks from l to the lowest; the branch
	// shares the block below it with the main chain (or did, before that
	// one was forgotten).
	forkOf := func(l link) int64 {
		for i := 0; i <= len(byHash); i++ {
			p, ok := byHash[l.Prev]
			if !ok {
				break
			}
			l = p
		}
		return l.Height - 1
	}
	tips := []pybtc.TipInfo{{Height: active.Height, Hash: active.Hash, ForkHeight: active.Height, Status: pybtc.TipActive}}
	var forks []pybtc.TipInfo
	for _, l := range stale {
		if parents[l.Hash] {
			continue
		}
		fork := forkOf(l)
		forks = append(forks, pybtc.TipInfo{Height: l.Height, Hash: l.Hash, ForkHeight: fork, BranchLength: l.Height - fork, Status: pybtc.TipValidFork})
	}
	for _, l := range refused {
		fork := l.Height - 1
		if _, ok := byHash[l.Hash]; ok {
			continue // refused once, stored since as valid
		}
		forks = append(forks, pybtc.TipInfo{Height: l.Height, Hash: l.Hash, ForkHeight: fork, BranchLength: l.Height - fork, Status: pybtc.TipInvalid})
	}
	slices.SortFunc(forks, func(a, b pybtc.TipInfo) int {
		if a.Height != b.Height {
			return int(b.Height - a.Height)
		}
		if a.Status != b.Status {
			return strings.Compare(string(b.Status), string(a.Status)) // valid-fork before invalid
		}
		return strings.Compare(a.Hash, b.Hash)
	})
	return append(tips, forks...), nil
}

// reorgRow is a row of reorgs.
type reorgRow struct {
	ID         int64   `db:"id"`
	Time       float64 `db:"time"`
	ForkHeight int64   `db:"fork_height"`
	OldTip     string  `db:"old_tip"`
	OldHeight  int64   `db:"old_height"`
	NewTip     string  `db:"new_tip"`
	NewHeight  int64   `db:"new_height"`
	Peer       string  `db:"peer"`
}

const reorgColumns = `
			id,
			time,
			fork_height,
			old_tip,
			old_height,
			new_tip,
			new_height,
			peer`

// TreeVersion changes whenever a block joins the tree beside the main
// chain or is refused: the newest row of stale_blocks and of
// refused_blocks, two lookups of a primary key. Pages that watch for
// forks ask every second, so it must not read the tips themselves.
func (db *DB) TreeVersion(ctx context.Context) (string, error) {
	var stale, refused int64
	if err := db.read.QueryRowContext(ctx, `
		SELECT
			(SELECT COALESCE(MAX(seq), 0) FROM stale_blocks),
			(SELECT COALESCE(MAX(seq), 0) FROM refused_blocks)`).Scan(&stale, &refused); err != nil {
		return "", fmt.Errorf("read the tree's version: %w", err)
	}
	return fmt.Sprintf("%d/%d", stale, refused), nil
}

// Reorgs returns up to limit reorganisations, the newest first.
func (db *DB) Reorgs(ctx context.Context, limit int) ([]pybtc.Reorg, error) {
	var rows []reorgRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT`+reorgColumns+`
		FROM reorgs
		ORDER BY id DESC
		LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("read reorganisations: %w", err)
	}
	out := make([]pybtc.Reorg, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = db.fillReorg(ctx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReorgByID returns reorganisation id; ENOTFOUND when there is none.
func (db *DB) ReorgByID(ctx context.Context, id int64) (pybtc.Reorg, error) {
	var row reorgRow
	err := db.read.GetContext(ctx, &row, `
		SELECT`+reorgColumns+`
		FROM reorgs
		WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return pybtc.Reorg{}, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoReorg, pybtc.Args{Count: id})
	} else if err != nil {
		return pybtc.Reorg{}, fmt.Errorf("read reorganisation %d: %w", id, err)
	}
	return db.fillReorg(ctx, row)
}

// fillReorg reads what reorganisation r removed, added, returned and
// dropped.
func (db *DB) fillReorg(ctx context.Context, r reorgRow) (pybtc.Reorg, error) {
	out := pybtc.Reorg{
		ID: r.ID, Time: r.Time, ForkHeight: r.ForkHeight, OldTip: r.OldTip, NewTip: r.NewTip,
		OldHeight: r.OldHeight, NewHeight: r.NewHeight, Peer: r.Peer,
		Removed: []string{}, Added: []string{}, Returned: []string{}, Dropped: []pybtc.DroppedTx{},
	}
	var blocks []struct {
		Change string `db:"change"`
		Hash   string `db:"hash"`
	}
	if err := db.read.SelectContext(ctx, &blocks, `
		SELECT change, hash
		FROM reorg_blocks
		WHERE reorg_id = ?
		ORDER BY change, height`, r.ID); err != nil {
		return out, fmt.Errorf("read reorganisation %d: %w", r.ID, err)
	}
	for _, b := range blocks {
		if b.Change == "removed" {
			out.Removed = append(out.Removed, b.Hash)
		} else {
			out.Added = append(out.Added, b.Hash)
		}
	}
	if err := db.read.SelectContext(ctx, &out.Returned, `
		SELECT id
		FROM reorg_transactions
		WHERE reorg_id = ? AND outcome = 'returned'
		ORDER BY position`, r.ID); err != nil {
		return out, fmt.Errorf("read reorganisation %d: %w", r.ID, err)
	}
	dropped, err := db.readDropped(ctx, `
		WHERE seq IN (SELECT dropped_seq FROM reorg_transactions WHERE reorg_id = ?)
		ORDER BY seq`, r.ID)
	if err != nil {
		return out, fmt.Errorf("read reorganisation %d: %w", r.ID, err)
	}
	out.Dropped = append(out.Dropped, dropped...)
	return out, nil
}

// RefusedBlocks returns up to limit refused blocks, the newest first.
func (db *DB) RefusedBlocks(ctx context.Context, limit int) ([]pybtc.RefusedBlock, error) {
	var rows []struct {
		Hash   string  `db:"hash"`
		Height int64   `db:"height"`
		Peer   string  `db:"peer"`
		Reason string  `db:"reason"`
		Detail string  `db:"detail"`
		At     float64 `db:"at"`
	}
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			hash,
			height,
			peer,
			reason,
			detail,
			at
		FROM refused_blocks
		ORDER BY seq DESC
		LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("read refused blocks: %w", err)
	}
	out := make([]pybtc.RefusedBlock, len(rows))
	for i, r := range rows {
		out[i] = pybtc.RefusedBlock{Hash: r.Hash, Height: r.Height, Peer: r.Peer, Reason: r.Reason, Detail: r.Detail, At: r.At}
	}
	return out, nil
}
