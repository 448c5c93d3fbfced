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
