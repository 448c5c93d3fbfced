package node

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// MaxMinedTransactions is how many pending transactions one block takes;
// with the coinbase that makes consensus.MaxBlockTransactions.
const MaxMinedTransactions = consensus.MaxBlockTransactions - 1

// searchChunk is how many sums one worker tries before it looks whether the
// search was stopped: about a millisecond of hashing.
const searchChunk = 8192

// Mine makes one block: it takes up to MaxMinedTransactions pending
// transactions in arrival order, appends the coinbase paying miner (the
// node's own address when empty), searches a proof of work on every core,
// and stores the block and removes its transactions from the mempool in one
// database transaction. If the tip moved meanwhile it starts again on the
// new tip. Mine returns the stored block; it stops early with ctx's error.
func (n *Node) Mine(ctx context.Context, miner string) (pybtc.Block, error) {
	if miner == "" {
		miner = n.cfg.Miner
	}
	n.mining.Lock()
	defer n.mining.Unlock()
	for {
		b, err := n.mineOnce(ctx, miner)
		if isCode(err, pybtc.ECONFLICT) {
			continue // another block took the tip; mine on top of it
		}
		return b, err
	}
}

func (n *Node) mineOnce(ctx context.Context, miner string) (pybtc.Block, error) {
	tip := n.Tip()
	txs, err := n.store.Pending(ctx, MaxMinedTransactions)
	if err != nil {
		return pybtc.Block{}, fmt.Errorf("mine: %w", err)
	}
	coinbase := consensus.Coinbase(miner, n.now())
	txs = append(txs, coinbase)

	nonce, err := SearchNonce(ctx, tip.Nonce, n.cfg.Workers)
	if err != nil {
		return pybtc.Block{}, err
	}
	b, err := consensus.NewBlock(tip.Height+1, n.now(), txs, nonce, tip.Hash)
	if err != nil {
		return pybtc.Block{}, fmt.Errorf("mine: %w", err)
	}
	if err := n.store.AppendBlock(ctx, b); err != nil {
		return pybtc.Block{}, err
	}
	next := consensus.TipOf(b)
	n.tip.Store(&next)
	n.log.Info("mined block", "height", b.Index, "hash", b.Hash, "nonce", b.Nonce, "transactions", len(b.Transactions))
	return b, nil
}

// SearchNonce finds a nonce that is a proof of work on prevNonce, with
// workers goroutines (zero: one per CPU) trying disjoint ranges of sums from a random start (as
// the tutorial draws random nonces, so two miners rarely race on the same
// numbers). It returns ctx's error as soon as ctx is done.
func SearchNonce(ctx context.Context, prevNonce int64, workers int) (int64, error) {
	start := rand.Int64N(2_000_000) - 1_000_000
	if prevNonce > consensus.MaxNonce/2 || prevNonce < -consensus.MaxNonce/2 {
		// Keep the nonce, sum − prevNonce, within bounds.
		start = 0
	}
	var (
		next  atomic.Int64 // index of the next chunk to hand out
		found atomic.Bool
		nonce int64
		once  sync.Once
		wg    sync.WaitGroup
	)
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	done := ctx.Done()
	for range workers {
		wg.Go(func() {
			for !found.Load() {
				select {
				case <-done:
					return
				default:
				}
				from := start + next.Add(1)*searchChunk
				if n, ok := consensus.SearchProof(prevNonce, from, searchChunk); ok {
					once.Do(func() { nonce = n })
					found.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if !found.Load() {
		return 0, ctx.Err()
	}
	return nonce, nil
}
