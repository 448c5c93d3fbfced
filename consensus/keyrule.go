package consensus

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"sync"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

// Rule K (SPEC §11) has two halves. What a block says about itself — each
// key-address spend carries its key's signature over its signed message —
// is checked here when a block is decoded, on every core, since a
// signature costs tens of microseconds and a block may hold 10,000 of
// them. What needs the chain below the block — no replay, no overdraft —
// is checked by the store as it writes the block, where that chain is,
// with CheckKeySpend deciding; a branch that breaks either is refused
// whole, like any other broken rule.

// IsKeySpend reports whether t is sent by a key address, and so falls under
// rule K.
func IsKeySpend(t pybtc.Transaction) bool {
	return keys.IsKeyAddress(t.Sender)
}

// minParallelSignatures is how many signatures a block must hold before
// they are checked on several cores: below it, starting goroutines costs
// more than it saves.
const minParallelSignatures = 32

// checkSignatures checks the signature of every key-address spend among
// txs, the decoded transactions of block index as read (wb). The first
// spend (in block order) that fails decides the error, however the work
// was split.
func checkSignatures(index int64, wb *wire.Block, txs []pybtc.Transaction) *RuleError {
	var spends []int
	for i := range txs {
		if wb.Transactions[i].Signed != nil && keys.IsKeyAddress(txs[i].Sender) {
			spends = append(spends, i)
		}
	}
	check := func(i int) *RuleError {
		wt := &wb.Transactions[i]
		var why string
		switch {
		case !wt.Signature.Present:
			why = "is not signed"
		case wt.Signature.Kind != wire.String:
			why = "has a signature that is not a string"
		case keys.Verify(txs[i].Sender, wt.Signed, wt.Signature.Str) != nil:
			why = "carries a signature its key did not make for it"
		default:
			// Each worker writes only its own transactions.
			txs[i].Message = MessageHash(wt.Signed)
			return nil
		}
		return ruleError(ErrKeySignature, "block %d transaction %d: the spend from key address %s %s", index, i, txs[i].Sender, why)
	}
	// A share of the spends is checked in one batch, for about half the
	// cost of each alone; only a batch that fails is checked one by one,
	// to find the first bad signature.
	checkShare := func(share []int) *RuleError {
		batch := keys.NewBatch()
		whole := true
		for _, i := range share {
			wt := &wb.Transactions[i]
			if !wt.Signature.Present || wt.Signature.Kind != wire.String || batch.Add(txs[i].Sender, wt.Signed, wt.Signature.Str) != nil {
				whole = false
				break
			}
		}
		if whole && batch.Verify() {
			for _, i := range share {
				txs[i].Message = MessageHash(wb.Transactions[i].Signed)
			}
			return nil
		}
		for _, i := range share {
			if err := check(i); err != nil {
				return err
			}
		}
		return nil
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(spends)/minParallelSignatures))
	if workers == 1 {
		return checkShare(spends)
	}
	// Each worker takes a run of consecutive spends, so the first share
	// that fails holds the block's first bad signature.
	errs := make([]*RuleError, workers)
	size := (len(spends) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		from := min(w*size, len(spends))
		share := spends[from:min(from+size, len(spends))]
		wg.Go(func() { errs[w] = checkShare(share) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// MessageHash returns what identifies a signed message (rule K's "no
// replay"): its SHA-256 in lowercase hex.
func MessageHash(signed []byte) string {
	sum := sha256.Sum256(signed)
	return hex.EncodeToString(sum[:])
}

// CheckKeySpend applies rule K's checks against the chain to t, a
// key-address spend at position pos of the block height (hash), as the
// store finds the chain below it: replayedAt is the height of the block
// that already holds t's signed message (0 when none does; this block's
// own height when an earlier transaction of it does), and balance is the
// sender's balance before t, in chain order.
func CheckKeySpend(height int64, hash string, pos int, t pybtc.Transaction, balance pybtc.Sum, replayedAt int64) error {
	var err *RuleError
	switch {
	case replayedAt > 0:
		err = ruleError(ErrKeyReplay, "block %d transaction %d: %s's signed payment %.16s… is already in block %d", height, pos, t.Sender, t.ID, replayedAt)
	case pybtc.SumOf(t.Amount).Cmp(balance) > 0:
		err = ruleError(ErrKeyOverdraft, "block %d transaction %d: key address %s spends %s but has %s", height, pos, t.Sender, t.Amount, balance)
	default:
		return nil
	}
	err.Height, err.Hash = height, hash
	return err
}
