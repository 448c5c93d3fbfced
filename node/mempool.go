package node

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Mempool describes the mempool's fill.
type Mempool struct {
	// Pending is the number of transactions waiting, as of the last commit.
	Pending int64
	// Limit is the most the node keeps; Full is true when it is reached
	// and new transactions are refused.
	Limit int64
	Full  bool
}

// Mempool returns how full the mempool is.
func (n *Node) Mempool(ctx context.Context) (Mempool, error) {
	pending, err := n.pendingCount(ctx)
	if err != nil {
		return Mempool{}, err
	}
	return Mempool{Pending: pending, Limit: n.cfg.MaxPending, Full: pending >= n.cfg.MaxPending}, nil
}

// pendingCount returns the mempool's size as the store published it at
// its last commit: the store is the mempool's only writer and keeps the
// count, so the node keeps no copy.
func (n *Node) pendingCount(ctx context.Context) (int64, error) {
	count, err := n.store.PendingCount(ctx)
	if err != nil {
		return 0, fmt.Errorf("count mempool: %w", err)
	}
	return count, nil
}

// checkRoom refuses a new transaction while the mempool is full. The
// count may lag by a batch, so the mempool can pass its limit by at most
// MaxBatch transactions.
func (n *Node) checkRoom(ctx context.Context) error {
	pending, err := n.pendingCount(ctx)
	if err != nil {
		return err
	}
	if pending >= n.cfg.MaxPending {
		return pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonMempoolFull, pybtc.Args{Count: pending})
	}
	return nil
}
