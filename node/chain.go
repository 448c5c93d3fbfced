package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// ChainStore is what a Chain needs from the database. store.DB implements
// it.
type ChainStore interface {
	// Tip returns the last block, or ENOTFOUND on an empty chain.
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	// BlockAt returns the block at height as a tip snapshot, or ENOTFOUND.
	BlockAt(ctx context.Context, height int64) (pybtc.ChainTip, error)
	// AppendBlocksFrom stores blocks on the tip and takes their
	// transactions out of the mempool, in one commit, recording that they
	// came from source ("" when unknown).
	AppendBlocksFrom(ctx context.Context, blocks []pybtc.Block, source string) error
	// ReplaceChainFrom removes the blocks above fork (they become stale),
	// stores blocks instead and repairs the mempool under policy, and
	// records the reorganisation and source, in one commit.
	ReplaceChainFrom(ctx context.Context, fork int64, blocks []pybtc.Block, policy consensus.MempoolPolicy, source string) error
	// SwitchToStale is ReplaceChainFrom for a branch stored as stale
	// blocks, from above fork up to tipHash.
	SwitchToStale(ctx context.Context, fork int64, tipHash string, policy consensus.MempoolPolicy, source string) error
	// RecordRefused remembers a block the node refused and why.
	RecordRefused(ctx context.Context, r pybtc.RefusedBlock) error
}

// SourceSelf is the source of the blocks this node mined, as their arrival
// records it; a peer's blocks have the peer's URL.
const SourceSelf = "self"

// Chain is the one path by which blocks enter the chain: the node's own
// mined blocks, a peer's blocks fetched by a sync, and those an
// announcement (/nodes/resolve) makes the node fetch. It owns the tip
// snapshot and the lock under which the chain changes, checks every block
// against its parent, chooses between its chain and a branch (the longest
// valid chain wins; on equal length it keeps its own), appends or
// reorganises, and counts reorganisations. Callers do the I/O: they make
// or fetch the blocks, decoded with consensus.DecodeBlock, which checks
// what a block says about itself.
//
// A Chain is safe for concurrent use.
type Chain struct {
	store      ChainStore
	policy     consensus.MempoolPolicy
	secureFrom int64 // rule W's height; 0: never
	log        *slog.Logger

	// mu serialises changes of the chain; tip is the last stored block,
	// kept current under mu so that readers need not ask the database;
	// tipMoved is closed and replaced whenever the tip changes, which
	// stops a nonce search on a stale tip.
	mu       sync.Mutex
	tip      atomic.Pointer[pybtc.ChainTip]
	tipMu    sync.Mutex
	tipMoved chan struct{}

	reorgs, reorgedBlocks, deepestReorg atomic.Int64
}

// NewChain returns a Chain over store whose reorganisations restore the
// removed blocks' transactions under policy, and whose blocks satisfy
// rule W from height secureFrom (0: never); Load reads its tip.
func NewChain(store ChainStore, policy consensus.MempoolPolicy, secureFrom int64, log *slog.Logger) *Chain {
	if log == nil {
		log = slog.Default()
	}
	c := &Chain{store: store, policy: policy, secureFrom: secureFrom, log: log, tipMoved: make(chan struct{})}
	c.tip.Store(&pybtc.ChainTip{})
	return c
}

// Load reads the tip from the store. An empty chain gets the genesis
// block, stored through ProcessBlocks like any other.
func (c *Chain) Load(ctx context.Context) error {
	tip, err := c.store.Tip(ctx)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		if _, err := c.ProcessBlocks(ctx, pybtc.ChainTip{}, []pybtc.Block{consensus.Genesis()}); err != nil {
			return fmt.Errorf("store genesis: %w", err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("load tip: %w", err)
	}
	c.setTip(tip)
	return nil
}

// Tip returns a snapshot of the chain's last block; a Chain not yet loaded
// has height 0.
func (c *Chain) Tip() pybtc.ChainTip {
	return *c.tip.Load()
}

// WatchTip returns the tip and a channel closed when it next changes.
func (c *Chain) WatchTip() (pybtc.ChainTip, <-chan struct{}) {
	c.tipMu.Lock()
	defer c.tipMu.Unlock()
	return *c.tip.Load(), c.tipMoved
}

// setTip records a new tip and wakes whoever watches it. Call with mu held
// (or before the Chain is shared).
func (c *Chain) setTip(tip pybtc.ChainTip) {
	c.tipMu.Lock()
	defer c.tipMu.Unlock()
	c.tip.Store(&tip)
	close(c.tipMoved)
	c.tipMoved = make(chan struct{})
}

// ReorgStats counts the switches to another branch that removed blocks of
// this chain.
type ReorgStats struct {
	// Reorgs is how many there were; ReorgedBlocks sums the blocks they
	// removed, DeepestReorg is the most one removed.
	Reorgs, ReorgedBlocks, DeepestReorg int64
}

// ReorgStats returns the chain's reorganisation counters.
func (c *Chain) ReorgStats() ReorgStats {
	return ReorgStats{Reorgs: c.reorgs.Load(), ReorgedBlocks: c.reorgedBlocks.Load(), DeepestReorg: c.deepestReorg.Load()}
}

// ProcessBlocks offers a branch: blocks, in order, building on base, a
// block the caller saw in this chain (the zero ChainTip for a branch that
// starts with its own genesis block). Under the chain lock it
//
//   - does nothing, and reports false, when base is no longer in the chain
//     (it moved meanwhile: the caller may fetch or mine again);
//   - checks each block against its parent, the first against the stored
//     block at base's height (consensus.CheckBlockContext and CheckWork; the genesis rules
//     for a block 1), and refuses the whole branch with the
//     *consensus.RuleError of the first block that fails;
//   - keeps its own chain, reporting false, unless the branch ends higher
//     than the tip;
//   - otherwise appends the blocks (base is the tip) or replaces the blocks
//     above base with them (store.ReplaceChain, which puts the removed
//     blocks' transactions back in the mempool if they pass policy), in one
//     commit, moves the tip and reports true.
//
// Nothing changes on an error.
func (c *Chain) ProcessBlocks(ctx context.Context, base pybtc.ChainTip, blocks []pybtc.Block) (bool, error) {
	return c.ProcessBlocksFrom(ctx, "", base, blocks)
}

// ProcessBlocksFrom is ProcessBlocks for blocks that came from source
// (SourceSelf, or a peer's URL): their arrival records it, a
// reorganisation names it, and a block that breaks a rule is remembered
// as refused, with source and the rule.
func (c *Chain) ProcessBlocksFrom(ctx context.Context, source string, base pybtc.ChainTip, blocks []pybtc.Block) (bool, error) {
	if len(blocks) == 0 {
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.Tip()
	parent, ok, err := c.held(ctx, cur, base)
	if err != nil || !ok {
		return false, err
	}
	for _, b := range blocks {
		if err := checkAgainst(parent, b, c.secureFrom); err != nil {
			c.RecordRefused(ctx, source, b.Hash, b.Index, err)
			return false, err
		}
		parent = consensus.TipOf(b)
	}
	last := blocks[len(blocks)-1]
	if last.Index <= cur.Height {
		return false, nil // ours is as long: keep it
	}
	if base.Height == cur.Height {
		if err := c.store.AppendBlocksFrom(ctx, blocks, source); err != nil {
			c.recordStoreRefusal(ctx, source, err)
			return false, err
		}
	} else {
		if err := c.store.ReplaceChainFrom(ctx, base.Height, blocks, c.policy, source); err != nil {
			c.recordStoreRefusal(ctx, source, err)
			return false, err
		}
		c.countReorg(cur, base, len(blocks))
	}
	c.setTip(consensus.TipOf(last))
	return true, nil
}

// ProcessStoredBranch offers a branch that the caller checked block by
// block from base as it arrived from source and stored as stale blocks
// (store.AddStaleBlocks), up to tip. Under the chain lock it does nothing,
// reporting false, when base is no longer in the chain or the branch does
// not end higher than the tip; otherwise it switches to the branch
// (store.SwitchToStale), reading it back from the disk, and reports true.
// The checks need only base: each block was checked against its parent,
// from base, when it arrived.
func (c *Chain) ProcessStoredBranch(ctx context.Context, source string, base, tip pybtc.ChainTip) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.Tip()
	if _, ok, err := c.held(ctx, cur, base); err != nil || !ok {
		return false, err
	}
	if tip.Height <= cur.Height {
		return false, nil // ours is as long: keep it
	}
	if err := c.store.SwitchToStale(ctx, base.Height, tip.Hash, c.policy, source); err != nil {
		c.recordStoreRefusal(ctx, source, err)
		return false, err
	}
	c.countReorg(cur, base, int(tip.Height-base.Height))
	c.setTip(tip)
	return true, nil
}

// countReorg counts a switch from cur to a branch of added blocks above
// base. Call with mu held.
func (c *Chain) countReorg(cur, base pybtc.ChainTip, added int) {
	depth := cur.Height - base.Height
	if depth == 0 {
		return
	}
	c.reorgs.Add(1)
	c.reorgedBlocks.Add(depth)
	if depth > c.deepestReorg.Load() { // only one writer: mu is held
		c.deepestReorg.Store(depth)
	}
	c.log.Info("chain reorganised", "fork", base.Height, "removed", depth, "added", added)
}

// RecordRefused remembers that the block hash at height, from source,
// broke a consensus rule (err, a *consensus.RuleError); other errors are
// not a block's fault and are not recorded. A failure to record is only
// logged: the refusal stands either way.
func (c *Chain) RecordRefused(ctx context.Context, source, hash string, height int64, err error) {
	var re *consensus.RuleError
	if !errors.As(err, &re) {
		return
	}
	r := pybtc.RefusedBlock{Hash: hash, Height: height, Peer: source, Reason: re.Code.String(), Detail: re.Description}
	if err := c.store.RecordRefused(ctx, r); err != nil {
		c.log.Warn("record refused block", "height", height, "err", err)
	}
}

// recordStoreRefusal remembers the block that broke a rule the store
// checks as it writes a branch (rule K's checks against the chain below
// it), as its *consensus.RuleError names it.
func (c *Chain) recordStoreRefusal(ctx context.Context, source string, err error) {
	var re *consensus.RuleError
	if errors.As(err, &re) && re.Hash != "" {
		c.RecordRefused(ctx, source, re.Hash, re.Height, err)
	}
}

// held returns the stored block at base's height and whether it is base;
// for base height 0 (a branch from its own genesis) the zero ChainTip.
func (c *Chain) held(ctx context.Context, cur, base pybtc.ChainTip) (pybtc.ChainTip, bool, error) {
	switch {
	case base.Height == 0:
		return pybtc.ChainTip{}, true, nil
	case base.Height > cur.Height:
		return pybtc.ChainTip{}, false, nil
	case base.Height == cur.Height:
		return cur, cur.Hash == base.Hash, nil
	}
	stored, err := c.store.BlockAt(ctx, base.Height)
	if err != nil {
		return pybtc.ChainTip{}, false, fmt.Errorf("read block %d to build on: %w", base.Height, err)
	}
	return stored, stored.Hash == base.Hash, nil
}

// checkAgainst checks b against parent, the block it builds on, and rule
// W from height secureFrom; parent height 0 means b must be a genesis
// block.
func checkAgainst(parent pybtc.ChainTip, b pybtc.Block, secureFrom int64) error {
	if parent.Height > 0 {
		if err := consensus.CheckBlockContext(parent, b); err != nil {
			return err
		}
		return consensus.CheckWork(b, secureFrom)
	}
	// The genesis rules read previous_hash as written, the integer 1, which
	// the decoded block keeps only as text.
	wb, err := wire.ParseBlock(b.Raw)
	if err != nil {
		return fmt.Errorf("block %d: %w", b.Index, err)
	}
	return consensus.CheckGenesis(&wb, b)
}
