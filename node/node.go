package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// Store is what a node needs from its database. store.DB implements it.
type Store interface {
	// Tip returns the last block, or ENOTFOUND on an empty chain.
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	// AppendBlock stores b on the tip and removes its transactions from the
	// mempool atomically; ECONFLICT when b no longer fits the tip.
	AppendBlock(ctx context.Context, b pybtc.Block) error
	// AddPending stores txs in one commit; one result per transaction (nil,
	// ECONFLICT for a known id, EINVALID for an overdraft when checkBalance).
	AddPending(ctx context.Context, txs []pybtc.Transaction, checkBalance bool) ([]error, error)
	// Pending returns up to limit mempool transactions in arrival order.
	Pending(ctx context.Context, limit int) ([]pybtc.Transaction, error)
}

// Config configures a Node.
type Config struct {
	// Miner is the address that receives the reward of blocks this node
	// mines when the caller names none. Required.
	Miner string
	// AllowOverdraft turns off the balance check on new transactions, as
	// the tutorial does. Zero means balances are checked.
	AllowOverdraft bool
	// Workers is the number of goroutines of the nonce search. Zero means
	// one per CPU.
	Workers int
	// MaxBatch bounds how many transactions share one commit. Zero means 1024.
	MaxBatch int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives the node's logs. Nil means slog.Default().
	Logger *slog.Logger
}

// Node is a running pyBTC node.
type Node struct {
	store Store
	cfg   Config
	log   *slog.Logger

	submissions chan submission
	stop        chan struct{}
	stopped     chan struct{}
	closeOnce   sync.Once

	// commits and committed count group commits and the transactions they
	// stored, so the sharing of commits can be watched.
	commits, committed atomic.Int64

	// tip is the last stored block. The node is the only writer of blocks,
	// so it keeps the snapshot current instead of asking the database on
	// every request.
	tip atomic.Pointer[pybtc.ChainTip]

	// mining serialises block making: two /mine calls never see the same
	// mempool snapshot, so no transaction lands in two blocks.
	mining sync.Mutex
}

// New returns a node over store; Open starts it.
func New(store Store, cfg Config) *Node {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1024
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Node{
		store:       store,
		cfg:         cfg,
		log:         cfg.Logger,
		submissions: make(chan submission, 4*cfg.MaxBatch),
		stop:        make(chan struct{}),
		stopped:     make(chan struct{}),
	}
}

// Open stores the genesis block on an empty chain and starts the batcher.
func (n *Node) Open(ctx context.Context) error {
	if n.cfg.Miner == "" {
		return fmt.Errorf("open node: miner address required")
	}
	tip, err := n.store.Tip(ctx)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		genesis := consensus.Genesis()
		if err := n.store.AppendBlock(ctx, genesis); err != nil {
			return fmt.Errorf("open node: store genesis: %w", err)
		}
		tip = consensus.TipOf(genesis)
	} else if err != nil {
		return fmt.Errorf("open node: %w", err)
	}
	n.tip.Store(&tip)
	go n.runBatcher()
	return nil
}

// Close stops the batcher after it has committed what it holds. Call it
// after the HTTP server has finished its requests.
func (n *Node) Close() {
	n.closeOnce.Do(func() {
		close(n.stop)
		<-n.stopped
	})
}

// Tip returns a snapshot of the chain's last block.
func (n *Node) Tip() pybtc.ChainTip {
	return *n.tip.Load()
}

// Stats are counters of a running node.
type Stats struct {
	// Commits is the number of group commits of new transactions.
	Commits int64
	// Committed is the number of transactions those commits carried.
	Committed int64
}

// Stats returns the node's counters.
func (n *Node) Stats() Stats {
	return Stats{Commits: n.commits.Load(), Committed: n.committed.Load()}
}

func (n *Node) now() float64 {
	return float64(n.cfg.Now().UnixMicro()) / 1e6
}

// errClosed answers requests that arrive while the node shuts down.
var errClosed = pybtc.Errorf(pybtc.EUNAVAILABLE, "The node is shutting down.")

func isCode(err error, code string) bool {
	var e *pybtc.Error
	return errors.As(err, &e) && e.Code == code
}
