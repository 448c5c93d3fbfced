package node

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/peer"
)

// Relaying: each peer has a queue of transactions to pass on and a few
// workers that send them, so that a slow peer delays only itself. A full
// queue drops what does not fit: relaying is best effort, and blocks carry
// every transaction to every node in the end.
const (
	relayQueue   = 4096
	relayWorkers = 4
)

// peerSet is the node's view of its peers: the stored list, each one's
// health (failures and backoff) and its relay queue.
type peerSet struct {
	n      *Node
	ctx    context.Context // ends relaying and announcing at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	byURL map[string]*peerState
	order []string
}

type peerState struct {
	url       peer.URL
	failures  int
	retryAt   time.Time
	lastSaved time.Time // when a success was last written to the database
	queue     chan []byte
}

func newPeerSet(n *Node) *peerSet {
	ctx, cancel := context.WithCancel(context.Background())
	return &peerSet{n: n, ctx: ctx, cancel: cancel, byURL: map[string]*peerState{}}
}

// load reads the stored peers; a restarted node knows its network.
func (ps *peerSet) load(ctx context.Context) error {
	stored, err := ps.n.store.Peers(ctx)
	if err != nil {
		return err
	}
	for _, p := range stored {
		u, err := peer.ParseURL(p.URL)
		if err != nil {
			ps.n.log.Warn("ignoring stored peer", "url", p.URL, "err", err)
			continue
		}
		st := ps.add(u)
		st.failures = p.Failures
		if p.RetryAt > 0 {
			st.retryAt = time.UnixMicro(int64(p.RetryAt * 1e6))
		}
	}
	return nil
}

// add starts tracking u and its relay workers; the caller stores it.
func (ps *peerSet) add(u peer.URL) *peerState {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if st, ok := ps.byURL[u.String()]; ok {
		return st
	}
	st := &peerState{url: u, queue: make(chan []byte, relayQueue)}
	ps.byURL[u.String()] = st
	ps.order = append(ps.order, u.String())
	if ps.n.networked() {
		for range relayWorkers {
			ps.wg.Go(func() { ps.relayLoop(st) })
		}
	}
	return st
}

// all returns every peer's URL, in the order they were added.
func (ps *peerSet) all() []peer.URL {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	urls := make([]peer.URL, len(ps.order))
	for i, key := range ps.order {
		urls[i] = ps.byURL[key].url
	}
	return urls
}

// ready returns the peers that are not backing off.
func (ps *peerSet) ready() []peer.URL {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := time.Now()
	var urls []peer.URL
	for _, key := range ps.order {
		if st := ps.byURL[key]; !st.retryAt.After(now) {
			urls = append(urls, st.url)
		}
	}
	return urls
}

func (ps *peerSet) size() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.order)
}

// record notes the outcome of an exchange with u. Failures are written at
// once; successes only when they end a failure streak or the last one
// written is old, so that relaying thousands of transactions does not turn
// into thousands of writes.
func (ps *peerSet) record(u peer.URL, err error) {
	ps.mu.Lock()
	st, ok := ps.byURL[u.String()]
	if !ok {
		ps.mu.Unlock()
		return
	}
	now := time.Now()
	var save func(context.Context) error
	if err == nil {
		if st.failures > 0 || now.Sub(st.lastSaved) > 10*time.Second {
			st.failures, st.retryAt, st.lastSaved = 0, time.Time{}, now
			save = func(ctx context.Context) error { return ps.n.store.PeerSucceeded(ctx, u.String()) }
		}
	} else {
		st.failures++
		st.retryAt = now.Add(peer.Backoff(st.failures))
		retryAt := float64(st.retryAt.UnixMicro()) / 1e6
		reason := err.Error()
		save = func(ctx context.Context) error { return ps.n.store.PeerFailed(ctx, u.String(), reason, retryAt) }
	}
	ps.mu.Unlock()
	if save == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := save(ctx); err != nil {
		ps.n.log.Error("record peer state", "peer", u.String(), "err", err)
	}
}

// relay queues a transaction for every peer.
func (ps *peerSet) relay(raw []byte) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, key := range ps.order {
		select {
		case ps.byURL[key].queue <- raw:
		default:
			ps.n.log.Warn("relay queue full, dropping transaction", "peer", key)
		}
	}
}

func (ps *peerSet) relayLoop(st *peerState) {
	for {
		select {
		case <-ps.ctx.Done():
			return
		case raw := <-st.queue:
			ps.mu.Lock()
			backingOff := st.retryAt.After(time.Now())
			ps.mu.Unlock()
			if backingOff {
				continue
			}
			err := ps.n.client.RelayTransaction(ps.ctx, st.url, raw)
			if ps.ctx.Err() != nil {
				return
			}
			ps.record(st.url, err)
		}
	}
}

// close stops relaying and waits for the workers.
func (ps *peerSet) close() {
	ps.cancel()
	ps.wg.Wait()
}

// Registered is the answer to a registration.
type Registered struct {
	// Added is how many of the given nodes were new.
	Added int
	// Total lists every peer as host:port, as the tutorial does.
	Total []string
}

// RegisterPeers adds the nodes at urls as peers, the tutorial's three
// steps: store each new one (never this node itself, never twice), register
// this node back with it, and tell the other peers about it. The last two
// happen in the background with timeouts, and a peer that already knows
// the other answers "Already Registered Node", so registrations end.
// Errors: EINVALID for a malformed URL (nothing is stored then),
// EUNAVAILABLE when the node has MaxPeers peers already.
func (n *Node) RegisterPeers(ctx context.Context, urls []string) (Registered, error) {
	parsed := make([]peer.URL, 0, len(urls))
	for _, s := range urls {
		u, err := peer.ParseURL(s)
		if err != nil {
			return Registered{}, err
		}
		parsed = append(parsed, u)
	}
	var added []peer.URL
	for _, u := range parsed {
		if n.networked() && peer.SameNode(u, n.cfg.Self) {
			continue
		}
		if slices.Contains(n.peers.all(), u) {
			continue
		}
		if n.peers.size() >= n.cfg.MaxPeers {
			return Registered{}, pybtc.Errorf(pybtc.EUNAVAILABLE, "This node has %d peers, the most it takes.", n.cfg.MaxPeers)
		}
		isNew, err := n.store.AddPeer(ctx, u.String())
		if err != nil {
			return Registered{}, fmt.Errorf("register %s: %w", u, err)
		}
		n.peers.add(u)
		if isNew {
			added = append(added, u)
			n.log.Info("peer added", "peer", u.String())
		}
	}
	if n.networked() {
		for _, u := range added {
			n.spread(u)
		}
	}
	var total []string
	for _, u := range n.peers.all() {
		total = append(total, u.Netloc())
	}
	return Registered{Added: len(added), Total: total}, nil
}

// spread registers this node with the new peer u and tells every other
// peer about u.
func (n *Node) spread(u peer.URL) {
	ps := n.peers
	ps.wg.Go(func() {
		ctx := ps.ctx
		ps.record(u, n.client.Register(ctx, u, n.cfg.Self))
		// A new peer may be ahead: catch up at once rather than at the
		// next round of the sync loop.
		if _, err := n.SyncWith(ctx, u); err != nil && ctx.Err() == nil {
			n.log.Debug("sync with new peer", "peer", u.String(), "err", err)
		}
	})
	for _, other := range ps.all() {
		if other == u {
			continue
		}
		ps.wg.Go(func() { ps.record(other, n.client.Register(ps.ctx, other, u)) })
	}
}

// announce tells every peer that is not backing off about a block this
// node mined, so they fetch it now rather than at their next sync.
func (n *Node) announce(b pybtc.Block) {
	if !n.networked() {
		return
	}
	ps := n.peers
	for _, u := range ps.ready() {
		ps.wg.Go(func() { ps.record(u, n.client.AnnounceBlock(ps.ctx, u, n.cfg.Self, b.Nonce)) })
	}
}

// Peers returns every peer with its state as stored.
func (n *Node) Peers(ctx context.Context) ([]pybtc.Peer, error) {
	return n.store.Peers(ctx)
}
