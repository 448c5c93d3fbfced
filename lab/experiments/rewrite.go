package experiments

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/client"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// The story of "rewrite": Alice pays Bob in block rewriteEdited of a chain
// of rewriteBlocks blocks; Mallory edits the payment so that it pays her.
const (
	rewriteBlocks = 40
	rewriteEdited = 3
	rewritePayer  = "alice"
	rewritePayee  = "bob"
	rewriteThief  = "mallory"
	rewriteAmount = "0.05"
	// rewriteSecureFrom is the secure height of the rule-W network: every
	// block but the genesis carries work.
	rewriteSecureFrom = 2
	// rewriteFollow bounds the wait for the honest node to follow the
	// miner's chain.
	rewriteFollow = 5 * time.Second
)

// rewrite is the experiment "rewrite" of SPEC §12.
func rewrite() Experiment {
	return Experiment{
		Name:  "rewrite",
		Title: lab.Text{EN: "Rewrite history", KO: "과거 고쳐 쓰기"},
		Claim: lab.Text{
			EN: "Under the tutorial's rules, changing an old payment costs one block of work, however old it is. Under rule W it costs the work of every block since.",
			KO: "튜토리얼 규칙에서는 오래된 지불을 고치는 데 블록 하나의 작업만 듭니다. 얼마나 오래됐든 같습니다. 규칙 W에서는 그 뒤 모든 블록의 작업이 듭니다.",
		},
		Run: runRewrite,
	}
}

// rewriteResult is what one network's half of the experiment found.
type rewriteResult struct {
	adopted bool  // the honest node took the rewritten chain
	stolen  bool  // and its block rewriteEdited pays the thief
	hashes  int64 // what the adopted rewrite cost
	// Rule W only: the rewrite without new work, and its refusal.
	cheapHashes  int64
	cheapRefused bool
	worked       int64 // blocks whose work was redone
}

func runRewrite(ctx context.Context, run *Run) (lab.Outcome, error) {
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Alice pays Bob in block %d of %d. Mallory changes that payment to pay herself.", rewriteEdited, rewriteBlocks),
		KO: fmt.Sprintf("앨리스가 블록 %d번에서 밥에게 지불합니다 (전체 %d블록). 맬러리가 그 지불을 자기에게 가도록 고칩니다.", rewriteEdited, rewriteBlocks),
	})
	run.Say("", lab.Text{EN: "First under the tutorial's rules.", KO: "먼저 튜토리얼 규칙으로 해 봅니다."})
	tut, err := rewriteOn(ctx, run, "A", "B", 0)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Say("", lab.Text{EN: "Now under rule W: a block's hash must start with 0000.", KO: "이제 규칙 W로 해 봅니다. 블록의 해시가 0000으로 시작해야 합니다."})
	w, err := rewriteOn(ctx, run, "C", "D", rewriteSecureFrom)
	if err != nil {
		return lab.Outcome{}, err
	}
	depth := int64(rewriteBlocks - rewriteEdited + 1)
	ok := tut.adopted && tut.stolen && w.cheapRefused && w.adopted && w.stolen && w.worked == depth+1
	out := lab.Outcome{
		OK: ok,
		Summary: lab.Text{
			EN: fmt.Sprintf("Rewriting block %d of %d cost %s hashes under the tutorial's rules and %s under rule W.",
				rewriteEdited, rewriteBlocks, thousands(tut.hashes), thousands(w.hashes)),
			KO: fmt.Sprintf("%d블록 중 블록 %d번을 고쳐 쓰는 데 튜토리얼 규칙에서는 해시 %s번, 규칙 W에서는 %s번이 들었습니다.",
				rewriteBlocks, rewriteEdited, thousands(tut.hashes), thousands(w.hashes)),
		},
		Why: lab.Text{
			EN: "In the tutorial, the proof of work hashes only two nonces: sha256(previous nonce + nonce). " +
				"It covers neither the payments nor the previous block's hash. " +
				"So an edited block keeps its nonce, every later block keeps its nonce, and only the new block on top needs work. " +
				"The longest chain wins, so the edit wins. " +
				"In Bitcoin, and under rule W, the work covers the whole block: editing one block means redoing the work of it and of every block after it, " +
				"while the honest miners keep adding blocks. The deeper a payment, the more work it would take to undo.",
			KO: "튜토리얼의 작업 증명은 두 논스만 해시합니다: sha256(이전 논스 + 논스). " +
				"지불 내용도 이전 블록의 해시도 포함하지 않습니다. " +
				"그래서 고친 블록도, 그 뒤 블록들도 논스를 그대로 쓰고, 맨 위의 새 블록 하나만 작업이 필요합니다. " +
				"가장 긴 체인이 이기므로 고친 기록이 이깁니다. " +
				"비트코인과 규칙 W에서는 작업이 블록 전체를 덮습니다. 블록 하나를 고치려면 그 블록과 뒤의 모든 블록의 작업을 다시 해야 하고, " +
				"그동안 정직한 채굴자들은 블록을 계속 더합니다. 지불이 깊을수록 되돌리기가 더 어렵습니다.",
		},
		Figures: []lab.Figure{
			{Name: "hashes_tutorial", Label: lab.Text{EN: "Hashes to rewrite, tutorial's rules", KO: "고쳐 쓰는 데 든 해시 (튜토리얼 규칙)"}, Value: tut.hashes},
			{Name: "hashes_rule_w", Label: lab.Text{EN: "Hashes to rewrite, rule W", KO: "고쳐 쓰는 데 든 해시 (규칙 W)"}, Value: w.hashes},
			{Name: "hashes_rule_w_refused", Label: lab.Text{EN: "Hashes of the refused cheap rewrite, rule W", KO: "거부된 값싼 고쳐 쓰기의 해시 (규칙 W)"}, Value: w.cheapHashes},
			{Name: "depth", Label: lab.Text{EN: "Blocks from the edited one to the tip", KO: "고친 블록부터 끝까지의 블록 수"}, Value: depth},
			{Name: "blocks", Label: lab.Text{EN: "Blocks in the chain", KO: "체인의 블록 수"}, Value: rewriteBlocks},
		},
	}
	return out, nil
}

// rewriteOn runs the experiment on a network of two nodes, the miner and
// the honest node, with rule W from secureFrom (0: the tutorial's rules).
func rewriteOn(ctx context.Context, run *Run, minerName, honestName string, secureFrom int64) (rewriteResult, error) {
	var res rewriteResult
	miner, err := run.Net().Start(ctx, minerName, NodeOptions{Miner: rewritePayer, SecureFrom: secureFrom})
	if err != nil {
		return res, err
	}
	honest, err := run.Net().Start(ctx, honestName, NodeOptions{SecureFrom: secureFrom})
	if err != nil {
		return res, err
	}
	if err := run.Net().Link(ctx, miner, honest); err != nil {
		return res, err
	}
	rules := lab.Text{EN: "the tutorial's rules", KO: "튜토리얼 규칙"}
	if secureFrom > 0 {
		rules = lab.Text{EN: "rule W", KO: "규칙 W"}
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Nodes %s and %s are linked. Both follow %s.", minerName, honestName, rules.EN),
		KO: fmt.Sprintf("노드 %s와 %s가 연결되었습니다. 규칙: %s.", minerName, honestName, rules.KO),
	})
	if err := rewriteBuild(ctx, run, miner); err != nil {
		return res, err
	}
	if err := honest.WaitTip(ctx, rewriteFollow, func(t pybtc.ChainTip) bool { return t.Height >= rewriteBlocks }); err != nil {
		return res, fmt.Errorf("honest node follows the chain: %w", err)
	}
	run.Say(honestName, lab.Text{
		EN: fmt.Sprintf("Node %s has the same %d blocks.", honestName, rewriteBlocks),
		KO: fmt.Sprintf("노드 %s도 같은 %d개 블록을 가졌습니다.", honestName, rewriteBlocks),
	})
	chain, err := readChain(ctx, honest)
	if err != nil {
		return res, err
	}

	if secureFrom > 0 {
		// First the tutorial's recipe: re-hash, one new block. Rule W
		// refuses it at the edited block.
		cheap, hashes, err := rewriteChain(ctx, chain, false)
		if err != nil {
			return res, err
		}
		res.cheapHashes = hashes
		run.Step(lab.Step{Node: "Mallory", Hashes: hashes, Text: lab.Text{
			EN: fmt.Sprintf("Mallory edits block %d, re-hashes the blocks after it and mines block %d: %s hashes.", rewriteEdited, rewriteBlocks+1, thousands(hashes)),
			KO: fmt.Sprintf("맬러리가 블록 %d번을 고치고 뒤 블록들을 다시 해시한 뒤 블록 %d번을 채굴합니다: 해시 %s번.", rewriteEdited, rewriteBlocks+1, thousands(hashes)),
		}})
		changed, err := offerChain(ctx, honest, cheap)
		var re *consensus.RuleError
		res.cheapRefused = !changed && errors.As(err, &re) && re.Code == consensus.ErrNoWork
		if !res.cheapRefused {
			return res, fmt.Errorf("rule W network: the rewrite without work: changed %v, %w", changed, err)
		}
		run.Say(honestName, lab.Text{
			EN: fmt.Sprintf("Node %s refuses it: block %d's hash does not start with 0000.", honestName, rewriteEdited),
			KO: fmt.Sprintf("노드 %s가 거부합니다: 블록 %d번의 해시가 0000으로 시작하지 않습니다.", honestName, rewriteEdited),
		})
		run.Say("Mallory", lab.Text{
			EN: fmt.Sprintf("Mallory redoes the work of blocks %d to %d.", rewriteEdited, rewriteBlocks+1),
			KO: fmt.Sprintf("맬러리가 블록 %d부터 %d까지의 작업을 다시 합니다.", rewriteEdited, rewriteBlocks+1),
		})
	}

	forged, hashes, err := rewriteChain(ctx, chain, secureFrom > 0)
	if err != nil {
		return res, err
	}
	res.hashes = hashes
	if secureFrom > 0 {
		for _, raw := range forged[rewriteEdited-1:] {
			if b, err := wire.ParseBlock(raw); err == nil && strings.HasPrefix(b.Hash, consensus.WorkPrefix) {
				res.worked++
			}
		}
		run.Step(lab.Step{Node: "Mallory", Hashes: hashes, Text: lab.Text{
			EN: fmt.Sprintf("%d blocks of work: %s hashes.", res.worked, thousands(hashes)),
			KO: fmt.Sprintf("블록 %d개의 작업: 해시 %s번.", res.worked, thousands(hashes)),
		}})
	} else {
		run.Step(lab.Step{Node: "Mallory", Text: lab.Text{
			EN: fmt.Sprintf("Mallory edits block %d and re-hashes the blocks after it. Their nonces stay valid: the proof never covered the payments.", rewriteEdited),
			KO: fmt.Sprintf("맬러리가 블록 %d번을 고치고 뒤 블록들을 다시 해시합니다. 논스는 그대로 유효합니다. 증명이 지불 내용을 덮지 않기 때문입니다.", rewriteEdited),
		}})
		run.Step(lab.Step{Node: "Mallory", Hashes: hashes, Text: lab.Text{
			EN: fmt.Sprintf("She mines one block on top, block %d: %s hashes.", rewriteBlocks+1, thousands(hashes)),
			KO: fmt.Sprintf("맨 위에 블록 하나(블록 %d)를 채굴합니다: 해시 %s번.", rewriteBlocks+1, thousands(hashes)),
		}})
	}
	run.Say("Mallory", lab.Text{
		EN: fmt.Sprintf("Her server offers the longer chain to node %s, like any peer.", honestName),
		KO: fmt.Sprintf("맬러리의 서버가 더 긴 체인을 다른 피어처럼 노드 %s에 내놓습니다.", honestName),
	})
	changed, err := offerChain(ctx, honest, forged)
	if err != nil {
		return res, fmt.Errorf("offer the rewritten chain: %w", err)
	}
	res.adopted = changed && honest.Node.Tip().Height == rewriteBlocks+1
	txs, err := honest.DB.BlockTransactions(ctx, rewriteEdited, 0, 10)
	if err != nil {
		return res, fmt.Errorf("read block %d of %s: %w", rewriteEdited, honestName, err)
	}
	for _, t := range txs {
		if t.Sender == rewritePayer && t.Recipient == rewriteThief {
			res.stolen = true
		}
	}
	tree, err := honest.TreeSVG(ctx)
	if err != nil {
		return res, err
	}
	if res.adopted && res.stolen {
		run.Step(lab.Step{Node: honestName, Tree: tree, Text: lab.Text{
			EN: fmt.Sprintf("Node %s adopts it. Block %d now says Alice paid Mallory.", honestName, rewriteEdited),
			KO: fmt.Sprintf("노드 %s가 받아들입니다. 이제 블록 %d번에는 앨리스가 맬러리에게 지불했다고 적혀 있습니다.", honestName, rewriteEdited),
		}})
	} else {
		run.Step(lab.Step{Node: honestName, Tree: tree, Text: lab.Text{
			EN: fmt.Sprintf("Node %s keeps its chain. Block %d still pays Bob.", honestName, rewriteEdited),
			KO: fmt.Sprintf("노드 %s가 자기 체인을 지킵니다. 블록 %d번은 여전히 밥에게 지불합니다.", honestName, rewriteEdited),
		}})
	}
	return res, nil
}

// rewriteBuild mines the chain on miner: a block that pays Alice, Alice's
// payment to Bob in block rewriteEdited, and blocks on top up to
// rewriteBlocks.
func rewriteBuild(ctx context.Context, run *Run, miner *Node) error {
	before := miner.Node.Stats().Hashes
	if _, err := miner.Node.Mine(ctx, ""); err != nil {
		return fmt.Errorf("mine block 2: %w", err)
	}
	c, err := client.New(miner.URL, nil)
	if err != nil {
		return err
	}
	if _, err := c.Send(ctx, rewritePayer, rewritePayee, rewriteAmount); err != nil {
		return fmt.Errorf("alice pays bob: %w", err)
	}
	for miner.Node.Tip().Height < rewriteEdited {
		if _, err := miner.Node.Mine(ctx, ""); err != nil {
			return fmt.Errorf("mine block %d: %w", miner.Node.Tip().Height+1, err)
		}
	}
	run.Say(miner.Name, lab.Text{
		EN: fmt.Sprintf("Alice pays Bob %s. Node %s mines it into block %d.", rewriteAmount, miner.Name, rewriteEdited),
		KO: fmt.Sprintf("앨리스가 밥에게 %s를 지불합니다. 노드 %s가 이를 블록 %d에 담아 채굴합니다.", rewriteAmount, miner.Name, rewriteEdited),
	})
	for miner.Node.Tip().Height < rewriteBlocks {
		if _, err := miner.Node.Mine(ctx, ""); err != nil {
			return fmt.Errorf("mine block %d: %w", miner.Node.Tip().Height+1, err)
		}
	}
	hashes := miner.Node.Stats().Hashes - before
	run.Step(lab.Step{Node: miner.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("Node %s mines up to block %d: %s hashes.", miner.Name, rewriteBlocks, thousands(hashes)),
		KO: fmt.Sprintf("노드 %s가 블록 %d까지 채굴합니다: 해시 %s번.", miner.Name, rewriteBlocks, thousands(hashes)),
	}})
	return nil
}

// readChain reads a node's whole chain.
func readChain(ctx context.Context, nd *Node) ([]pybtc.Block, error) {
	var chain []pybtc.Block
	now := float64(time.Now().UnixMicro()) / 1e6
	err := nd.DB.StreamChain(ctx, 1, 0, func(int64) error { return nil }, func(raw []byte) error {
		wb, err := wire.ParseBlock(raw)
		if err != nil {
			return err
		}
		if len(chain) == 0 {
			chain = append(chain, consensus.Genesis())
			return nil
		}
		b, err := consensus.DecodeBlock(&wb, now)
		if err != nil {
			return err
		}
		chain = append(chain, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the chain of %s: %w", nd.Name, err)
	}
	return chain, nil
}

// rewriteChain edits the payment of block rewriteEdited so that it pays
// the thief, makes every block after it again on its new parent with its
// nonce as it was (redoing its work when work is set) and mines one block
// more. It returns the chain's blocks as JSON and the hashes spent.
func rewriteChain(ctx context.Context, chain []pybtc.Block, work bool) ([][]byte, int64, error) {
	out := make([][]byte, 0, len(chain)+1)
	for _, b := range chain[:rewriteEdited-1] {
		out = append(out, b.Raw)
	}
	prev := chain[rewriteEdited-2]
	var hashes int64
	for _, b := range chain[rewriteEdited-1:] {
		txs := b.Transactions
		if b.Index == rewriteEdited {
			txs = editPayment(txs)
		}
		nb, tried, err := remakeBlock(ctx, b.Index, b.Timestamp, txs, b.Nonce, prev.Hash, work)
		if err != nil {
			return nil, hashes, err
		}
		hashes += tried
		out = append(out, nb.Raw)
		prev = nb
	}
	// The block on top: a nonce search, and its work under rule W.
	nonce, tried, err := searchNonceCounted(ctx, prev.Nonce)
	if err != nil {
		return nil, hashes, err
	}
	hashes += tried
	now := float64(time.Now().UnixMicro()) / 1e6
	nb, tried, err := remakeBlock(ctx, prev.Index+1, now, []pybtc.Transaction{consensus.Coinbase(rewriteThief, now)}, nonce, prev.Hash, work)
	if err != nil {
		return nil, hashes, err
	}
	hashes += tried
	return append(out, nb.Raw), hashes, nil
}

// editPayment returns txs with the payment from the payer to the payee
// paying the thief instead, edited in its JSON as a text editor would.
func editPayment(txs []pybtc.Transaction) []pybtc.Transaction {
	out := make([]pybtc.Transaction, len(txs))
	for i, t := range txs {
		out[i] = t
		if t.Sender == rewritePayer && t.Recipient == rewritePayee {
			out[i].Raw = bytes.Replace(t.Raw, []byte(`"recipient":"`+rewritePayee+`"`), []byte(`"recipient":"`+rewriteThief+`"`), 1)
			out[i].Recipient = rewriteThief
		}
	}
	return out
}

// remakeBlock makes a block of the arguments, with its work searched when
// work is set, and returns the hashes the search spent.
func remakeBlock(ctx context.Context, index int64, ts float64, txs []pybtc.Transaction, nonce int64, prevHash string, work bool) (pybtc.Block, int64, error) {
	if !work {
		b, err := consensus.NewBlock(index, ts, txs, nonce, prevHash)
		return b, 0, err
	}
	ws, err := consensus.NewWorkSearch(index, ts, txs, nonce, prevHash)
	if err != nil {
		return pybtc.Block{}, 0, err
	}
	w, tried, err := searchWorkCounted(ctx, ws)
	if err != nil {
		return pybtc.Block{}, tried, fmt.Errorf("work of block %d: %w", index, err)
	}
	return ws.Block(w), tried, nil
}

// searchNonceCounted finds a nonce that is a proof on prevNonce, trying
// sums one by one from a random start as a miner does, and returns how
// many it tried.
func searchNonceCounted(ctx context.Context, prevNonce int64) (nonce, tries int64, err error) {
	const chunk = 8192
	from := prevNonce + rand.Int64N(1_000_000)
	for {
		if err := ctx.Err(); err != nil {
			return 0, tries, err
		}
		n, ok := consensus.SearchProof(prevNonce, from, chunk)
		if ok {
			return n, tries + n + prevNonce - from + 1, nil
		}
		tries += chunk
		from += chunk
	}
}

// searchWorkCounted finds ws's work on every core, as a miner does, and
// returns how many values the search tried: every chunk a worker
// finished, and the tries of the chunk that found it up to the value.
func searchWorkCounted(ctx context.Context, ws *consensus.WorkSearch) (work, tries int64, err error) {
	const chunk = 2048
	var (
		next, count atomic.Int64
		found       atomic.Bool
		once        sync.Once
		wg          sync.WaitGroup
	)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for !found.Load() && ctx.Err() == nil {
				from := (next.Add(1) - 1) * chunk
				if from >= ws.Tries() {
					return
				}
				w, ok := ws.Search(from, chunk)
				if !ok {
					count.Add(min(chunk, ws.Tries()-from))
					continue
				}
				i := from
				for ws.Work(i) != w {
					i++
				}
				count.Add(i - from + 1)
				once.Do(func() { work = w })
				found.Store(true)
			}
		})
	}
	wg.Wait()
	if !found.Load() {
		if err := ctx.Err(); err != nil {
			return 0, count.Load(), err
		}
		return 0, count.Load(), errors.New("no value of work makes the block's hash start with 0000")
	}
	return work, count.Load(), nil
}

// offerChain serves chain (blocks as JSON) on 127.0.0.1 as a peer serves
// GET /chain, and has nd sync with it. It reports whether nd's chain
// changed.
func offerChain(ctx context.Context, nd *Node, chain [][]byte) (bool, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, fmt.Errorf("serve the rewritten chain: %w", err)
	}
	srv := &http.Server{Handler: chainHandler(chain), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	u, err := peer.ParseURL("http://" + ln.Addr().String())
	if err != nil {
		return false, err
	}
	return nd.Node.SyncWith(ctx, u)
}

// chainHandler answers GET /chain?since=N&limit=L with chain's blocks, in
// the shape every node answers.
func chainHandler(chain [][]byte) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /chain", func(w http.ResponseWriter, r *http.Request) {
		since, limit := int64(1), int64(0)
		if s := r.URL.Query().Get("since"); s != "" {
			since, _ = strconv.ParseInt(s, 10, 64)
		}
		if s := r.URL.Query().Get("limit"); s != "" {
			limit, _ = strconv.ParseInt(s, 10, 64)
		}
		from := min(max(since, 1), int64(len(chain))+1) - 1
		to := int64(len(chain))
		if limit > 0 {
			to = min(to, from+limit)
		}
		var buf bytes.Buffer
		buf.WriteString(`{"chain":[`)
		for i, raw := range chain[from:to] {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(raw)
		}
		fmt.Fprintf(&buf, `],"length":%d}`, len(chain))
		w.Header().Set("Content-Type", "application/json")
		w.Write(buf.Bytes())
	})
	return mux
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}
