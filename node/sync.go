package node

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// syncPage is how many blocks one request asks a pyBTC peer for: catching
// up a long chain goes page by page, in flat memory.
const syncPage = 500

// maxForkDepth bounds how far back the node walks to find where a peer's
// chain leaves its own, and how many blocks a peer's branch may have: in
// memory (with Config.MaxBranchBytes bounding their bytes) for blocks on
// our tip, on disk as stale blocks for a branch that leaves our chain
// below the tip.
const maxForkDepth = 20_000

// A branch that leaves our chain below the tip is written to the stale
// tables as it arrives, in batches of at most staleBatchBlocks blocks or
// staleBatchBytes bytes of JSON: what a sync holds in memory stays flat
// however long the branch.
const (
	staleBatchBlocks = 64
	staleBatchBytes  = 1 << 20
)

// syncWorkers bounds the syncs that run at once, and so the memory they
// hold together; syncs with different peers run side by side up to it.
const syncWorkers = 4

// errStop ends the reading of a peer's answer once it has told the node
// what it needed.
var errStop = errors.New("enough read")

// SyncWith asks u for a longer chain and adopts it if it is valid: the
// longest valid chain wins, and on equal length the node keeps its own.
// From a pyBTC peer it fetches only the blocks it lacks (GET
// /chain?since=N, page by page) and walks back to the fork point when the
// peer's chain left its own; from a tutorial peer, which ignores the query,
// it reads the full chain. It reports whether the chain changed. A peer's
// invalid, malformed or oversized answer changes nothing. The whole sync,
// every page and the wait for a sync with u already running, ends within
// Config.SyncTimeout.
func (n *Node) SyncWith(ctx context.Context, u peer.URL) (bool, error) {
	sctx, cancel := context.WithTimeout(ctx, n.cfg.SyncTimeout)
	defer cancel()
	release, err := n.peers.lockSync(sctx, u)
	if err != nil {
		return false, fmt.Errorf("sync with %s: wait for the sync already running: %w", u, err)
	}
	defer release()
	return n.syncLocked(ctx, sctx, u)
}

// syncLocked syncs with u within sctx, the sync's deadline derived from
// ctx; the caller holds u's sync lock. Only a failure of the peer is
// recorded against it: not the node shutting down (ctx ended), nor a wait
// for a free sync worker.
func (n *Node) syncLocked(ctx, sctx context.Context, u peer.URL) (bool, error) {
	select {
	case n.syncSlots <- struct{}{}:
	case <-sctx.Done():
		return false, fmt.Errorf("sync with %s: wait for a free sync worker: %w", u, sctx.Err())
	}
	defer func() { <-n.syncSlots }()
	changed, err := n.syncWith(sctx, u)
	// A branch that did not win stays as stale blocks: forget the oldest
	// beyond the bound. Blocks that arrived lately are spared, since they
	// may belong to a branch another sync is still fetching.
	if perr := n.store.PruneStale(ctx); perr != nil && ctx.Err() == nil {
		n.log.Warn("prune stale blocks", "err", perr)
	}
	if ctx.Err() == nil {
		n.peers.record(u, err)
	}
	if changed {
		// Pass the news on, once the sync has taken what it could.
		n.announceTip(n.Tip(), u)
	}
	if err != nil {
		return changed, fmt.Errorf("sync with %s: %w", u, err)
	}
	return changed, nil
}

// syncInBackground starts a sync with u unless one is running already, and
// does not wait for it.
func (n *Node) syncInBackground(ctx context.Context, u peer.URL) {
	release, ok := n.peers.trySyncLock(u)
	if !ok {
		return
	}
	n.peers.wg.Go(func() {
		defer release()
		sctx, cancel := context.WithTimeout(ctx, n.cfg.SyncTimeout)
		defer cancel()
		if _, err := n.syncLocked(ctx, sctx, u); err != nil && ctx.Err() == nil {
			n.log.Debug("sync", "peer", u.String(), "err", err)
		}
	})
}

func (n *Node) syncWith(ctx context.Context, u peer.URL) (bool, error) {
	tip := n.Tip()
	var br *branch
	forked := false
	// A tutorial peer sends its whole chain. Its last block is what a
	// nudge needs (see nudgeTutorial), so the answer is read to its end
	// even when a block before breaks a rule: the peer's chain is refused
	// all the same.
	var whole bool
	var last peerTip
	var refused error
	ch, err := n.client.StreamChain(ctx, u, tip.Height+1, syncPage, func(b *wire.Block) error {
		if whole {
			last.see(b)
			if refused != nil {
				return nil
			}
		}
		if br == nil {
			// The first block tells what the answer is: a tutorial
			// peer's whole chain, blocks on our tip, or blocks of a
			// branch that left ours below it.
			first, _ := b.Index.Int64()
			prev := &b.PreviousHash
			switch {
			case first == 1:
				br = n.newBranch(ctx, u, tip, pybtc.ChainTip{})
				br.matching = true
				whole = true
				last.see(b)
			case prev.Kind == wire.String && prev.Str == tip.Hash:
				br = n.newBranch(ctx, u, tip, tip)
			default:
				forked = true
				return errStop
			}
		}
		err := br.add(b)
		var re *consensus.RuleError
		if whole && errors.As(err, &re) {
			refused = err
			return nil
		}
		return err
	})
	if forked {
		return n.reorgFrom(ctx, u, tip)
	}
	if err != nil {
		return false, err
	}
	if whole {
		// Once this sync has decided, the peer may be the shorter.
		defer n.nudgeTutorial(ctx, u, ch.Length, last)
	}
	if refused != nil {
		return false, refused
	}
	if ch.Length <= tip.Height {
		return false, nil // ours is as long: keep it
	}
	if br == nil {
		return false, fmt.Errorf("peer claims %d blocks but sent none", ch.Length)
	}
	if ch.Full {
		return n.adopt(ctx, br)
	}
	return n.extend(ctx, u, tip, br, ch.Length)
}

// branch gathers a peer's blocks above a fork point as they arrive,
// validated, within the node's bounds on what a sync holds in memory. The
// checks as they stream end a hostile answer early; the chain checks the
// branch again against its own blocks when it is offered. Blocks on our
// tip are held in memory and appended; a branch that leaves our chain
// below the tip is written to the stale tables as it arrives (stored),
// so that a reorganisation of any depth holds a batch at most.
type branch struct {
	n       *Node
	ctx     context.Context
	source  string         // the peer's URL
	tip     pybtc.ChainTip // ours when the sync began
	base    pybtc.ChainTip // our block the branch builds on, the fork point
	checker *consensus.ChainChecker
	blocks  []pybtc.Block // in memory, or the batch not yet written when stored
	bytes   int64         // of blocks
	stored  bool
	count   int64 // blocks of the branch, written or not

	// matching is set while a whole chain from the genesis is the same as
	// ours: such blocks are not kept, and the fork moves up with them.
	matching bool
	ours     map[int64]string // our hashes from the height of the block in hand
	oursTo   int64            // the last height in ours
}

// newBranch returns a branch above base, our block at the fork point (the
// zero ChainTip for a chain from its genesis); tip is ours.
func (n *Node) newBranch(ctx context.Context, u peer.URL, tip, base pybtc.ChainTip) *branch {
	checker := &consensus.ChainChecker{Now: n.now()}
	if base.Height > 0 {
		checker = consensus.CheckerFrom(base, n.now())
	}
	checker.SecureFrom = n.cfg.SecureFrom
	return &branch{n: n, ctx: ctx, source: u.String(), tip: tip, base: base, checker: checker}
}

// add validates the next block of the branch and keeps it, unless the
// branch grows beyond maxForkDepth blocks or, held in memory,
// Config.MaxBranchBytes. A block that breaks a rule is recorded as
// refused.
func (br *branch) add(wb *wire.Block) error {
	b, err := br.checker.Next(wb)
	if err != nil {
		height, _ := wb.Index.Int64()
		br.n.chain.RecordRefused(br.ctx, br.source, wb.Hash, height, err)
		return err
	}
	if br.matching {
		same, err := br.isOurs(b)
		if err != nil {
			return err
		}
		if same {
			br.base = consensus.TipOf(b)
			return nil
		}
		br.matching = false
	}
	if br.count >= maxForkDepth {
		return fmt.Errorf("the branch above block %d has more than %d blocks, more than a sync holds", br.base.Height, maxForkDepth)
	}
	if br.count == 0 {
		br.stored = br.base.Height < br.tip.Height
	}
	br.count++
	br.bytes += int64(len(b.Raw))
	br.blocks = append(br.blocks, b)
	if br.stored {
		if len(br.blocks) >= staleBatchBlocks || br.bytes >= staleBatchBytes {
			return br.flush()
		}
		return nil
	}
	if br.bytes > br.n.cfg.MaxBranchBytes {
		return fmt.Errorf("the branch above block %d has more than %d bytes of blocks, more than a sync holds", br.base.Height, br.n.cfg.MaxBranchBytes)
	}
	return nil
}

// flush writes the batch of a stored branch to the stale tables.
func (br *branch) flush() error {
	if len(br.blocks) == 0 {
		return nil
	}
	if err := br.n.store.AddStaleBlocks(br.ctx, br.source, br.blocks); err != nil {
		return fmt.Errorf("store the branch above block %d: %w", br.base.Height, err)
	}
	clear(br.blocks)
	br.blocks, br.bytes = br.blocks[:0], 0
	return nil
}

// isOurs reports whether b is the block at its height in our chain,
// reading our hashes a page at a time.
func (br *branch) isOurs(b pybtc.Block) (bool, error) {
	if b.Index > br.tip.Height {
		return false, nil
	}
	if br.ours == nil || b.Index > br.oursTo {
		to := min(b.Index+syncPage-1, br.tip.Height)
		ours, err := br.n.store.Hashes(br.ctx, b.Index, to)
		if err != nil {
			return false, fmt.Errorf("read our hashes %d..%d: %w", b.Index, to, err)
		}
		br.ours, br.oursTo = ours, to
	}
	return br.ours[b.Index] == b.Hash, nil
}

// extend stores the blocks of br, which build on our tip, and fetches and
// stores the peer's next pages until the length it claimed.
func (n *Node) extend(ctx context.Context, u peer.URL, tip pybtc.ChainTip, br *branch, length int64) (bool, error) {
	changed := false
	for len(br.blocks) > 0 {
		ok, err := n.adopt(ctx, br)
		if err != nil || !ok {
			return changed, err
		}
		changed = true
		tip = br.checker.Tip()
		if tip.Height >= length {
			break
		}
		br = n.newBranch(ctx, u, tip, tip)
		ch, err := n.client.StreamChain(ctx, u, tip.Height+1, syncPage, br.add)
		if err != nil {
			return changed, err
		}
		if ch.Full {
			return changed, fmt.Errorf("peer answered a full chain while paging")
		}
		length = ch.Length
	}
	return changed, nil
}

// reorgFrom finds where the peer's chain leaves ours by asking for ever
// earlier blocks, then fetches the peer's branch from there and adopts it
// if it is valid and longer. The length the peer claims is checked on
// every page: the branch above the fork stays within maxForkDepth blocks,
// and the node fetches no further than the first claim.
func (n *Node) reorgFrom(ctx context.Context, u peer.URL, tip pybtc.ChainTip) (bool, error) {
	fork := int64(-1)
	for step := int64(8); fork < 0; step *= 2 {
		since := max(tip.Height+1-step, 1)
		if tip.Height+1-since > maxForkDepth {
			return false, fmt.Errorf("no common block within %d blocks", maxForkDepth)
		}
		ours, err := n.store.Hashes(ctx, since-1, tip.Height)
		if err != nil {
			return false, err
		}
		// The fork is below the first of the peer's blocks whose
		// previous_hash is ours but whose own hash is not.
		h := since
		_, err = n.client.StreamChain(ctx, u, since, tip.Height+2-since, func(b *wire.Block) error {
			defer func() { h++ }()
			if ours[h] == b.Hash {
				return nil
			}
			prev := &b.PreviousHash
			if prev.Kind == wire.String && prev.Str == ours[h-1] {
				fork = h - 1
			}
			return errStop
		})
		if err != nil && !errors.Is(err, errStop) {
			return false, err
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
	br := n.newBranch(ctx, u, tip, base)
	target := int64(-1)
	for next := fork + 1; target < 0 || next <= target; {
		ch, err := n.client.StreamChain(ctx, u, next, syncPage, br.add)
		if err != nil {
			return false, err
		}
		switch {
		case ch.Length-fork > maxForkDepth:
			return false, fmt.Errorf("peer claims %d blocks, a branch of %d above the fork at %d, more than the %d a sync holds", ch.Length, ch.Length-fork, fork, maxForkDepth)
		case target >= 0 && ch.Length > target+syncPage:
			return false, fmt.Errorf("peer's claimed length keeps growing: %d, after %d when the sync began", ch.Length, target)
		case ch.Full && next > 1:
			return false, fmt.Errorf("peer answered a full chain while paging")
		}
		if target < 0 {
			target = ch.Length
		}
		if ch.Sent == 0 {
			break
		}
		next += ch.Sent
	}
	return n.adopt(ctx, br)
}

// adopt offers the branch to the chain, which takes it if it is valid
// and longer than the chain is now, and reports whether the chain changed.
func (n *Node) adopt(ctx context.Context, br *branch) (bool, error) {
	var changed bool
	var err error
	if br.stored {
		if err := br.flush(); err != nil {
			return false, err
		}
		changed, err = n.chain.ProcessStoredBranch(ctx, br.source, br.base, br.checker.Tip())
	} else {
		changed, err = n.chain.ProcessBlocksFrom(ctx, br.source, br.base, br.blocks)
	}
	if changed {
		last := br.checker.Tip()
		n.log.Info("adopted blocks", "height", last.Height, "hash", last.Hash)
	}
	return changed, err
}

// SyncAll asks every peer that is not backing off for a longer chain, the
// peers side by side (up to syncWorkers at once), and reports whether the
// chain changed. It returns within Config.SyncTimeout.
func (n *Node) SyncAll(ctx context.Context) bool {
	var changed atomic.Bool
	var wg sync.WaitGroup
	for _, u := range n.peers.ready() {
		wg.Go(func() {
			ok, err := n.SyncWith(ctx, u)
			if err != nil && ctx.Err() == nil {
				n.log.Debug("sync", "peer", u.String(), "err", err)
			}
			if ok {
				changed.Store(true)
			}
		})
	}
	wg.Wait()
	return changed.Load()
}

// runSync asks peers for a longer chain about every SyncInterval, on its
// own schedule: block announcements from tutorial nodes do not arrive
// (their header is misspelled), so the node must not depend on them. Each
// round asks the peers that peerSet.due names, every tutorial peer and one
// pyBTC peer (whose blocks are announced), so that the rounds of a
// classroom's nodes cost each a request or two, not one for every peer.
// Each round starts a sync with every peer that has none running and does
// not wait for them, so that a slow peer delays only its own next round.
// The rounds are a random 0.75 to 1.25 intervals apart, so that nodes
// started together do not ask their peers in step.
func (n *Node) runSync(ctx context.Context) {
	t := time.NewTimer(jitter(n.cfg.SyncInterval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, u := range n.peers.due(n.cfg.SyncInterval) {
				n.syncInBackground(ctx, u)
			}
			t.Reset(jitter(n.cfg.SyncInterval))
		}
	}
}

// jitter returns d times a random factor between 0.75 and 1.25.
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}

// Resolve handles a block announcement: it catches up with the node at
// miner if that is a known peer, and with every peer otherwise (also when
// miner is empty). A known peer that names its new last block by hash
// (hash is "" when it does not, as a tutorial node) is not asked for a
// block this node has as its own last: in a network where every node
// passes each new block on to its peers, most announcements of a block
// come after it; and such a peer is answered before the sync, which runs
// in the background. It reports whether the chain changed.
func (n *Node) Resolve(ctx context.Context, miner, hash string) (bool, error) {
	if u, err := peer.ParseURL(miner); err == nil {
		for _, known := range n.peers.all() {
			if peer.SameNode(known, u) {
				if hash != "" {
					n.peers.sawTip(known, hash)
					if n.Tip().Hash == hash {
						return false, nil
					}
					// A pyBTC peer is not kept waiting for the sync: a
					// node with many peers announces to them a few at a
					// time, and each announcement that waited for its
					// peer's sync would hold up the next. So the answer
					// says the chain is as it was, which it still is.
					// Peers announce a block at about the same time: it
					// is fetched from the first, and from the next only
					// if that fetch did not bring it.
					if !n.startFetch(hash, known) {
						return false, nil
					}
					n.peers.wg.Go(func() { n.fetchAnnounced(hash, known) })
					return false, nil
				}
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

// startFetch notes that the block hash was announced by from, and reports
// whether to fetch it from from now: not when a fetch of it is under way
// (from joins the announcers to ask next, should that fetch not bring
// it), nor when two fetches from that peer are under way (one syncing,
// one waiting for it, which takes whatever the peer has by then): a peer
// that announces block after block, or hashes of blocks that do not
// exist, costs at most two goroutines and one sync at a time.
func (n *Node) startFetch(hash string, from peer.URL) bool {
	n.fetchMu.Lock()
	defer n.fetchMu.Unlock()
	if n.fetching == nil {
		n.fetching, n.fetchesFrom = map[string][]peer.URL{}, map[string]int{}
	}
	if next, ok := n.fetching[hash]; ok {
		if len(next) < maxAnnouncers && !slices.ContainsFunc(next, func(u peer.URL) bool { return u.String() == from.String() }) {
			n.fetching[hash] = append(next, from)
		}
		return false
	}
	if n.fetchesFrom[from.String()] >= maxFetchesFromPeer {
		return false
	}
	n.fetching[hash] = []peer.URL{}
	n.fetchesFrom[from.String()]++
	return true
}

// maxFetchesFromPeer bounds the announced blocks fetched from one peer at
// once, and maxAnnouncers the other announcers of a block kept to ask
// next (see startFetch).
const (
	maxFetchesFromPeer = 2
	maxAnnouncers      = 8
)

// fetchAnnounced syncs with from, which announced the block hash, and,
// while the chain does not hold that block, with its other announcers in
// turn: the first announcer's answer may fail, or lack the block (a peer
// may announce what it does not have).
func (n *Node) fetchAnnounced(hash string, from peer.URL) {
	for {
		if _, err := n.SyncWith(n.peers.ctx, from); err != nil && n.peers.ctx.Err() == nil {
			n.log.Debug("resolve", "peer", from.String(), "err", err)
		}
		next, ok := n.nextAnnouncer(hash, from, n.holds(hash))
		if !ok || n.peers.ctx.Err() != nil {
			return
		}
		from = next
	}
}

// nextAnnouncer ends the fetch of hash from from and returns the next
// announcer to ask, unless the chain holds the block (held) or none is
// left, which ends the fetch of hash.
func (n *Node) nextAnnouncer(hash string, from peer.URL, held bool) (peer.URL, bool) {
	n.fetchMu.Lock()
	defer n.fetchMu.Unlock()
	if n.fetchesFrom[from.String()]--; n.fetchesFrom[from.String()] <= 0 {
		delete(n.fetchesFrom, from.String())
	}
	next := n.fetching[hash]
	if held || len(next) == 0 {
		delete(n.fetching, hash)
		return peer.URL{}, false
	}
	n.fetching[hash] = next[1:]
	n.fetchesFrom[next[0].String()]++
	return next[0], true
}

// holds reports whether the block hash is the tip or one of the blocks
// just below it: an announced block, once fetched, is one of them.
func (n *Node) holds(hash string) bool {
	tip := n.Tip()
	if tip.Hash == hash {
		return true
	}
	hashes, err := n.store.Hashes(n.peers.ctx, max(tip.Height-heldDepth, 1), tip.Height)
	if err != nil {
		return false
	}
	for _, h := range hashes {
		if h == hash {
			return true
		}
	}
	return false
}

// heldDepth is how far below the tip holds looks for an announced block.
const heldDepth = 16
