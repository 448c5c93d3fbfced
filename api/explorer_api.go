package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api/apijson"
)

// The explorer's JSON API, under /api: the data of Block Scan's pages for
// scripts. Amounts are exact decimal numbers of pyBTC (json.Number), with
// the same value in satoshis beside them; times are float seconds since the
// epoch, as in the protocol. Errors are {"message": "..."} in English.

func apiBlockOf(b pybtc.BlockSummary) apijson.Block {
	return apijson.Block{Height: b.Height, Hash: b.Hash, PreviousHash: b.PreviousHash, Nonce: b.Nonce, Timestamp: b.Timestamp, TxCount: b.TxCount}
}

func apiTxs(views []txView) []apijson.Tx {
	out := make([]apijson.Tx, len(views))
	for i, v := range views {
		t := apijson.Tx{
			ID: v.ID, Sender: v.Sender, Recipient: v.Recipient,
			Amount: json.Number(v.Amount.String()), AmountSat: int64(v.Amount),
			Timestamp: v.Timestamp, Status: "confirmed", Block: v.Height, Position: v.Position,
			Confirmations: v.Confirmations, MinedAs: v.MinedAs,
		}
		if v.Pending() {
			t.Status = "pending"
		}
		out[i] = t
	}
	return out
}

// apiPage is the English page the JSON API's errors are worded for.
func (s *Server) apiPage(c echo.Context) *Page {
	return &Page{Lang: "en", url: c.Request().URL}
}

func amountJSON(a pybtc.Amount) json.Number { return json.Number(a.String()) }

// sumJSON writes a sum as amountJSON writes an amount, exactly however
// large: JSON numbers have no size limit.
func sumJSON(s pybtc.Sum) json.Number { return json.Number(s.String()) }

// handleAPIStatus handles "GET /api/status": where the chain, the mempool
// and the peers stand.
func (s *Server) handleAPIStatus(c echo.Context) error {
	ctx := c.Request().Context()
	tip := s.Node.Tip()
	pending, err := s.Explorer.PendingCount(ctx)
	if err != nil {
		return err
	}
	mempool, err := s.Node.Mempool(ctx)
	if err != nil {
		return err
	}
	peers, err := s.Node.Peers(ctx)
	if err != nil {
		return err
	}
	now := s.clock()
	byState := map[string]int{}
	for _, p := range peers {
		byState[string(p.State(s.now()))]++
	}
	return c.JSON(http.StatusOK, apijson.Status{
		Height:        tip.Height,
		TipHash:       tip.Hash,
		TipTimestamp:  tip.Timestamp,
		TipAgeSeconds: now.Sub(timeOf(tip.Timestamp)).Seconds(),
		Pending:       pending,
		MempoolLimit:  mempool.Limit,
		MempoolFull:   pending >= mempool.Limit,
		Peers:         len(peers),
		PeersByState:  byState,
	})
}

// handleAPIBlocks handles "GET /api/blocks?page=N": the latest blocks, page
// by page, newest first.
func (s *Server) handleAPIBlocks(c echo.Context) error {
	page, pages, blocks, err := s.readLatestBlocks(c, s.apiPage(c), s.Node.Tip())
	if err != nil {
		return err
	}
	out := make([]apijson.Block, len(blocks))
	for i, b := range blocks {
		out[i] = apiBlockOf(b)
	}
	return c.JSON(http.StatusOK, apijson.Blocks{Page: apijson.Page{Page: page, Pages: pages}, Blocks: out})
}

// handleAPIBlock handles "GET /api/blocks/:id": a block by height or hash,
// with a page of its transactions.
func (s *Server) handleAPIBlock(c echo.Context) error {
	v, err := s.readBlock(c, s.apiPage(c))
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND && isHex(strings.ToLower(c.Param("id")), 64) {
		return s.apiStaleBlock(c, err)
	}
	if err != nil {
		return err
	}
	b, tip := v.block, s.Node.Tip()
	return c.JSON(http.StatusOK, apijson.BlockInfo{
		Block:         apiBlockOf(b),
		Status:        string(pybtc.BlockMain),
		Confirmations: max(tip.Height-b.Height+1, 0),
		Page:          apijson.Page{Page: v.page, Pages: v.pages},
		TxList:        apiTxs(txViews(v.txs, tip.Height, "")),
	})
}

// handleAPITx handles "GET /api/tx/:id": every place a transaction is kept,
// its blocks newest first, then the mempool.
func (s *Server) handleAPITx(c echo.Context) error {
	id := strings.ToLower(c.Param("id"))
	if len(id) >= minIDPrefix && len(id) < 64 && isHex(id, len(id)) {
		full, candidates, err := s.txByPrefix(c, id)
		if err != nil || full == "" {
			return err
		}
		if len(candidates) > 0 {
			return c.JSON(http.StatusConflict, ambiguousPrefix{
				Message:    fmt.Sprintf("The id prefix %s matches %d transactions: %s; give more characters.", id, len(candidates), strings.Join(candidates, ", ")),
				Candidates: candidates,
			})
		}
		id = full
	}
	if !isHex(id, 64) {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTxIDForm, pybtc.Args{Got: c.Param("id")})
	}
	recs, dropped, err := s.findTransaction(c.Request().Context(), id)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoTransaction, pybtc.Args{ID: id})
	} else if err != nil {
		return err
	}
	if len(dropped) > 0 {
		d := dropped[0]
		return c.JSON(http.StatusOK, apijson.Dropped{
			Tx: apijson.Tx{
				ID: d.ID, Sender: d.Sender, Recipient: d.Recipient,
				Amount: json.Number(d.Amount.String()), AmountSat: int64(d.Amount),
				Timestamp: d.Timestamp, Status: "dropped",
			},
			Reason: d.Reason, Detail: d.Detail, DroppedBy: d.DroppedBy, DroppedAt: d.DroppedAt,
		})
	}
	list := apiTxs(txViews(recs, s.Node.Tip().Height, ""))
	return c.JSON(http.StatusOK, apijson.TxInfo{Tx: list[0], Records: list})
}

// minIDPrefix is the shortest start of an id that /api/tx looks up, as
// Block Scan's search does: 4 hex characters, 65,536 values.
const minIDPrefix = 4

// maxCandidates is how many ids an ambiguous prefix's answer lists.
const maxCandidates = 20

// ambiguousPrefix is /api/tx's 409 answer to a prefix of several ids.
type ambiguousPrefix struct {
	Message    string   `json:"message"`
	Candidates []string `json:"candidates"`
}

// txByPrefix finds the transaction whose id starts with prefix: its whole
// id, or, when several do, up to maxCandidates of them. When none does it
// answers 404 itself and returns "".
func (s *Server) txByPrefix(c echo.Context, prefix string) (string, []string, error) {
	// Blocks match too: ask for one more than the list holds.
	matches, err := s.Explorer.MatchPrefix(c.Request().Context(), prefix, 2*maxCandidates+1)
	if err != nil {
		return "", nil, fmt.Errorf("transaction prefix %s: %w", prefix, err)
	}
	var ids []string
	for _, m := range matches {
		if m.Kind == "transaction" && len(ids) < maxCandidates {
			ids = append(ids, m.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", nil, c.JSON(http.StatusNotFound, map[string]string{
			"message": fmt.Sprintf("No transaction id starts with %s.", prefix),
		})
	case 1:
		return ids[0], nil, nil
	}
	return prefix, ids, nil
}

// handleAPIAddress handles "GET /api/address/*": an address's balance and a
// page of its history.
func (s *Server) handleAPIAddress(c echo.Context) error {
	p := s.apiPage(c)
	address, err := addressParam(c, "/api/address/")
	if err != nil {
		return err
	}
	a, err := s.readAddress(c, p, address)
	if err != nil {
		return err
	}
	info, page, pages, history := a.info, a.page, a.pages, a.history
	return c.JSON(http.StatusOK, apijson.AddressInfo{
		Address:         address,
		Balance:         sumJSON(info.Total()),
		Received:        sumJSON(info.Received),
		Sent:            sumJSON(info.Sent),
		PendingReceived: sumJSON(info.PendingReceived),
		PendingSent:     sumJSON(info.PendingSent),
		Spendable:       sumJSON(info.Spendable()),
		BalanceSat:      json.Number(info.Total().Sats()),
		Confirmed:       info.Confirmed,
		Pending:         info.Pending,
		Page:            apijson.Page{Page: page, Pages: pages},
		History:         apiTxs(txViews(history, s.Node.Tip().Height, address)),
	})
}

// handleAPIMempool handles "GET /api/mempool?page=N": the pending
// transactions in arrival order.
func (s *Server) handleAPIMempool(c echo.Context) error {
	v, err := s.readMempool(c, s.apiPage(c))
	if err != nil {
		return err
	}
	pending, page, pages, txs := v.pending, v.page, v.pages, v.txs
	return c.JSON(http.StatusOK, apijson.Mempool{
		Pending: pending,
		Page:    apijson.Page{Page: page, Pages: pages},
		Txs:     apiTxs(txViews(txs, 0, "")),
	})
}

// handleAPIPeers handles "GET /api/peers": the peers with their state.
func (s *Server) handleAPIPeers(c echo.Context) error {
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.now()
	ours := s.Node.Tip().Height
	out := make([]apijson.Peer, len(peers))
	for i, p := range peers {
		out[i] = apijson.Peer{
			URL: p.URL, State: string(p.State(now)), Failures: p.Failures, AddedAt: p.AddedAt,
			LastSuccess: p.LastSuccess, LastFailure: p.LastFailure, RetryAt: p.RetryAt, LastError: p.LastError,
			Height: p.Height, TipHash: p.TipHash, LastSeen: p.LastSeen, RTTMillis: float64(p.RTT.Microseconds()) / 1e3,
		}
		if p.Height > 0 {
			ahead := p.Height - ours
			out[i].Ahead = &ahead
		}
	}
	return c.JSON(http.StatusOK, apijson.PeerList{Peers: out})
}
