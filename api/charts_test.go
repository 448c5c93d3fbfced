package api

import (
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
)

// chain returns blocks from height n down to 1, newest first, one every 10
// seconds, block h holding h transactions.
func chain(n int64) []pybtc.BlockSummary {
	var out []pybtc.BlockSummary
	for h := n; h >= 1; h-- {
		out = append(out, pybtc.BlockSummary{Height: h, Timestamp: 1000 + 10*float64(h), TxCount: int(h)})
	}
	return out
}

func TestBlockCharts(t *testing.T) {
	p := &Page{Lang: "en"}
	for _, tc := range []struct {
		name           string
		recent         []pybtc.BlockSummary
		txBars, gapBar int
	}{
		{"GenesisOnly", chain(1), 0, 0},
		{"OneMinedBlock", chain(2), 1, 0},
		{"ThreeMinedBlocks", chain(4), 3, 2},
		{"FullWindow", chain(chartBlocks + 10)[:chartBlocks+1], chartBlocks, chartBlocks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			figs := blockCharts(p, tc.recent)
			var txs, gaps int
			if len(figs) > 0 {
				txs = len(figs[0].Rows)
			}
			if len(figs) > 1 {
				gaps = len(figs[1].Rows)
				for _, r := range figs[1].Rows {
					if r.Value != "10.0" {
						t.Fatalf("gap row %+v, want 10.0 seconds", r)
					}
				}
			}
			if txs != tc.txBars || gaps != tc.gapBar {
				t.Fatalf("%d transaction bars and %d gaps, want %d and %d", txs, gaps, tc.txBars, tc.gapBar)
			}
		})
	}
}

func TestBalanceChart(t *testing.T) {
	p := &Page{Lang: "en"}
	recent := []pybtc.TxRecord{ // newest first
		{Transaction: pybtc.Transaction{Sender: "alice", Recipient: "bob", Amount: 2 * pybtc.Coin, Timestamp: 3}, Height: 4},
		{Transaction: pybtc.Transaction{Sender: "dave", Recipient: "alice", Amount: pybtc.Coin, Timestamp: 2.5}, Height: 4},
		{Transaction: pybtc.Transaction{Sender: "alice", Recipient: "alice", Amount: pybtc.Coin, Timestamp: 2}, Height: 3},
		{Transaction: pybtc.Transaction{Sender: "carol", Recipient: "alice", Amount: 5 * pybtc.Coin, Timestamp: 1}, Height: 2},
	}
	fig := balanceChart(p, "alice", pybtc.SumOf(4*pybtc.Coin), recent, false)
	var got []string
	for _, r := range fig.Rows {
		got = append(got, r.Value)
	}
	// Oldest first, a point a block: after receiving 5 in block 2, after
	// paying itself 1 in block 3, after receiving 1 and paying 2 in block 4.
	if want := []string{"5.000\u202f000\u202f00", "5.000\u202f000\u202f00", "4.000\u202f000\u202f00"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("balances %v, want %v", got, want)
	}
	if fig.Rows[2].Label[:3] != "#4," {
		t.Fatalf("last row %q, want block 4's", fig.Rows[2].Label)
	}
}
