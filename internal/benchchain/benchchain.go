// Package benchchain makes large chains quickly for benchmarks. Its blocks
// link correctly (index, previous_hash) but carry no proof of work, which
// the store does not check: they measure storage and serving, not consensus.
package benchchain

import (
	"context"
	"fmt"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// Appender stores blocks in one commit; store.DB implements it.
type Appender interface {
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	AppendBlocks(ctx context.Context, blocks []pybtc.Block) error
}

// Extend appends count blocks of txsPerBlock transactions each (plus the
// coinbase) to the chain in db. Transaction i of the whole run goes from
// address i mod len(addresses) to the next address, so every address sends
// and receives about equally. Blocks are committed in batches.
func Extend(ctx context.Context, db Appender, count, txsPerBlock int, addresses []string) error {
	tip, err := db.Tip(ctx)
	if err != nil {
		return err
	}
	const batchTxs = 20_000
	var batch []pybtc.Block
	batchSize := 0
	seq := 0
	for range count {
		txs := make([]pybtc.Transaction, 0, txsPerBlock+1)
		for range txsPerBlock {
			from := addresses[seq%len(addresses)]
			to := addresses[(seq+1)%len(addresses)]
			seq++
			txs = append(txs, Transaction(from, to, seq))
		}
		ts := tip.Timestamp + 1
		txs = append(txs, consensus.Coinbase("miner", ts))
		b, err := consensus.NewBlock(tip.Height+1, ts, txs, int64(seq), tip.Hash)
		if err != nil {
			return err
		}
		tip = consensus.TipOf(b)
		batch = append(batch, b)
		batchSize += len(txs)
		if batchSize >= batchTxs {
			if err := db.AppendBlocks(ctx, batch); err != nil {
				return err
			}
			batch, batchSize = batch[:0], 0
		}
	}
	return db.AppendBlocks(ctx, batch)
}

// Transaction returns a policy-valid transaction of seq satoshis, stamped
// seq seconds after the genesis so each is distinct.
func Transaction(from, to string, seq int) pybtc.Transaction {
	body := fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s, "type": "sharing", "timestamp": %d.5}`,
		from, to, pybtc.Amount(seq%1_000_000+1), int64(consensus.GenesisTimestamp)+int64(seq))
	nt, err := consensus.ParseNewTransaction([]byte(body), consensus.GenesisTimestamp+1e9)
	if err != nil {
		panic(fmt.Sprintf("benchchain: %v", err))
	}
	return nt.Transaction
}

// Addresses returns n addresses named prefix0, prefix1, …
func Addresses(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// Fund appends one block in which "faucet" pays each address amount
// satoshis: the faucet overdraws, which consensus allows and only a node's
// mempool policy forbids.
func Fund(ctx context.Context, db Appender, addresses []string, amount pybtc.Amount) error {
	tip, err := db.Tip(ctx)
	if err != nil {
		return err
	}
	txs := make([]pybtc.Transaction, 0, len(addresses)+1)
	for i, a := range addresses {
		body := fmt.Sprintf(`{"sender": "faucet", "recipient": %q, "amount": %s, "type": "sharing", "timestamp": %d.25}`,
			a, amount, int64(consensus.GenesisTimestamp)+int64(i))
		nt, err := consensus.ParseNewTransaction([]byte(body), consensus.GenesisTimestamp+1e9)
		if err != nil {
			return err
		}
		txs = append(txs, nt.Transaction)
	}
	ts := tip.Timestamp + 1
	txs = append(txs, consensus.Coinbase("miner", ts))
	b, err := consensus.NewBlock(tip.Height+1, ts, txs, 0, tip.Hash)
	if err != nil {
		return err
	}
	return db.AppendBlocks(ctx, []pybtc.Block{b})
}

// Mine appends count blocks with a valid proof of work, each carrying only
// its coinbase, searching nonces with search (node.SearchNonce fits). It
// commits in batches of 1,000 blocks.
func Mine(ctx context.Context, db Appender, count int, search func(ctx context.Context, prevNonce int64) (int64, error)) error {
	tip, err := db.Tip(ctx)
	if err != nil {
		return err
	}
	var batch []pybtc.Block
	for range count {
		nonce, err := search(ctx, tip.Nonce)
		if err != nil {
			return err
		}
		ts := tip.Timestamp + 1
		b, err := consensus.NewBlock(tip.Height+1, ts, []pybtc.Transaction{consensus.Coinbase("miner", ts)}, nonce, tip.Hash)
		if err != nil {
			return err
		}
		tip = consensus.TipOf(b)
		if batch = append(batch, b); len(batch) == 1000 {
			if err := db.AppendBlocks(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return db.AppendBlocks(ctx, batch)
}

// StaleAdder keeps blocks beside the main chain; store.DB implements it.
type StaleAdder interface {
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	BlockAt(ctx context.Context, height int64) (pybtc.ChainTip, error)
	AddStaleBlocks(ctx context.Context, source string, blocks []pybtc.Block) error
}

// StaleBranches adds count branches of length blocks beside the top of the
// chain, one forking from each of the count blocks below the tip's last
// length, none reaching above the tip: the block tree of a network whose
// nodes raced, count × length stale blocks in all.
func StaleBranches(ctx context.Context, db StaleAdder, count, length int) error {
	tip, err := db.Tip(ctx)
	if err != nil {
		return err
	}
	for i := range count {
		fork := tip.Height - int64(length) - int64(i)
		base, err := db.BlockAt(ctx, fork)
		if err != nil {
			return fmt.Errorf("stale branch %d: %w", i, err)
		}
		prev := base.Hash
		blocks := make([]pybtc.Block, 0, length)
		for j := range length {
			ts := base.Timestamp + float64(j) + 0.5
			coinbase := consensus.Coinbase(fmt.Sprintf("rival%d", i), ts)
			b, err := consensus.NewBlock(fork+1+int64(j), ts, []pybtc.Transaction{coinbase}, int64(i*length+j), prev)
			if err != nil {
				return fmt.Errorf("stale branch %d: %w", i, err)
			}
			blocks = append(blocks, b)
			prev = b.Hash
		}
		if err := db.AddStaleBlocks(ctx, "http://127.0.0.1:5001", blocks); err != nil {
			return fmt.Errorf("stale branch %d: %w", i, err)
		}
	}
	return nil
}
