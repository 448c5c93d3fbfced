package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// MaxMinedTransactions is how many pending transactions one block takes;
// with the coinbase that makes consensus.MaxBlockTransactions.
const MaxMinedTransactions = consensus.MaxBlockTransactions - 1

// searchChunk is how many sums one worker tries before it looks whether the
// search was stopped: about a millisecond of hashing.
const searchChunk = 8192

// Mine makes one block: it takes up to MaxMinedTransactions pending
// transactions in arrival order (leaving out, and dropping, those their
// senders cannot cover in block order, unless overdrafts are allowed), appends the coinbase paying miner (the
// node's own address when empty), searches a proof of work on every core,
// and hands the block to the chain (Chain.ProcessBlocks), which checks it
// like a peer's and stores it and removes its transactions from the
// mempool in one database transaction. When a peer's block moves the tip during the search,
// the search stops at once and starts again on the new tip. Mine returns the
// stored block, after telling peers about it; it stops early with ctx's
// error. Calls are serialised: one block is made at a time.
func (n *Node) Mine(ctx context.Context, miner string) (pybtc.Block, error) {
	if miner == "" {
		miner = n.cfg.Miner
	}
	n.mining.Lock()
	defer n.mining.Unlock()
	for {
		b, err := n.mineOnce(ctx, miner)
		if errors.Is(err, errTipMoved) || isCode(err, pybtc.ECONFLICT) {
			continue // a peer's block took the tip; mine on top of it
		}
		if errors.Is(err, errWorkExhausted) {
			continue // a new timestamp makes a new block to search
		}
		if err != nil {
			return pybtc.Block{}, err
		}
		n.blocksMined.Add(1)
		n.announce(b)
		return b, nil
	}
}

// errTipMoved stops a nonce search whose tip is no longer the chain's.
var errTipMoved = errors.New("the tip moved")

func (n *Node) mineOnce(ctx context.Context, miner string) (pybtc.Block, error) {
	tip, moved := n.WatchTip()
	// The block never breaks this node's policy: a pending payment that
	// the chain no longer covers (a reorganisation took its coins) is left
	// out, and leaves the mempool. The tip check before storing keeps the
	// check valid: were the chain to move, the block would be made again.
	txs, dropped, err := n.store.PendingForBlock(ctx, MaxMinedTransactions, n.mempoolPolicy())
	if err != nil {
		return pybtc.Block{}, fmt.Errorf("mine: %w", err)
	}
	if dropped > 0 {
		n.log.Warn("mine: dropped pending payments their senders can no longer cover", "count", dropped, "height", tip.Height+1)
	}
	txs = append(txs, consensus.Coinbase(miner, n.now()))

	searchCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-moved:
			cancel(errTipMoved)
		case <-searchCtx.Done():
		}
	}()
	started := time.Now()
	before := n.hashes.Load()
	nonce, err := searchNonce(searchCtx, tip.Nonce, n.cfg.Workers, &n.hashes)
	if d := time.Since(started); d > 0 {
		n.hashRate.Store(math.Float64bits(float64(n.hashes.Load()-before) / d.Seconds()))
	}
	if err != nil {
		if cause := context.Cause(searchCtx); errors.Is(cause, errTipMoved) {
			return pybtc.Block{}, errTipMoved
		}
		return pybtc.Block{}, err
	}
	made, err := n.makeBlock(searchCtx, tip, txs, nonce)
	if err != nil {
		if cause := context.Cause(searchCtx); errors.Is(cause, errTipMoved) {
			return pybtc.Block{}, errTipMoved
		}
		return pybtc.Block{}, fmt.Errorf("mine: %w", err)
	}
	// The block enters the chain as a peer's would: decoded from its JSON
	// and checked against its parent by the chain.
	b, err := decodeBlock(made.Raw, n.now())
	if err != nil {
		return pybtc.Block{}, fmt.Errorf("mine: the block made is invalid: %w", err)
	}
	changed, err := n.chain.ProcessBlocksFrom(ctx, SourceSelf, tip, []pybtc.Block{b})
	if err != nil {
		return pybtc.Block{}, fmt.Errorf("mine: %w", err)
	}
	if !changed {
		return pybtc.Block{}, errTipMoved
	}
	n.log.Info("mined block", "height", b.Index, "hash", b.Hash, "nonce", b.Nonce, "transactions", len(b.Transactions))
	return b, nil
}

// makeBlock assembles the block on tip with txs and nonce: from the
// secure height on (Config.SecureFrom) it searches the block's work on
// every core, counted in the node's hashes; below it the block has the
// tutorial's five keys.
func (n *Node) makeBlock(ctx context.Context, tip pybtc.ChainTip, txs []pybtc.Transaction, nonce int64) (pybtc.Block, error) {
	height := tip.Height + 1
	if n.cfg.SecureFrom <= 0 || height < n.cfg.SecureFrom {
		return consensus.NewBlock(height, n.now(), txs, nonce, tip.Hash)
	}
	ws, err := consensus.NewWorkSearch(height, n.now(), txs, nonce, tip.Hash)
	if err != nil {
		return pybtc.Block{}, err
	}
	work, err := searchWork(ctx, ws, n.cfg.Workers, &n.hashes)
	if err != nil {
		return pybtc.Block{}, err
	}
	return ws.Block(work), nil
}

// decodeBlock decodes a block's JSON and checks what it says about itself.
func decodeBlock(raw []byte, now float64) (pybtc.Block, error) {
	wb, err := wire.ParseBlock(raw)
	if err != nil {
		return pybtc.Block{}, err
	}
	return consensus.DecodeBlock(&wb, now)
}

// runAutomine mines one block after another, pausing a random time between
// them (exponentially distributed, mean BlockInterval) so that several nodes
// compete, as in the tutorial's story, instead of mining in lockstep.
func (n *Node) runAutomine(ctx context.Context) {
	for {
		pause := time.Duration(rand.ExpFloat64() * float64(n.cfg.BlockInterval))
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		if _, err := n.Mine(ctx, ""); err != nil && ctx.Err() == nil {
			n.log.Error("automine", "err", err)
		}
	}
}

// SearchNonce finds a nonce that is a proof of work on prevNonce, with
// workers goroutines (zero: one per CPU) trying disjoint ranges of sums
// from a random start (as the tutorial draws random nonces, so two miners
// rarely race on the same numbers). It returns ctx's error as soon as ctx
// is done.
func SearchNonce(ctx context.Context, prevNonce int64, workers int) (int64, error) {
	return searchNonce(ctx, prevNonce, workers, nil)
}

// searchNonce is SearchNonce that adds to hashes, if not nil, the number
// of proofs it tried, a chunk at a time.
func searchNonce(ctx context.Context, prevNonce int64, workers int, hashes *atomic.Int64) (int64, error) {
	start := rand.Int64N(2_000_000) - 1_000_000
	if prevNonce > consensus.MaxNonce/2 || prevNonce < -consensus.MaxNonce/2 {
		// Keep the nonce, sum − prevNonce, within bounds.
		start = 0
	}
	nonce, found := searchChunks(ctx, workers, func(chunk int64) (int64, bool, bool) {
		from := start + (chunk+1)*searchChunk
		n, ok := consensus.SearchProof(prevNonce, from, searchChunk)
		if hashes != nil {
			tried := int64(searchChunk)
			if ok {
				tried = n + prevNonce - from + 1 // n is a nonce, from a sum
			}
			hashes.Add(tried)
		}
		return n, ok, false
	})
	if !found {
		return 0, ctx.Err()
	}
	return nonce, nil
}

// searchChunks runs a search on workers goroutines (zero: one per CPU),
// each taking the next chunk (0, 1, 2, …) and calling try on it, until a
// try finds a value, a try says the chunks are exhausted, or ctx is done.
// It returns the first value found.
func searchChunks(ctx context.Context, workers int, try func(chunk int64) (value int64, found, exhausted bool)) (int64, bool) {
	var (
		next  atomic.Int64 // index of the next chunk to hand out
		found atomic.Bool
		value int64
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
				v, ok, exhausted := try(next.Add(1) - 1)
				if exhausted {
					return
				}
				if ok {
					once.Do(func() { value = v })
					found.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return value, found.Load()
}

// workChunk is how many values of work one worker tries before it looks
// whether the search was stopped or another worker found the work: about
// a tenth of a millisecond, so that the workers still busy when the work
// is found hold the block back little (a search takes milliseconds).
const workChunk = 2048

// errWorkExhausted ends a work search that tried every value its block
// allows (millions, against 65,536 expected) without success.
var errWorkExhausted = errors.New("no value of work makes the block's hash start with 0000")

// SearchWork finds the work of ws's block, with workers goroutines (zero:
// one per CPU) trying disjoint ranges of values, like SearchNonce. It
// returns ctx's error as soon as ctx is done.
func SearchWork(ctx context.Context, ws *consensus.WorkSearch, workers int) (int64, error) {
	return searchWork(ctx, ws, workers, nil)
}

// searchWork is SearchWork that adds to hashes, if not nil, the number of
// values it tried, a chunk at a time.
func searchWork(ctx context.Context, ws *consensus.WorkSearch, workers int, hashes *atomic.Int64) (int64, error) {
	work, found := searchChunks(ctx, workers, func(chunk int64) (int64, bool, bool) {
		from := chunk * workChunk
		if from >= ws.Tries() {
			return 0, false, true
		}
		w, ok := ws.Search(from, workChunk)
		if hashes != nil {
			hashes.Add(min(workChunk, ws.Tries()-from))
		}
		return w, ok, false
	})
	if found {
		return work, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return 0, errWorkExhausted
}
