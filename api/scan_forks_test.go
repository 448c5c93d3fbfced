package api_test

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/store"
)

// forkExplorer is the real store with forks added: stale blocks,
// reorganisations, refused blocks and chain tips the store's tables would
// hold after a peer's branch lost or won.
type forkExplorer struct {
	*store.DB
	mu      sync.Mutex
	stale   []staleBlock
	reorgs  []pybtc.Reorg // oldest first
	refused []pybtc.RefusedBlock
	forks   []pybtc.TipInfo
}

type staleBlock struct {
	pybtc.TreeBlock
	txs []pybtc.Transaction
}

func (f *forkExplorer) BlockTree(ctx context.Context, from, to int64) ([]pybtc.TreeBlock, error) {
	out, err := f.DB.BlockTree(ctx, from, to)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.stale {
		if from <= b.Height && b.Height <= to {
			out = append(out, b.TreeBlock)
		}
	}
	slices.SortStableFunc(out, func(a, b pybtc.TreeBlock) int { return cmp.Compare(a.Height, b.Height) })
	return out, nil
}

func (f *forkExplorer) StaleBlock(ctx context.Context, hash string) (pybtc.TreeBlock, []pybtc.Transaction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.stale {
		if b.Hash == hash {
			return b.TreeBlock, b.txs, nil
		}
	}
	return f.DB.StaleBlock(ctx, hash)
}

func (f *forkExplorer) Tips(ctx context.Context) ([]pybtc.TipInfo, error) {
	tips, err := f.DB.Tips(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	return append(tips, f.forks...), err
}

func (f *forkExplorer) TreeVersion(ctx context.Context) (string, error) {
	v, err := f.DB.TreeVersion(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("%s+%d/%d", v, len(f.forks), len(f.refused)), err
}

func (f *forkExplorer) Reorgs(ctx context.Context, limit int) ([]pybtc.Reorg, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.reorgs)
	slices.Reverse(out)
	return out[:min(limit, len(out))], nil
}

func (f *forkExplorer) ReorgByID(ctx context.Context, id int64) (pybtc.Reorg, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.reorgs {
		if r.ID == id {
			return r, nil
		}
	}
	return f.DB.ReorgByID(ctx, id)
}

func (f *forkExplorer) RefusedBlocks(ctx context.Context, limit int) ([]pybtc.RefusedBlock, error) {
	return f.refused[:min(limit, len(f.refused))], nil
}

func (f *forkExplorer) BlocksHolding(ctx context.Context, id string) ([]pybtc.TreeBlock, error) {
	out, err := f.DB.BlocksHolding(ctx, id)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.stale {
		for _, t := range b.txs {
			if t.ID == id {
				out = append(out, b.TreeBlock)
			}
		}
	}
	return out, err
}

// ForkEnv is a ScanEnv whose block 3 won against a stale block 3 from a
// peer, in a reorganisation that returned one transaction to the mempool
// and dropped another.
type ForkEnv struct {
	*ScanEnv
	Forks *forkExplorer
	// Stale is the stale block's hash; OnlyStale a transaction that only
	// it holds; DroppedID the dropped transaction.
	Stale, OnlyStale, DroppedID string
}

const (
	peerURL  = "http://127.0.0.1:5001"
	badProof = "bad-proof"
)

func MustOpenForkEnv(tb testing.TB) *ForkEnv {
	tb.Helper()
	e := &ForkEnv{ScanEnv: MustOpenScanEnv(tb)}
	ctx := context.Background()
	main3, err := e.DB.BlockSummary(ctx, 3)
	if err != nil {
		tb.Fatal(err)
	}
	e.Stale = strings.Repeat("5a", 32)
	e.OnlyStale = strings.Repeat("0c", 32)
	e.DroppedID = strings.Repeat("d0", 32)
	now := float64(time.Now().Unix())
	e.Forks = &forkExplorer{
		DB: e.DB,
		stale: []staleBlock{{
			TreeBlock: pybtc.TreeBlock{
				BlockSummary: pybtc.BlockSummary{Height: 3, Hash: e.Stale, PreviousHash: main3.PreviousHash, Nonce: 12345, Timestamp: now - 200, TxCount: 3},
				Status:       pybtc.BlockStale, Miner: "rival", ArrivedAt: now - 190, Source: peerURL, ReplacedBy: main3.Hash,
			},
			txs: []pybtc.Transaction{
				{ID: e.Pending, Sender: "alice", Recipient: "carol", Amount: pybtc.Coin / 8, Timestamp: now - 210},
				{ID: e.OnlyStale, Sender: "bob", Recipient: "dave", Amount: pybtc.Coin, Timestamp: now - 205},
				{ID: strings.Repeat("cb", 32), Sender: "master", Recipient: "rival", Amount: pybtc.Coin, Timestamp: now - 200},
			},
		}},
		reorgs: []pybtc.Reorg{{
			ID: 1, Time: now - 180, ForkHeight: 2, OldTip: e.Stale, NewTip: main3.Hash, OldHeight: 3, NewHeight: 3,
			Removed: []string{e.Stale}, Added: []string{main3.Hash}, Peer: peerURL,
			Returned: []string{e.Pending},
			Dropped: []pybtc.DroppedTx{{
				Transaction: pybtc.Transaction{ID: e.DroppedID, Sender: "bob", Recipient: "dave", Amount: 5 * pybtc.Coin, Timestamp: now - 205},
				Reason:      pybtc.DropOverdraft, Detail: "bob can no longer cover 5 pyBTC", DroppedBy: pybtc.DroppedByReorg, ForkHeight: 2, DroppedAt: now - 180,
			}},
		}},
		refused: []pybtc.RefusedBlock{{Hash: strings.Repeat("bb", 32), Height: 4, Peer: peerURL, Reason: badProof, Detail: "the proof " + hostile + " is wrong", At: now - 60}},
		forks:   []pybtc.TipInfo{{Height: 3, Hash: e.Stale, ForkHeight: 2, BranchLength: 1, Status: pybtc.TipValidFork}},
	}
	e.Server = &api.Server{Chain: e.DB, Explorer: e.Forks, Node: e.Node, Logger: slog.New(slog.DiscardHandler)}
	e.Handler = e.Server.Handler()
	return e
}

// mustPageIn gets target in lang and parses it, checking its status.
func (e *Env) mustPageIn(tb testing.TB, target, lang string, status int) *goquery.Document {
	tb.Helper()
	rec := e.Get(tb, target, lang)
	if rec.Code != status {
		tb.Fatalf("GET %s (%s): status %d, want %d: %s", target, lang, rec.Code, status, rec.Body)
	}
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func TestScanTree(t *testing.T) {
	e := MustOpenForkEnv(t)
	doc := e.MustPage(t, "/scan/tree", http.StatusOK)
	if n := doc.Find("#tree svg .tree-main").Length(); n != 3 {
		t.Fatalf("%d main blocks drawn, want 3", n)
	}
	stale := doc.Find(`#tree svg a[href="/scan/block/` + e.Stale + `"] .tree-stale`)
	if stale.Length() != 1 {
		t.Fatalf("the stale block is not drawn as a link to its page")
	}
	rows := doc.Find("#tree table.tree-blocks tbody tr")
	if rows.Length() != 4 || !rows.Eq(0).Is(".stale") && !rows.Eq(1).Is(".stale") {
		t.Fatalf("%d rows under the picture, want 4 with the stale one near the top", rows.Length())
	}
	if got := MustText(t, doc, "#tree table.tree-blocks tr.stale"); !strings.Contains(got, "replaced by") || !strings.Contains(got, peerURL) || !strings.Contains(got, "rival") {
		t.Fatalf("stale row %q lacks what replaced it, its peer or its miner", got)
	}
	if got := MustText(t, doc, "table.tips"); !strings.Contains(got, "active") || !strings.Contains(got, "valid-fork") {
		t.Fatalf("tips %q", got)
	}
	if got := doc.Find("body").AttrOr("data-events", ""); got != "/scan/events?forks=1" {
		t.Fatalf("data-events=%q: the tree page must hear of new tips", got)
	}
	ko := e.mustPageIn(t, "/scan/tree", "ko", http.StatusOK)
	if got := MustText(t, ko, "h1"); got != "블록 트리" {
		t.Fatalf("Korean heading %q", got)
	}
}

func TestScanStaleBlock(t *testing.T) {
	e := MustOpenForkEnv(t)
	main3 := e.Node.Tip().Hash
	doc := e.MustPage(t, "/scan/block/"+strings.ToUpper(e.Stale), http.StatusOK)
	note := MustText(t, doc, "#stale-note")
	if !strings.Contains(note, "stale — replaced at height 3 by") || doc.Find(`#stale-note a[href="/scan/block/`+main3+`"]`).Length() != 1 {
		t.Fatalf("stale note %q does not link the block that replaced it", note)
	}
	if got := MustText(t, doc, "#block"); !strings.Contains(got, peerURL) || !strings.Contains(got, "rival") {
		t.Fatalf("facts %q lack the peer it came from or its miner", got)
	}
	if n := doc.Find(`#block-txs a[href="/scan/tx/` + e.OnlyStale + `"]`).Length(); n != 1 {
		t.Fatalf("its transactions are not listed")
	}
	if doc.Find("#proof").Length() != 1 {
		t.Fatalf("no proof of work on the stale block's page")
	}
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/scan/block/" + strings.Repeat("ee", 32), http.StatusNotFound},
		{"/scan/block/zz", http.StatusBadRequest},
		{"/scan/block/" + e.Stale + "?page=2", http.StatusNotFound},
	} {
		e.MustPage(t, tc.target, tc.status)
	}
	if rec := e.Get(t, "/scan/search?q="+e.Stale, "en"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/scan/block/"+e.Stale {
		t.Fatalf("searching the stale hash: %d to %q, want its page", rec.Code, rec.Header().Get("Location"))
	}
	ko := e.mustPageIn(t, "/scan/block/"+e.Stale, "ko", http.StatusOK)
	if got := MustText(t, ko, "#stale-note"); !strings.Contains(got, "높이 3에서") {
		t.Fatalf("Korean stale note %q", got)
	}
}

func TestScanReorgs(t *testing.T) {
	e := MustOpenForkEnv(t)
	doc := e.MustPage(t, "/scan/reorgs", http.StatusOK)
	row := MustText(t, doc, "#reorgs tbody tr")
	if doc.Find(`#reorgs a[href="/scan/reorg/1"]`).Length() != 1 || !strings.Contains(row, peerURL) {
		t.Fatalf("reorg row %q", row)
	}
	doc = e.MustPage(t, "/scan/reorg/1", http.StatusOK)
	if doc.Find(`#removed a[href="/scan/block/`+e.Stale+`"]`).Length() != 1 || doc.Find(`#added a[href="/scan/block/`+e.Node.Tip().Hash+`"]`).Length() != 1 {
		t.Fatalf("removed or added block missing")
	}
	if doc.Find(`#returned a[href="/scan/tx/`+e.Pending+`"]`).Length() != 1 {
		t.Fatalf("the returned transaction is not listed")
	}
	if got := MustText(t, doc, "#dropped tbody"); !strings.Contains(got, "bob can no longer cover 5 pyBTC") {
		t.Fatalf("dropped %q lacks why", got)
	}
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/scan/reorg/9", http.StatusNotFound},
		{"/scan/reorg/0", http.StatusBadRequest},
		{"/scan/reorg/x", http.StatusBadRequest},
		{"/scan/reorg/99999999999999999999", http.StatusBadRequest},
	} {
		e.MustPage(t, tc.target, tc.status)
	}
	ko := e.mustPageIn(t, "/scan/reorg/1", "ko", http.StatusOK)
	if got := MustText(t, ko, "#returned h2"); got != "멤풀로 돌아간 거래" {
		t.Fatalf("Korean heading %q", got)
	}
}

func TestScanRefused(t *testing.T) {
	e := MustOpenForkEnv(t)
	rec := e.Get(t, "/scan/refused", "en")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), hostile) {
		t.Fatalf("status %d; a peer's words must be escaped", rec.Code)
	}
	doc, _ := goquery.NewDocumentFromReader(rec.Body)
	if got := MustText(t, doc, "#refused tbody tr"); !strings.Contains(got, badProof) || !strings.Contains(got, peerURL) || !strings.Contains(got, "the proof") {
		t.Fatalf("refused row %q lacks the rule, the peer or the detail", got)
	}
	e.mustPageIn(t, "/scan/refused", "ko", http.StatusOK)
}

func TestScanTransactionBlocksHolding(t *testing.T) {
	e := MustOpenForkEnv(t)
	doc := e.MustPage(t, "/scan/tx/"+e.Pending, http.StatusOK)
	if doc.Find(`table.holding a[href="/scan/block/`+e.Stale+`"]`).Length() != 1 {
		t.Fatalf("the stale block that held the pending transaction is not listed")
	}
	// A transaction only a stale block held is known, not a 404.
	doc = e.MustPage(t, "/scan/tx/"+e.OnlyStale, http.StatusOK)
	if got := MustText(t, doc, "table.holding tbody"); !strings.Contains(got, "stale") {
		t.Fatalf("holding %q", got)
	}
	// The main chain's blocks are listed too.
	doc = e.MustPage(t, "/scan/tx/"+e.Confirmed, http.StatusOK)
	if got := MustText(t, doc, "table.holding tbody"); !strings.Contains(got, "main") {
		t.Fatalf("holding %q lacks the main chain's block", got)
	}
}

func TestScanHomeMarksRecentReorg(t *testing.T) {
	e := MustOpenForkEnv(t)
	doc := e.MustPage(t, "/scan", http.StatusOK)
	if got := MustText(t, doc, "#recent-reorg"); !strings.Contains(got, "reorganised 1 block above height 2, 3 min") {
		t.Fatalf("reorg note %q", got)
	}
	if doc.Find(`#recent-reorg a[href="/scan/reorg/1"]`).Length() != 1 {
		t.Fatalf("the note does not link the reorganisation")
	}
	if doc.Find("#tree svg .tree-stale").Length() != 1 {
		t.Fatalf("the home page's tree lacks the stale block")
	}
	plain := MustOpenScanEnv(t)
	if plain.MustPage(t, "/scan", http.StatusOK).Find("#recent-reorg").Length() != 0 {
		t.Fatalf("a node that never reorganised marks a reorganisation")
	}
}

func TestScanBlockProof(t *testing.T) {
	e := MustOpenForkEnv(t)
	b2, err := e.DB.BlockSummary(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	doc := e.MustPage(t, "/scan/block/2", http.StatusOK)
	zeros := MustText(t, doc, "#proof mark.zeros")
	if len(zeros) < 4 || strings.Trim(zeros, "0") != "" {
		t.Fatalf("highlighted zeros %q, want at least 4", zeros)
	}
	proof := MustText(t, doc, "#proof")
	for _, want := range []string{"65,536", b2.Hash, "meets the target", "covers only the two nonces"} {
		if !strings.Contains(proof, want) {
			t.Fatalf("proof %q lacks %q", proof, want)
		}
	}
	if e.MustPage(t, "/scan/block/1", http.StatusOK).Find("#proof").Length() != 0 {
		t.Fatalf("the genesis block has no proof to show")
	}
	// The stale rival of block 3 is named on the main block's page.
	if e.MustPage(t, "/scan/block/3", http.StatusOK).Find(`#block a[href="/scan/block/`+e.Stale+`"]`).Length() != 1 {
		t.Fatalf("block 3's page does not name the block that lost its height")
	}
	ko := e.mustPageIn(t, "/scan/block/2", "ko", http.StatusOK)
	if got := MustText(t, ko, "#proof h2"); got != "작업 증명" {
		t.Fatalf("Korean proof heading %q", got)
	}
}

// TestScanForkPagesOnAPlainNode opens the pages on the store alone: no
// fork yet is a page that says so, not an error.
func TestScanForkPagesOnAPlainNode(t *testing.T) {
	e := MustOpenScanEnv(t)
	for _, tc := range []struct {
		target string
		status int
		want   string
	}{
		{"/scan/tree", http.StatusOK, "Block tree"},
		{"/scan/reorgs", http.StatusOK, "not reorganised"},
		{"/scan/refused", http.StatusOK, "refused no block"},
		{"/scan/reorg/1", http.StatusNotFound, "has seen no reorganisation number 1"},
	} {
		doc := e.MustPage(t, tc.target, tc.status)
		if got := MustText(t, doc, "main"); !strings.Contains(got, tc.want) {
			t.Fatalf("%s: %q lacks %q", tc.target, got, tc.want)
		}
	}
}

// TestScanEventsForks checks that the tree page's stream says "forks" when
// a stale block arrives without moving the tip.
func TestScanEventsForks(t *testing.T) {
	e := MustOpenForkEnv(t)
	s := &api.Server{Addr: "127.0.0.1:0", Chain: e.DB, Explorer: e.Forks, Node: e.Node, Logger: slog.New(slog.DiscardHandler)}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/scan/events?forks=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewScanner(resp.Body)
	next := func() string {
		t.Helper()
		for events.Scan() {
			if v, ok := strings.CutPrefix(events.Text(), "event: "); ok {
				return v
			}
		}
		t.Fatalf("stream ended: %v", events.Err())
		return ""
	}
	if name := next(); name != "status" {
		t.Fatalf("first event %q", name)
	}
	e.Forks.mu.Lock()
	e.Forks.forks = append(e.Forks.forks, pybtc.TipInfo{Height: 2, Hash: strings.Repeat("7e", 32), ForkHeight: 1, BranchLength: 1, Status: pybtc.TipValidFork})
	e.Forks.mu.Unlock()
	if name := next(); name != "forks" {
		t.Fatalf("after a new fork: event %q, want forks", name)
	}
}

// TestScanTreeThousandStale draws a tip with a thousand stale rivals, as
// a peer could make them: the picture and the table stay bounded.
func TestScanTreeThousandStale(t *testing.T) {
	e := MustOpenForkEnv(t)
	tip := e.Node.Tip()
	e.Forks.mu.Lock()
	for i := range 1000 {
		hash := fmt.Sprintf("%064x", i+1)
		e.Forks.stale = append(e.Forks.stale, staleBlock{TreeBlock: pybtc.TreeBlock{
			BlockSummary: pybtc.BlockSummary{Height: tip.Height, Hash: hash, PreviousHash: tip.Hash, Timestamp: tip.Timestamp},
			Status:       pybtc.BlockStale, Miner: hostile,
		}})
	}
	e.Forks.mu.Unlock()
	rec := e.Get(t, "/scan/tree", "en")
	if rec.Code != http.StatusOK || rec.Body.Len() > 300_000 || strings.Contains(rec.Body.String(), hostile) {
		t.Fatalf("status %d, %d bytes; want 200, small, the miners' names escaped", rec.Code, rec.Body.Len())
	}
	doc, _ := goquery.NewDocumentFromReader(rec.Body)
	if got := MustText(t, doc, "#tree table.tree-blocks tbody tr:last-child"); !strings.Contains(got, "older blocks are not listed") {
		t.Fatalf("last row %q does not say blocks are left out", got)
	}
	if n := doc.Find("#tree svg .tree-block").Length(); n > 24*8 {
		t.Fatalf("%d blocks drawn", n)
	}
}
