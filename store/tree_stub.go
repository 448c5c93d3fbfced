package store

// A stand-in for the block tree's store methods, answering from the main
// chain only, so that Block Scan's pages build before the tables of stale
// blocks, reorganisations and refused blocks exist. It goes when they do.

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

type treeRow struct {
	blockRow
	Miner string `db:"miner"`
}

func (r treeRow) treeBlock() pybtc.TreeBlock {
	return pybtc.TreeBlock{BlockSummary: r.summary(), Status: pybtc.BlockMain, Miner: r.Miner}
}

// BlockTree returns the main chain's blocks with from ≤ height ≤ to,
// lowest first; the main chain is all this stand-in knows.
func (db *DB) BlockTree(ctx context.Context, from, to int64) ([]pybtc.TreeBlock, error) {
	var rows []treeRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			b.height,
			b.hash,
			b.previous_hash,
			b.nonce,
			b.timestamp,
			b.tx_count,
			COALESCE(t.recipient, '') AS miner
		FROM blocks AS b
		LEFT JOIN transactions AS t
			ON t.block_height = b.height AND t.position = b.tx_count - 1 AND t.sender = 'master'
		WHERE b.height BETWEEN ? AND ?
		ORDER BY b.height`, from, to); err != nil {
		return nil, fmt.Errorf("read block tree %d-%d: %w", from, to, err)
	}
	out := make([]pybtc.TreeBlock, len(rows))
	for i, r := range rows {
		out[i] = r.treeBlock()
	}
	return out, nil
}

// StaleBlock knows no stale block.
func (db *DB) StaleBlock(ctx context.Context, hash string) (pybtc.TreeBlock, []pybtc.Transaction, error) {
	return pybtc.TreeBlock{}, nil, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoBlockHash, pybtc.Args{Hash: hash})
}

// Tips returns the main chain's tip, the only one this stand-in knows.
func (db *DB) Tips(ctx context.Context) ([]pybtc.TipInfo, error) {
	tip, err := db.Tip(ctx)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read tips: %w", err)
	}
	return []pybtc.TipInfo{{Height: tip.Height, Hash: tip.Hash, ForkHeight: tip.Height, Status: pybtc.TipActive}}, nil
}

// Reorgs knows no reorganisation.
func (db *DB) Reorgs(ctx context.Context, limit int) ([]pybtc.Reorg, error) {
	return nil, nil
}

// ReorgByID knows no reorganisation.
func (db *DB) ReorgByID(ctx context.Context, id int64) (pybtc.Reorg, error) {
	return pybtc.Reorg{}, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoReorg, pybtc.Args{Count: id})
}

// RefusedBlocks knows no refused block.
func (db *DB) RefusedBlocks(ctx context.Context, limit int) ([]pybtc.RefusedBlock, error) {
	return nil, nil
}

// BlocksHolding returns the main chain's blocks that hold transaction
// txID, newest first.
func (db *DB) BlocksHolding(ctx context.Context, txID string) ([]pybtc.TreeBlock, error) {
	var rows []treeRow
	if err := db.read.SelectContext(ctx, &rows, `
		SELECT
			b.height,
			b.hash,
			b.previous_hash,
			b.nonce,
			b.timestamp,
			b.tx_count,
			COALESCE(c.recipient, '') AS miner
		FROM (SELECT DISTINCT block_height FROM transactions WHERE id = ?1
			UNION SELECT block_height FROM restamped_transactions WHERE id = ?1) AS h
		JOIN blocks AS b ON b.height = h.block_height
		LEFT JOIN transactions AS c
			ON c.block_height = b.height AND c.position = b.tx_count - 1 AND c.sender = 'master'
		ORDER BY b.height DESC
		LIMIT 100`, txID); err != nil {
		return nil, fmt.Errorf("read blocks holding %s: %w", txID, err)
	}
	out := make([]pybtc.TreeBlock, len(rows))
	for i, r := range rows {
		out[i] = r.treeBlock()
	}
	return out, nil
}
