// Command pybtc runs a pyBTC node: a proof-of-work blockchain node that
// speaks the pyBTC tutorial's HTTP protocol and keeps its chain in SQLite.
//
// Usage:
//
//	pybtc node [flags]     run a node
//	pybtc devnet [flags]   run a local network of nodes
//	pybtc lab [NAME]       list the lab's experiments, or run one
//	pybtc version          print the version
//	pybtc status, chain, send, mine, balance, tx, block, peers, tips, reorgs
//	                       talk to a node (pybtc help lists them)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/lab/experiments"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
)

// Version and Commit are set at build time with -ldflags "-X main.Version=…".
var (
	Version = "dev"
	Commit  = "unknown"
)

// gcPercent is the node's garbage collector setting unless GOGC says
// otherwise. The chain lives on disk, so the live heap is small, and
// serving a chain or thousands of posts a second allocates quickly: with
// Go's default of 100 the collector runs after every few requests. 400
// costs a few megabytes and halves /chain's time (see BENCHMARKS.md).
const gcPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `pybtc runs a pyBTC node and talks to it.

Usage:
  pybtc node [flags]   run a node (pybtc node --help lists the flags)
  pybtc devnet         run a local three-node network on ports 5000-5002, watched at 5003
  pybtc backup DEST    copy a node's database while it runs (pybtc backup --help)
  pybtc simulate       make traffic on a network: wallets that send and mine (pybtc simulate --help)
  pybtc key new        make a key address (pb1...) and write its key file (pybtc key --help)
  pybtc key address F  print the address of key file F
  pybtc lab [NAME]     list the lab's experiments, or run one on a throw-away network (pybtc lab --help)
  pybtc version        print the version and commit
  pybtc help [CMD]     print this help, or a command's

Talking to a node (pybtc CMD --help describes each, with an example):
  pybtc status                            the node's height, tip, mempool and peers
  pybtc chain [--since N] [--limit N]     list blocks, oldest first
  pybtc send --from A --to B --amount X   post a transaction
  pybtc mine [-n N] [--to ADDR]           mine N blocks, one after another
  pybtc balance ADDR                      an address's balance
  pybtc tx ID                             a transaction, pending or confirmed
  pybtc block HEIGHT|HASH                 a block and its transactions
  pybtc peers                             list the node's peers and their state
  pybtc peers add URL...                  register peers with the node
  pybtc tips                              every chain tip: the active one and the forks
  pybtc reorgs [--limit N]                the latest reorganisations, newest first

  Each of them takes:
  --node URL       the node (default $PYBTC_NODE, else http://127.0.0.1:5000)
  --json           print the node's JSON answer, indented, instead of text
  --timeout D      how long to wait for each answer (default 30s for mine, 10s otherwise)

  Exit codes:
  0  success
  1  the node refused the request (4xx); its message is printed on stderr as is
  2  usage error: unknown command, bad flag or argument
  3  the node is unreachable, failed (5xx) or did not answer in time
`

// run dispatches a subcommand and returns the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "node":
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(stderr, "pybtc node:", err)
			return 2
		}
		if err := m.Run(ctx); err != nil {
			fmt.Fprintln(stderr, "pybtc node:", err)
			m.Close()
			return 1
		}
		<-ctx.Done()
		m.Logger.Info("shutting down")
		if err := m.Close(); err != nil {
			fmt.Fprintln(stderr, "pybtc node:", err)
			return 1
		}
		return 0
	case "devnet":
		return runDevnet(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "simulate":
		return runSimulate(ctx, args[1:], stdout, stderr)
	case "key":
		return runKey(args[1:], stdout, stderr)
	case "lab":
		return runLab(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "pybtc %s (commit %s)\n", Version, Commit)
		return 0
	case "status", "chain", "send", "mine", "balance", "tx", "block", "peers", "tips", "reorgs":
		return runClient(ctx, args[0], args[1:], stdout, stderr)
	case "help", "-h", "--help":
		if len(args) == 2 && args[0] == "help" {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "pybtc: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// Config is a node's configuration, from flags and PYBTC_* variables.
type Config struct {
	Listen         string
	DB             string
	Miner          string
	Advertise      string
	Peers          []string
	AllowOverdraft bool
	Automine       bool
	Dev            bool
	Lab            bool
	ForgetPeers    bool
	MaxMempool     int64
	SecureFrom     int64
	BlockInterval  time.Duration
	SyncInterval   time.Duration
	SyncTimeout    time.Duration
	PeerProxy      string
	LogLevel       slog.Level
}

// Main is a running node program: its configuration and what it wired.
type Main struct {
	Config Config
	Logger *slog.Logger

	DB   *store.DB
	Node *node.Node
	HTTP *api.Server

	stdout, stderr io.Writer
}

// NewMain returns a Main that prints to stdout and logs to stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr}
}

// ParseFlags reads the flags of "pybtc node"; each flag's default comes from
// its PYBTC_* variable when that is set.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("pybtc node", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	c := &m.Config
	fs.StringVar(&c.Listen, "listen", env("PYBTC_LISTEN", "127.0.0.1:5000"), "address to serve on (env PYBTC_LISTEN)")
	fs.StringVar(&c.DB, "db", env("PYBTC_DB", ""), "SQLite file (env PYBTC_DB; default data/node-<port>.db)")
	fs.StringVar(&c.Miner, "miner", env("PYBTC_MINER", ""), "address paid for mined blocks (env PYBTC_MINER; default node_<port>)")
	overdraft, err := envBool("PYBTC_ALLOW_OVERDRAFT")
	if err != nil {
		return err
	}
	fs.BoolVar(&c.AllowOverdraft, "allow-overdraft", overdraft, "accept transactions the sender cannot cover, as the tutorial does (env PYBTC_ALLOW_OVERDRAFT)")
	fs.StringVar(&c.Advertise, "advertise", env("PYBTC_ADVERTISE", ""), "URL peers reach this node at (env PYBTC_ADVERTISE; default http://<listen address>)")
	if v := env("PYBTC_PEERS", ""); v != "" {
		c.Peers = strings.Fields(strings.ReplaceAll(v, ",", " "))
	}
	fs.BoolVar(&c.ForgetPeers, "forget-peers", false, "forget the peers stored in the database before starting, e.g. on a backup, which would otherwise rejoin the original's network; --peer still registers")
	fs.Func("peer", "URL of a peer to register with at start; repeat for more (env PYBTC_PEERS, comma-separated)", func(s string) error {
		c.Peers = append(c.Peers, s)
		return nil
	})
	automine, err := envBool("PYBTC_AUTOMINE")
	if err != nil {
		return err
	}
	fs.BoolVar(&c.Automine, "automine", automine, "mine blocks on its own (env PYBTC_AUTOMINE)")
	maxMempool, err := strconv.ParseInt(env("PYBTC_MAX_MEMPOOL", "100000"), 10, 64)
	if err != nil || maxMempool < 1 {
		return fmt.Errorf("PYBTC_MAX_MEMPOOL=%q: want a number of transactions", os.Getenv("PYBTC_MAX_MEMPOOL"))
	}
	fs.Int64Var(&c.MaxMempool, "max-mempool", maxMempool, "most pending transactions kept; beyond, posts get 503 until a block makes room (env PYBTC_MAX_MEMPOOL)")
	secureFrom, err := strconv.ParseInt(env("PYBTC_SECURE_FROM", "0"), 10, 64)
	if err != nil {
		return fmt.Errorf("PYBTC_SECURE_FROM=%q: want a block height, or 0 for never", os.Getenv("PYBTC_SECURE_FROM"))
	}
	fs.Int64Var(&c.SecureFrom, "secure-from", secureFrom, "height from which every block's hash must start with 0000, mined with a \"work\" key (rule W); 0 means never, as on tutorial networks (env PYBTC_SECURE_FROM)")
	dev, err := envBool("PYBTC_DEV")
	if err != nil {
		return err
	}
	fs.BoolVar(&c.Dev, "dev", dev, "development mode: the wallet shows a \"mine a block\" button, and /lab runs experiments (env PYBTC_DEV)")
	labOn, err := envBool("PYBTC_LAB")
	if err != nil {
		return err
	}
	fs.BoolVar(&c.Lab, "lab", labOn, "let visitors of /lab run experiments: each starts throw-away nodes on 127.0.0.1 for a few seconds, one at a time (env PYBTC_LAB)")
	if c.BlockInterval, err = envDuration("PYBTC_BLOCK_INTERVAL", 10*time.Second); err != nil {
		return err
	}
	fs.DurationVar(&c.BlockInterval, "block-interval", c.BlockInterval, "average time between blocks with --automine (env PYBTC_BLOCK_INTERVAL)")
	if c.SyncInterval, err = envDuration("PYBTC_SYNC_INTERVAL", 3*time.Second); err != nil {
		return err
	}
	fs.DurationVar(&c.SyncInterval, "sync-interval", c.SyncInterval, "how often to ask peers for a longer chain (env PYBTC_SYNC_INTERVAL)")
	if c.SyncTimeout, err = envDuration("PYBTC_SYNC_TIMEOUT", time.Minute); err != nil {
		return err
	}
	fs.DurationVar(&c.SyncTimeout, "sync-timeout", c.SyncTimeout, "longest a sync with one peer may take, all its pages (env PYBTC_SYNC_TIMEOUT)")
	fs.StringVar(&c.PeerProxy, "peer-proxy", env("PYBTC_PEER_PROXY", ""), "HTTP proxy for every call to peers, e.g. http://127.0.0.1:3128 (env PYBTC_PEER_PROXY; default none)")
	level := env("PYBTC_LOG_LEVEL", "info")
	fs.Func("log-level", "debug, info, warn or error (env PYBTC_LOG_LEVEL; default info)", func(s string) error { level = s; return nil })
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pybtc node [flags]\n\nRuns a pyBTC node.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.SecureFrom < 0 || c.SecureFrom == 1 {
		// Block 1 is the genesis, fixed, whose hash has no work.
		return fmt.Errorf("--secure-from %d: want 0 (never) or a height of 2 or more", c.SecureFrom)
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	return nil
}

// Run opens the database, starts the node and the HTTP server, and prints
// where to find them. It returns once everything serves.
func (m *Main) Run(ctx context.Context) error {
	m.Logger = slog.New(slog.NewTextHandler(m.stderr, &slog.HandlerOptions{Level: m.Config.LogLevel}))

	// Listen first: the port names the default database and miner, and
	// with port 0 it is only known once bound.
	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
	}
	m.HTTP = &api.Server{Addr: ln.Addr().String(), Listener: ln, Logger: m.Logger}
	port := ln.Addr().(*net.TCPAddr).Port
	if m.Config.DB == "" {
		m.Config.DB = filepath.Join("data", fmt.Sprintf("node-%d.db", port))
	}
	if m.Config.Miner == "" {
		m.Config.Miner = fmt.Sprintf("node_%d", port)
	}

	m.DB = store.NewDB(m.Config.DB)
	if err := m.DB.Open(ctx); err != nil {
		return err
	}
	if m.Config.ForgetPeers {
		// Before the node opens, which starts syncing with them.
		if err := forgetPeers(ctx, m.DB, m.Logger); err != nil {
			return err
		}
	}
	self, err := advertised(m.Config.Advertise, ln.Addr().(*net.TCPAddr))
	if err != nil {
		return err
	}
	if h, _, err := net.SplitHostPort(self.Host); err == nil {
		m.HTTP.Hosts = []string{h}
	}
	client, err := peerClient(m.Config.PeerProxy)
	if err != nil {
		return err
	}
	m.Node = node.New(m.DB, node.Config{
		Miner:          m.Config.Miner,
		Self:           self,
		Client:         client,
		AllowOverdraft: m.Config.AllowOverdraft,
		MaxPending:     m.Config.MaxMempool,
		SecureFrom:     m.Config.SecureFrom,
		Automine:       m.Config.Automine,
		BlockInterval:  m.Config.BlockInterval,
		SyncInterval:   m.Config.SyncInterval,
		SyncTimeout:    m.Config.SyncTimeout,
		Logger:         m.Logger,
	})
	if err := m.Node.Open(ctx); err != nil {
		return err
	}
	m.HTTP.Chain = m.DB
	m.HTTP.Explorer = m.DB
	m.HTTP.Node = m.Node
	m.HTTP.Dev = m.Config.Dev
	m.HTTP.Lab = &experiments.Runner{TutorialNode: os.Getenv("PYBTC_TUTORIAL_NODE")}
	m.HTTP.LabEnabled = m.Config.Lab || m.Config.Dev
	if err := m.HTTP.Open(); err != nil {
		return err
	}
	if len(m.Config.Peers) > 0 {
		if _, err := m.Node.RegisterPeers(ctx, m.Config.Peers); err != nil {
			return fmt.Errorf("--peer: %w", err)
		}
	}
	tip := m.Node.Tip()
	m.Logger.Info("node started", "url", m.HTTP.URL(), "db", m.Config.DB, "miner", m.Config.Miner, "height", tip.Height, "tip", tip.Hash)
	base := m.HTTP.URL()
	fmt.Fprintf(m.stdout, "pyBTC node %s\n  Home:       %s/\n  API:        %s/chain\n  Block Scan: %s/scan\n  Wallet:     %s/wallet\n  Lab:        %s/lab\n  Peers:      %s/nodes\n  Database:   %s\n",
		Version, base, base, base, base, base, base, m.Config.DB)
	return nil
}

// forgetPeers removes every peer stored in db.
func forgetPeers(ctx context.Context, db *store.DB, logger *slog.Logger) error {
	peers, err := db.Peers(ctx)
	if err != nil {
		return fmt.Errorf("--forget-peers: %w", err)
	}
	for _, p := range peers {
		if err := db.RemovePeer(ctx, p.URL); err != nil {
			return fmt.Errorf("--forget-peers: remove %s: %w", p.URL, err)
		}
	}
	logger.Info("forgot the stored peers", "peers", len(peers))
	return nil
}

// peerClient is the client the node talks to peers with: through the HTTP
// proxy at proxyURL when one is given (a gateway out of a closed network,
// or a test's fault-injecting link), directly otherwise.
func peerClient(proxyURL string) (*peer.Client, error) {
	c := peer.NewClient()
	if proxyURL == "" {
		return c, nil
	}
	u, err := url.Parse(proxyURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--peer-proxy %q: want http://host:port", proxyURL)
	}
	t, ok := c.HTTP.Transport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("--peer-proxy: the peer client has no HTTP transport to set it on")
	}
	t.Proxy = http.ProxyURL(u)
	return c, nil
}

// Close stops the HTTP server (finishing requests in flight), then the
// node's batcher (finishing its commits), then closes the database.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errs []error
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Close(ctx))
	}
	if m.Node != nil {
		m.Node.Close()
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

// advertised returns the URL peers should use to reach this node: the
// --advertise value, or the address it listens on (with a wildcard address
// replaced by loopback, which is at least reachable from this machine).
func advertised(flag string, addr *net.TCPAddr) (peer.URL, error) {
	if flag != "" {
		u, err := peer.ParseURL(flag)
		if err != nil {
			return peer.URL{}, fmt.Errorf("--advertise: %w", err)
		}
		return u, nil
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return peer.ParseURL("http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port)))
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func envDuration(name string, fallback time.Duration) (time.Duration, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return fallback, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 5s", name, v)
	}
	return d, nil
}

func envBool(name string) (bool, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}
