package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/pybtc/pybtc"
)

// devnetAssets are the watch page's files: its HTML, script and style.
//
//go:embed devnetpage
var devnetAssets embed.FS

// devnetBlocks is how many of each node's latest blocks the page shows.
const devnetBlocks = 10

// devnetNode is one node as /devnet.json describes it.
type devnetNode struct {
	URL     string        `json:"url"`
	Miner   string        `json:"miner"` // the address this node mines to
	Height  int64         `json:"height"`
	Tip     string        `json:"tip"`
	Peers   int           `json:"peers"`
	Pending int64         `json:"pending"`
	Blocks  []devnetBlock `json:"blocks"` // newest first
	Error   string        `json:"error,omitempty"`
}

type devnetBlock struct {
	Height    int64   `json:"height"`
	Hash      string  `json:"hash"`
	Miner     string  `json:"miner"` // the coinbase's recipient; "" for the genesis
	Timestamp float64 `json:"timestamp"`
}

// devnetHandler serves the devnet's watch page: every node of mains side
// by side, its tip, height and latest blocks with who mined them, so that
// a learner sees the nodes race and converge. The page's script polls
// /devnet.json, which reads each node in this process: one request a
// second for the whole network, and no node has to allow another origin.
func devnetHandler(mains []*Main) http.Handler {
	mux := http.NewServeMux()
	asset := func(name, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := devnetAssets.ReadFile("devnetpage/" + name)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			devnetHeaders(w, contentType)
			_, _ = w.Write(b)
		}
	}
	mux.HandleFunc("GET /{$}", asset("index.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /devnet.js", asset("devnet.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /devnet.css", asset("devnet.css", "text/css; charset=utf-8"))
	mux.HandleFunc("GET /devnet.json", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		out := struct {
			Nodes []devnetNode `json:"nodes"`
		}{make([]devnetNode, len(mains))}
		for i, m := range mains {
			out.Nodes[i] = devnetState(ctx, m)
		}
		devnetHeaders(w, "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}

// devnetHeaders keeps the page to its own files: no inline script or
// style, no frames, no guessing of types.
func devnetHeaders(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}

// devnetState reads where node m stands; a failed read is reported in the
// node's Error, so that one node's trouble does not hide the others.
func devnetState(ctx context.Context, m *Main) devnetNode {
	tip := m.Node.Tip()
	n := devnetNode{URL: m.HTTP.URL(), Miner: m.Config.Miner, Height: tip.Height, Tip: tip.Hash, Blocks: []devnetBlock{}}
	peers, err := m.Node.Peers(ctx)
	if err != nil {
		n.Error = fmt.Sprintf("read peers: %v", err)
		return n
	}
	n.Peers = len(peers)
	if mp, err := m.Node.Mempool(ctx); err == nil {
		n.Pending = mp.Pending
	}
	blocks, err := m.DB.BlockSummaries(ctx, tip.Height, devnetBlocks)
	if err != nil {
		n.Error = fmt.Sprintf("read blocks: %v", err)
		return n
	}
	for _, b := range blocks {
		db := devnetBlock{Height: b.Height, Hash: b.Hash, Timestamp: b.Timestamp}
		// The coinbase is the block's last transaction.
		if b.TxCount > 0 {
			last, err := m.DB.BlockTransactions(ctx, b.Height, b.TxCount-1, 1)
			if err != nil {
				n.Error = fmt.Sprintf("read block %d: %v", b.Height, err)
				return n
			}
			if len(last) == 1 && last[0].Sender == pybtc.CoinbaseSender {
				db.Miner = last[0].Recipient
			}
		}
		n.Blocks = append(n.Blocks, db)
	}
	return n
}
