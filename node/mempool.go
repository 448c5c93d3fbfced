package node

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
)

// Mempool describes the mempool's fill.
type Mempool struct {
	// Pending is the number of transactions waiting, as last counted.
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

// pendingCount returns the mempool's size, counting it again only after
// the chain moved: between blocks, commits keep the count.
func (n *Node) pendingCount(ctx context.Context) (int64, error) {
	if n.pendingStale.Swap(false) {
		count, err := n.store.PendingCount(ctx)
		if err != nil {
			n.pendingStale.Store(true)
			return 0, fmt.Errorf("count mempool: %w", err)
		}
		n.pending.Store(count)
	}
	return n.pending.Load(), nil
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
