package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/consensus/consensustest"
	"github.com/pybtc/pybtc/node"
)

// TestDroppedTransactionIsExplained has a reorganisation take away the
// block of a payment its sender can no longer cover: the node drops it,
// and looking it up says so and why, instead of "no such transaction".
func TestDroppedTransactionIsExplained(t *testing.T) {
	ctx := context.Background()
	e := MustOpenEnv(t, node.Config{Miner: "alice"})
	e.MustMine(t) // alice gets 0.1 in block 2
	rec := e.Do(t, http.MethodPost, "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 0.1}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("post: %d %s", rec.Code, rec.Body)
	}
	var acc struct {
		ID string `json:"transaction_id"`
	}
	json.Unmarshal(rec.Body.Bytes(), &acc)
	e.MustMine(t) // and pays bob in block 3

	// A longer branch from the genesis where alice never mined.
	g := consensustest.NewGenerator(t)
	g.NextBlock("p2")
	g.NextBlock("p3")
	g.NextBlock("p4")
	blocks := g.Accepted("p4")[1:]
	if err := e.DB.ReplaceChain(ctx, 1, blocks, consensus.MempoolPolicy{}); err != nil {
		t.Fatal(err)
	}

	rec = e.Do(t, http.MethodGet, "/api/tx/"+acc.ID, "")
	var tx struct {
		Status, Reason, Detail, DroppedBy string
	}
	json.Unmarshal(rec.Body.Bytes(), &tx)
	if rec.Code != http.StatusOK || tx.Status != "dropped" || tx.Reason != pybtc.DropOverdraft || !strings.Contains(tx.Detail, `"alice"`) {
		t.Fatalf("GET /api/tx: %d %s; want it dropped as an overdraft of alice", rec.Code, rec.Body)
	}
	rec = e.Do(t, http.MethodGet, "/scan/tx/"+acc.ID, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Dropped") || !strings.Contains(rec.Body.String(), "exceeds what sender") {
		t.Fatalf("GET /scan/tx: %d; want a page saying it was dropped and why:\n%s", rec.Code, rec.Body)
	}
	if rec := e.Do(t, http.MethodGet, "/api/tx/"+strings.Repeat("ab", 32), ""); rec.Code != http.StatusNotFound {
		t.Fatalf("an unknown id: %d, want 404", rec.Code)
	}
}

// TestRestampedPaymentIsFound: a tutorial node's block holds a payment
// this node had pending, stamped anew (another id). Looking the payment up
// by the id its sender was given finds it confirmed, mined as the copy.
func TestRestampedPaymentIsFound(t *testing.T) {
	ctx := context.Background()
	e := MustOpenEnv(t, node.Config{Miner: "alice"})
	e.MustMine(t)
	rec := e.Do(t, http.MethodPost, "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 0.05}`)
	var acc struct {
		ID string `json:"transaction_id"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &acc); rec.Code != http.StatusCreated {
		t.Fatalf("post: %d %s", rec.Code, rec.Body)
	}
	copied := consensustest.NewGenerator(t).Tx("alice", "bob", "0.05")
	tip := e.Node.Tip()
	b, err := consensus.NewBlock(tip.Height+1, tip.Timestamp+1, []pybtc.Transaction{copied, consensus.Coinbase("node_5000", tip.Timestamp+1)}, 0, tip.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.AppendBlocks(ctx, []pybtc.Block{b}); err != nil {
		t.Fatal(err)
	}

	rec = e.Do(t, http.MethodGet, "/api/tx/"+acc.ID, "")
	var got struct {
		Status  string `json:"status"`
		Block   int64  `json:"block"`
		MinedAs string `json:"mined_as"`
	}
	json.Unmarshal(rec.Body.Bytes(), &got)
	if rec.Code != http.StatusOK || got.Status != "confirmed" || got.Block != b.Index || got.MinedAs != copied.ID {
		t.Fatalf("GET /api/tx: %d %s; want it confirmed in block %d as %s", rec.Code, rec.Body, b.Index, copied.ID)
	}
	rec = e.Do(t, http.MethodGet, "/scan/tx/"+acc.ID, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/scan/tx/"+copied.ID) {
		t.Fatalf("GET /scan/tx: %d; want a link to the copy %s", rec.Code, copied.ID)
	}
}
