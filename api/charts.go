package api

import (
	"html/template"
	"math"
	"slices"
	"strconv"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/views/chart"
)

// figure is a chart with its caption and, for those who cannot see it or
// want the numbers, the same data as a table.
type figure struct {
	// SVG is the chart; empty when there is too little to draw, and
	// Empty says so in a sentence instead.
	SVG                 template.HTML
	Caption, TableLabel string
	Empty, Note         string
	Head1, Head2        string
	Rows                []figureRow
}

// minChartPoints is the fewest points worth a chart: one bar or one
// point shows no trend, and a sentence says as much in less room.
const minChartPoints = 2

type figureRow struct{ Label, Value string }

// blockCharts draws transactions per block and the time between blocks
// over recent, the latest blocks newest first. When recent holds more than
// chartBlocks, the oldest only gives the gap before the next. The genesis
// block is left out: nobody mined it, and its time is fixed long before the
// network ran, so the gap after it says nothing about mining.
func blockCharts(p *Page, recent []pybtc.BlockSummary) []figure {
	blocks := slices.Clone(recent)
	slices.Reverse(blocks)
	first := 0
	if len(blocks) > chartBlocks {
		first = 1
	}
	var txBars, gapBars []chart.Bar
	var txRows, gapRows []figureRow
	for i := first; i < len(blocks); i++ {
		b := blocks[i]
		if b.Height == 1 {
			continue
		}
		label := "#" + strconv.FormatInt(b.Height, 10)
		href := "/scan/block/" + strconv.FormatInt(b.Height, 10)
		txBars = append(txBars, chart.Bar{Label: label, Value: float64(b.TxCount), Href: href,
			Tooltip: label + ": " + strconv.Itoa(b.TxCount)})
		txRows = append(txRows, figureRow{label, strconv.Itoa(b.TxCount)})
		if i > 0 && blocks[i-1].Height > 1 {
			gap := b.Timestamp - blocks[i-1].Timestamp
			text := strconv.FormatFloat(gap, 'f', 1, 64)
			if math.Abs(gap) >= 1e12 {
				// Only a block stamped absurdly far off gives such a gap;
				// its hundreds of digits would say nothing more.
				text = strconv.FormatFloat(gap, 'g', 4, 64)
			}
			gapBars = append(gapBars, chart.Bar{Label: label, Value: gap, Href: href, Tooltip: label + ": " + text + " s"})
			gapRows = append(gapRows, figureRow{label, text})
		}
	}
	if len(txBars) == 0 {
		return nil
	}
	txs := chart.BarChart{
		ID:          "chart-txs",
		Title:       p.T("Transactions per block"),
		Description: p.T("The latest %d blocks, oldest first.", len(txBars)),
		Bars:        txBars,
	}
	few := p.T("A chart needs two mined blocks or more: mine another block to see one.")
	figures := []figure{{Caption: txs.Title, TableLabel: p.T("Show the numbers"), Empty: few,
		Head1: p.T("Block"), Head2: p.T("Transactions"), Rows: txRows}}
	if len(txBars) >= minChartPoints {
		figures[0].SVG = chart.Bars(txs)
	}
	gaps := chart.BarChart{
		ID:          "chart-gaps",
		Title:       p.T("Seconds between blocks"),
		Description: p.T("The latest %d blocks, oldest first.", len(gapBars)),
		Unit:        p.T("s"),
		Bars:        gapBars,
	}
	gapFig := figure{Caption: gaps.Title, TableLabel: p.T("Show the numbers"), Empty: p.T("A chart of the time between blocks needs three mined blocks or more."),
		Head1: p.T("Block"), Head2: p.T("Seconds between blocks"), Rows: gapRows}
	if len(gapBars) >= minChartPoints {
		gapFig.SVG = chart.Bars(gaps)
	}
	return append(figures, gapFig)
}

// balanceChart draws address's balance after each block of its latest
// confirmed transactions: recent, newest first, and total, the balance now.
// Walking back from today's balance needs only the latest transactions,
// however long the history. One point a block, at the block's latest
// transaction time: transactions of one block are stamped milliseconds
// apart and would draw a comb, while the balance only moves block by block.
//
// older says the address has confirmed transactions before recent, which
// the chart leaves out and says so.
func balanceChart(p *Page, address string, total pybtc.Sum, recent []pybtc.TxRecord, older bool) *figure {
	if len(recent) == 0 {
		return nil
	}
	var points []chart.Point
	var rows []figureRow
	balance := total
	for i := 0; i < len(recent); {
		height, at := recent[i].Height, recent[i].Timestamp
		after := balance
		for ; i < len(recent) && recent[i].Height == height; i++ {
			r := recent[i]
			at = max(at, r.Timestamp)
			switch {
			case r.Sender == address && r.Recipient == address:
			case r.Sender == address:
				balance = balance.AddAmount(r.Amount)
			default:
				balance = balance.SubAmount(r.Amount)
			}
		}
		points = append(points, chart.Point{X: at, Y: after.Float64(), Label: "#" + strconv.FormatInt(height, 10) + ": " + after.String()})
		rows = append(rows, figureRow{"#" + strconv.FormatInt(height, 10) + ", " + timeOf(at).UTC().Format(timeFormat), groupAmount(after.String())})
	}
	slices.Reverse(points)
	slices.Reverse(rows)
	c := chart.LineChart{
		ID:          "chart-balance",
		Title:       p.T("Balance over time"),
		Description: p.T("The balance after each of the latest %d blocks that moved it.", len(points)),
		Unit:        "pyBTC",
		Points:      points,
		Start:       timeOf(points[0].X).UTC().Format(timeFormat),
		End:         timeOf(points[len(points)-1].X).UTC().Format(timeFormat),
	}
	f := &figure{Caption: c.Title, TableLabel: p.T("Show the numbers"),
		Empty: p.T("A chart of the balance needs two blocks or more that moved it."),
		Head1: p.T("Block"), Head2: p.T("Balance (pyBTC)"), Rows: rows}
	if len(points) >= minChartPoints {
		f.SVG = chart.Line(c)
	}
	if older {
		f.Note = p.T("Only the latest %d transactions are drawn; older history is left out of the chart, and listed below.", len(recent))
	}
	return f
}
