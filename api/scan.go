package api

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/views/qr"
	"github.com/pybtc/pybtc/wire"
)

// Explorer reads what Block Scan shows. store.DB implements it. Methods
// return ENOTFOUND for a block or transaction that does not exist.
type Explorer interface {
	// BlockSummaries returns up to limit blocks from height top down.
	BlockSummaries(ctx context.Context, top int64, limit int) ([]pybtc.BlockSummary, error)
	// BlockSummary returns the block at height.
	BlockSummary(ctx context.Context, height int64) (pybtc.BlockSummary, error)
	// BlockByHash returns the main chain's block with hash.
	BlockByHash(ctx context.Context, hash string) (pybtc.BlockSummary, error)
	// BlockTransactions returns a page of a block's transactions.
	BlockTransactions(ctx context.Context, height int64, offset, limit int) ([]pybtc.TxRecord, error)
	// FindTransaction returns where transaction id is kept: its blocks,
	// newest first, then the mempool.
	FindTransaction(ctx context.Context, id string) ([]pybtc.TxRecord, error)
	// DroppedTransaction returns each time the node dropped transaction
	// id without mining it (a reorganisation or the miner found it broke
	// the node's policy), the latest first.
	DroppedTransaction(ctx context.Context, id string) ([]pybtc.DroppedTx, error)
	// AddressInfo sums up an address; all zeros if it was never seen.
	AddressInfo(ctx context.Context, address string) (pybtc.AddressInfo, error)
	// AddressHistory returns a page of an address's transactions, pending
	// first, then confirmed from the tip down.
	AddressHistory(ctx context.Context, address string, offset, limit int) ([]pybtc.TxRecord, error)
	// Mempool returns a page of the mempool in arrival order.
	Mempool(ctx context.Context, offset, limit int) ([]pybtc.TxRecord, error)
	// PendingCount returns the number of pending transactions.
	PendingCount(ctx context.Context) (int64, error)
	// Tip reads the chain's last block from the database; ENOTFOUND when
	// it holds no chain.
	Tip(ctx context.Context) (pybtc.ChainTip, error)
	// MatchPrefix returns blocks and transactions whose hash or id starts
	// with prefix.
	MatchPrefix(ctx context.Context, prefix string, limit int) ([]pybtc.SearchMatch, error)

	// BlockTree returns the main and stale blocks with fromHeight ≤
	// height ≤ toHeight, by height then main first.
	BlockTree(ctx context.Context, fromHeight, toHeight int64) ([]pybtc.TreeBlock, error)
	// StaleBlock returns a stale block and its transactions; ENOTFOUND
	// when no stale block has that hash.
	StaleBlock(ctx context.Context, hash string) (pybtc.TreeBlock, []pybtc.Transaction, error)
	// Tips returns every chain tip known: active first, then forks by
	// height, highest first.
	Tips(ctx context.Context) ([]pybtc.TipInfo, error)
	// Reorgs returns up to limit reorganisations, newest first.
	Reorgs(ctx context.Context, limit int) ([]pybtc.Reorg, error)
	// ReorgByID returns one reorganisation; ENOTFOUND when unknown.
	ReorgByID(ctx context.Context, id int64) (pybtc.Reorg, error)
	// RefusedBlocks returns up to limit refused blocks, newest first.
	RefusedBlocks(ctx context.Context, limit int) ([]pybtc.RefusedBlock, error)
	// BlocksHolding returns every block, main or stale, that holds the
	// transaction id, newest first.
	BlocksHolding(ctx context.Context, txID string) ([]pybtc.TreeBlock, error)
	// TreeVersion returns a value that changes whenever a stale or a
	// refused block is recorded, cheap enough to ask every second.
	TreeVersion(ctx context.Context) (string, error)
}

// Page sizes of the explorer's lists.
const (
	blocksPerPage  = 20
	txsPerPage     = 50
	historyPerPage = 25
	chartBlocks    = 60
	chartHistory   = 100
)

const scanSection = "Block Scan"

func (s *Server) scanPage(c echo.Context) *Page {
	p := s.newPage(c, scanSection)
	p.Events = "/scan/events"
	return p
}

// txView is a transaction as the explorer lists it.
type txView struct {
	pybtc.TxRecord
	Confirmations int64
	// For an address's history: the direction ("in", "out" or "self"), the
	// other party, and the amount with its sign.
	Direction, DirectionText string
	Counterparty, Signed     string
	// For a payment from a key address on the transaction's page: its
	// signature as its block holds it ("" when unknown) and whether it
	// verifies.
	Signature   string
	SignatureOK bool
}

func txViews(recs []pybtc.TxRecord, tip int64, address string) []txView {
	out := make([]txView, len(recs))
	for i, r := range recs {
		v := txView{TxRecord: r}
		if !r.Pending() {
			v.Confirmations = tip - r.Height + 1
		}
		if address != "" {
			switch {
			case r.Sender == address && r.Recipient == address:
				v.Direction, v.Counterparty, v.Signed = "self", address, "±"+groupAmount(r.Amount.String())
			case r.Sender == address:
				v.Direction, v.Counterparty, v.Signed = "out", r.Recipient, "−"+groupAmount(r.Amount.String())
			default:
				v.Direction, v.Counterparty, v.Signed = "in", r.Sender, "+"+groupAmount(r.Amount.String())
			}
			v.DirectionText = v.Direction
		}
		out[i] = v
	}
	return out
}

// IsKey reports whether address is a key address (rule K): only its key
// can spend from it, so a payment from it carries a checked signature.
func (p *Page) IsKey(address string) bool { return keys.IsKeyAddress(address) }

// Confirmations says "1 confirmation" or "n confirmations" in the page's
// language.
func (p *Page) Confirmations(n int64) string {
	if n == 1 {
		return p.T("1 confirmation")
	}
	return p.T("%d confirmations", n)
}

// readLatestBlocks reads the page of the latest blocks below tip that
// ?page= asks for; page 1 is the newest, and any page is one range of
// heights.
func (s *Server) readLatestBlocks(c echo.Context, p *Page, tip pybtc.ChainTip) (page, pages int64, blocks []pybtc.BlockSummary, err error) {
	pages = pagesOf(tip.Height, blocksPerPage)
	if page, err = p.pageParam(c, pages); err != nil {
		return 0, 0, nil, err
	}
	blocks, err = s.Explorer.BlockSummaries(c.Request().Context(), tip.Height-(page-1)*blocksPerPage, blocksPerPage)
	return page, pages, blocks, err
}

// handleScanHome handles "GET /scan": summary figures, charts of the latest
// blocks and the latest blocks, page by page (?page=N, 1 is the newest).
func (s *Server) handleScanHome(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	tip := s.Node.Tip()
	page, pages, blocks, err := s.readLatestBlocks(c, p, tip)
	if err != nil {
		return err
	}
	pending, err := s.Explorer.PendingCount(ctx)
	if err != nil {
		return err
	}
	peers, err := s.Node.Peers(ctx)
	if err != nil {
		return err
	}
	reorg, err := s.latestReorg(ctx, p, tip)
	if err != nil {
		return err
	}
	data := struct {
		Tip         pybtc.ChainTip
		Pending     int64
		Peers       int
		AvgInterval string
		// Fresh says only the genesis block is there: the home page
		// shows how to mine the first block instead of an age since
		// 2024, and Dev that the wallet has a button for it.
		Fresh, Dev bool
		Blocks     []pybtc.BlockSummary
		Charts     []figure
		Pager      pager
		Reorg      *reorgView
		Tree       *treeView
	}{
		Reorg:   reorg,
		Tip:     tip,
		Pending: pending,
		Peers:   len(peers),
		Fresh:   tip.Height <= 1,
		Dev:     s.Dev,
		Blocks:  blocks,
		Pager:   p.newPager(page, pages, "newer", "older"),
	}
	if page == 1 {
		// One block more than charted gives the gap before the oldest.
		recent, err := s.Explorer.BlockSummaries(ctx, tip.Height, chartBlocks+1)
		if err != nil {
			return err
		}
		mined := slices.DeleteFunc(slices.Clone(recent), func(b pybtc.BlockSummary) bool { return b.Height == 1 })
		if n := len(mined); n > 1 {
			span := mined[0].Timestamp - mined[n-1].Timestamp
			data.AvgInterval = p.duration(time.Duration(span / float64(n-1) * float64(time.Second)))
		}
		data.Charts = blockCharts(p, recent)
		tree, err := s.readTree(ctx, p, "chart-tree", homeTreeHeights)
		if err != nil {
			return err
		}
		data.Tree = &tree
	}
	p.Title = p.T("Latest blocks")
	p.Data = data
	return s.render(c, http.StatusOK, "scan_home.html", p)
}

// lookupBlock finds a block by height or hash: 400 for anything else.
func (s *Server) lookupBlock(ctx context.Context, p *Page, id string) (pybtc.BlockSummary, error) {
	if h, err := strconv.ParseInt(id, 10, 64); err == nil && h > 0 {
		b, err := s.Explorer.BlockSummary(ctx, h)
		if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
			return b, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoBlockAt, pybtc.Args{Height: h})
		}
		return b, err
	}
	hash := strings.ToLower(id)
	if !isHex(hash, 64) {
		return pybtc.BlockSummary{}, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonBlockName, pybtc.Args{Got: id})
	}
	b, err := s.Explorer.BlockByHash(ctx, hash)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return b, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoBlockHash, pybtc.Args{Hash: hash})
	}
	return b, err
}

// blockView is what the pages of a block show: the block and one page of
// its transactions.
type blockView struct {
	block       pybtc.BlockSummary
	page, pages int64
	txs         []pybtc.TxRecord
}

// readBlock reads the block of the path's :id and the page of its
// transactions that ?page= asks for.
func (s *Server) readBlock(c echo.Context, p *Page) (blockView, error) {
	ctx := c.Request().Context()
	b, err := s.lookupBlock(ctx, p, c.Param("id"))
	if err != nil {
		return blockView{}, err
	}
	pages := pagesOf(int64(b.TxCount), txsPerPage)
	page, err := p.pageParam(c, pages)
	if err != nil {
		return blockView{}, err
	}
	txs, err := s.Explorer.BlockTransactions(ctx, b.Height, int((page-1)*txsPerPage), txsPerPage)
	if err != nil {
		return blockView{}, err
	}
	return blockView{b, page, pages, txs}, nil
}

// handleScanBlock handles "GET /scan/block/:id": a block by height or hash,
// with its transactions page by page.
func (s *Server) handleScanBlock(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	// A hash off the main chain may name a stale block, which has a page
	// of its own.
	if hash := strings.ToLower(c.Param("id")); isHex(hash, 64) {
		if _, err := s.Explorer.BlockByHash(ctx, hash); pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
			b, txs, err := s.Explorer.StaleBlock(ctx, hash)
			if err == nil {
				return s.renderStaleBlock(c, p, b, txs)
			} else if pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	v, err := s.readBlock(c, p)
	if err != nil {
		return err
	}
	proof, err := s.blockProof(ctx, v.block.Height, v.block.PreviousHash, v.block.Nonce)
	if err != nil {
		return err
	}
	// The blocks that competed for this height and lost.
	level, err := s.Explorer.BlockTree(ctx, v.block.Height, v.block.Height)
	if err != nil {
		return err
	}
	rivals := slices.DeleteFunc(level, func(b pybtc.TreeBlock) bool { return b.Status == pybtc.BlockMain })
	// And those refused at this height, with the rule each broke: the
	// latest refusals only, as /scan/refused lists them.
	refused, err := s.Explorer.RefusedBlocks(ctx, refusedPerPage)
	if err != nil {
		return err
	}
	refused = slices.DeleteFunc(refused, func(r pybtc.RefusedBlock) bool { return r.Height != v.block.Height })
	tip := s.Node.Tip()
	p.Title = p.T("Block %d", v.block.Height)
	p.inBlock = true
	p.Data = struct {
		Block         pybtc.BlockSummary
		Tip           pybtc.ChainTip
		Confirmations int64
		Address       string
		Txs           []txView
		Pager         pager
		Proof         *proofView
		Rivals        []pybtc.TreeBlock
		Refused       []pybtc.RefusedBlock
	}{v.block, tip, max(tip.Height-v.block.Height+1, 0), "", txViews(v.txs, tip.Height, ""), p.newPager(v.page, v.pages, "previous", "next"), proof, rivals, refused}
	return s.render(c, http.StatusOK, "scan_block.html", p)
}

// handleScanTx handles "GET /scan/tx/:id": where a transaction is, with its
// confirmations, or that it is pending.
func (s *Server) handleScanTx(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	id := strings.ToLower(c.Param("id"))
	if !isHex(id, 64) {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonTxIDForm, pybtc.Args{Got: c.Param("id")})
	}
	// Every block that has held it, main or stale: a stale block alone
	// still makes the transaction known.
	holding, err := s.Explorer.BlocksHolding(ctx, id)
	if err != nil {
		return err
	}
	recs, dropped, err := s.findTransaction(ctx, id)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND && len(holding) == 0 {
		return pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoTransaction, pybtc.Args{ID: id})
	} else if err != nil && pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		return err
	}
	views := txViews(recs, s.Node.Tip().Height, "")
	for i := range views[:min(len(views), maxSignatureReads)] {
		if err := s.readSignature(ctx, &views[i]); err != nil {
			return err
		}
	}
	p.Data = struct {
		ID      string
		Records []txView
		Dropped []pybtc.DroppedTx
		Holding []pybtc.TreeBlock
	}{id, views, dropped, holding}
	return s.render(c, http.StatusOK, "scan_tx.html", p)
}

// maxSignatureReads bounds the blocks one transaction's page reads for
// signatures: under rule K a payment from a key address is in one block
// at most, and a tutorial chain that repeats an id must not make the page
// read a hundred blocks.
const maxSignatureReads = 4

// readSignature fills in the signature of a payment from a key address,
// from the transaction's JSON when the record has it, else from its block,
// and checks it. The block is read by height, so the transaction found at
// the record's position must still have the record's id: a reorganisation
// may have replaced the block since.
func (s *Server) readSignature(ctx context.Context, v *txView) error {
	if !keys.IsKeyAddress(v.Sender) {
		return nil
	}
	tx, ok := wire.Value{}, false
	if len(v.Raw) > 0 {
		var err error
		if tx, err = wire.Parse(v.Raw); err != nil {
			return nil
		}
		ok = true
	} else if !v.Pending() && v.Position >= 0 {
		id := v.ID
		if v.MinedAs != "" {
			id = v.MinedAs
		}
		err := s.Chain.StreamChain(ctx, v.Height, 1, func(int64) error { return nil }, func(raw []byte) error {
			b, err := wire.Parse(raw)
			if err != nil {
				return nil // not this page's to judge
			}
			txs, _ := b.Get("transactions")
			if v.Position < int64(len(txs.Arr)) && wire.Hash(txs.Arr[v.Position]) == id {
				tx, ok = txs.Arr[v.Position], true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if !ok {
		return nil
	}
	if sig, found := tx.Get("signature"); found && sig.Kind == wire.String {
		v.Signature = sig.Str
	}
	v.SignatureOK = v.Signature != "" && keys.VerifyTransaction(tx) == nil
	return nil
}

// findTransaction returns where transaction id is kept or, when it is kept
// nowhere, why the node dropped it; ENOTFOUND when it knows neither.
func (s *Server) findTransaction(ctx context.Context, id string) ([]pybtc.TxRecord, []pybtc.DroppedTx, error) {
	recs, err := s.Explorer.FindTransaction(ctx, id)
	if pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
		return recs, nil, err
	}
	dropped, derr := s.Explorer.DroppedTransaction(ctx, id)
	if derr != nil {
		return nil, nil, derr
	}
	if len(dropped) == 0 {
		return nil, nil, err
	}
	return nil, dropped, nil
}

// addressParam reads the address of /scan/address/* and /api/address/*
// from the escaped path: an address may hold a slash.
func addressParam(c echo.Context, prefix string) (string, error) {
	escaped := strings.TrimPrefix(c.Request().URL.EscapedPath(), prefix)
	a, err := url.PathUnescape(escaped)
	if err != nil || a == "" || len(a) > 1024 {
		return "", pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonAddressPath, pybtc.Args{})
	}
	return a, nil
}

// addressView is what the pages of an address show: its sums and one page
// of its history.
type addressView struct {
	info        pybtc.AddressInfo
	page, pages int64
	history     []pybtc.TxRecord
}

// readAddress reads address's sums and the page of its history that
// ?page= asks for: ENOTFOUND for an address no transaction names, unless
// it is a key address, which exists as soon as its key does (a wallet
// made in the browser shows its address before anyone pays it).
func (s *Server) readAddress(c echo.Context, p *Page, address string) (addressView, error) {
	ctx := c.Request().Context()
	info, err := s.Explorer.AddressInfo(ctx, address)
	if err != nil {
		return addressView{}, err
	}
	if !info.Seen() && !keys.IsKeyAddress(address) {
		return addressView{}, pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoAddress, pybtc.Args{Address: address})
	}
	pages := pagesOf(info.Confirmed+info.Pending, historyPerPage)
	page, err := p.pageParam(c, pages)
	if err != nil {
		return addressView{}, err
	}
	history, err := s.Explorer.AddressHistory(ctx, address, int((page-1)*historyPerPage), historyPerPage)
	if err != nil {
		return addressView{}, err
	}
	return addressView{info, page, pages, history}, nil
}

// handleScanAddress handles "GET /scan/address/*": an address's balance,
// its history page by page, and its balance over time.
func (s *Server) handleScanAddress(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	address, err := addressParam(c, "/scan/address/")
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		return s.addressCSV(c, address)
	}
	a, err := s.readAddress(c, p, address)
	if err != nil {
		return err
	}
	info, page, pages, history := a.info, a.page, a.pages, a.history
	tip := s.Node.Tip()
	code, err := qr.SVG(address, 160)
	if err != nil {
		code = "" // an address too long for a QR code still has its text
	}
	data := struct {
		Address  string
		Info     pybtc.AddressInfo
		Txs      []txView
		Chart    *figure
		Pager    pager
		QR       template.HTML
		CSV      string
		CSVLimit int
	}{address, info, txViews(history, tip.Height, address), nil, p.newPager(page, pages, "newer", "older"),
		code, addressURL(address) + "?format=csv", csvMaxRows}
	if page == 1 && info.Confirmed > 0 {
		// The confirmed part of the history, after the pending entries.
		recent, err := s.Explorer.AddressHistory(ctx, address, int(info.Pending), chartHistory)
		if err != nil {
			return err
		}
		data.Chart = balanceChart(p, address, info.Total(), recent, info.Confirmed > int64(len(recent)))
	}
	p.Data = data
	return s.render(c, http.StatusOK, "scan_address.html", p)
}

// mempoolView is what the pages of the mempool show: its size and one page
// of it.
type mempoolView struct {
	pending, page, pages int64
	txs                  []pybtc.TxRecord
}

// readMempool reads the mempool's size and the page ?page= asks for.
func (s *Server) readMempool(c echo.Context, p *Page) (mempoolView, error) {
	ctx := c.Request().Context()
	pending, err := s.Explorer.PendingCount(ctx)
	if err != nil {
		return mempoolView{}, err
	}
	pages := pagesOf(pending, txsPerPage)
	page, err := p.pageParam(c, pages)
	if err != nil {
		return mempoolView{}, err
	}
	txs, err := s.Explorer.Mempool(ctx, int((page-1)*txsPerPage), txsPerPage)
	if err != nil {
		return mempoolView{}, err
	}
	return mempoolView{pending, page, pages, txs}, nil
}

// handleScanMempool handles "GET /scan/mempool": the pending transactions
// in arrival order.
func (s *Server) handleScanMempool(c echo.Context) error {
	p := s.scanPage(c)
	v, err := s.readMempool(c, p)
	if err != nil {
		return err
	}
	pending, page, pages, txs := v.pending, v.page, v.pages, v.txs
	stats, err := s.mempoolStats(c.Request().Context(), pending)
	if err != nil {
		return err
	}
	p.Title, p.Nav = p.T("Mempool"), "Mempool"
	p.Data = struct {
		Pending int64
		Address string
		Txs     []txView
		Pager   pager
		Stats   mempoolStats
	}{pending, "", txViews(txs, 0, ""), p.newPager(page, pages, "previous", "next"), stats}
	return s.render(c, http.StatusOK, "scan_mempool.html", p)
}

// peerView is a peer as the peers page shows it.
type peerView struct {
	pybtc.Peer
	StateText, StateClass string
	// Versus says how the peer's chain stands against this node's, and
	// VersusClass is "ahead", "behind", "level" or "" while unknown.
	Versus, VersusClass string
	// RTTText is the round-trip time in milliseconds; "" while unknown.
	RTTText string
}

// handleScanPeers handles "GET /scan/peers": the peers and their state.
func (s *Server) handleScanPeers(c echo.Context) error {
	p := s.scanPage(c)
	peers, err := s.Node.Peers(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.now()
	ours := s.Node.Tip().Height
	views := make([]peerView, len(peers))
	for i, peer := range peers {
		state := peer.State(now)
		v := peerView{Peer: peer, StateText: string(state), StateClass: strings.ReplaceAll(string(state), " ", "-")}
		if peer.Height > 0 {
			switch d := peer.Height - ours; {
			case d > 0:
				v.Versus, v.VersusClass = p.T("%d ahead", d), "ahead"
			case d < 0:
				v.Versus, v.VersusClass = p.T("%d behind", -d), "behind"
			default:
				v.Versus, v.VersusClass = p.T("same height"), "level"
			}
		}
		if peer.LastSeen > 0 {
			v.RTTText = p.T("%.1f ms", float64(peer.RTT.Microseconds())/1e3)
		}
		views[i] = v
	}
	p.Title, p.Nav = p.T("Peers"), "Peers"
	p.Data = struct {
		Height int64
		Peers  []peerView
	}{ours, views}
	return s.render(c, http.StatusOK, "scan_peers.html", p)
}

// handleScanSearch handles "GET /scan/search?q=": a height, a block hash, a
// transaction id or a unique start of one, or an address goes to its page;
// several matches are listed; nothing found is a 404 that says what search
// takes.
func (s *Server) handleScanSearch(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	p.Query = q
	tip := s.Node.Tip()
	if h, err := strconv.ParseInt(q, 10, 64); err == nil && h >= 1 && h <= tip.Height {
		return c.Redirect(http.StatusSeeOther, "/scan/block/"+strconv.FormatInt(h, 10))
	}
	var matches []pybtc.SearchMatch
	if hex := strings.ToLower(q); len(hex) >= 4 && isHex(hex, len(hex)) && len(hex) <= 64 {
		var err error
		if matches, err = s.Explorer.MatchPrefix(ctx, hex, 20); err != nil {
			return err
		}
		if len(matches) == 1 {
			return c.Redirect(http.StatusSeeOther, matchURL(matches[0]))
		}
		// A whole hash off the main chain may be a stale block's.
		if len(matches) == 0 && len(hex) == 64 {
			if _, _, err := s.Explorer.StaleBlock(ctx, hex); err == nil {
				return c.Redirect(http.StatusSeeOther, "/scan/block/"+hex)
			} else if pybtc.ErrorCode(err) != pybtc.ENOTFOUND {
				return err
			}
		}
	}
	if q != "" && len(matches) == 0 {
		info, err := s.Explorer.AddressInfo(ctx, q)
		if err != nil {
			return err
		}
		if info.Seen() {
			return c.Redirect(http.StatusSeeOther, addressURL(q))
		}
	}
	status := http.StatusOK
	if len(matches) == 0 {
		status = http.StatusNotFound
		if q == "" {
			status = http.StatusBadRequest
		}
	}
	// The tip's coinbase names an address that surely exists.
	example := "node_5000"
	if b, err := s.Explorer.BlockSummary(ctx, tip.Height); err == nil {
		if last, err := s.Explorer.BlockTransactions(ctx, tip.Height, b.TxCount-1, 1); err == nil && len(last) == 1 {
			example = last[0].Recipient
		}
	}
	p.Data = struct {
		Matches []pybtc.SearchMatch
		Tip     pybtc.ChainTip
		Example string
	}{matches, tip, example}
	return s.render(c, status, "scan_search.html", p)
}

func matchURL(m pybtc.SearchMatch) string {
	if m.Kind == "block" {
		return "/scan/block/" + m.ID
	}
	return "/scan/tx/" + m.ID
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func (s *Server) clock() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
