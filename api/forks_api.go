package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api/apijson"
)

// The block tree as JSON (SPEC §10): the chain tips, the reorganisations,
// and stale blocks under /api/blocks/HASH.

// Bounds of GET /api/reorgs?limit=N.
const (
	reorgsDefault = 20
	reorgsMax     = 100
)

// handleAPITips handles "GET /api/tips": every chain tip the node knows,
// as a JSON array, like Bitcoin's getchaintips.
func (s *Server) handleAPITips(c echo.Context) error {
	tips, err := s.Explorer.Tips(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]apijson.Tip, len(tips))
	for i, t := range tips {
		out[i] = apijson.Tip{Height: t.Height, Hash: t.Hash, ForkHeight: t.ForkHeight, BranchLength: t.BranchLength, Status: string(t.Status)}
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPIReorgs handles "GET /api/reorgs?limit=N": the latest
// reorganisations, newest first, as a JSON array.
func (s *Server) handleAPIReorgs(c echo.Context) error {
	limit := reorgsDefault
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > reorgsMax {
			return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonLimitParam, pybtc.Args{Field: "limit", Limit: reorgsMax, Got: q})
		}
		limit = n
	}
	reorgs, err := s.Explorer.Reorgs(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	out := make([]apijson.Reorg, len(reorgs))
	for i, r := range reorgs {
		out[i] = apiReorgOf(r)
	}
	return c.JSON(http.StatusOK, out)
}

func apiReorgOf(r pybtc.Reorg) apijson.Reorg {
	out := apijson.Reorg{
		ID: r.ID, Time: r.Time, ForkHeight: r.ForkHeight,
		OldTip: r.OldTip, OldHeight: r.OldHeight, NewTip: r.NewTip, NewHeight: r.NewHeight,
		Removed: nonNil(r.Removed), Added: nonNil(r.Added), Peer: r.Peer, Returned: nonNil(r.Returned),
		Dropped: make([]apijson.ReorgDropped, len(r.Dropped)),
	}
	for i, d := range r.Dropped {
		out.Dropped[i] = apijson.ReorgDropped{
			ID: d.ID, Sender: d.Sender, Recipient: d.Recipient,
			Amount: amountJSON(d.Amount), AmountSat: int64(d.Amount),
			Reason: d.Reason, Detail: d.Detail,
		}
	}
	return out
}

// nonNil makes an empty list answer [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiStaleBlock answers GET /api/blocks/HASH for a block that is not on
// the main chain, or notFound, the main chain's refusal, when no stale
// block has the hash either.
func (s *Server) apiStaleBlock(c echo.Context, notFound error) error {
	p := s.apiPage(c)
	hash := strings.ToLower(c.Param("id"))
	b, txs, err := s.Explorer.StaleBlock(c.Request().Context(), hash)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return notFound
	} else if err != nil {
		return err
	}
	pages := pagesOf(int64(len(txs)), txsPerPage)
	page, err := p.pageParam(c, pages)
	if err != nil {
		return err
	}
	from := min(int((page-1)*txsPerPage), len(txs))
	to := min(from+txsPerPage, len(txs))
	list := make([]apijson.Tx, 0, to-from)
	for i, t := range txs[from:to] {
		list = append(list, apijson.Tx{
			ID: t.ID, Sender: t.Sender, Recipient: t.Recipient,
			Amount: amountJSON(t.Amount), AmountSat: int64(t.Amount),
			Timestamp: t.Timestamp, Status: string(pybtc.BlockStale), Block: b.Height, Position: int64(from + i),
		})
	}
	return c.JSON(http.StatusOK, apijson.BlockInfo{
		Block:      apiBlockOf(b.BlockSummary),
		Status:     string(b.Status),
		ReplacedBy: b.ReplacedBy,
		Miner:      b.Miner,
		ArrivedAt:  b.ArrivedAt,
		Source:     b.Source,
		Page:       apijson.Page{Page: page, Pages: pages},
		TxList:     list,
	})
}
