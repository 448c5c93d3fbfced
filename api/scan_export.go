package api

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
)

// csvMaxRows bounds an address's CSV export, and csvPage is how many rows
// it reads at a time: the file streams out page by page, so neither the
// node's memory nor one query grows with a long history.
const (
	csvMaxRows = 10_000
	csvPage    = 500
)

// addressCSV answers "GET /scan/address/ADDR?format=csv": the address's
// history, pending first then from the tip down, as a spreadsheet reads it.
func (s *Server) addressCSV(c echo.Context, address string) error {
	ctx := c.Request().Context()
	info, err := s.Explorer.AddressInfo(ctx, address)
	if err != nil {
		return err
	}
	if !info.Seen() && !keys.IsKeyAddress(address) {
		return pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoAddress, pybtc.Args{Address: address})
	}
	total := info.Confirmed + info.Pending
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	// The address may hold any character; the file's name must not.
	h.Set(echo.HeaderContentDisposition, `attachment; filename="address-history.csv"`)
	if total > csvMaxRows {
		h.Set("X-Rows-Left-Out", strconv.FormatInt(total-csvMaxRows, 10))
	}
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	if err := w.Write([]string{"id", "status", "height", "time_utc", "timestamp", "direction", "counterparty", "amount_pybtc", "sender", "recipient"}); err != nil {
		return fmt.Errorf("csv of %q: %w", address, err)
	}
	tip := s.Node.Tip().Height
	for offset := 0; offset < int(min(total, csvMaxRows)); offset += csvPage {
		recs, err := s.Explorer.AddressHistory(ctx, address, offset, min(csvPage, csvMaxRows-offset))
		if err != nil {
			// The status line is out: all that is left is to stop.
			return fmt.Errorf("csv of %q at row %d: %w", address, offset, err)
		}
		for _, v := range txViews(recs, tip, address) {
			status, height := "pending", ""
			if !v.Pending() {
				status, height = "confirmed", strconv.FormatInt(v.Height, 10)
			}
			row := []string{v.ID, status, height, timeOf(v.Timestamp).UTC().Format(timeFormat), strconv.FormatFloat(v.Timestamp, 'f', -1, 64),
				v.Direction, v.Counterparty, v.Amount.String(), v.Sender, v.Recipient}
			for i := range row {
				row[i] = csvCell(row[i])
			}
			if err := w.Write(row); err != nil {
				return fmt.Errorf("csv of %q: %w", address, err)
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("csv of %q: %w", address, err)
		}
		c.Response().Flush()
		if len(recs) < csvPage {
			break
		}
	}
	return nil
}

// csvCell keeps a cell from being read as a formula by a spreadsheet: an
// address is any text, and "=HYPERLINK(...)" as a counterparty would
// otherwise run when the file is opened. A leading quote makes it text.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// mempoolStatsMax bounds the pending transactions the mempool's totals
// read, so that a full mempool's page stays fast; past it, the page says
// the totals are of the oldest ones.
const mempoolStatsMax = 1000

// mempoolStats sums up the mempool: its amount, its oldest entry and who
// sends most.
type mempoolStats struct {
	Counted int
	Partial bool
	Total   pybtc.Sum
	Oldest  float64
	Senders []senderCount
	// SenderCount counts every sender, MoreSenders those not listed.
	SenderCount, MoreSenders int
}

type senderCount struct {
	Sender string
	Count  int
	Amount pybtc.Sum
}

// mempoolTopSenders is how many senders the mempool's page lists.
const mempoolTopSenders = 10

func (s *Server) mempoolStats(ctx context.Context, pending int64) (mempoolStats, error) {
	if pending == 0 {
		return mempoolStats{}, nil
	}
	recs, err := s.Explorer.Mempool(ctx, 0, mempoolStatsMax)
	if err != nil {
		return mempoolStats{}, fmt.Errorf("mempool totals: %w", err)
	}
	st := mempoolStats{Counted: len(recs), Partial: pending > int64(len(recs))}
	by := map[string]*senderCount{}
	for i, r := range recs {
		st.Total = st.Total.AddAmount(r.Amount)
		if i == 0 || r.Timestamp < st.Oldest {
			st.Oldest = r.Timestamp
		}
		sc := by[r.Sender]
		if sc == nil {
			sc = &senderCount{Sender: r.Sender}
			by[r.Sender] = sc
		}
		sc.Count++
		sc.Amount = sc.Amount.AddAmount(r.Amount)
	}
	for _, sc := range by {
		st.Senders = append(st.Senders, *sc)
	}
	st.SenderCount = len(st.Senders)
	slices.SortFunc(st.Senders, func(a, b senderCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Sender, b.Sender))
	})
	if len(st.Senders) > mempoolTopSenders {
		st.MoreSenders = len(st.Senders) - mempoolTopSenders
		st.Senders = st.Senders[:mempoolTopSenders]
	}
	return st, nil
}
