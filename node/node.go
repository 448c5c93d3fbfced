package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// Store is what a node needs from its database. store.DB implements it.
type Store interface {
	// Tip returns the last block, or ENOTFOUND on an empty chain.
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	ChainStore
	// AddStaleBlocks stores blocks of a competing branch, from source, as
	// stale blocks as they arrive, in one commit.
	AddStaleBlocks(ctx context.Context, source string, blocks []pybtc.Block) error
	// PruneStale forgets the oldest stale blocks beyond the store's bound.
	PruneStale(ctx context.Context) error
	// BlockAt returns the block at height as a tip snapshot, or ENOTFOUND.
	BlockAt(ctx context.Context, height int64) (pybtc.ChainTip, error)
	// Hashes returns the hashes of blocks from..to by height.
	Hashes(ctx context.Context, from, to int64) (map[int64]string, error)
	// AddPending stores txs in one commit and returns once it is on disk;
	// one result per transaction (nil, ECONFLICT for a known id, wrapping
	// pybtc.ErrPending when it is pending, EINVALID for an overdraft when
	// checkBalance, or the error that storing that one transaction met,
	// which fails no other).
	AddPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool) ([]error, error)
	// LogSyncs returns how many syncs of the write-ahead log were made and
	// the time they took.
	LogSyncs() (count int64, total time.Duration)
	// Pending returns up to limit mempool transactions in arrival order.
	Pending(ctx context.Context, limit int) ([]pybtc.Transaction, error)
	// PendingForBlock returns up to limit mempool transactions in arrival
	// order for a block to mine; unless policy allows overdrafts, those
	// their senders cannot cover in block order leave the mempool,
	// recorded, and are counted in dropped.
	PendingForBlock(ctx context.Context, limit int, policy consensus.MempoolPolicy) (txs []pybtc.Transaction, dropped int, err error)
	// PendingCount returns the number of mempool transactions.
	PendingCount(ctx context.Context) (int64, error)
	// AddPeer stores a peer and reports whether it is new.
	AddPeer(ctx context.Context, url string) (bool, error)
	// Peers returns every stored peer.
	Peers(ctx context.Context) ([]pybtc.Peer, error)
	// RemovePeer forgets a peer; ENOTFOUND if it was not known.
	RemovePeer(ctx context.Context, url string) error
	// PeerSucceeded and PeerFailed record the outcome of an exchange.
	PeerSucceeded(ctx context.Context, url string) error
	PeerFailed(ctx context.Context, url, reason string, retryAt float64) error
}

// PeerClient talks to other nodes. peer.Client implements it.
type PeerClient interface {
	Register(ctx context.Context, target, node peer.URL, kind peer.Registration) error
	RelayTransaction(ctx context.Context, target peer.URL, tx []byte) error
	AnnounceBlock(ctx context.Context, target, self peer.URL, nonce int64, hash string) error
	// NudgeTutorial makes a tutorial node look at its peers' chains; see
	// peer.Client.NudgeTutorial.
	NudgeTutorial(ctx context.Context, target, self peer.URL, previous string, nonce int64) error
	// StreamChain hands each block of target's answer to GET /chain to
	// each as it arrives; see peer.Client.StreamChain.
	StreamChain(ctx context.Context, target peer.URL, since, limit int64, each func(*wire.Block) error) (peer.Chain, error)
}

// Config configures a Node.
type Config struct {
	// Miner is the address that receives the reward of blocks this node
	// mines when the caller names none. Required.
	Miner string
	// Self is this node's own URL, as peers reach it. Zero means the node
	// has no peers: it neither registers, relays nor announces.
	Self peer.URL
	// Client talks to peers. Nil means peer.NewClient().
	Client PeerClient
	// AllowOverdraft turns off the balance check on new transactions, as
	// the tutorial does. Zero means balances are checked.
	AllowOverdraft bool
	// Workers is the number of goroutines of the nonce search. Zero means
	// one per CPU.
	Workers int
	// SecureFrom is the height from which blocks must satisfy rule W
	// (consensus.CheckWork): the node refuses blocks without it and mines
	// a "work" for its own. Zero means never, as on tutorial networks.
	SecureFrom int64
	// MaxBatch bounds how many transactions share one commit. Zero means 1024.
	MaxBatch int
	// MaxPeers bounds the number of peers. Zero means 64.
	MaxPeers int
	// MaxPending bounds the mempool: beyond it new transactions are
	// refused with EUNAVAILABLE until blocks make room. Zero means 100,000.
	MaxPending int64
	// SyncInterval is how often the node asks its peers for a longer
	// chain on its own. Zero means 3 seconds; negative means never.
	SyncInterval time.Duration
	// SyncTimeout bounds a whole sync with one peer, all its pages. Zero
	// means 60 seconds.
	SyncTimeout time.Duration
	// MaxBranchBytes bounds the raw JSON of the blocks a sync holds in
	// memory before storing them: a peer's branch above the fork point,
	// or a page of blocks that extend the chain. Zero means 64 MiB.
	MaxBranchBytes int64
	// Automine makes the node mine on its own, one block per BlockInterval
	// on average (zero: 10 seconds).
	Automine      bool
	BlockInterval time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives the node's logs. Nil means slog.Default().
	Logger *slog.Logger
}

// Node is a running pyBTC node.
type Node struct {
	store  Store
	client PeerClient
	cfg    Config
	log    *slog.Logger

	submissions chan submission
	stop        chan struct{}
	stopped     chan struct{}
	closeOnce   sync.Once
	cancel      context.CancelFunc
	loops       sync.WaitGroup

	// commits and committed count group commits and the transactions they
	// stored, so the sharing of commits can be watched; commitNanos sums
	// the time the commits took (checks, inserts, and the wait for the sync
	// to disk).
	commits, committed, commitNanos atomic.Int64
	blocksMined                     atomic.Int64
	hashes                          atomic.Int64
	hashRate                        atomic.Uint64 // float64 bits: hashes a second of the last search

	// chain is the one path by which blocks enter the chain, and the tip.
	chain *Chain

	// mining serialises block making: two /mine calls never see the same
	// mempool snapshot, so no transaction lands in two blocks.
	mining sync.Mutex

	peers *peerSet
	// announced is the hash of the last tip announced to the peers: each
	// is announced once.
	announceMu sync.Mutex
	announced  string
	// fetching holds the announced blocks being fetched, each with its
	// other announcers to ask next; fetchesFrom how many fetches each peer
	// has under way.
	fetchMu     sync.Mutex
	fetching    map[string][]peer.URL
	fetchesFrom map[string]int
	// introduced holds when a full node last introduced each newcomer it
	// could not take (see firstIntroduction).
	introducedMu sync.Mutex
	introduced   map[string]time.Time
	// syncSlots holds a token for each sync running; its capacity bounds
	// them.
	syncSlots chan struct{}
}

// New returns a node over store; Open starts it.
func New(store Store, cfg Config) *Node {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1024
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = 64
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 100_000
	}
	if cfg.SyncInterval == 0 {
		cfg.SyncInterval = 3 * time.Second
	}
	if cfg.SyncTimeout <= 0 {
		cfg.SyncTimeout = 60 * time.Second
	}
	if cfg.MaxBranchBytes <= 0 {
		cfg.MaxBranchBytes = 64 << 20
	}
	if cfg.BlockInterval <= 0 {
		cfg.BlockInterval = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	client := cfg.Client
	if client == nil {
		client = peer.NewClient()
	}
	n := &Node{
		store:       store,
		client:      client,
		cfg:         cfg,
		log:         cfg.Logger,
		submissions: make(chan submission, 4*cfg.MaxBatch),
		stop:        make(chan struct{}),
		stopped:     make(chan struct{}),
		syncSlots:   make(chan struct{}, syncWorkers),
	}
	n.chain = NewChain(store, n.mempoolPolicy(), cfg.SecureFrom, cfg.Logger)
	n.peers = newPeerSet(store, client, cfg.Logger, cfg.Now, n.networked())
	n.client = watchingClient{PeerClient: client, peers: n.peers}
	return n
}

// Open stores the genesis block on an empty chain, loads the peers and
// starts the background work: the batcher, relaying, periodic sync and,
// if configured, automatic mining.
func (n *Node) Open(ctx context.Context) error {
	if n.cfg.Miner == "" {
		return fmt.Errorf("open node: miner address required")
	}
	if err := n.chain.Load(ctx); err != nil {
		return fmt.Errorf("open node: %w", err)
	}
	if err := n.peers.load(ctx); err != nil {
		return fmt.Errorf("open node: %w", err)
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go n.runBatcher()
	if n.networked() {
		// Peers may know this node under an old address, or not at all
		// if they lost their state: introduce it again.
		for _, u := range n.peers.all() {
			n.peers.background(func(ctx context.Context) { n.peers.record(u, n.client.Register(ctx, u, n.cfg.Self, peer.Newcomer)) })
		}
	}
	if n.networked() && n.cfg.SyncInterval > 0 {
		n.loops.Go(func() { n.runSync(loopCtx) })
	}
	if n.cfg.Automine {
		n.loops.Go(func() { n.runAutomine(loopCtx) })
	}
	return nil
}

// Close stops the background work: mining and syncing at once, the
// batcher after it has committed what it holds, and relaying at once: a
// transaction still queued for a peer, or on its way, is dropped, as a
// full queue drops it. It stays in this node's mempool, and the block that
// mines it carries it to the peers. Call it after the HTTP server has
// finished its requests.
func (n *Node) Close() {
	n.closeOnce.Do(func() {
		if n.cancel != nil {
			n.cancel()
		}
		n.loops.Wait()
		close(n.stop)
		<-n.stopped
		n.peers.close()
	})
}

// Tip returns a snapshot of the chain's last block.
func (n *Node) Tip() pybtc.ChainTip {
	return n.chain.Tip()
}

// Miner returns the address the node's blocks pay when no miner is named.
func (n *Node) Miner() string {
	return n.cfg.Miner
}

// WatchTip returns the tip and a channel closed when it next changes: a
// block was mined, received or a longer chain adopted.
func (n *Node) WatchTip() (pybtc.ChainTip, <-chan struct{}) {
	return n.chain.WatchTip()
}

// Stats are counters of a running node.
type Stats struct {
	// Commits is the number of group commits of new transactions.
	Commits int64
	// Committed is the number of transactions those commits carried.
	Committed int64
	// CommitTime is the time those commits took, the wait for the sync to
	// disk included: divided by Commits, what the disk makes a post wait.
	CommitTime time.Duration
	// BlocksMined counts blocks this node mined and stored.
	BlocksMined int64
	// Hashes counts the proofs of work tried; HashRate is how many a
	// second the last nonce search tried.
	Hashes   int64
	HashRate float64
	// LogSyncs counts the syncs of the database's write-ahead log that
	// made writes durable, LogSyncTime the time they took: the disk's pace.
	LogSyncs    int64
	LogSyncTime time.Duration
	// Reorgs counts switches to a peer's branch that removed blocks of
	// ours; ReorgedBlocks sums the blocks they removed, DeepestReorg is
	// the most one removed.
	Reorgs, ReorgedBlocks, DeepestReorg int64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	r := n.chain.ReorgStats()
	syncs, syncTime := n.store.LogSyncs()
	return Stats{
		Commits:       n.commits.Load(),
		Committed:     n.committed.Load(),
		CommitTime:    time.Duration(n.commitNanos.Load()),
		LogSyncs:      syncs,
		LogSyncTime:   syncTime,
		BlocksMined:   n.blocksMined.Load(),
		Hashes:        n.hashes.Load(),
		HashRate:      math.Float64frombits(n.hashRate.Load()),
		Reorgs:        r.Reorgs,
		ReorgedBlocks: r.ReorgedBlocks,
		DeepestReorg:  r.DeepestReorg,
	}
}

// mempoolPolicy is this node's policy for what its mempool holds.
func (n *Node) mempoolPolicy() consensus.MempoolPolicy {
	return consensus.MempoolPolicy{AllowOverdraft: n.cfg.AllowOverdraft, MaxPending: n.cfg.MaxPending}
}

func (n *Node) now() float64 {
	return float64(n.cfg.Now().UnixMicro()) / 1e6
}

// networked reports whether the node talks to peers at all.
func (n *Node) networked() bool { return n.cfg.Self.Host != "" }

// errClosed answers requests that arrive while the node shuts down.
var errClosed = pybtc.Refuse(pybtc.EUNAVAILABLE, pybtc.ReasonShuttingDown, pybtc.Args{})

func isCode(err error, code string) bool {
	var e *pybtc.Error
	return errors.As(err, &e) && e.Code == code
}
