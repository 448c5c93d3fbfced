package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// MaxBodyBytes bounds a request body: a transaction is a few hundred bytes,
// and a client that sends a megabyte is refused before it is read whole.
const MaxBodyBytes = 64 * 1024

// ChainReader reads the stored chain.
type ChainReader interface {
	// StreamChain calls begin with the chain's length, then each with the
	// raw JSON of every block from height from to the tip (at most limit of
	// them; 0: all), from one snapshot.
	StreamChain(ctx context.Context, from, limit int64, begin func(length int64) error, each func(raw []byte) error) error
}

// NodeService is what the protocol routes ask of the node.
type NodeService interface {
	// SubmitTransaction applies the policy to a transaction, as read, and
	// commits it; EINVALID with a reason when refused.
	SubmitTransaction(ctx context.Context, t wire.Transaction) (node.Accepted, error)
	// Mine makes, stores and returns one block paying miner (empty: the
	// node's own address).
	Mine(ctx context.Context, miner string) (pybtc.Block, error)
	// Tip returns the chain's last block.
	Tip() pybtc.ChainTip
	// Miner returns the address the node mines to.
	Miner() string
	// RegisterPeersAs adds peers (EINVALID for a malformed URL), doing
	// what a registration of that kind asks.
	RegisterPeersAs(ctx context.Context, urls []string, kind peer.Registration) (node.Registered, error)
	// Resolve catches up with the miner at URL miner if it is a known peer
	// (unless hash, when given, is its last block already), else with
	// every peer; it reports whether the chain changed.
	Resolve(ctx context.Context, miner, hash string) (bool, error)
	// Peers lists the peers with their state.
	Peers(ctx context.Context) ([]pybtc.Peer, error)
	// WatchTip returns the tip and a channel closed when it next changes.
	WatchTip() (pybtc.ChainTip, <-chan struct{})
	// Stats returns the node's counters.
	Stats() node.Stats
	// Mempool says how full the mempool is.
	Mempool(ctx context.Context) (node.Mempool, error)
}

// Server serves a node's HTTP interface.
type Server struct {
	// Addr is the address to listen on, e.g. "127.0.0.1:5000"; port 0 picks
	// a free port. Required.
	Addr string
	// Chain reads the stored chain. Required.
	Chain ChainReader
	// Node takes transactions and mines. Required.
	Node NodeService
	// Explorer reads what Block Scan shows. Required.
	Explorer Explorer
	// Logger receives request and error logs. Nil means slog.Default().
	Logger *slog.Logger
	// ReadHeaderTimeout and ReadTimeout bound how long a client may take
	// to send its request's headers, and the whole request: a slow client
	// must not hold a connection forever. Zero means 10 and 30 seconds.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// Dev shows the wallet's "mine a block" button, for learners running a
	// node of their own.
	Dev bool
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Hosts are the host names, besides IP addresses and localhost, that
	// browsers may reach the node by (the host of its advertised URL): a
	// browser's request that changes state under any other name is
	// refused, since DNS rebinding can point any name at 127.0.0.1.
	Hosts []string
	// Listener, when set, is used instead of listening on Addr: the caller
	// bound it to learn the port before wiring the rest.
	Listener net.Listener
	// Lab runs the experiments /lab shows; nil shows none.
	Lab LabRunner
	// LabEnabled lets visitors run them (--lab or --dev): each run
	// starts throw-away nodes on this machine, so a node must be started
	// to allow it.
	LabEnabled bool

	echo *echo.Echo
	ln   net.Listener
	http *http.Server
	done chan error
	// streams counts the open event streams; closing ends them, so that
	// a shutdown does not wait for pages that never close.
	streams  chan struct{}
	closing  chan struct{}
	sessions *sessions
	metrics  *metrics
	// labBusy holds the one experiment running.
	labBusy chan struct{}
	// chainWriters holds the buffers GET /chain writes through.
	chainWriters sync.Pool
}

// Open binds the listener (so "address in use" is an error here, not a log
// line later) and serves in the background.
func (s *Server) Open() error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	ln := s.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", s.Addr, err)
		}
	}
	s.ln = ln
	s.echo = s.newEcho()
	ln = repairListener{ln}
	s.http = &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: cmp.Or(s.ReadHeaderTimeout, 10*time.Second),
		ReadTimeout:       cmp.Or(s.ReadTimeout, 30*time.Second),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelDebug),
	}
	s.done = make(chan error, 1)
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return nil
}

// URL returns the base URL the server answers on, e.g. http://127.0.0.1:5000.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Port returns the port the server listens on.
func (s *Server) Port() int {
	if s.ln == nil {
		return 0
	}
	return s.ln.Addr().(*net.TCPAddr).Port
}

// Close stops accepting connections and waits, until ctx is done, for the
// requests in flight to finish.
func (s *Server) Close(ctx context.Context) error {
	if s.http == nil {
		if s.Listener != nil {
			s.Listener.Close()
		}
		return nil
	}
	close(s.closing)
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	return <-s.done
}

// Handler returns the server's routes, for tests that call ServeHTTP.
func (s *Server) Handler() http.Handler {
	if s.echo == nil {
		if s.Logger == nil {
			s.Logger = slog.Default()
		}
		s.echo = s.newEcho()
	}
	return s.echo
}

func (s *Server) now() float64 {
	return float64(s.clock().UnixMicro()) / 1e6
}
