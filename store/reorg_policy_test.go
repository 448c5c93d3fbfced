package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// blockTx returns the transaction whose JSON is raw as a block holds it,
// without the policy on new transactions: a peer's block may hold what
// this node would refuse.
func blockTx(tb testing.TB, raw string) pybtc.Transaction {
	tb.Helper()
	block := `{"index": 2, "nonce": 0, "previous_hash": "x", "timestamp": 1.0, "transactions": [` + raw +
		`, {"amount": 0.1, "recipient": "m", "sender": "master", "timestamp": 1.0}]}`
	txs, err := consensus.StoredTransactions([]byte(block))
	if err != nil {
		tb.Fatal(err)
	}
	return txs[0]
}

// TestReorgRestoresByPolicy: a reorganisation puts the removed blocks'
// transactions back in the mempool only if they pass this node's policy
// on the new chain, in their old order, after what was already pending;
// the others are recorded with their reason.
//
//	genesis -> fund -> ours(orphans...)                   before
//	                \-> theirs(branch...) -> theirs2       after
func TestReorgRestoresByPolicy(t *testing.T) {
	ctx := context.Background()
	strict := consensus.MempoolPolicy{}
	pay := func(sender, recipient, amount string) pybtc.Transaction {
		return MustTx(t, sender, recipient, amount, 100)
	}
	raw := func(sender, recipient, amount string) pybtc.Transaction {
		return blockTx(t, fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s, "timestamp": 100.5}`, sender, recipient, amount))
	}
	tests := []struct {
		name    string
		policy  consensus.MempoolPolicy
		fund    []pybtc.Transaction // in the block both chains share
		pending []pybtc.Transaction // pending before the switch
		orphans []pybtc.Transaction // in our block the switch removes
		branch  []pybtc.Transaction // in the peer's block that replaces it
		// want are the recipients of the pending payments after the
		// switch, in order; dropped the recipients of the dropped ones and
		// their reason.
		want    []string
		dropped map[string]string
	}{
		{
			// alice's 0.1 went to carol on the longer branch: the payment
			// to bob would be a double spend.
			name:    "DoubleSpend",
			policy:  strict,
			fund:    []pybtc.Transaction{raw("faucet", "alice", "0.1")},
			orphans: []pybtc.Transaction{pay("alice", "bob", "0.1")},
			branch:  []pybtc.Transaction{pay("alice", "carol", "0.1")},
			dropped: map[string]string{"bob": pybtc.DropOverdraft},
		},
		{
			name:    "DoubleSpendAllowOverdraft",
			policy:  consensus.MempoolPolicy{AllowOverdraft: true},
			fund:    []pybtc.Transaction{raw("faucet", "alice", "0.1")},
			orphans: []pybtc.Transaction{pay("alice", "bob", "0.1")},
			branch:  []pybtc.Transaction{pay("alice", "carol", "0.1")},
			want:    []string{"bob"},
		},
		{
			// erin's payment was pending: it counts first. dave's does not
			// fit; frank's, after it, does.
			name:    "OldOrderAfterPending",
			policy:  strict,
			fund:    []pybtc.Transaction{raw("faucet", "alice", "1")},
			pending: []pybtc.Transaction{pay("alice", "erin", "0.1")},
			orphans: []pybtc.Transaction{pay("alice", "bob", "0.4"), pay("alice", "carol", "0.4"), pay("alice", "dave", "0.4"), pay("alice", "frank", "0.1")},
			want:    []string{"erin", "bob", "carol", "frank"},
			dropped: map[string]string{"dave": pybtc.DropOverdraft},
		},
		{
			// The payment is in the new chain: it is neither pending nor
			// dropped.
			name:    "InNewChain",
			policy:  strict,
			fund:    []pybtc.Transaction{raw("faucet", "alice", "1")},
			orphans: []pybtc.Transaction{pay("alice", "bob", "0.5")},
			branch:  []pybtc.Transaction{pay("alice", "bob", "0.5")},
		},
		{
			// A tutorial peer re-stamped the payment: same payment, another
			// id. It is in the chain once, neither pending nor dropped.
			name:    "RestampedInNewChain",
			policy:  strict,
			fund:    []pybtc.Transaction{raw("faucet", "alice", "1")},
			orphans: []pybtc.Transaction{pay("alice", "bob", "0.5")},
			branch:  []pybtc.Transaction{MustTx(t, "alice", "bob", "0.5", 200)},
		},
		{
			name:    "MempoolFull",
			policy:  consensus.MempoolPolicy{AllowOverdraft: true, MaxPending: 2},
			pending: []pybtc.Transaction{pay("x", "erin", "1")},
			orphans: []pybtc.Transaction{pay("x", "bob", "1"), pay("x", "carol", "1"), pay("x", "dave", "1")},
			want:    []string{"erin", "bob"},
			dropped: map[string]string{"carol": pybtc.DropMempoolFull, "dave": pybtc.DropMempoolFull},
		},
		{
			// A peer's block held what this node's policy refuses.
			name:   "FieldRules",
			policy: consensus.MempoolPolicy{AllowOverdraft: true},
			orphans: []pybtc.Transaction{
				raw("x", "master", "1"),
				raw("x", "nine", "0.000000001"),
				raw("x", "big", "100000001"),
				raw(strings.Repeat("x", consensus.MaxAddressLength+1), "long", "1"),
				blockTx(t, `{"sender": "x\u0007", "recipient": "control", "amount": 1, "timestamp": 100.5}`),
				raw("x", "fine", "1"),
			},
			want: []string{"fine"},
			dropped: map[string]string{
				"master": pybtc.DropPolicy, "nine": pybtc.DropPolicy, "big": pybtc.DropPolicy,
				"long": pybtc.DropPolicy, "control": pybtc.DropPolicy,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			fund := MustAppend(t, db, "miner-a", tt.fund...)
			MustAppend(t, db, "miner-a", tt.orphans...)
			MustAddPending(t, db, tt.pending...)
			theirs := mustBlock(t, 3, fund.Hash, tt.branch...)
			theirs2 := mustBlock(t, 4, theirs.Hash)
			if err := db.ReplaceChain(ctx, fund.Index, []pybtc.Block{theirs, theirs2}, tt.policy); err != nil {
				t.Fatal(err)
			}
			if tip, _ := db.Tip(ctx); tip.Hash != theirs2.Hash {
				t.Fatalf("tip %s, want the branch's", tip.Hash)
			}

			txs, err := db.Pending(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tx := range txs {
				got = append(got, tx.Recipient)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("pending payments to %q, want %q", got, tt.want)
			}
			if n, _ := db.PendingCount(ctx); n != int64(len(tt.want)) {
				t.Fatalf("PendingCount %d, want %d", n, len(tt.want))
			}

			dropped, err := db.Dropped(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			gotDropped := map[string]string{}
			for _, d := range dropped {
				gotDropped[d.Recipient] = d.Reason
				if d.DroppedBy != "reorg" || d.ForkHeight != fund.Index || d.Detail == "" || d.ID == "" {
					t.Fatalf("dropped %+v, want by reorg at fork %d with a detail", d, fund.Index)
				}
			}
			if len(gotDropped) != len(tt.dropped) {
				t.Fatalf("dropped %v, want %v", gotDropped, tt.dropped)
			}
			for r, reason := range tt.dropped {
				if gotDropped[r] != reason {
					t.Fatalf("dropped %v, want %v", gotDropped, tt.dropped)
				}
			}
		})
	}
}

// TestPendingForBlockInBlockOrder: a block this node mines never breaks
// its policy: in block order each sender must cover what it pays. The
// payments were accepted without a balance check here, as a reorganisation
// can leave them.
func TestPendingForBlockInBlockOrder(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		policy  consensus.MempoolPolicy
		want    []string
		dropped int
	}{
		{"Policy", consensus.MempoolPolicy{}, []string{"bob", "dave"}, 1},
		{"AllowOverdraft", consensus.MempoolPolicy{AllowOverdraft: true}, []string{"bob", "carol", "dave"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			MustAppend(t, db, "miner", blockTx(t, `{"sender": "faucet", "recipient": "alice", "amount": 1, "timestamp": 1.5}`))
			MustAddPending(t, db, MustTx(t, "alice", "bob", "0.6", 2), MustTx(t, "alice", "carol", "0.6", 3), MustTx(t, "alice", "dave", "0.4", 4))
			txs, dropped, err := db.PendingForBlock(ctx, 100, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tx := range txs {
				got = append(got, tx.Recipient)
			}
			if !slices.Equal(got, tt.want) || dropped != tt.dropped {
				t.Fatalf("block takes payments to %q and drops %d, want %q and %d", got, dropped, tt.want, tt.dropped)
			}
			if n, _ := db.PendingCount(ctx); n != int64(len(tt.want)) {
				t.Fatalf("%d pending, want %d", n, len(tt.want))
			}
			if n, _ := db.DroppedCount(ctx); n != int64(tt.dropped) {
				t.Fatalf("%d recorded as dropped, want %d", n, tt.dropped)
			}
		})
	}
}
