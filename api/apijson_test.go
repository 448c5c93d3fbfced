package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/pybtc/pybtc/client"
	"github.com/pybtc/pybtc/node"
)

// TestClientReadsAPI reads every /api answer with the command-line client:
// each key the node writes has a field the client fills, and the values
// are the node's.
func TestClientReadsAPI(t *testing.T) {
	e := MustOpenEnv(t, node.Config{SyncInterval: -1})
	srv := httptest.NewServer(e.Handler)
	defer srv.Close()
	e.MustMine(t)
	c, err := client.New(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sent, err := c.Send(ctx, "miner", "bob", "0.05")
	if err != nil {
		t.Fatal(err)
	}
	status, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	block, err := c.Block(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	addr, err := c.Address(ctx, "miner")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.Transaction(ctx, sent.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	peers, err := c.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		typed any
		raw   json.RawMessage
	}{
		{"status", status, status.Raw},
		{"block", block, block.Raw},
		{"address", addr, addr.Raw},
		{"tx", tx, tx.Raw},
		{"peers", peers, peers.Raw},
	} {
		if got, want := keys(t, tc.typed), keys(t, tc.raw); !slices.Equal(got, want) {
			t.Errorf("%s: the client reads %v, the node writes %v", tc.name, got, want)
		}
	}
	if status.Height != 2 || status.Pending != 1 || status.TipHash != block.Hash {
		t.Errorf("status %+v, want height 2, 1 pending, tip %s", status.Status, block.Hash)
	}
	if block.TxCount != 1 || len(block.TxList) != 1 || block.TxList[0].Recipient != "miner" {
		t.Errorf("block %+v, want the reward to miner", block.BlockInfo)
	}
	if addr.Address != "miner" || addr.Pending != 1 || addr.Spendable != "0.05" {
		t.Errorf("address %+v, want miner with 0.05 spendable", addr.AddressInfo)
	}
	if tx.Status != "pending" || tx.Amount != "0.05" || len(tx.Records) != 1 {
		t.Errorf("tx %+v, want the pending payment of 0.05", tx.TxInfo)
	}
}

// keys lists the keys of v's JSON object, sorted.
func keys(t *testing.T, v any) []string {
	t.Helper()
	raw, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}
