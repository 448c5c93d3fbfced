package experiments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/peer"
)

// softForkHeight is node S's --secure-from: rule W from block 3 on.
const softForkHeight = 3

// softFork is the experiment "soft-fork" of SPEC §12: nodes with
// different --secure-from split, and a tutorial node's block with an
// unsigned key-address spend is refused by every pyBTC node.
func softFork() Experiment {
	return Experiment{
		Name:  "soft-fork",
		Title: lab.Text{EN: "A soft fork without coordination", KO: "조율 없는 소프트 포크"},
		Claim: lab.Text{
			EN: "Nodes that switch on a new rule at different heights split into two chains; a tutorial node's block that breaks rule K is refused by every pyBTC node.",
			KO: "새 규칙을 서로 다른 높이에서 켠 노드들은 두 체인으로 갈라집니다. 규칙 K를 어긴 튜토리얼 노드의 블록은 모든 pyBTC 노드가 거부합니다.",
		},
		Run: runSoftFork,
	}
}

func runSoftFork(ctx context.Context, run *Run) (lab.Outcome, error) {
	network := run.Net()
	// The tutorial's node takes a moment to start (Python and Flask):
	// it starts while the pyBTC nodes split.
	type started struct {
		url string
		err error
	}
	tutorial := make(chan started, 1)
	tctx, cancel := context.WithCancel(ctx)
	if network.HasTutorial() {
		go func() {
			url, err := network.StartTutorial(tctx)
			tutorial <- started{url, err}
		}()
		defer func() { cancel(); <-tutorial }()
	} else {
		cancel()
	}

	a, err := network.Start(ctx, "A", NodeOptions{})
	if err != nil {
		return lab.Outcome{}, err
	}
	s, err := network.Start(ctx, "S", NodeOptions{SecureFrom: softForkHeight})
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := network.Link(ctx, a, s); err != nil {
		return lab.Outcome{}, err
	}
	aURL, err := peer.ParseURL(a.URL)
	if err != nil {
		return lab.Outcome{}, err
	}
	sURL, err := peer.ParseURL(s.URL)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Two linked pyBTC nodes start. A keeps the old rules. S was upgraded: from block %d on, it wants work that covers the whole block (--secure-from %d, rule W).", softForkHeight, softForkHeight),
		KO: fmt.Sprintf("연결된 pyBTC 노드 두 개가 시작합니다. A는 옛 규칙을 따릅니다. S는 업그레이드되어 블록 %d부터 블록 전체를 덮는 작업을 요구합니다(--secure-from %d, 규칙 W).", softForkHeight, softForkHeight),
	})

	b, hashes, err := mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	if _, err := s.Node.SyncWith(ctx, aURL); err != nil {
		return lab.Outcome{}, fmt.Errorf("S takes block %d: %w", b.Index, err)
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d. Below height %d both rule sets agree: S takes it. Both are at height %d.", b.Index, softForkHeight, s.Node.Tip().Height),
		KO: fmt.Sprintf("A가 블록 %d을 채굴합니다. 높이 %d 아래에서는 두 규칙이 같으므로 S도 받아들입니다. 둘 다 높이 %d입니다.", b.Index, softForkHeight, s.Node.Tip().Height),
	}})

	a3, hashes, err := mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	rule, detail, err := syncRefused(ctx, s, aURL, a3.Hash)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d the old way: its hash %s does not start with 0000. S refuses it: %s: %s", a3.Index, short(a3.Hash), rule, detail),
		KO: fmt.Sprintf("A가 블록 %d을 옛 방식으로 채굴합니다. 해시 %s는 0000으로 시작하지 않습니다. S는 거부합니다: %s: %s", a3.Index, short(a3.Hash), rule, detail),
	}})

	s3, hashes, err := mineBlock(ctx, s, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	if _, err := a.Node.SyncWith(ctx, sURL); err != nil {
		return lab.Outcome{}, fmt.Errorf("A reads S's block %d: %w", s3.Index, err)
	}
	at, st := a.Node.Tip(), s.Node.Tip()
	split := at.Height == st.Height && at.Hash != st.Hash
	tree, err := a.TreeSVG(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: s.Name, Hashes: hashes, Tree: tree, Text: lab.Text{
		EN: fmt.Sprintf("S mines its own block %d, with work: hash %s. A finds it valid, but not longer than its own: A keeps its block. The network is split: A's tip is %d %s, S's is %d %s.", s3.Index, short(s3.Hash), at.Height, short(at.Hash), st.Height, short(st.Hash)),
		KO: fmt.Sprintf("S가 작업을 넣은 자기 블록 %d을 채굴합니다. 해시 %s. A는 이 블록이 유효하지만 자기 것보다 길지 않다고 보고 자기 블록을 지킵니다. 네트워크가 갈라졌습니다. A의 끝은 %d %s, S의 끝은 %d %s.", s3.Index, short(s3.Hash), at.Height, short(at.Hash), st.Height, short(st.Hash)),
	}})

	minerA := "miner-" + a.Name
	a4, hashes, err := mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	if _, _, err := syncRefused(ctx, s, aURL, a3.Hash); err != nil {
		return lab.Outcome{}, err
	}
	rewards, err := balanceOf(ctx, a, minerA)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d on its own branch; its miner has %s in rewards. S refuses the branch again: its block %d has no work.", a4.Index, rewards, a3.Index),
		KO: fmt.Sprintf("A가 자기 가지 위에 블록 %d을 채굴합니다. A의 채굴자는 보상 %s를 가집니다. S는 그 가지를 다시 거부합니다. 블록 %d에 작업이 없기 때문입니다.", a4.Index, rewards, a3.Index),
	}})

	var sHashes int64
	for range 2 {
		_, h, err := mineBlock(ctx, s, "")
		if err != nil {
			return lab.Outcome{}, err
		}
		sHashes += h
	}
	if _, err := a.Node.SyncWith(ctx, sURL); err != nil {
		return lab.Outcome{}, fmt.Errorf("A reads S's chain: %w", err)
	}
	at, st = a.Node.Tip(), s.Node.Tip()
	followed := at.Hash == st.Hash
	orphaned := a.Node.Stats().ReorgedBlocks
	after, err := balanceOf(ctx, a, minerA)
	if err != nil {
		return lab.Outcome{}, err
	}
	tree, err = a.TreeSVG(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: s.Name, Hashes: sHashes, Tree: tree, Text: lab.Text{
		EN: fmt.Sprintf("S mines two more blocks, with work; its chain reaches height %d. S's blocks are valid under A's old rules too, and longer: A switches to them. A's tip is now %d %s; %d of A's blocks are orphaned and its miner's rewards fall from %s to %s.", st.Height, at.Height, short(at.Hash), orphaned, rewards, after),
		KO: fmt.Sprintf("S가 작업을 넣은 블록 두 개를 더 채굴해 높이 %d에 이릅니다. S의 블록은 A의 옛 규칙에서도 유효하고 더 깁니다. A는 그쪽으로 갈아탑니다. A의 끝은 이제 %d %s. A의 블록 %d개가 버려지고 A 채굴자의 보상은 %s에서 %s로 줄어듭니다.", st.Height, at.Height, short(at.Hash), orphaned, rewards, after),
	}})
	run.Say("", lab.Text{
		EN: "Until A upgrades, every block it mines without work is refused by S, and orphaned whenever S's chain grows longer.",
		KO: "A가 업그레이드하기 전까지, 작업 없이 채굴한 A의 블록은 모두 S가 거부하고, S의 체인이 더 길어질 때마다 버려집니다.",
	})

	refusedNoWork, err := countRefused(ctx, s, consensus.ErrNoWork)
	if err != nil {
		return lab.Outcome{}, err
	}
	figures := []lab.Figure{
		{Name: "split", Label: lab.Text{EN: "The network split (1 yes, 0 no)", KO: "네트워크 분리 (1 예, 0 아니오)"}, Value: b2i(split)},
		{Name: "refused_no_work", Label: lab.Text{EN: "Blocks without work S refused", KO: "S가 거부한 작업 없는 블록"}, Value: refusedNoWork},
		{Name: "orphaned", Label: lab.Text{EN: "Blocks of A orphaned", KO: "버려진 A의 블록"}, Value: orphaned},
		{Name: "followed", Label: lab.Text{EN: "A follows S's chain in the end (1 yes, 0 no)", KO: "결국 A가 S의 체인을 따름 (1 예, 0 아니오)"}, Value: b2i(followed)},
	}
	ok := split && refusedNoWork >= 1 && followed && orphaned >= 2
	summary := lab.Text{
		EN: fmt.Sprintf("At height %d the network split: S refused %s without work, then outgrew A, and A followed S, orphaning %s.", softForkHeight, blockCount(refusedNoWork), blockCount(orphaned)),
		KO: fmt.Sprintf("높이 %d에서 네트워크가 갈라졌습니다. S는 작업 없는 블록 %d개를 거부했고, 더 길어져서 A가 S를 따랐으며, 블록 %d개가 버려졌습니다.", softForkHeight, refusedNoWork, orphaned),
	}

	if !network.HasTutorial() {
		run.Say("", lab.Text{
			EN: "No tutorial node is available here (set PYBTC_TUTORIAL_NODE to node_network_1.py): its part is skipped.",
			KO: "여기에는 튜토리얼 노드가 없습니다(PYBTC_TUTORIAL_NODE를 node_network_1.py로 설정하세요). 그 부분은 건너뜁니다.",
		})
	} else {
		var t started
		select {
		case t = <-tutorial:
			tutorial <- t // the deferred wait reads it again
		case <-ctx.Done():
			return lab.Outcome{}, fmt.Errorf("start the tutorial's node: %w", ctx.Err())
		}
		if t.err != nil {
			return lab.Outcome{}, t.err
		}
		refusedUnsigned, err := tutorialSpend(ctx, run, t.url, a, s)
		if err != nil {
			return lab.Outcome{}, err
		}
		figures = append(figures, lab.Figure{Name: "refused_unsigned", Label: lab.Text{EN: "pyBTC nodes that refused the tutorial's block", KO: "튜토리얼 블록을 거부한 pyBTC 노드"}, Value: refusedUnsigned})
		ok = ok && refusedUnsigned == 2
		summary.EN += fmt.Sprintf(" The tutorial node's block with an unsigned key-address spend was refused by %d of 2 pyBTC nodes.", refusedUnsigned)
		summary.KO += fmt.Sprintf(" 서명 없는 키 주소 지출을 담은 튜토리얼 노드의 블록은 pyBTC 노드 2개 중 %d개가 거부했습니다.", refusedUnsigned)
	}

	return lab.Outcome{
		OK:      ok,
		Summary: summary,
		Why: lab.Text{
			EN: "A soft fork adds a rule: blocks the new nodes accept are still valid for old nodes, but not the other way round. " +
				"When only some nodes switch the rule on, and not at the same height, the old nodes' blocks are refused by the new ones and the chain splits. " +
				"The split ends only because the new nodes' chain is valid for everyone: once it is longer, the old nodes follow it and their own blocks are orphaned. " +
				"If the upgraded nodes mined less, the split would last. Bitcoin activates a soft fork only when most of the mining power signals it is ready (BIP 9), at a height written in the rule itself (BIP 34 used block heights so), so that the upgraded majority's chain wins at once. " +
				"The tutorial's node knows no signatures at all: it mines a spend that nobody signed, and every pyBTC node refuses that block.",
			KO: "소프트 포크는 규칙을 하나 더합니다. 새 노드가 받는 블록은 옛 노드에게도 유효하지만 그 반대는 아닙니다. " +
				"일부 노드만, 그것도 서로 다른 높이에서 규칙을 켜면 옛 노드의 블록을 새 노드가 거부하고 체인이 갈라집니다. " +
				"분리가 끝나는 것은 새 노드의 체인이 모두에게 유효하기 때문입니다. 그 체인이 더 길어지면 옛 노드가 따라가고 자기 블록은 버려집니다. " +
				"업그레이드한 노드의 채굴력이 더 작다면 분리는 계속됩니다. 비트코인은 채굴력의 대다수가 준비되었다고 신호할 때만(BIP 9), 규칙에 적힌 높이에서(BIP 34가 블록 높이를 이렇게 썼습니다) 소프트 포크를 켜므로 업그레이드한 다수의 체인이 바로 이깁니다. " +
				"튜토리얼 노드는 서명을 전혀 모릅니다. 아무도 서명하지 않은 지출을 채굴하고, 모든 pyBTC 노드는 그 블록을 거부합니다.",
		},
		Figures: figures,
	}, nil
}

// tutorialSpend has the tutorial's node at url mine a block with an
// unsigned spend from a key address, lets each pyBTC node read its chain
// and returns how many refused that block by rule K.
func tutorialSpend(ctx context.Context, run *Run, url string, nodes ...*Node) (int64, error) {
	run.Say("tutorial", lab.Text{
		EN: "A node of the tutorial starts: its Python code, unchanged, on its own chain.",
		KO: "튜토리얼 노드가 시작합니다. 파이썬 코드를 그대로, 자기 체인 위에서 돌립니다.",
	})
	_, victim := keys.NewKey()
	body, err := paymentJSON(victim, "mallory", "0.05", time.Time{}, nil)
	if err != nil {
		return 0, err
	}
	status, msg, err := postTransaction(ctx, url, body)
	if err != nil {
		return 0, err
	}
	run.Say("tutorial", lab.Text{
		EN: fmt.Sprintf("Mallory posts a spend of 0.05 from the key address %s to herself, unsigned, to the tutorial node. It answers %d: “%s”", short(victim), status, msg),
		KO: fmt.Sprintf("Mallory가 키 주소 %s에서 자기에게 0.05를 보내는 서명 없는 거래를 튜토리얼 노드에 올립니다. 응답: %d “%s”", short(victim), status, msg),
	})
	// The tutorial's /mine fails with 500 when it has no peers to tell,
	// after it has added the block: its chain is what counts.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/mine", nil)
	if err != nil {
		return 0, fmt.Errorf("tutorial mines: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("tutorial mines: %w", err)
	}
	resp.Body.Close()
	run.Say("tutorial", lab.Text{
		EN: "The tutorial node mines block 2 with it: it checks the proof of work, never who pays.",
		KO: "튜토리얼 노드가 그 거래로 블록 2를 채굴합니다. 작업 증명만 보고 누가 보내는지는 보지 않습니다.",
	})
	u, err := peer.ParseURL(url)
	if err != nil {
		return 0, err
	}
	var refused int64
	for _, n := range nodes {
		_, serr := n.Node.SyncWith(ctx, u)
		var re *consensus.RuleError
		if serr != nil && !errors.As(serr, &re) {
			return 0, fmt.Errorf("%s reads the tutorial's chain: %w", n.Name, serr)
		}
		rs, err := n.DB.RefusedBlocks(ctx, 20)
		if err != nil {
			return 0, err
		}
		said := false
		for _, r := range rs {
			if r.Peer == url && r.Reason == consensus.ErrKeySignature.String() {
				refused++
				said = true
				run.Say(n.Name, lab.Text{
					EN: fmt.Sprintf("%s reads the tutorial node's chain and refuses its block %d: %s: %s", n.Name, r.Height, r.Reason, r.Detail),
					KO: fmt.Sprintf("%s가 튜토리얼 노드의 체인을 읽고 블록 %d을 거부합니다: %s: %s", n.Name, r.Height, r.Reason, r.Detail),
				})
				break
			}
		}
		if !said {
			run.Say(n.Name, lab.Text{
				EN: fmt.Sprintf("%s reads the tutorial node's chain and does not refuse it.", n.Name),
				KO: fmt.Sprintf("%s가 튜토리얼 노드의 체인을 읽고 거부하지 않습니다.", n.Name),
			})
		}
	}
	return refused, nil
}

// syncRefused has n sync with u and returns the rule and sentence by
// which n refused the block hash, from n's refused blocks.
func syncRefused(ctx context.Context, n *Node, u peer.URL, hash string) (rule, detail string, err error) {
	_, serr := n.Node.SyncWith(ctx, u)
	var re *consensus.RuleError
	if serr != nil && !errors.As(serr, &re) {
		return "", "", fmt.Errorf("%s syncs with %s: %w", n.Name, u, serr)
	}
	rs, err := n.DB.RefusedBlocks(ctx, 50)
	if err != nil {
		return "", "", err
	}
	for _, r := range rs {
		if r.Hash == hash {
			return r.Reason, r.Detail, nil
		}
	}
	return "", "", fmt.Errorf("%s did not refuse block %s", n.Name, short(hash))
}

// countRefused returns how many distinct blocks n refused by rule code.
func countRefused(ctx context.Context, n *Node, code consensus.ErrorCode) (int64, error) {
	rs, err := n.DB.RefusedBlocks(ctx, 1000)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Reason == code.String() {
			seen[r.Hash] = true
		}
	}
	return int64(len(seen)), nil
}

// blockCount says "1 block" or "N blocks".
func blockCount(n int64) string {
	if n == 1 {
		return "1 block"
	}
	return fmt.Sprintf("%d blocks", n)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
