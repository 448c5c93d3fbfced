package node

import (
	"context"
	"fmt"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/peer"
)

// syncPage is how many blocks one request asks a pyBTC peer for: catching
// up a long chain goes page by page, in flat memory.
const syncPage = 500

// maxForkDepth bounds how far back the node walks to find where a peer's
// chain leaves its own, and so how many blocks a reorganisation holds in
// memory.
const maxForkDepth = 20_000

// SyncWith asks u for a longer chain and adopts it if it is valid: the
// longest valid chain wins, and on equal length the node keeps its own.
// From a pyBTC peer it fetches only the blocks it lacks (GET
// /chain?since=N, page by page) and walks back to the fork point when the
// peer's chain left its own; from a tutorial peer, which ignores the query,
// it reads the full chain. It reports whether the chain changed. A peer's
// invalid, malformed or oversized answer changes nothing.
func (n *Node) SyncWith(ctx context.Context, u peer.URL) (bool, error) {
	changed, err := n.syncWith(ctx, u)
	if ctx.Err() == nil {
		n.peers.record(u, err)
	}
	if err != nil {
		return changed, fmt.Errorf("sync with %s: %w", u, err)
	}
	return changed, nil
}

func (n *Node) syncWith(ctx context.Context, u peer.URL) (bool, error) {
	tip := n.Tip()
	ch, err := n.client.FetchChain(ctx, u, tip.Height+1, syncPage)
	if err != nil {
		return false, err
	}
	if ch.Length <= tip.Height {
		return false, nil // ours is as long: keep it
	}
	if ch.Full {
		return n.adoptFullChain(ctx, ch.Blocks)
	}
	if len(ch.Blocks) == 0 {
		return false, fmt.Errorf("peer claims %d blocks but sent none", ch.Length)
	}
	first, ok := ch.Blocks[0].Get("previous_hash")
	if ok && first.Kind == consensus.String && first.Str == tip.Hash {
		return n.extend(ctx, u, tip, ch)
	}
	return n.reorgFrom(ctx, u, tip, ch.Length)
}

// extend appends the peer's blocks that build on our tip, page by page.
func (n *Node) extend(ctx context.Context, u peer.URL, tip pybtc.ChainTip, ch peer.Chain) (bool, error) {
	changed := false
	for {
		checker := consensus.CheckerFrom(tip, n.now())
		blocks := make([]pybtc.Block, 0, len(ch.Blocks))
		for _, v := range ch.Blocks {
			b, err := checker.Next(v)
			if err != nil {
				return changed, err
			}
			blocks = append(blocks, b)
		}
		if len(blocks) > 0 {
			ok, err := n.commitBlocks(ctx, tip, tip.Height, blocks)
			if err != nil || !ok {
				return changed, err
			}
			changed = true
			tip = checker.Tip()
		}
		if tip.Height >= ch.Length || len(blocks) == 0 {
			return changed, nil
		}
		var err error
		if ch, err = n.client.FetchChain(ctx, u, tip.Height+1, syncPage); err != nil {
			return changed, err
		}
		if ch.Full {
			return changed, fmt.Errorf("peer answered a full chain while paging")
		}
	}
}

// reorgFrom finds where the peer's chain leaves ours by asking for ever
// earlier blocks, then fetches the peer's branch from there and adopts it
// if it is valid and longer.
func (n *Node) reorgFrom(ctx context.Context, u peer.URL, tip pybtc.ChainTip, length int64) (bool, error) {
	fork := int64(-1)
	for step := int64(8); fork < 0; step *= 2 {
		since := max(tip.Height+1-step, 1)
		if tip.Height+1-since > maxForkDepth {
			return false, fmt.Errorf("no common block within %d blocks", maxForkDepth)
		}
		ch, err := n.client.FetchChain(ctx, u, since, tip.Height+2-since)
		if err != nil {
			return false, err
		}
		ours, err := n.store.Hashes(ctx, since-1, tip.Height)
		if err != nil {
			return false, err
		}
		// The fork is below the first of the peer's blocks whose
		// previous_hash is ours but whose own hash is not.
		for i, v := range ch.Blocks {
			h := since + int64(i)
			prev, _ := v.Get("previous_hash")
			if ours[h] == consensus.Hash(v) {
				continue
			}
			if prev.Kind == consensus.String && prev.Str == ours[h-1] {
				fork = h - 1
			}
			break
		}
		if fork < 0 && since == 1 {
			fork = 0 // not even the genesis is shared
		}
	}

	// Fetch the peer's branch above the fork and check it from our block there.
	var base pybtc.ChainTip
	if fork > 0 {
		var err error
		if base, err = n.store.BlockAt(ctx, fork); err != nil {
			return false, err
		}
	}
	var blocks []pybtc.Block
	var checker *consensus.ChainChecker
	if fork == 0 {
		checker = &consensus.ChainChecker{Now: n.now()}
	} else {
		checker = consensus.CheckerFrom(base, n.now())
	}
	if length-fork > maxForkDepth {
		return false, fmt.Errorf("branch of %d blocks above the fork is too long to hold", length-fork)
	}
	for next := fork + 1; next <= length; {
		ch, err := n.client.FetchChain(ctx, u, next, syncPage)
		if err != nil {
			return false, err
		}
		if len(ch.Blocks) == 0 {
			break
		}
		for _, v := range ch.Blocks {
			b, err := checker.Next(v)
			if err != nil {
				return false, err
			}
			blocks = append(blocks, b)
		}
		next += int64(len(ch.Blocks))
		length = ch.Length
	}
	return n.commitBlocks(ctx, tip, fork, blocks)
}

// adoptFullChain validates a whole chain, as a tutorial peer sends it, and
// adopts what differs from ours if it is longer.
func (n *Node) adoptFullChain(ctx context.Context, chain []consensus.Value) (bool, error) {
	blocks, err := consensus.ValidateChain(chain, n.now())
	if err != nil {
		return false, err
	}
	tip := n.Tip()
	if int64(len(blocks)) <= tip.Height {
		return false, nil
	}
	ours, err := n.store.Hashes(ctx, 1, tip.Height)
	if err != nil {
		return false, err
	}
	fork := int64(0)
	for _, b := range blocks {
		if ours[b.Index] != b.Hash {
			break
		}
		fork = b.Index
	}
	return n.commitBlocks(ctx, tip, fork, blocks[fork:])
}

// commitBlocks stores blocks above height fork (appending when fork is the
// tip, reorganising otherwise) if the chain is still at tip and the result
// is longer. It reports whether the chain changed.
func (n *Node) commitBlocks(ctx context.Context, tip pybtc.ChainTip, fork int64, blocks []pybtc.Block) (bool, error) {
	if len(blocks) == 0 {
		return false, nil
	}
	last := blocks[len(blocks)-1]
	n.chain.Lock()
	defer n.chain.Unlock()
	if cur := n.Tip(); cur.Hash != tip.Hash {
		return false, nil // the chain moved meanwhile; the next sync will see
	}
	if last.Index <= tip.Height {
		return false, nil
	}
	if fork == tip.Height {
		if err := n.store.AppendBlocks(ctx, blocks); err != nil {
			return false, err
		}
	} else {
		if err := n.store.ReplaceChain(ctx, fork, blocks, n.mempoolPolicy()); err != nil {
			return false, err
		}
		depth := tip.Height - fork
		n.reorgs.Add(1)
		n.reorgedBlocks.Add(depth)
		if depth > n.deepestReorg.Load() { // only one writer: we hold the chain lock
			n.deepestReorg.Store(depth)
		}
		n.log.Info("chain reorganised", "fork", fork, "removed", depth, "added", len(blocks))
	}
	n.setTip(consensus.TipOf(last))
	n.log.Info("adopted blocks", "height", last.Index, "hash", last.Hash)
	return true, nil
}

// SyncAll asks every peer that is not backing off for a longer chain, one
// after the other, and reports whether the chain changed.
func (n *Node) SyncAll(ctx context.Context) bool {
	changed := false
	for _, u := range n.peers.ready() {
		ok, err := n.SyncWith(ctx, u)
		if err != nil && ctx.Err() == nil {
			n.log.Debug("sync", "peer", u.String(), "err", err)
		}
		changed = changed || ok
	}
	return changed
}

// runSync asks the peers for a longer chain every SyncInterval: block
// announcements from tutorial nodes do not arrive (their header is
// misspelled), so the node must not depend on them.
func (n *Node) runSync(ctx context.Context) {
	t := time.NewTicker(n.cfg.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.SyncAll(ctx)
		}
	}
}

// Resolve handles a block announcement: it catches up with the node at
// miner if that is a known peer, and with every peer otherwise (also when
// miner is empty). It reports whether the chain changed.
func (n *Node) Resolve(ctx context.Context, miner string) (bool, error) {
	if u, err := peer.ParseURL(miner); err == nil {
		for _, known := range n.peers.all() {
			if peer.SameNode(known, u) {
				changed, err := n.SyncWith(ctx, known)
				if err != nil {
					n.log.Debug("resolve", "peer", known.String(), "err", err)
				}
				return changed, nil
			}
		}
	}
	return n.SyncAll(ctx), nil
}
