package api

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/views/chart"
)

// Block Scan's pages of forks: the block tree, the reorganisations, the
// refused blocks and stale blocks.
const (
	// treeHeights is how many heights below the tip the tree page reads;
	// the chart draws as many.
	treeHeights = 24
	// homeTreeHeights is the small tree of the home page.
	homeTreeHeights = 12
	// treeRows bounds the tree's table, and treeTips its list of tips: a
	// peer may make a thousand stale blocks near the tip, and the page must
	// stay small and quick (each row costs its share of the template). The
	// rest are in /api/tips and on the blocks' pages.
	treeRows       = 40
	treeTips       = 20
	reorgsPerPage  = 50
	refusedPerPage = 100
	// recentReorgSeconds and recentReorgBlocks say how recent a
	// reorganisation must be for the home page to mark it.
	recentReorgSeconds = 3600
	recentReorgBlocks  = 100
)

// treeRow is a block of the tree as its table lists it.
type treeRow struct {
	pybtc.TreeBlock
	Stale bool
}

// treeView is the block tree near the tip: the picture and its numbers.
type treeView struct {
	SVG  template.HTML
	Rows []treeRow // newest first, at most treeRows
	// More counts the blocks left out of Rows.
	More int
}

// readTree reads the blocks of the heights near the tip, the main chain's
// and the stale ones, and draws them. A branch may run above the tip
// while it is downloaded, so the read goes as far above it.
func (s *Server) readTree(ctx context.Context, p *Page, id string, heights int64) (treeView, error) {
	tip := s.Node.Tip()
	from := max(tip.Height-heights+1, 1)
	blocks, err := s.Explorer.BlockTree(ctx, from, tip.Height+heights)
	if err != nil {
		return treeView{}, err
	}
	nodes := make([]chart.TreeNode, len(blocks))
	rows := make([]treeRow, len(blocks))
	stale := 0
	for i, b := range blocks {
		nodes[i] = chart.TreeNode{
			Height: b.Height, Hash: b.Hash, PreviousHash: b.PreviousHash,
			Status: string(b.Status), Miner: b.Miner, Href: "/scan/block/" + b.Hash,
		}
		rows[len(blocks)-1-i] = treeRow{b, b.Status != pybtc.BlockMain}
		if b.Status != pybtc.BlockMain {
			stale++
		}
	}
	svg := chart.Tree(chart.TreeChart{
		ID:          id,
		Title:       p.T("Block tree"),
		Description: p.T("The main chain on the top row, oldest left, and %d stale blocks on the rows below, each beside the block it builds on.", stale),
		Nodes:       nodes,
		NoData:      p.T("No blocks yet."),
		HiddenNote:  p.T("Blocks that do not fit in the picture; the table lists them."),
	})
	more := max(len(rows)-treeRows, 0)
	return treeView{svg, rows[:len(rows)-more], more}, nil
}

// handleScanTree handles "GET /scan/tree": the block tree near the tip,
// the chain tips, and the latest reorganisation.
func (s *Server) handleScanTree(c echo.Context) error {
	ctx := c.Request().Context()
	p := s.scanPage(c)
	// Stale blocks arrive without moving the tip: this page also listens
	// for new tips.
	p.Events = "/scan/events?forks=1"
	tree, err := s.readTree(ctx, p, "chart-tree", treeHeights)
	if err != nil {
		return err
	}
	tips, err := s.Explorer.Tips(ctx)
	if err != nil {
		return err
	}
	moreTips := max(len(tips)-treeTips, 0)
	p.Title = p.T("Block tree")
	p.Data = struct {
		Tree     treeView
		Tips     []pybtc.TipInfo
		MoreTips int
	}{tree, tips[:len(tips)-moreTips], moreTips}
	return s.render(c, http.StatusOK, "scan_tree.html", p)
}

// reorgView is a reorganisation as the pages show it.
type reorgView struct {
	pybtc.Reorg
	Depth int64
	Ago   string
}

func (s *Server) reorgView(p *Page, r pybtc.Reorg) reorgView {
	depth := int64(len(r.Removed))
	if depth == 0 {
		depth = max(r.OldHeight-r.ForkHeight, 0)
	}
	return reorgView{r, depth, p.ago(s.clock(), r.Time)}
}

// handleScanReorgs handles "GET /scan/reorgs": the latest reorganisations,
// newest first.
func (s *Server) handleScanReorgs(c echo.Context) error {
	p := s.scanPage(c)
	reorgs, err := s.Explorer.Reorgs(c.Request().Context(), reorgsPerPage)
	if err != nil {
		return err
	}
	views := make([]reorgView, len(reorgs))
	for i, r := range reorgs {
		views[i] = s.reorgView(p, r)
	}
	p.Title = p.T("Reorganisations")
	p.Data = struct{ Reorgs []reorgView }{views}
	return s.render(c, http.StatusOK, "scan_reorgs.html", p)
}

// handleScanReorg handles "GET /scan/reorg/:id": one reorganisation, the
// blocks it removed and added and what became of their transactions.
func (s *Server) handleScanReorg(c echo.Context) error {
	p := s.scanPage(c)
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonReorgID, pybtc.Args{Got: raw})
	}
	r, err := s.Explorer.ReorgByID(c.Request().Context(), id)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return pybtc.Refuse(pybtc.ENOTFOUND, pybtc.ReasonNoReorg, pybtc.Args{Count: id})
	} else if err != nil {
		return err
	}
	p.Title = p.T("Reorganisation %d", id)
	p.Data = struct{ Reorg reorgView }{s.reorgView(p, r)}
	return s.render(c, http.StatusOK, "scan_reorg.html", p)
}

// handleScanRefused handles "GET /scan/refused": the latest blocks the
// node refused, with the rule each broke.
func (s *Server) handleScanRefused(c echo.Context) error {
	p := s.scanPage(c)
	refused, err := s.Explorer.RefusedBlocks(c.Request().Context(), refusedPerPage)
	if err != nil {
		return err
	}
	p.Title = p.T("Refused blocks")
	p.Data = struct{ Refused []pybtc.RefusedBlock }{refused}
	return s.render(c, http.StatusOK, "scan_refused.html", p)
}

// RuleLabel names, in the page's language, the rule of the two soft forks
// (SPEC §11) that a refused block broke, from the rule's name as
// refused_blocks keeps it; "" for the tutorial's own rules.
func (p *Page) RuleLabel(reason string) string {
	switch reason {
	case "ErrKeySignature":
		return p.T("Rule K: bad or missing signature")
	case "ErrKeyReplay":
		return p.T("Rule K: replayed payment")
	case "ErrKeyOverdraft":
		return p.T("Rule K: key address overdrawn")
	case "ErrNoWork":
		return p.T("Rule W: block hash lacks the work")
	}
	return ""
}

// latestReorg returns the latest reorganisation if it is recent enough for
// the home page to mark: within the last hour or the last 100 blocks.
func (s *Server) latestReorg(ctx context.Context, p *Page, tip pybtc.ChainTip) (*reorgView, error) {
	reorgs, err := s.Explorer.Reorgs(ctx, 1)
	if err != nil || len(reorgs) == 0 {
		return nil, err
	}
	r := reorgs[0]
	if s.now()-r.Time > recentReorgSeconds && tip.Height-r.NewHeight > recentReorgBlocks {
		return nil, nil
	}
	v := s.reorgView(p, r)
	return &v, nil
}

// proofView shows a block's proof of work: the digest of the nonces, its
// leading zeros apart.
type proofView struct {
	PrevNonce, Nonce int64
	Text             string
	Zeros, Rest      string
	Target           string
	Tries            string
	Valid            bool
}

// proofOf computes the proof of a block whose parent's nonce is prevNonce.
func proofOf(prevNonce, nonce int64) proofView {
	text, digest := consensus.ProofDigest(prevNonce, nonce)
	rest := strings.TrimLeft(digest, "0")
	zeros := digest[:len(digest)-len(rest)]
	return proofView{
		PrevNonce: prevNonce, Nonce: nonce, Text: text,
		Zeros: zeros, Rest: rest,
		Target: strings.Repeat("0", consensus.ProofZeros) + strings.Repeat("x", len(digest)-consensus.ProofZeros),
		Tries:  "65,536",
		Valid:  consensus.ValidProof(prevNonce, nonce),
	}
}

// blockProof returns the proof of work of a block of height building on
// prevHash, nil for the genesis block or when the parent is unknown.
func (s *Server) blockProof(ctx context.Context, height int64, prevHash string, nonce int64) (*proofView, error) {
	if height <= 1 {
		return nil, nil
	}
	parent, err := s.Explorer.BlockByHash(ctx, prevHash)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		stale, _, serr := s.Explorer.StaleBlock(ctx, prevHash)
		if pybtc.ErrorCode(serr) == pybtc.ENOTFOUND {
			return nil, nil
		} else if serr != nil {
			return nil, serr
		}
		parent = stale.BlockSummary
	} else if err != nil {
		return nil, err
	}
	v := proofOf(parent.Nonce, nonce)
	return &v, nil
}

// staleTxView is a transaction of a stale block.
type staleTxView struct {
	pybtc.Transaction
	Position int
}

// renderStaleBlock answers "GET /scan/block/HASH" for a stale block: what
// replaced it, when and from whom it came, its proof and its transactions.
func (s *Server) renderStaleBlock(c echo.Context, p *Page, b pybtc.TreeBlock, txs []pybtc.Transaction) error {
	ctx := c.Request().Context()
	pages := pagesOf(int64(len(txs)), txsPerPage)
	page, err := p.pageParam(c, pages)
	if err != nil {
		return err
	}
	first := int((page - 1) * txsPerPage)
	shown := txs[first:min(first+txsPerPage, len(txs))]
	views := make([]staleTxView, len(shown))
	for i, t := range shown {
		views[i] = staleTxView{t, first + i}
	}
	proof, err := s.blockProof(ctx, b.Height, b.PreviousHash, b.Nonce)
	if err != nil {
		return err
	}
	p.Title = p.T("Stale block %d", b.Height)
	p.Data = struct {
		Block pybtc.TreeBlock
		Proof *proofView
		Txs   []staleTxView
		Pager pager
	}{b, proof, views, p.newPager(page, pages, "previous", "next")}
	return s.render(c, http.StatusOK, "scan_stale.html", p)
}
