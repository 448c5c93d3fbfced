package api_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
)

// TestExtremeTimestamps stores blocks a hostile peer could send, stamped
// with any finite time (hugely negative, hugely positive, out of order,
// equal), and reads every page that draws them: each answers 200.
func TestExtremeTimestamps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	{
		e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true})
		e.MustMine(t)
		e.Node.Close()
		e.DB.Close()
	}
	ctx := context.Background()
	db := store.NewDB(path)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	tip, err := db.Tip(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, ts := range []float64{-1.6e308, 1.6e308, 1.7e9, 1.7e9, -1, 1.7976931348623157e308} {
		b, err := consensus.NewBlock(tip.Height+1, ts, []pybtc.Transaction{consensus.Coinbase("miner", ts)}, int64(i), tip.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AppendBlock(ctx, b); err != nil {
			t.Fatal(err)
		}
		tip = pybtc.ChainTip{Height: b.Index, Hash: b.Hash}
	}
	db.Close()

	e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true})
	for _, target := range []string{"/scan", "/scan/block/3", "/scan/address/miner", "/api/blocks", "/api/address/miner"} {
		if rec := e.Get(t, target, "en"); rec.Code != http.StatusOK {
			t.Errorf("GET %s with extreme timestamps: %d %s", target, rec.Code, rec.Body)
		}
	}
}

// TestStaticBadPath asks for static files by paths that do not decode:
// 400 or 404, never 500.
func TestStaticBadPath(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for _, target := range []string{"/static/%ff", "/static/%2e%2e/go.mod", "/static/a%00b"} {
		rec := e.Do(t, "GET", target, "")
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d %s, want 400 or 404", target, rec.Code, rec.Body)
		}
	}
}
