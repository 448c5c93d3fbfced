package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// copyFile copies the database at src to dst, so that a benchmark can add
// to it without changing what the others measure.
func copyFile(b *testing.B, src, dst string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLearnerPages renders, over explorerChain's 100,000 blocks, the
// pages BenchmarkScanPages leaves out, so that every page of Block Scan and
// the wallet is measured at that size: a transaction, a mempool of 200
// payments, 8 peers, 50 refused blocks, a stale block, a reorganisation
// when the chain has one, and the wallet of an address with about 180 payments, logged in.
func BenchmarkLearnerPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "learner.db")
	copyFile(b, explorerChain(b), path)
	ctx := context.Background()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	logger := slog.New(slog.DiscardHandler)
	// benchchain's addresses pay out about what they receive, so the
	// mempool's payments are let overdraw.
	n := node.New(db, node.Config{Miner: "miner", SyncInterval: -1, AllowOverdraft: true, Logger: logger})
	if err := n.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	s := &api.Server{Chain: db, Explorer: db, Node: n, Logger: logger}
	e := &Env{DB: db, Node: n, Server: s, Handler: s.Handler()}

	for i := range 200 {
		e.MustPost(b, "addr"+strconv.Itoa(i), "addr"+strconv.Itoa(i+1), "0.001")
	}
	for i := range 8 {
		if _, err := db.AddPeer(ctx, fmt.Sprintf("http://127.0.0.1:%d", 5001+i)); err != nil {
			b.Fatal(err)
		}
	}
	now := float64(time.Now().Unix())
	for i := range 50 {
		if err := db.RecordRefused(ctx, pybtc.RefusedBlock{
			Hash: fmt.Sprintf("%064x", i), Height: 100_000 + int64(i), Peer: "http://127.0.0.1:5001",
			Reason: "bad-proof", Detail: "The block's hash does not start with the required zeros.", At: now,
		}); err != nil {
			b.Fatal(err)
		}
	}
	txs, err := db.BlockTransactions(ctx, 50_000, 0, 10)
	if err != nil || len(txs) < 2 {
		b.Fatalf("block 50000: %d transactions, %v", len(txs), err)
	}
	stale := staleHash(b, db)
	wallet := NewWalletVisitor(e)
	wallet.MustLogin(b, "addr4242")

	// want is a text the page shows only when it is the page asked for:
	// the wallet's login form also answers 200.
	type page struct{ name, target, want string }
	pages := []page{
		{"Tx", "/scan/tx/" + txs[1].ID, txs[1].ID},
		{"Mempool", "/scan/mempool", `id="mempool-total"`},
		{"Peers", "/scan/peers", "127.0.0.1:5008"},
		{"Refused", "/scan/refused", "bad-proof"},
		{"Wallet", "/wallet", `id="balance"`},
		{"StaleBlock", "/scan/block/" + stale, stale},
	}
	reorgs, err := db.Reorgs(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	if len(reorgs) > 0 {
		id := strconv.FormatInt(reorgs[0].ID, 10)
		pages = append(pages, page{"Reorg", "/scan/reorg/" + id, reorgs[0].OldTip})
	}
	for _, bc := range pages {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", bc.target, nil)
			req.Header.Set("Accept", "text/html")
			for _, c := range wallet.cookies {
				req.AddCookie(c)
			}
			if rec := serve(e, req); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), bc.want) {
				b.Fatalf("GET %s: %d, want 200 with %q: %.2000s", bc.target, rec.Code, bc.want, rec.Body)
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", bc.target, rec.Code, rec.Body)
				}
			}
		})
	}
}
