package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/store"
)

// MustAddPending puts txs in the mempool without a balance check.
func MustAddPending(tb testing.TB, db *store.DB, txs ...pybtc.Transaction) {
	tb.Helper()
	results, err := db.AddPending(context.Background(), txs, false)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range results {
		if r != nil {
			tb.Fatal(r)
		}
	}
}

// ids lists the ids of recs, for comparing orders.
func ids(recs []pybtc.TxRecord) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID[:6])
	}
	return strings.Join(out, " ")
}

func TestAddressHistory(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a1 := MustTx(t, "bob", "alice", "5", 1)
	a2 := MustTx(t, "alice", "alice", "1", 2) // to itself: listed once
	MustAppend(t, db, "miner", a1, a2)
	a3 := MustTx(t, "alice", "carol", "2", 3)
	MustAppend(t, db, "alice", a3) // alice also mines: the coinbase is hers
	p1 := MustTx(t, "alice", "dave", "0.5", 4)
	p2 := MustTx(t, "erin", "alice", "0.25", 5)
	MustAddPending(t, db, p1, p2)

	all, err := db.AddressHistory(ctx, "alice", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 6; got != want {
		t.Fatalf("history has %d entries, want %d: %s", got, want, ids(all))
	}
	if !all[0].Pending() || all[0].ID != p2.ID || all[1].ID != p1.ID {
		t.Fatalf("history does not start with the pending ones, newest first: %s", ids(all))
	}
	if all[2].Height != 3 || all[2].Sender != pybtc.CoinbaseSender || all[3].ID != a3.ID || all[4].ID != a2.ID || all[5].ID != a1.ID {
		t.Fatalf("confirmed part is not newest first: %s", ids(all))
	}
	// Every page boundary, across the pending/confirmed seam, gives the same
	// list as one big page.
	for size := 1; size <= 4; size++ {
		var paged []pybtc.TxRecord
		for offset := 0; offset < len(all); offset += size {
			page, err := db.AddressHistory(ctx, "alice", offset, size)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, page...)
		}
		if ids(paged) != ids(all) {
			t.Fatalf("pages of %d: %s, want %s", size, ids(paged), ids(all))
		}
	}

	info, err := db.AddressInfo(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := pybtc.AddressInfo{
		Balance:         pybtc.Balance{Address: "alice", Received: pybtc.SumOf(5*pybtc.Coin + pybtc.Coin + pybtc.Coin/10), Sent: pybtc.SumOf(pybtc.Coin + 2*pybtc.Coin)},
		PendingReceived: pybtc.SumOf(pybtc.Coin / 4),
		PendingSent:     pybtc.SumOf(pybtc.Coin / 2),
		Confirmed:       4,
		Pending:         2,
	}
	if info != want {
		t.Fatalf("AddressInfo=%+v, want %+v", info, want)
	}
	if got := info.Spendable(); got != want.Total().SubAmount(pybtc.Coin/2) {
		t.Fatalf("Spendable=%s", got)
	}
	if none, err := db.AddressInfo(ctx, "nobody"); err != nil || none.Seen() {
		t.Fatalf("nobody: %+v %v", none, err)
	}
}

func TestFindTransactionAndPrefix(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mined := MustTx(t, "bob", "alice", "5", 1)
	b := MustAppend(t, db, "miner", mined)
	pending := MustTx(t, "alice", "carol", "1", 2)
	MustAddPending(t, db, pending)

	recs, err := db.FindTransaction(ctx, mined.ID)
	if err != nil || len(recs) != 1 || recs[0].Height != 2 || recs[0].Position != 0 || recs[0].Amount != 5*pybtc.Coin {
		t.Fatalf("mined: %+v %v", recs, err)
	}
	recs, err = db.FindTransaction(ctx, pending.ID)
	if err != nil || len(recs) != 1 || !recs[0].Pending() {
		t.Fatalf("pending: %+v %v", recs, err)
	}
	if _, err := db.FindTransaction(ctx, strings.Repeat("0", 64)); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		t.Fatalf("unknown id: %v, want ENOTFOUND", err)
	}

	for _, tc := range []struct {
		prefix string
		want   pybtc.SearchMatch
	}{
		{b.Hash[:8], pybtc.SearchMatch{Kind: "block", ID: b.Hash}},
		{mined.ID[:10], pybtc.SearchMatch{Kind: "transaction", ID: mined.ID}},
		{pending.ID, pybtc.SearchMatch{Kind: "transaction", ID: pending.ID}},
	} {
		got, err := db.MatchPrefix(ctx, tc.prefix, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range got {
			found = found || m == tc.want
		}
		if !found {
			t.Fatalf("MatchPrefix(%s)=%v, want %v among them", tc.prefix, got, tc.want)
		}
	}
	if got, _ := db.MatchPrefix(ctx, "", 3); len(got) != 3 {
		t.Fatalf("the empty prefix matches %d, want the limit 3", len(got))
	}
}

func TestBlockSummaries(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for range 5 {
		MustAppend(t, db, "miner", MustTx(t, "a", "b", "1", 1))
	}
	got, err := db.BlockSummaries(ctx, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Height != 4 || got[2].Height != 2 || got[0].TxCount != 2 || got[0].PreviousHash != got[1].Hash {
		t.Fatalf("BlockSummaries(4, 3)=%+v", got)
	}
	byHash, err := db.BlockByHash(ctx, got[1].Hash)
	if err != nil || byHash != got[1] {
		t.Fatalf("BlockByHash=%+v %v", byHash, err)
	}
	if _, err := db.BlockSummary(ctx, 99); pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		t.Fatalf("block 99: %v", err)
	}
	txs, err := db.BlockTransactions(ctx, 3, 1, 10)
	if err != nil || len(txs) != 1 || txs[0].Sender != pybtc.CoinbaseSender {
		t.Fatalf("BlockTransactions(3, 1, 10)=%+v %v", txs, err)
	}
}

// TestAddressInfoFollowsTheChain checks the sums AddressInfo keeps from
// one read to the next: new blocks add to them, and a reorganisation that
// removes the block they were kept at makes them start over, so they
// always equal a sum over the whole chain.
func TestAddressInfoFollowsTheChain(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	check := func(step string, received, sent pybtc.Amount, confirmed int64) {
		t.Helper()
		info, err := db.AddressInfo(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if info.Received != pybtc.SumOf(received) || info.Sent != pybtc.SumOf(sent) || info.Confirmed != confirmed {
			t.Errorf("%s: received %s sent %s in %d transactions, want %d, %d in %d", step, info.Received, info.Sent, info.Confirmed, received, sent, confirmed)
		}
	}
	check("empty chain", 0, 0, 0)
	MustAppend(t, db, "x") // block 2: 0.1 to x
	check("one coinbase", pybtc.Coin/10, 0, 1)
	MustAppend(t, db, "x", MustTx(t, "x", "x", "0.02", 2)) // block 3: to itself
	MustAppend(t, db, "y", MustTx(t, "x", "z", "0.03", 3)) // block 4
	check("after two more blocks", pybtc.Coin/5+2*pybtc.Coin/100, 5*pybtc.Coin/100, 4)
	// A branch from block 2 replaces blocks 3 and 4: x paid z nothing.
	b3 := mustBlock(t, 3, mustHashAt(t, db, 2))
	b4 := mustBlock(t, 4, b3.Hash)
	b5 := mustBlock(t, 5, b4.Hash, MustTx(t, "w", "x", "1", 5))
	if err := db.ReplaceChain(ctx, 2, []pybtc.Block{b3, b4, b5}, overdrafts); err != nil {
		t.Fatal(err)
	}
	check("after a reorganisation", pybtc.Coin/10+pybtc.Coin, 0, 2)
}

// TestAddressInfoMatchesBalancesView: the sums AddressInfo keeps per
// address, read forward from the block they were kept at, are the balances
// view's GROUP BY for every address, after each change of the chain: blocks
// appended, a reorganisation that leaves a shorter chain (the block the sums
// were kept at is gone), blocks appended again at the heights it freed, and
// one that replaces the tip only. Every address is read after each step, so
// each step starts from kept sums.
func TestAddressInfoMatchesBalancesView(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	addresses := []string{"alice", "bob", "carol", "dave", "miner", "miner-b", "nobody"}
	append2 := func(t *testing.T) {
		MustAppend(t, db, "miner", MustTx(t, "alice", "bob", "1.5", 10), MustTx(t, "bob", "carol", "0.25", 11))
		MustAppend(t, db, "alice", MustTx(t, "carol", "carol", "0.1", 12), MustTx(t, "miner", "alice", "0.05", 13))
	}
	steps := []struct {
		name   string
		change func(t *testing.T)
	}{
		{"empty chain", func(*testing.T) {}},
		{"two blocks appended", append2},
		{"two more appended", append2},
		{"reorganisation to a shorter chain", func(t *testing.T) {
			// Blocks 2 to 5 give way to one block: the sums kept at 5 are
			// of a block no longer in the chain.
			b2 := mustBlock(t, 2, mustHashAt(t, db, 1), MustTx(t, "dave", "alice", "3", 20))
			if err := db.ReplaceChain(ctx, 1, []pybtc.Block{b2}, overdrafts); err != nil {
				t.Fatal(err)
			}
		}},
		{"appended again above it", append2},
		{"tip replaced", func(t *testing.T) {
			tip, err := db.Tip(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b := mustBlock(t, tip.Height, mustHashAt(t, db, tip.Height-1), MustTx(t, "bob", "dave", "0.75", 30))
			if err := db.ReplaceChain(ctx, tip.Height-1, []pybtc.Block{b}, overdrafts); err != nil {
				t.Fatal(err)
			}
		}},
		{"one more appended", append2},
	}
	for _, step := range steps {
		step.change(t)
		view := db.MustViewAll(t)
		for address := range view {
			if !slices.Contains(addresses, address) {
				addresses = append(addresses, address)
			}
		}
		for _, address := range addresses {
			info, err := db.AddressInfo(ctx, address)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := view[address]
			if !ok {
				want = [3]string{"0", "0", "0"}
			}
			if got := [3]string{info.Received.Sats(), info.Sent.Sats(), info.Total().Sats()}; got != want {
				t.Errorf("%s: %s received, sent, balance %v satoshis; balances view %v", step.name, address, got, want)
			}
		}
	}
}

func mustHashAt(tb testing.TB, db *store.DB, height int64) string {
	tb.Helper()
	b, err := db.BlockAt(context.Background(), height)
	if err != nil {
		tb.Fatal(err)
	}
	return b.Hash
}
