package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
)

// The explorer's JSON API, under /api: the data of Block Scan's pages for
// scripts. Amounts are exact decimal numbers of pyBTC (json.Number), with
// the same value in satoshis beside them; times are float seconds since the
// epoch, as in the protocol. Errors are {"message": "..."} in English.

type apiBlock struct {
	Height       int64   `json:"height"`
	Hash         string  `json:"hash"`
	PreviousHash string  `json:"previous_hash"`
	Nonce        int64   `json:"nonce"`
	Timestamp    float64 `json:"timestamp"`
	Transactions int     `json:"transactions"`
}

func apiBlockOf(b pybtc.BlockSummary) apiBlock {
	return apiBlock{b.Height, b.Hash, b.PreviousHash, b.Nonce, b.Timestamp, b.TxCount}
}

type apiTx struct {
	ID            string      `json:"id"`
	Sender        string      `json:"sender"`
	Recipient     string      `json:"recipient"`
	Amount        json.Number `json:"amount"`
	AmountSat     int64       `json:"amount_sat"`
	Timestamp     float64     `json:"timestamp"`
	Status        string      `json:"status"`
	Block         int64       `json:"block,omitempty"`
	Position      int64       `json:"position"`
	Confirmations int64       `json:"confirmations"`
}

// apiDropped is a transaction the node dropped without mining it, and why.
type apiDropped struct {
	apiTx
	Reason    string  `json:"reason"`
	Detail    string  `json:"detail"`
	DroppedBy string  `json:"dropped_by"`
	DroppedAt float64 `json:"dropped_at"`
}

func apiTxs(views []txView) []apiTx {
	out := make([]apiTx, len(views))
	for i, v := range views {
		t := apiTx{
			ID: v.ID, Sender: v.Sender, Recipient: v.Recipient,
			Amount: json.Number(v.Amount.String()), AmountSat: int64(v.Amount),
			Timestamp: v.Timestamp, Status: "confirmed", Block: v.Height, Position: v.Position,
			Confirmations: v.Confirmations,
		}
		if v.Pending() {
			t.Status = "pending"
		}
		out[i] = t
	}
	return out
}

type apiPage struct {
	Page  int64 `json:"page"`
	Pages int64 `json:"pages"`
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
	return c.JSON(http.StatusOK, map[string]any{
		"height":          tip.Height,
		"tip_hash":        tip.Hash,
		"tip_timestamp":   tip.Timestamp,
		"tip_age_seconds": now.Sub(timeOf(tip.Timestamp)).Seconds(),
		"pending":         pending,
		"mempool_limit":   mempool.Limit,
		"mempool_full":    pending >= mempool.Limit,
		"peers":           len(peers),
		"peers_by_state":  byState,
	})
}

// handleAPIBlocks handles "GET /api/blocks?page=N": the latest blocks, page
// by page, newest first.
func (s *Server) handleAPIBlocks(c echo.Context) error {
	page, pages, blocks, err := s.readLatestBlocks(c, s.apiPage(c), s.Node.Tip())
	if err != nil {
		return err
	}
	out := make([]apiBlock, len(blocks))
	for i, b := range blocks {
		out[i] = apiBlockOf(b)
	}
	return c.JSON(http.StatusOK, struct {
		apiPage
		Blocks []apiBlock `json:"blocks"`
	}{apiPage{page, pages}, out})
}

// handleAPIBlock handles "GET /api/blocks/:id": a block by height or hash,
// with a page of its transactions.
func (s *Server) handleAPIBlock(c echo.Context) error {
	v, err := s.readBlock(c, s.apiPage(c))
	if err != nil {
		return err
	}
	b, tip := v.block, s.Node.Tip()
	return c.JSON(http.StatusOK, struct {
		apiBlock
		Confirmations int64 `json:"confirmations"`
		apiPage
		Txs []apiTx `json:"transaction_list"`
	}{apiBlockOf(b), max(tip.Height-b.Height+1, 0), apiPage{v.page, v.pages}, apiTxs(txViews(v.txs, tip.Height, ""))})
}

// handleAPITx handles "GET /api/tx/:id": every place a transaction is kept,
// its blocks newest first, then the mempool.
func (s *Server) handleAPITx(c echo.Context) error {
	p := s.apiPage(c)
	id := strings.ToLower(c.Param("id"))
	if !isHex(id, 64) {
		return p.errorf(pybtc.EINVALID, "A transaction id is 64 hex characters, not %q.", c.Param("id"))
	}
	recs, dropped, err := s.findTransaction(c.Request().Context(), id)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return p.errorf(pybtc.ENOTFOUND, "No transaction has the id %s.", id)
	} else if err != nil {
		return err
	}
	if len(dropped) > 0 {
		d := dropped[0]
		return c.JSON(http.StatusOK, apiDropped{
			apiTx: apiTx{
				ID: d.ID, Sender: d.Sender, Recipient: d.Recipient,
				Amount: json.Number(d.Amount.String()), AmountSat: int64(d.Amount),
				Timestamp: d.Timestamp, Status: "dropped",
			},
			Reason: d.Reason, Detail: d.Detail, DroppedBy: d.DroppedBy, DroppedAt: d.DroppedAt,
		})
	}
	list := apiTxs(txViews(recs, s.Node.Tip().Height, ""))
	return c.JSON(http.StatusOK, struct {
		apiTx
		Records []apiTx `json:"records"`
	}{list[0], list})
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
	return c.JSON(http.StatusOK, struct {
		Address         string      `json:"address"`
		Balance         json.Number `json:"balance"`
		Received        json.Number `json:"received"`
		Sent            json.Number `json:"sent"`
		PendingReceived json.Number `json:"pending_received"`
		PendingSent     json.Number `json:"pending_sent"`
		Spendable       json.Number `json:"spendable"`
		BalanceSat      json.Number `json:"balance_sat"`
		Confirmed       int64       `json:"confirmed_transactions"`
		Pending         int64       `json:"pending_transactions"`
		apiPage
		History []apiTx `json:"history"`
	}{
		address, sumJSON(info.Total()), sumJSON(info.Received), sumJSON(info.Sent),
		sumJSON(info.PendingReceived), sumJSON(info.PendingSent), sumJSON(info.Spendable()),
		json.Number(info.Total().Sats()), info.Confirmed, info.Pending,
		apiPage{page, pages}, apiTxs(txViews(history, s.Node.Tip().Height, address)),
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
	return c.JSON(http.StatusOK, struct {
		Pending int64 `json:"pending"`
		apiPage
		Txs []apiTx `json:"transactions"`
	}{pending, apiPage{page, pages}, apiTxs(txViews(txs, 0, ""))})
}

// handleAPIPeers handles "GET /api/peers": the peers with their state.
func (s *Server) handleAPIPeers(c echo.Context) error {
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.now()
	type apiPeer struct {
		URL         string  `json:"url"`
		State       string  `json:"state"`
		Failures    int     `json:"failures"`
		AddedAt     float64 `json:"added_at"`
		LastSuccess float64 `json:"last_success"`
		LastFailure float64 `json:"last_failure"`
		RetryAt     float64 `json:"retry_at"`
		LastError   string  `json:"last_error"`
	}
	out := make([]apiPeer, len(peers))
	for i, p := range peers {
		out[i] = apiPeer{p.URL, string(p.State(now)), p.Failures, p.AddedAt, p.LastSuccess, p.LastFailure, p.RetryAt, p.LastError}
	}
	return c.JSON(http.StatusOK, map[string]any{"peers": out})
}
