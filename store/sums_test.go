package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
)

// most is about the largest amount consensus takes in a peer's block (an
// int64 of satoshis, 92233720368.54775807; a JSON number with a fraction
// is a float64, which cannot say that one exactly).
const most = "92233720368.5"

// MustChainTx builds a transaction as a peer's block may carry it: any
// amount that fits an int64 of satoshis, beyond what this node's policy
// takes in a post.
func MustChainTx(tb testing.TB, sender, recipient, amount string, ts float64) pybtc.Transaction {
	tb.Helper()
	block := fmt.Sprintf(`{"index": 2, "timestamp": 0, "nonce": 0, "previous_hash": "", "transactions": [
		{"sender": %q, "recipient": %q, "amount": %s, "timestamp": %v},
		{"sender": "master", "recipient": "m", "amount": 0.1, "timestamp": 0}]}`, sender, recipient, amount, ts)
	txs, err := consensus.StoredTransactions([]byte(block))
	if err != nil {
		tb.Fatal(err)
	}
	return txs[0]
}

func TestSumsPastInt64(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// whale receives three of the largest amounts; spender two, and sends
	// all of it back but one satoshi; peer pays for it all.
	MustAppend(t, db, "miner",
		MustChainTx(t, "peer", "whale", most, 1),
		MustChainTx(t, "peer", "whale", most, 2),
		MustChainTx(t, "peer", "whale", most, 3),
		MustChainTx(t, "peer", "spender", most, 4),
		MustChainTx(t, "peer", "spender", most, 5),
		MustChainTx(t, "spender", "peer", most, 6),
		MustChainTx(t, "spender", "peer", "92233720367.5", 7),
		MustChainTx(t, "debtor", "peer", most, 8),
		MustChainTx(t, "debtor", "peer", "0.04775808", 9),
	)
	tests := []struct {
		address                 string
		received, sent, balance string // pyBTC
		viewBalance             string // satoshis
	}{
		{"whale", "276701161105.5", "0", "276701161105.5", "27670116110550000000"},
		{"spender", "184467440737", "184467440736", "1", "100000000"},
		{"peer", "276701161104.54775808", "461168601842.5", "-184467440737.95224192", "-18446744073795224192"},
		{"debtor", "0", "92233720368.54775808", "-92233720368.54775808", "-9223372036854775808"},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			b, err := db.Balance(ctx, tt.address)
			if err != nil {
				t.Fatal(err)
			}
			if b.Received.String() != tt.received || b.Sent.String() != tt.sent || b.Total().String() != tt.balance {
				t.Errorf("Balance: received %s sent %s balance %s, want %s %s %s", b.Received, b.Sent, b.Total(), tt.received, tt.sent, tt.balance)
			}
			info, err := db.AddressInfo(ctx, tt.address)
			if err != nil {
				t.Fatal(err)
			}
			if info.Balance != b {
				t.Errorf("AddressInfo says %+v, Balance %+v", info.Balance, b)
			}
			if _, _, got := db.MustViewFigures(t, tt.address); got != tt.viewBalance {
				t.Errorf("balances view says %s, want %s", got, tt.viewBalance)
			}
		})
	}

	t.Run("OverdraftCheck", func(t *testing.T) {
		// spender has one pyBTC: a satoshi more is too much, one is not.
		res, err := db.AddPending(ctx, []pybtc.Transaction{
			MustTx(t, "spender", "bob", "1.00000001", 10),
			MustTx(t, "spender", "bob", "1", 11),
		}, true)
		if err != nil {
			t.Fatal(err)
		}
		if pybtc.ErrorCode(res[0]) != pybtc.EINVALID || res[1] != nil {
			t.Fatalf("spender's posts: %v, want an overdraft then nil", res)
		}
		// whale covers 2,767 posts of the largest amount a post may carry,
		// whose sum passes an int64, and not one more.
		var txs []pybtc.Transaction
		for i := range 2768 {
			txs = append(txs, MustTx(t, "whale", "bob", "100000000", float64(100+i)))
		}
		if res, err = db.AddPending(ctx, txs, true); err != nil {
			t.Fatal(err)
		}
		for i, r := range res[:2767] {
			if r != nil {
				t.Fatalf("whale's post %d refused: %v", i, r)
			}
		}
		if r := res[2767]; !isOverdraft(r, "1161105.5") {
			t.Fatalf("whale's last post: %v, want an overdraft leaving 1161105.5", r)
		}
		info, err := db.AddressInfo(ctx, "whale")
		if err != nil {
			t.Fatal(err)
		}
		if got := info.PendingSent.String(); got != "276700000000" {
			t.Fatalf("whale has %s pending out, want 276700000000", got)
		}
		db.MustMatchMempool(t)
		// The balances kept in memory follow blocks past an int64 too.
		MustAppend(t, db, "miner", MustChainTx(t, "peer", "whale", most, 50), MustChainTx(t, "spender", "peer", most, 51))
		db.MustMatchMempool(t)
	})
}

// TestAddPendingOneFailureFailsNoOther: a transaction whose insert fails
// is answered with its error; the others of its batch are stored.
func TestAddPendingOneFailureFailsNoOther(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustAppend(t, db, "alice") // alice: 0.1
	db.MustExecWriter(t, `
		CREATE TEMP TRIGGER doom BEFORE INSERT ON main.mempool WHEN NEW.sender = 'doomed'
		BEGIN SELECT RAISE(ABORT, 'the row cannot be written'); END`)
	for _, checkBalance := range []bool{false, true} {
		t.Run(fmt.Sprint("checkBalance=", checkBalance), func(t *testing.T) {
			ts := map[bool]float64{false: 1, true: 2}[checkBalance]
			txs := []pybtc.Transaction{
				MustTx(t, "alice", "bob", "0.01", ts),
				MustTx(t, "doomed", "bob", "1", ts),
				MustTx(t, "alice", "carol", "0.02", ts),
				MustTx(t, "doomed", "bob", "2", ts),
				MustTx(t, "alice", "dave", "0.01", ts),
			}
			if checkBalance {
				// doomed can pay: its insert, not the check, fails.
				MustAppend(t, db, "doomed")
				MustAppend(t, db, "doomed")
				txs[1] = MustTx(t, "doomed", "bob", "0.1", ts)
				txs[3] = MustTx(t, "doomed", "bob", "0.05", ts)
			}
			res, err := db.AddPending(ctx, txs, checkBalance)
			if err != nil {
				t.Fatalf("the batch failed: %v", err)
			}
			for i, r := range res {
				if failed := txs[i].Sender == "doomed"; failed != (r != nil) {
					t.Fatalf("transaction %d: %v", i, r)
				}
			}
			pending, err := db.Pending(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			stored := map[string]bool{}
			for _, p := range pending {
				stored[p.ID] = true
			}
			for _, tx := range txs {
				if stored[tx.ID] != (tx.Sender == "alice") {
					t.Fatalf("%s→%s %s stored: %v", tx.Sender, tx.Recipient, tx.Amount, stored[tx.ID])
				}
			}
			db.MustMatchMempool(t)
		})
	}
}

// TestAddPendingAlreadyMined: a transaction a block holds is refused with
// ECONFLICT naming the block, not taken as a pending one.
func TestAddPendingAlreadyMined(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	MustAppend(t, db, "alice")
	tx := MustTx(t, "alice", "bob", "0.05", 1)
	if res, err := db.AddPending(ctx, []pybtc.Transaction{tx}, true); err != nil || res[0] != nil {
		t.Fatalf("AddPending: %v %v", res, err)
	}
	if res, err := db.AddPending(ctx, []pybtc.Transaction{tx}, true); err != nil || !errors.Is(res[0], pybtc.ErrPending) {
		t.Fatalf("a pending one again: %v %v, want ErrPending", res, err)
	}
	MustAppend(t, db, "miner", tx)
	for _, checkBalance := range []bool{false, true} {
		res, err := db.AddPending(ctx, []pybtc.Transaction{tx}, checkBalance)
		if err != nil {
			t.Fatal(err)
		}
		if r := res[0]; pybtc.ErrorCode(r) != pybtc.ECONFLICT || errors.Is(r, pybtc.ErrPending) || !isRefusal(r, pybtc.ReasonAlreadyMined, pybtc.Args{ID: tx.ID, Height: 3}) {
			t.Fatalf("checkBalance=%v: %v, want ECONFLICT saying block 3", checkBalance, r)
		}
	}
	if n, _ := db.PendingCount(ctx); n != 0 {
		t.Fatalf("mempool holds %d, want 0", n)
	}
}

// TestAddressSumsReadAnIndex: summing the parts of amounts apart still
// reads one address's rows from a covering index, not the table.
func TestAddressSumsReadAnIndex(t *testing.T) {
	plan := strings.Join(MustOpenDB(t).AddressSumsPlan(t), "\n")
	for _, want := range []string{
		"SEARCH transactions USING COVERING INDEX transactions_recipient (recipient=?)",
		"SEARCH transactions USING COVERING INDEX transactions_sender (sender=?)",
	} {
		if !strings.Contains(plan, want) {
			t.Fatalf("plan lacks %q:\n%s", want, plan)
		}
	}
}

// TestBalanceViewsSearchOneAddress: the views that sum by GROUP BY over
// one column take WHERE address = ? into the grouping and read that
// address's rows from a covering index, never the whole table, and so
// does the node's own reading of a balance through them.
func TestBalanceViewsSearchOneAddress(t *testing.T) {
	db := MustOpenDB(t)
	const (
		byRecipient = "SEARCH transactions USING COVERING INDEX transactions_recipient (recipient=?)"
		bySender    = "SEARCH transactions USING COVERING INDEX transactions_sender (sender=?)"
	)
	for _, tc := range []struct {
		name  string
		plan  []string
		wants []string
	}{
		{"received_by", db.MustQueryPlan(t, `SELECT * FROM received_by WHERE address = ?`, "alice"), []string{byRecipient}},
		{"sent_by", db.MustQueryPlan(t, `SELECT * FROM sent_by WHERE address = ?`, "alice"), []string{bySender}},
		{"Balance", db.AddressSumsPlan(t), []string{byRecipient, bySender}},
	} {
		plan := strings.Join(tc.plan, "\n")
		for _, want := range tc.wants {
			if !strings.Contains(plan, want) {
				t.Errorf("%s: plan lacks %q:\n%s", tc.name, want, plan)
			}
		}
		if strings.Contains(plan, "SCAN transactions") {
			t.Errorf("%s: plan scans the table:\n%s", tc.name, plan)
		}
	}
}
