package consensus

import (
	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
)

// CheckGenesis checks the rules of block 1: index 1, previous_hash the
// integer 1, nonce 100 and no transactions. Its timestamp is free, since
// every tutorial node stamps its own genesis with its start time.
func CheckGenesis(wb *wire.Block, b pybtc.Block) error {
	prev := &wb.PreviousHash
	switch {
	case b.Index != 1:
		return ruleError(ErrBadGenesis, "first block has index %d, want 1", b.Index)
	case prev.Kind != wire.Number || prev.Num.Text != "1":
		return ruleError(ErrBadGenesis, "first block's previous_hash must be the integer 1")
	case b.Nonce != GenesisNonce:
		return ruleError(ErrBadGenesis, "first block's nonce is %d, want %d", b.Nonce, GenesisNonce)
	case len(b.Transactions) != 0:
		return ruleError(ErrBadGenesis, "first block has %d transactions, want none", len(b.Transactions))
	}
	return nil
}

// CheckBlockContext checks b against prev, the block it builds on: the
// index follows, previous_hash is prev's hash, and the nonce is a proof of
// work on prev's nonce. (The tutorial's valid_chain forgets the proof of
// work; pyBTC does not.)
func CheckBlockContext(prev pybtc.ChainTip, b pybtc.Block) error {
	if b.Index != prev.Height+1 {
		return ruleError(ErrBadIndex, "block index %d does not follow %d", b.Index, prev.Height)
	}
	if b.PreviousHash != prev.Hash {
		return ruleError(ErrBadPrevHash, "block %d: previous_hash %.16s… is not the hash of block %d (%.16s…)", b.Index, b.PreviousHash, prev.Height, prev.Hash)
	}
	if !ValidProof(prev.Nonce, b.Nonce) {
		return ruleError(ErrBadProof, "block %d: nonce %d is not a proof of work on nonce %d", b.Index, b.Nonce, prev.Nonce)
	}
	return nil
}

// TipOf returns the chain tip that b makes.
func TipOf(b pybtc.Block) pybtc.ChainTip {
	return pybtc.ChainTip{Height: b.Index, Hash: b.Hash, Nonce: b.Nonce, Timestamp: b.Timestamp}
}

// ChainChecker validates a chain one block at a time, so that a long chain
// can be checked as it streams in, without holding it whole.
type ChainChecker struct {
	// Now is the validating node's clock, in float seconds since the epoch.
	Now float64
	// SecureFrom is the height from which rule W holds (CheckWork); 0
	// means never.
	SecureFrom int64

	tip     pybtc.ChainTip
	started bool
}

// Next checks the next block of the chain, as read; the first block must be
// a genesis block. After an error the checker must not be used further.
func (c *ChainChecker) Next(wb *wire.Block) (pybtc.Block, error) {
	b, err := DecodeBlock(wb, c.Now)
	if err != nil {
		return pybtc.Block{}, err
	}
	if !c.started {
		if err := CheckGenesis(wb, b); err != nil {
			return pybtc.Block{}, err
		}
		c.started = true
	} else if err := CheckBlockContext(c.tip, b); err != nil {
		return pybtc.Block{}, err
	} else if err := CheckWork(b, c.SecureFrom); err != nil {
		return pybtc.Block{}, err
	}
	c.tip = TipOf(b)
	return b, nil
}

// Tip returns the last block checked.
func (c *ChainChecker) Tip() pybtc.ChainTip { return c.tip }

// ValidateChain checks a whole chain by the consensus rules and returns its
// blocks: the genesis block, then each block linked to the one before by
// index, hash and proof of work, its transactions well formed with the
// coinbase last, and no timestamp more than two hours ahead of now.
func ValidateChain(chain []wire.Block, now float64) ([]pybtc.Block, error) {
	if len(chain) == 0 {
		return nil, ruleError(ErrEmptyChain, "the chain has no blocks")
	}
	c := ChainChecker{Now: now}
	blocks := make([]pybtc.Block, len(chain))
	for i := range chain {
		b, err := c.Next(&chain[i])
		if err != nil {
			return nil, err
		}
		blocks[i] = b
	}
	return blocks, nil
}

// CheckerFrom returns a ChainChecker that continues a chain whose last
// block is tip: the first block it is given must build on tip. It checks a
// peer's blocks above a fork point without the blocks below it. The
// caller sets SecureFrom on it when rule W holds.
func CheckerFrom(tip pybtc.ChainTip, now float64) *ChainChecker {
	return &ChainChecker{Now: now, tip: tip, started: true}
}
