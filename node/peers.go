package node

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// Relaying: each peer has a queue of transactions to pass on and a few
// workers that send them, so that a slow peer delays only itself. A full
// queue drops what does not fit: relaying is best effort, and blocks carry
// every transaction to every node in the end. The queue grows as it fills
// and the workers run while it holds something: an idle node with 64
// peers holds no buffers and no goroutines for them (a channel of 4,096
// slots for each peer cost 96 KiB each, 6 MiB a node).
const (
	relayQueue   = 4096
	relayWorkers = 4
)

// Registering back, telling the other peers about a new one, introducing
// the node at start and announcing blocks are short exchanges run by a few
// workers from a bounded queue, so that a burst of registrations costs a
// bounded number of goroutines. A full queue drops the exchange: each is
// best effort, and the sync loop finds every peer's chain anyway.
const (
	backgroundQueue   = 1024
	backgroundWorkers = 8
)

// introduceTo is how many of its peers a node tells of a newcomer. Each
// of them registers back with the newcomer, which so starts with the node
// it joined and introduceTo others, and later newcomers add a few more:
// the class becomes a random graph of a handful of peers a node, a few
// hops across, instead of every node registering with every other (the
// tutorial's way, whose registrations grow with the square of the class).
// Those told do not tell anyone else, so the news of a node ends after
// one hop.
const introduceTo = 4

// forgetAfter is how long a peer may fail, without a single success,
// before the node forgets it: dead peers must not hold places under the
// cap for ever.
const forgetAfter = 24 * time.Hour

// peerStore is what a peerSet needs from the database: the stored peers
// and their health.
type peerStore interface {
	Peers(ctx context.Context) ([]pybtc.Peer, error)
	RemovePeer(ctx context.Context, url string) error
	PeerSucceeded(ctx context.Context, url string) error
	PeerFailed(ctx context.Context, url, reason string, retryAt float64) error
}

// peerSet is the node's view of its peers: the stored list, each one's
// health (failures and backoff) and its relay queue.
type peerSet struct {
	store  peerStore
	client PeerClient
	log    *slog.Logger
	// now is the node's clock, by which a peer that fails long enough is
	// forgotten; backoffs follow the machine's clock.
	now func() time.Time
	// relaying is false for a node without an address of its own, which
	// relays nothing.
	relaying bool

	ctx    context.Context // ends relaying and announcing at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	tasks       chan func(context.Context)
	startWorker sync.Once

	mu    sync.Mutex
	byURL map[string]*peerState
	order []string
	// syncing holds each peer's sync lock: a channel of one slot, full
	// while a sync with the peer runs.
	syncing map[string]chan struct{}
}

type peerState struct {
	url       peer.URL
	failures  int
	retryAt   time.Time
	lastSaved time.Time // when a success was last written to the database
	// failingSince is when the current streak of failures began, by the
	// node's clock; zero while the peer answers.
	failingSince time.Time
	// pending holds the transactions waiting to be relayed to the peer,
	// and relayers counts the workers sending them; both under the set's
	// lock.
	pending  [][]byte
	relayers int
	// heardAt is when the peer last told the node of its chain, by an
	// answer to GET /chain or an announcement; the periodic sync asks
	// first the peers heard from least lately.
	heardAt time.Time
	// What the peer's last answer to GET /chain said, for people to see:
	// its chain's length, its last block's hash ("" when unknown), when
	// the answer came by the node's clock, and how long it took to begin.
	height   int64
	tipHash  string
	lastSeen time.Time
	rtt      time.Duration
	// tutorial is set once the peer answered a request for the chain
	// since a height with its whole chain, as only a tutorial node does.
	tutorial bool
	// nudgedAt is our tip when the peer, a tutorial node, was last nudged
	// onto our chain.
	nudgedAt string
	// stop ends the peer's relay workers when it is removed.
	ctx  context.Context
	stop context.CancelFunc
	// stored is closed once the peer is in the database, or failed to be
	// (storeErr, set before): a second registration of a peer still being
	// stored is answered after it, never before it is on disk.
	stored   chan struct{}
	storeErr error
}

// markStored records how storing the peer ended.
func (st *peerState) markStored(err error) {
	st.storeErr = err
	close(st.stored)
}

// waitStored returns once the peer is stored, or the error that kept it
// out of the database.
func (st *peerState) waitStored(ctx context.Context) error {
	select {
	case <-st.stored:
		return st.storeErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// markNudged records that the peer u is nudged at our tip, and reports
// whether it was not already: one nudge for each tip is enough.
func (ps *peerSet) markNudged(u peer.URL, tip string) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	st, ok := ps.byURL[u.String()]
	if !ok || st.nudgedAt == tip {
		return false
	}
	st.nudgedAt = tip
	return true
}

func newPeerSet(store peerStore, client PeerClient, log *slog.Logger, now func() time.Time, relaying bool) *peerSet {
	ctx, cancel := context.WithCancel(context.Background())
	return &peerSet{
		store:    store,
		client:   client,
		log:      log,
		now:      now,
		relaying: relaying,
		ctx:      ctx,
		cancel:   cancel,
		tasks:    make(chan func(context.Context), backgroundQueue),
		byURL:    map[string]*peerState{},
		syncing:  map[string]chan struct{}{},
	}
}

// load reads the stored peers; a restarted node knows its network.
func (ps *peerSet) load(ctx context.Context) error {
	stored, err := ps.store.Peers(ctx)
	if err != nil {
		return err
	}
	for _, p := range stored {
		u, err := peer.ParseURL(p.URL)
		if err != nil {
			ps.log.Warn("ignoring stored peer", "url", p.URL, "err", err)
			continue
		}
		st, isNew, _ := ps.tryAdd(u, 0)
		if isNew { // two stored spellings of one URL make one peer
			st.markStored(nil)
		}
		ps.mu.Lock()
		st.failures = p.Failures
		if p.RetryAt > 0 {
			st.retryAt = time.UnixMicro(int64(p.RetryAt * 1e6))
		}
		if p.FailingSince > 0 {
			st.failingSince = time.UnixMicro(int64(p.FailingSince * 1e6))
		}
		ps.mu.Unlock()
	}
	return nil
}

// tryAdd starts tracking u and its relay workers unless u is known or the
// set already holds limit peers (0: no limit); the caller stores it. The
// check and the insertion are one step under the lock, so concurrent
// registrations cannot pass the cap together. It reports whether u is new
// and whether the set was full.
func (ps *peerSet) tryAdd(u peer.URL, limit int) (st *peerState, isNew, full bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if st, ok := ps.byURL[u.String()]; ok {
		return st, false, false
	}
	if limit > 0 && len(ps.order) >= limit {
		return nil, false, true
	}
	ctx, stop := context.WithCancel(ps.ctx)
	st = &peerState{url: u, ctx: ctx, stop: stop, stored: make(chan struct{})}
	ps.byURL[u.String()] = st
	ps.order = append(ps.order, u.String())
	return st, true, false
}

// remove stops tracking u and its relay workers, and reports whether it
// was tracked.
func (ps *peerSet) remove(u peer.URL) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.removeLocked(u.String())
}

// removeState stops tracking the peer of st, unless another entry for its
// URL has taken st's place since.
func (ps *peerSet) removeState(st *peerState) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.byURL[st.url.String()] == st {
		ps.removeLocked(st.url.String())
	}
}

func (ps *peerSet) removeLocked(key string) bool {
	st, ok := ps.byURL[key]
	if !ok {
		return false
	}
	st.stop()
	delete(ps.byURL, key)
	delete(ps.syncing, key)
	ps.order = slices.DeleteFunc(ps.order, func(k string) bool { return k == key })
	return true
}

// syncLock returns u's sync lock.
func (ps *peerSet) syncLock(u peer.URL) chan struct{} {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	l, ok := ps.syncing[u.String()]
	if !ok {
		l = make(chan struct{}, 1)
		ps.syncing[u.String()] = l
	}
	return l
}

// lockSync waits, within ctx, until no other sync with u runs, and returns
// the function that lets the next one run.
func (ps *peerSet) lockSync(ctx context.Context, u peer.URL) (func(), error) {
	l := ps.syncLock(u)
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// trySyncLock is lockSync that does not wait: it fails when a sync with u
// runs.
func (ps *peerSet) trySyncLock(u peer.URL) (func(), bool) {
	l := ps.syncLock(u)
	select {
	case l <- struct{}{}:
		return func() { <-l }, true
	default:
		return nil, false
	}
}

// background queues f for the background workers, which it starts on
// first use; f gets a context that ends at Close.
func (ps *peerSet) background(f func(context.Context)) {
	ps.startWorker.Do(func() {
		for range backgroundWorkers {
			ps.wg.Go(func() {
				for {
					select {
					case <-ps.ctx.Done():
						return
					case f := <-ps.tasks:
						f(ps.ctx)
					}
				}
			})
		}
	})
	select {
	case ps.tasks <- f:
	default:
		ps.log.Warn("background queue full, dropping an exchange with a peer")
	}
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
// into thousands of writes. A failure that ends a day of failures forgets
// the peer.
func (ps *peerSet) record(u peer.URL, err error) {
	ps.mu.Lock()
	st, ok := ps.byURL[u.String()]
	if !ok {
		ps.mu.Unlock()
		return
	}
	now := time.Now()
	clock := ps.now()
	var save func(context.Context) error
	if err == nil {
		if st.failures > 0 || now.Sub(st.lastSaved) > 10*time.Second {
			st.failures, st.retryAt, st.lastSaved, st.failingSince = 0, time.Time{}, now, time.Time{}
			save = func(ctx context.Context) error { return ps.store.PeerSucceeded(ctx, u.String()) }
		}
	} else if !st.failingSince.IsZero() && clock.Sub(st.failingSince) >= forgetAfter {
		since := st.failingSince
		ps.removeLocked(u.String())
		reason := err.Error()
		save = func(ctx context.Context) error {
			ps.log.Info("peer forgotten", "peer", u.String(), "failing_since", since, "err", reason)
			if err := ps.store.RemovePeer(ctx, u.String()); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
				return err
			}
			return nil
		}
	} else {
		if st.failingSince.IsZero() {
			st.failingSince = clock
		}
		st.failures++
		st.retryAt = now.Add(peer.Backoff(st.failures))
		retryAt := float64(st.retryAt.UnixMicro()) / 1e6
		reason := err.Error()
		save = func(ctx context.Context) error { return ps.store.PeerFailed(ctx, u.String(), reason, retryAt) }
	}
	ps.mu.Unlock()
	if save == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := save(ctx); err != nil {
		ps.log.Error("record peer state", "peer", u.String(), "err", err)
	}
}

// sawChain notes what an answer of u to GET /chain told about its chain:
// the length it claimed and, when the answer carried its last block
// (lastIndex == the length), that block's hash. A peer that is not ahead
// sends no block, so its tip is known only from an earlier answer: it is
// kept while the peer's length stays the same, because a node changes its
// tip only by making its chain longer (on equal length it keeps its own),
// and forgotten when the length changes.
func (ps *peerSet) sawChain(u peer.URL, ch peer.Chain, since, lastIndex int64, lastHash string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	st, ok := ps.byURL[u.String()]
	if !ok {
		return
	}
	if since > 1 {
		st.tutorial = ch.Full
	}
	switch {
	case ch.Sent > 0 && lastIndex == ch.Length:
		st.tipHash = lastHash
	case ch.Length != st.height:
		st.tipHash = ""
	}
	st.height, st.lastSeen, st.rtt = ch.Length, ps.now(), ch.RTT
	st.heardAt = time.Now()
}

// sawTip notes that u announced hash as its last block: the node need not
// announce that block back to it.
//
// It does not count as hearing from the peer (heardAt): anyone can send an
// announcement in a peer's name, and the periodic sync must still ask a
// peer whose announcements were all that was heard of it.
func (ps *peerSet) sawTip(u peer.URL, hash string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if st, ok := ps.byURL[u.String()]; ok {
		st.tipHash = hash
	}
}

// knows reports whether u is known to hold the block hash as its last.
func (ps *peerSet) knows(u peer.URL, hash string) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	st, ok := ps.byURL[u.String()]
	return ok && st.tipHash == hash
}

// due returns the peers the periodic sync asks this round: those not
// known to be pyBTC nodes (tutorial nodes do not announce their blocks in
// a way a node can read, and a peer never heard from may be either), and
// of the pyBTC peers, which announce theirs, the one heard from least
// lately if that was longer than quiet ago. So a node's polls grow with
// its tutorial peers, not with its pyBTC peers: with announcements, the
// poll is the fallback that catches up after an announcement was lost,
// and it reaches every pyBTC peer in turn, one a round.
func (ps *peerSet) due(quiet time.Duration) []peer.URL {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := time.Now()
	var urls []peer.URL
	var oldest *peerState
	for _, key := range ps.order {
		st := ps.byURL[key]
		switch {
		case st.retryAt.After(now):
		case st.tutorial || st.heardAt.IsZero():
			urls = append(urls, st.url)
		case now.Sub(st.heardAt) >= quiet && (oldest == nil || st.heardAt.Before(oldest.heardAt)):
			oldest = st
		}
	}
	if oldest != nil {
		urls = append(urls, oldest.url)
	}
	return urls
}

// sample returns up to k peers that are not backing off, chosen at
// random, leaving out skip and the tutorial nodes (which tell every one of
// their peers of each node they hear of, so that news through them does
// not end after one hop).
func (ps *peerSet) sample(k int, skip peer.URL) []peer.URL {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	now := time.Now()
	var urls []peer.URL
	for _, key := range ps.order {
		st := ps.byURL[key]
		if st.url != skip && !st.tutorial && !st.retryAt.After(now) {
			urls = append(urls, st.url)
		}
	}
	rand.Shuffle(len(urls), func(i, j int) { urls[i], urls[j] = urls[j], urls[i] })
	return urls[:min(k, len(urls))]
}

// watch fills in what the sync learned of each peer, which is kept in
// memory only.
func (ps *peerSet) watch(peers []pybtc.Peer) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for i := range peers {
		p := &peers[i]
		// Peers are stored under their URL's canonical form, the key here.
		st, ok := ps.byURL[p.URL]
		if !ok || st.lastSeen.IsZero() {
			continue
		}
		p.Height, p.TipHash, p.RTT = st.height, st.tipHash, st.rtt
		p.LastSeen = float64(st.lastSeen.UnixMicro()) / 1e6
	}
}

// watchingClient is the node's PeerClient: it passes every call on and
// notes, from each complete answer to GET /chain, what the peer's chain
// is. The sync asks every peer for its chain every SyncInterval anyway, so
// the peers page learns their heights at no extra cost.
type watchingClient struct {
	PeerClient
	peers *peerSet
}

func (c watchingClient) StreamChain(ctx context.Context, u peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error) {
	var lastIndex int64
	var lastHash string
	ch, err := c.PeerClient.StreamChain(ctx, u, since, limit, func(b *wire.Block) error {
		lastIndex, _ = b.Index.Int64()
		lastHash = b.Hash
		return each(b)
	})
	if err == nil {
		c.peers.sawChain(u, ch, since, lastIndex, lastHash)
	}
	return ch, err
}

// relay queues a transaction for every peer, but a signed one (a spend
// from a key address) only for peers not known to be tutorial nodes: a
// tutorial node keeps a relayed payment's sender, recipient and amount and
// drops the rest, signature included, so a block it mined with the payment
// would be refused by every node that checks rule K. Bitcoin nodes, too,
// send transactions with witness data (SegWit) only to peers that announce
// they understand it.
func (ps *peerSet) relay(raw []byte, signed bool) {
	if !ps.relaying {
		return
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, key := range ps.order {
		st := ps.byURL[key]
		if signed && st.tutorial {
			continue
		}
		if len(st.pending) >= relayQueue {
			ps.log.Warn("relay queue full, dropping transaction", "peer", key)
			continue
		}
		st.pending = append(st.pending, raw)
		if st.relayers < relayWorkers && st.ctx.Err() == nil {
			st.relayers++
			ps.wg.Go(func() { ps.relayLoop(st) })
		}
	}
}

// relayLoop sends st's pending transactions until none is left, or the
// peer is removed.
func (ps *peerSet) relayLoop(st *peerState) {
	for {
		ps.mu.Lock()
		if len(st.pending) == 0 || st.ctx.Err() != nil {
			st.relayers--
			if len(st.pending) == 0 {
				st.pending = nil // let the queue's array go
			}
			ps.mu.Unlock()
			return
		}
		raw := st.pending[0]
		st.pending[0] = nil
		st.pending = st.pending[1:]
		backingOff := st.retryAt.After(time.Now())
		ps.mu.Unlock()
		if backingOff {
			continue
		}
		err := ps.client.RelayTransaction(st.ctx, st.url, raw)
		if st.ctx.Err() != nil {
			continue
		}
		if peer.Refused(err) {
			// The peer read the transaction and refused it: one whose
			// chain is a block behind cannot see the sender's coins yet,
			// and a peer that mined it answers 409. It is not failing,
			// and backing off would also stop this node's announcements
			// of the very block it lacks.
			ps.log.Debug("relay refused", "peer", st.url.String(), "err", err)
			err = nil
		}
		ps.record(st.url, err)
	}
}

// close stops relaying and the background exchanges at once, dropping
// what is queued and cutting short what is in flight, and waits for the
// workers.
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

// RegisterPeers is RegisterPeersAs for a registration that says nothing
// of itself (peer.Asked): the tutorial's, a person's, or --peer.
func (n *Node) RegisterPeers(ctx context.Context, urls []string) (Registered, error) {
	return n.RegisterPeersAs(ctx, urls, peer.Asked)
}

// RegisterPeersAs adds the nodes at urls as peers, the tutorial's three
// steps without their storm: store each new one (never this node itself,
// never twice), register this node with it unless it knows this node
// already, and tell a few other peers of it unless it was itself told of
// (see peer.Registration and introduceTo). Only a node new to this one
// leads to more registrations, and those it leads to are bounded, so
// registrations end. The exchanges happen in the background with
// timeouts. Errors: EINVALID for a malformed URL (nothing is stored then),
// EUNAVAILABLE when the node has MaxPeers peers already; a newcomer is
// still introduced to a few peers then, so that a class larger than the
// cap joins all the same.
func (n *Node) RegisterPeersAs(ctx context.Context, urls []string, kind peer.Registration) (Registered, error) {
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
		if n.networked() && n.isSelf(u) {
			continue
		}
		isNew, err := n.addPeer(ctx, u, kind)
		if err != nil {
			return Registered{}, err
		}
		if !isNew {
			continue
		}
		added = append(added, u)
		n.log.Info("peer added", "peer", u.String())
	}
	if n.networked() {
		for _, u := range added {
			n.spread(u, kind)
		}
	}
	var total []string
	for _, u := range n.peers.all() {
		total = append(total, u.Netloc())
	}
	return Registered{Added: len(added), Total: total}, nil
}

// addPeer tracks and stores u unless it is known, and reports whether it
// is new. A peer another registration is still storing is answered once
// that write ends: known if it was stored; if it failed (that caller's
// client may have gone, cancelling it), this caller stores it.
func (n *Node) addPeer(ctx context.Context, u peer.URL, kind peer.Registration) (isNew bool, err error) {
	for {
		st, isNew, full := n.peers.tryAdd(u, n.cfg.MaxPeers)
		if full {
			// A full node still introduces a newcomer, so that a class
			// larger than the cap joins, but once a while: a newcomer
			// refused again and again, or a stream of made-up ones, would
			// otherwise make four registrations at its peers each time.
			if n.networked() && kind == peer.Newcomer && n.firstIntroduction(u) {
				n.introduce(u)
			}
			return false, pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonPeerCap, pybtc.Args{Limit: int64(n.cfg.MaxPeers)})
		}
		if !isNew {
			if err := st.waitStored(ctx); err == nil {
				return false, nil
			} else if ctx.Err() != nil {
				return false, fmt.Errorf("register %s: %w", u, err)
			}
			continue // its store failed and took it out: try it ourselves
		}
		_, err := n.store.AddPeer(ctx, u.String())
		if err != nil {
			n.peers.removeState(st)
		}
		st.markStored(err)
		if err != nil {
			return false, fmt.Errorf("register %s: %w", u, err)
		}
		return true, nil
	}
}

// spread does what is left to do for the new peer u, which came by a
// registration of the given kind: register this node with u unless u
// knows it (a newcomer registered itself, a reply answered ours), and
// introduce u to a few peers unless it was introduced to this node.
func (n *Node) spread(u peer.URL, kind peer.Registration) {
	ps := n.peers
	back := peer.Asked
	switch kind {
	case peer.Asked:
		back = peer.Newcomer
	case peer.Introduction:
		back = peer.Reply
	}
	ps.background(func(ctx context.Context) {
		if back != peer.Asked {
			ps.record(u, n.client.Register(ctx, u, n.cfg.Self, back))
		}
		// A new peer may be ahead: catch up at once rather than at the
		// next round of the sync loop.
		n.syncInBackground(ctx, u)
	})
	if kind == peer.Asked || kind == peer.Newcomer {
		n.introduce(u)
	}
}

// firstIntroduction reports whether u, a newcomer the node cannot take,
// has not been introduced within introductionMemory, and notes it. It
// remembers at most maxIntroductions newcomers; when they are all recent,
// it introduces no more until they age.
func (n *Node) firstIntroduction(u peer.URL) bool {
	n.introducedMu.Lock()
	defer n.introducedMu.Unlock()
	now := time.Now()
	if at, ok := n.introduced[u.String()]; ok && now.Sub(at) < introductionMemory {
		return false
	}
	if len(n.introduced) >= maxIntroductions {
		for url, at := range n.introduced {
			if now.Sub(at) >= introductionMemory {
				delete(n.introduced, url)
			}
		}
		if len(n.introduced) >= maxIntroductions {
			return false
		}
	}
	if n.introduced == nil {
		n.introduced = map[string]time.Time{}
	}
	n.introduced[u.String()] = now
	return true
}

// introductionMemory is how long a full node remembers a newcomer it
// introduced, and maxIntroductions how many it remembers.
const (
	introductionMemory = 10 * time.Minute
	maxIntroductions   = 1024
)

// introduce tells up to introduceTo peers, chosen at random, of u.
func (n *Node) introduce(u peer.URL) {
	ps := n.peers
	for _, other := range ps.sample(introduceTo, u) {
		ps.background(func(ctx context.Context) {
			ps.record(other, n.client.Register(ctx, other, u, peer.Introduction))
		})
	}
}

// announce tells the peers about a block this node mined.
func (n *Node) announce(b pybtc.Block) {
	n.announceTip(pybtc.ChainTip{Height: b.Index, Hash: b.Hash, Nonce: b.Nonce}, peer.URL{})
}

// announceTip tells every peer that is not backing off, but from (the
// peer the block came from) and those known to have it, that tip is this
// node's new last block, so they fetch it now rather than at their next
// sync. Each node announces each of its tips once, mined or received: a
// block floods the network hop by hop, and a node serves for it a few
// requests for each of its peers (an announcement, a fetch), however
// large the network.
func (n *Node) announceTip(tip pybtc.ChainTip, from peer.URL) {
	if !n.networked() {
		return
	}
	n.announceMu.Lock()
	if n.announced == tip.Hash {
		n.announceMu.Unlock()
		return
	}
	n.announced = tip.Hash
	n.announceMu.Unlock()
	ps := n.peers
	for _, u := range ps.ready() {
		if u == from || ps.knows(u, tip.Hash) {
			continue
		}
		ps.background(func(ctx context.Context) {
			ps.record(u, n.client.AnnounceBlock(ctx, u, n.cfg.Self, tip.Nonce, tip.Hash))
		})
	}
}

// Peers returns every peer with its state as stored, and what the sync
// last learned of its chain.
func (n *Node) Peers(ctx context.Context) ([]pybtc.Peer, error) {
	peers, err := n.store.Peers(ctx)
	if err != nil {
		return nil, err
	}
	n.peers.watch(peers)
	return peers, nil
}

// RemovePeer forgets the peer at rawURL at once: it is no longer synced
// with, relayed to or stored. Errors: EINVALID for a malformed URL,
// ENOTFOUND for a peer the node does not have.
func (n *Node) RemovePeer(ctx context.Context, rawURL string) error {
	u, err := peer.ParseURL(rawURL)
	if err != nil {
		return err
	}
	tracked := n.peers.remove(u)
	err = n.store.RemovePeer(ctx, u.String())
	if tracked && pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove peer %s: %w", u, err)
	}
	n.log.Info("peer removed", "peer", u.String())
	return nil
}

// isSelf reports whether u names this node: an alias of its own address
// (see peer.SameNode), or an address of one of this machine's interfaces
// with its port, where a node listening on the wildcard address answers
// too.
func (n *Node) isSelf(u peer.URL) bool {
	self := n.cfg.Self
	if peer.SameNode(u, self) {
		return true
	}
	addr, ok := u.Addr()
	if !ok || u.Port() != self.Port() {
		return false
	}
	ifaces, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range ifaces {
		if ipnet, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(ipnet.IP); ok && ip.Unmap() == addr {
				return true
			}
		}
	}
	return false
}
