package api

import (
	"html/template"
	"slices"
	"strconv"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/views/chart"
)

// figure is a chart with its caption and, for those who cannot see it or
// want the numbers, the same data as a table.
type figure struct {
	SVG                 template.HTML
	Caption, TableLabel string
	Head1, Head2        string
	Rows                []figureRow
}

type figureRow struct{ Label, Value string }

// blockCharts draws transactions per block and the time between blocks
// over recent, the latest blocks newest first; the oldest of them only
// gives the gap before the next.
func blockCharts(p *Page, recent []pybtc.BlockSummary) []figure {
	// The genesis block's time is fixed long before the network ran: the
	// gap after it says nothing about mining.
	blocks := slices.DeleteFunc(slices.Clone(recent), func(b pybtc.BlockSummary) bool { return b.Height == 1 })
	if len(blocks) < 2 {
		return nil
	}
	slices.Reverse(blocks)
	prev, blocks := blocks[0], blocks[1:]

	txs := chart.BarChart{
		ID:          "chart-txs",
		Title:       p.T("Transactions per block"),
		Description: p.T("The latest %d blocks, oldest first.", len(blocks)),
	}
	gaps := chart.BarChart{
		ID:          "chart-gaps",
		Title:       p.T("Seconds between blocks"),
		Description: p.T("The latest %d blocks, oldest first.", len(blocks)),
		Unit:        "s",
	}
	txRows := make([]figureRow, 0, len(blocks))
	gapRows := make([]figureRow, 0, len(blocks))
	for _, b := range blocks {
		label := "#" + strconv.FormatInt(b.Height, 10)
		href := "/scan/block/" + strconv.FormatInt(b.Height, 10)
		gap := b.Timestamp - prev.Timestamp
		prev = b
		txs.Bars = append(txs.Bars, chart.Bar{Label: label, Value: float64(b.TxCount), Href: href,
			Tooltip: label + ": " + strconv.Itoa(b.TxCount)})
		gaps.Bars = append(gaps.Bars, chart.Bar{Label: label, Value: gap, Href: href,
			Tooltip: label + ": " + strconv.FormatFloat(gap, 'f', 1, 64) + " s"})
		txRows = append(txRows, figureRow{label, strconv.Itoa(b.TxCount)})
		gapRows = append(gapRows, figureRow{label, strconv.FormatFloat(gap, 'f', 1, 64)})
	}
	return []figure{
		{SVG: chart.Bars(txs), Caption: txs.Title, TableLabel: p.T("Show the numbers"),
			Head1: p.T("Block"), Head2: p.T("Transactions"), Rows: txRows},
		{SVG: chart.Bars(gaps), Caption: gaps.Title, TableLabel: p.T("Show the numbers"),
			Head1: p.T("Block"), Head2: p.T("Seconds between blocks"), Rows: gapRows},
	}
}

// balanceChart draws address's balance after each of its latest confirmed
// transactions: recent, newest first, and total, the balance now. Walking
// back from today's balance needs only the latest transactions, however
// long the history.
func balanceChart(p *Page, address string, total pybtc.Amount, recent []pybtc.TxRecord) *figure {
	if len(recent) == 0 {
		return nil
	}
	points := make([]chart.Point, len(recent))
	rows := make([]figureRow, len(recent))
	balance := total
	for i, r := range recent {
		j := len(recent) - 1 - i
		points[j] = chart.Point{X: r.Timestamp, Y: float64(balance) / float64(pybtc.Coin), Label: balance.String()}
		rows[j] = figureRow{timeOf(r.Timestamp).UTC().Format("2006-01-02 15:04:05 UTC"), balance.String()}
		switch {
		case r.Sender == address && r.Recipient == address:
		case r.Sender == address:
			balance += r.Amount
		default:
			balance -= r.Amount
		}
	}
	c := chart.LineChart{
		ID:          "chart-balance",
		Title:       p.T("Balance over time"),
		Description: p.T("The balance after each of the latest %d transactions.", len(recent)),
		Unit:        "pyBTC",
		Points:      points,
		Start:       rows[0].Label,
		End:         rows[len(rows)-1].Label,
	}
	return &figure{SVG: chart.Line(c), Caption: c.Title, TableLabel: p.T("Show the numbers"),
		Head1: p.T("Time"), Head2: p.T("Balance"), Rows: rows}
}
