package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/views/chart"
)

// Net is an experiment's throw-away network: nodes in this process, each
// with a database in a temporary folder and an HTTP server on a free port
// of 127.0.0.1, and the tutorial's node as a child process when the runner
// knows where it is.
type Net struct {
	dir          string
	tutorialNode string
	python       string
	nodes        []*Node
	children     []*exec.Cmd
	err          error
}

func newNet(tutorialNode, python string) *Net {
	dir, err := os.MkdirTemp("", "pybtc-lab-")
	if python == "" {
		python = "/usr/bin/python3"
	}
	return &Net{dir: dir, err: err, tutorialNode: tutorialNode, python: python}
}

// Node is one pyBTC node of a lab network.
type Node struct {
	// Name is how the narration calls it ("A", "B", …).
	Name string
	URL  string
	Node *node.Node
	DB   *store.DB
	HTTP *api.Server

	peers *peer.Client
}

// NodeOptions configure a lab node.
type NodeOptions struct {
	// Miner is the address its blocks pay (default "miner-NAME").
	Miner string
	// SecureFrom is --secure-from: rule W from that height (0: never).
	SecureFrom int64
	// AllowOverdraft is --allow-overdraft, as the tutorial does.
	AllowOverdraft bool
	// SyncInterval is how often it asks peers for a longer chain
	// (default: never on its own; announcements and registrations still
	// make it sync).
	SyncInterval time.Duration
}

// Start starts a pyBTC node called name.
func (n *Net) Start(ctx context.Context, name string, opts NodeOptions) (*Node, error) {
	if n.err != nil {
		return nil, fmt.Errorf("lab network: %w", n.err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start node %s: %w", name, err)
	}
	self, err := peer.ParseURL("http://" + ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("start node %s: %w", name, err)
	}
	db := store.NewDB(filepath.Join(n.dir, name+".db"))
	if err := db.Open(ctx); err != nil {
		ln.Close()
		return nil, fmt.Errorf("start node %s: %w", name, err)
	}
	if opts.Miner == "" {
		opts.Miner = "miner-" + name
	}
	if opts.SyncInterval == 0 {
		opts.SyncInterval = -1
	}
	logger := slog.New(slog.DiscardHandler)
	peers := peer.NewClient()
	nd := node.New(db, node.Config{
		Miner:          opts.Miner,
		Self:           self,
		Client:         peers,
		AllowOverdraft: opts.AllowOverdraft,
		SecureFrom:     opts.SecureFrom,
		SyncInterval:   opts.SyncInterval,
		Logger:         logger,
	})
	if err := nd.Open(ctx); err != nil {
		db.Close()
		ln.Close()
		return nil, fmt.Errorf("start node %s: %w", name, err)
	}
	srv := &api.Server{Addr: ln.Addr().String(), Listener: ln, Logger: logger, Chain: db, Explorer: db, Node: nd}
	if err := srv.Open(); err != nil {
		nd.Close()
		db.Close()
		return nil, fmt.Errorf("start node %s: %w", name, err)
	}
	ln2 := &Node{Name: name, URL: srv.URL(), Node: nd, DB: db, HTTP: srv, peers: peers}
	n.nodes = append(n.nodes, ln2)
	return ln2, nil
}

// Link registers the nodes with each other, each with every other.
func (n *Net) Link(ctx context.Context, nodes ...*Node) error {
	for _, a := range nodes {
		var urls []string
		for _, b := range nodes {
			if a != b {
				urls = append(urls, b.URL)
			}
		}
		if _, err := a.Node.RegisterPeers(ctx, urls); err != nil {
			return fmt.Errorf("link %s: %w", a.Name, err)
		}
	}
	return nil
}

// WaitTip waits, for at most timeout, until the node's tip satisfies ok:
// other nodes' blocks reach it in the background.
func (nd *Node) WaitTip(ctx context.Context, timeout time.Duration, ok func(pybtc.ChainTip) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		tip, moved := nd.Node.WatchTip()
		if ok(tip) {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return fmt.Errorf("node %s at height %d: %w", nd.Name, tip.Height, ctx.Err())
		}
	}
}

// treeHeights is how many heights below the tip a fork picture shows, as
// many as Block Scan's tree page.
const treeHeights = 24

// TreeSVG draws the node's block tree near its tip with the chart of
// Block Scan's /scan/tree: the main chain on the top row, the stale
// branches below.
func (nd *Node) TreeSVG(ctx context.Context) (string, error) {
	tip := nd.Node.Tip()
	blocks, err := nd.DB.BlockTree(ctx, max(tip.Height-treeHeights+1, 1), tip.Height+treeHeights)
	if err != nil {
		return "", fmt.Errorf("block tree of %s: %w", nd.Name, err)
	}
	nodes := make([]chart.TreeNode, len(blocks))
	stale := 0
	for i, b := range blocks {
		nodes[i] = chart.TreeNode{Height: b.Height, Hash: b.Hash, PreviousHash: b.PreviousHash, Status: string(b.Status), Miner: b.Miner}
		if b.Status != pybtc.BlockMain {
			stale++
		}
	}
	svg := chart.Tree(chart.TreeChart{
		ID:          "lab-tree-" + nd.Name,
		Title:       "Block tree of node " + nd.Name,
		Description: fmt.Sprintf("The main chain of node %s on the top row, oldest left, and %d stale blocks on the rows below.", nd.Name, stale),
		Nodes:       nodes,
	})
	return string(svg), nil
}

// Close stops every node and child process and removes the databases.
func (n *Net) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A client may hold a connection it dialed and never used; a server
	// waits 5 seconds for such a connection before it shuts down.
	for _, nd := range n.nodes {
		nd.peers.HTTP.CloseIdleConnections()
	}
	for _, nd := range n.nodes {
		nd.HTTP.Close(ctx)
		nd.Node.Close()
		nd.DB.Close()
	}
	for _, c := range n.children {
		c.Process.Kill()
		c.Wait()
	}
	if n.dir != "" {
		os.RemoveAll(n.dir)
	}
}

// HasTutorial reports whether the runner knows where the tutorial's node
// is, so that StartTutorial can run it.
func (n *Net) HasTutorial() bool {
	if n.tutorialNode == "" {
		return false
	}
	_, err := os.Stat(n.tutorialNode)
	return err == nil
}

// StartTutorial runs the tutorial's node on a free port of 127.0.0.1 and
// returns its URL once it answers.
func (n *Net) StartTutorial(ctx context.Context) (string, error) {
	if !n.HasTutorial() {
		return "", fmt.Errorf("the tutorial's node is not available")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("start the tutorial's node: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(n.python, n.tutorialNode, fmt.Sprint(port))
	cmd.Dir = n.dir
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start the tutorial's node: %w", err)
	}
	n.children = append(n.children, cmd)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/chain", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("start the tutorial's node: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// postTransaction posts body to POST /transactions/new of the node at
// url, as a wallet or an attacker would, and returns the HTTP status and
// the node's answer: its "message" when it sent JSON (a tutorial node
// may answer plain text).
func postTransaction(ctx context.Context, url string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/transactions/new", bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("post a transaction to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("post a transaction to %s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, "", fmt.Errorf("post a transaction to %s: read the answer: %w", url, err)
	}
	var answer struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &answer) == nil && answer.Message != "" {
		return resp.StatusCode, answer.Message, nil
	}
	return resp.StatusCode, string(bytes.TrimSpace(data)), nil
}
