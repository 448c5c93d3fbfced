package experiments

import (
	"context"
	"fmt"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/client"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/peer"
)

// The story of "private-fork": Alice pays the shop, waits for the payment
// to be mined and confirmed, and meanwhile mines a longer branch in
// private that pays the same coins to her own vault.
const (
	forkPayer  = "alice"
	forkShop   = "shop"
	forkVault  = "alice-vault"
	forkAmount = "0.15"
	// forkFunding is how many blocks Alice's node mines first, for the
	// coins she spends (0.1 each).
	forkFunding = 2
	// forkPublic is how many public blocks hold and confirm the payment;
	// forkPrivate how many Alice mines in private: one more wins.
	forkPublic  = 2
	forkPrivate = forkPublic + 1
	// forkWait bounds every wait for blocks to travel between nodes.
	forkWait = 5 * time.Second
)

// privateFork is the experiment "private-fork" of SPEC §12.
func privateFork() Experiment {
	return Experiment{
		Name:  "private-fork",
		Title: lab.Text{EN: "Double spend with a private fork", KO: "숨겨 둔 분기로 이중 지불하기"},
		Claim: lab.Text{
			EN: "A payment mined and confirmed disappears when the payer releases a longer branch mined in private.",
			KO: "채굴되고 확인까지 받은 지불도, 지불한 사람이 몰래 채굴한 더 긴 분기를 공개하면 사라집니다.",
		},
		Run: runPrivateFork,
	}
}

func runPrivateFork(ctx context.Context, run *Run) (lab.Outcome, error) {
	a, err := run.Net().Start(ctx, "A", NodeOptions{Miner: forkPayer})
	if err != nil {
		return lab.Outcome{}, err
	}
	shop, err := run.Net().Start(ctx, "B", NodeOptions{Miner: forkShop})
	if err != nil {
		return lab.Outcome{}, err
	}
	c, err := run.Net().Start(ctx, "C", NodeOptions{Miner: "carol"})
	if err != nil {
		return lab.Outcome{}, err
	}
	if err := run.Net().Link(ctx, a, shop, c); err != nil {
		return lab.Outcome{}, err
	}
	run.Say("", lab.Text{
		EN: "Nodes A, B and C are linked. B is the shop's node. Alice uses node A.",
		KO: "노드 A, B, C가 연결되었습니다. B는 가게의 노드입니다. 앨리스는 노드 A를 씁니다.",
	})

	before := a.Node.Stats().Hashes
	for range forkFunding {
		if _, err := a.Node.Mine(ctx, ""); err != nil {
			return lab.Outcome{}, fmt.Errorf("node A mines: %w", err)
		}
	}
	base := a.Node.Tip()
	if err := waitAll(ctx, base.Height, shop, c); err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: "A", Hashes: a.Node.Stats().Hashes - before, Text: lab.Text{
		EN: fmt.Sprintf("Node A mines %d blocks. Alice owns 0.%d.", forkFunding, forkFunding),
		KO: fmt.Sprintf("노드 A가 블록 %d개를 채굴합니다. 앨리스는 0.%d 코인을 가집니다.", forkFunding, forkFunding),
	}})

	// Alice's private node copies the chain, then keeps to itself: it has
	// no peers, so nothing it mines leaves it.
	priv, err := run.Net().Start(ctx, "P", NodeOptions{Miner: forkVault})
	if err != nil {
		return lab.Outcome{}, err
	}
	au, err := peer.ParseURL(a.URL)
	if err != nil {
		return lab.Outcome{}, err
	}
	if _, err := priv.Node.SyncWith(ctx, au); err != nil {
		return lab.Outcome{}, fmt.Errorf("node P copies the chain: %w", err)
	}
	run.Say("P", lab.Text{
		EN: fmt.Sprintf("Alice starts node P. It copies the chain up to block %d, and has no peers.", priv.Node.Tip().Height),
		KO: fmt.Sprintf("앨리스가 노드 P를 켭니다. P는 블록 %d까지 체인을 복사하고, 피어가 없습니다.", priv.Node.Tip().Height),
	})

	// The public payment, mined and confirmed.
	ca, err := client.New(a.URL, nil)
	if err != nil {
		return lab.Outcome{}, err
	}
	sent, err := ca.Send(ctx, forkPayer, forkShop, forkAmount)
	if err != nil {
		return lab.Outcome{}, fmt.Errorf("alice pays the shop: %w", err)
	}
	before = a.Node.Stats().Hashes
	paid, err := a.Node.Mine(ctx, "")
	if err != nil {
		return lab.Outcome{}, fmt.Errorf("node A mines the payment: %w", err)
	}
	run.Step(lab.Step{Node: "A", Hashes: a.Node.Stats().Hashes - before, Text: lab.Text{
		EN: fmt.Sprintf("Alice pays the shop %s. Node A mines it into block %d.", forkAmount, paid.Index),
		KO: fmt.Sprintf("앨리스가 가게에 %s를 지불합니다. 노드 A가 이를 블록 %d에 담아 채굴합니다.", forkAmount, paid.Index),
	}})
	if err := waitAll(ctx, paid.Index, c); err != nil {
		return lab.Outcome{}, err
	}
	before = c.Node.Stats().Hashes
	for c.Node.Tip().Height < base.Height+forkPublic {
		if _, err := c.Node.Mine(ctx, ""); err != nil {
			return lab.Outcome{}, fmt.Errorf("node C mines: %w", err)
		}
	}
	public := c.Node.Tip()
	run.Step(lab.Step{Node: "C", Hashes: c.Node.Stats().Hashes - before, Text: lab.Text{
		EN: fmt.Sprintf("Node C mines block %d on top: one confirmation.", public.Height),
		KO: fmt.Sprintf("노드 C가 그 위에 블록 %d번을 채굴합니다. 확인이 하나 더해집니다.", public.Height),
	}})
	if err := waitAll(ctx, public.Height, shop); err != nil {
		return lab.Outcome{}, err
	}
	rec, err := confirmedAt(ctx, shop, sent.TransactionID)
	if err != nil {
		return lab.Outcome{}, err
	}
	if rec == 0 {
		return lab.Outcome{}, fmt.Errorf("the shop's node does not hold the payment %s in a block", sent.TransactionID)
	}
	tree, err := shop.TreeSVG(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: "B", Tree: tree, Text: lab.Text{
		EN: fmt.Sprintf("Node B sees the payment in block %d, confirmed. The shop ships the goods.", rec),
		KO: fmt.Sprintf("노드 B에서 지불이 블록 %d번에 들어가 확인된 것이 보입니다. 가게는 물건을 보냅니다.", rec),
	}})

	// The private branch: the same coins, to Alice's vault, and one block
	// more than the public chain.
	cp, err := client.New(priv.URL, nil)
	if err != nil {
		return lab.Outcome{}, err
	}
	if _, err := cp.Send(ctx, forkPayer, forkVault, forkAmount); err != nil {
		return lab.Outcome{}, fmt.Errorf("alice pays her vault: %w", err)
	}
	before = priv.Node.Stats().Hashes
	for range forkPrivate {
		if _, err := priv.Node.Mine(ctx, ""); err != nil {
			return lab.Outcome{}, fmt.Errorf("node P mines: %w", err)
		}
	}
	hidden := priv.Node.Tip()
	hashes := priv.Node.Stats().Hashes - before
	run.Step(lab.Step{Node: "P", Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("In private, node P mines blocks %d to %d. Block %d pays the same %s to Alice's vault.", base.Height+1, hidden.Height, base.Height+1, forkAmount),
		KO: fmt.Sprintf("노드 P가 몰래 블록 %d부터 %d까지 채굴합니다. 블록 %d번은 같은 %s를 앨리스의 금고로 보냅니다.", base.Height+1, hidden.Height, base.Height+1, forkAmount),
	}})

	// The release.
	if err := run.Net().Link(ctx, priv, a, shop, c); err != nil {
		return lab.Outcome{}, err
	}
	run.Say("P", lab.Text{
		EN: fmt.Sprintf("Alice links node P to the others. Its chain has %d blocks; theirs has %d.", hidden.Height, public.Height),
		KO: fmt.Sprintf("앨리스가 노드 P를 다른 노드에 연결합니다. P의 체인은 %d블록, 다른 노드들은 %d블록입니다.", hidden.Height, public.Height),
	})
	if err := shop.WaitTip(ctx, forkWait, func(t pybtc.ChainTip) bool { return t.Hash == hidden.Hash }); err != nil {
		return lab.Outcome{}, fmt.Errorf("the shop's node takes the longer branch: %w", err)
	}
	var depth int64
	reorgs, err := shop.DB.Reorgs(ctx, 1)
	if err != nil {
		return lab.Outcome{}, fmt.Errorf("read the reorganisations of B: %w", err)
	}
	if len(reorgs) > 0 {
		depth = int64(len(reorgs[0].Removed))
	}
	tree, err = shop.TreeSVG(ctx)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: "B", Tree: tree, Text: lab.Text{
		EN: fmt.Sprintf("Node B takes the longer chain. Its blocks %d to %d become stale.", base.Height+1, public.Height),
		KO: fmt.Sprintf("노드 B가 더 긴 체인을 받아들입니다. B의 블록 %d부터 %d까지는 버려집니다.", base.Height+1, public.Height),
	}})

	rec, err = confirmedAt(ctx, shop, sent.TransactionID)
	if err != nil {
		return lab.Outcome{}, err
	}
	gone := rec == 0
	dropped, err := shop.DB.DroppedTransaction(ctx, sent.TransactionID)
	if err != nil {
		return lab.Outcome{}, fmt.Errorf("read what B dropped: %w", err)
	}
	switch {
	case gone && len(dropped) > 0:
		run.Say("B", lab.Text{
			EN: "The payment to the shop is gone. Node B put it back in its mempool, then dropped it: Alice's coins are already spent.",
			KO: "가게로 가는 지불이 사라졌습니다. 노드 B가 이를 대기열에 되돌렸다가 버렸습니다. 앨리스의 코인은 이미 쓰였기 때문입니다.",
		})
	case gone:
		run.Say("B", lab.Text{
			EN: "The payment to the shop is in no block any more.",
			KO: "가게로 가는 지불이 더 이상 어느 블록에도 없습니다.",
		})
	default:
		run.Say("B", lab.Text{
			EN: fmt.Sprintf("The payment to the shop is still in block %d.", rec),
			KO: fmt.Sprintf("가게로 가는 지불이 아직 블록 %d에 있습니다.", rec),
		})
	}
	var goneFigure int64
	if gone {
		goneFigure = 1
	}
	return lab.Outcome{
		OK: gone,
		Summary: lab.Text{
			EN: fmt.Sprintf("A private branch of %d blocks replaced %d public blocks, and the shop's payment of %s disappeared.", forkPrivate, depth, forkAmount),
			KO: fmt.Sprintf("몰래 만든 %d블록짜리 분기가 공개된 블록 %d개를 대신했고, 가게가 받은 %s 지불이 사라졌습니다.", forkPrivate, depth, forkAmount),
		},
		Why: lab.Text{
			EN: "Nodes follow the longest valid chain. A chain they have never seen wins as soon as it is longer. " +
				"Alice's private branch spends the same coins elsewhere, so when the nodes switch to it, the shop's payment no longer fits and is dropped. " +
				"Bitcoin has the same rule: this is why a merchant waits for several confirmations. " +
				"Each block on top of a payment is more work an attacker must outdo in private, and with less than half the mining power the chance to catch up falls fast with every block.",
			KO: "노드는 가장 긴 유효한 체인을 따릅니다. 처음 보는 체인이라도 더 길면 바로 이깁니다. " +
				"앨리스의 숨겨 둔 분기는 같은 코인을 다른 곳에 쓰므로, 노드들이 그 분기로 옮겨 가면 가게의 지불은 더 이상 맞지 않아 버려집니다. " +
				"비트코인도 같은 규칙을 씁니다. 그래서 가게는 확인을 여러 번 기다립니다. " +
				"지불 위에 블록이 하나 쌓일 때마다 공격자가 몰래 따라잡아야 할 작업이 늘고, 채굴 능력이 절반보다 적으면 따라잡을 확률은 블록마다 빠르게 줄어듭니다.",
		},
		Figures: []lab.Figure{
			{Name: "reorg_depth", Label: lab.Text{EN: "Public blocks removed", KO: "사라진 공개 블록"}, Value: depth},
			{Name: "blocks_private", Label: lab.Text{EN: "Blocks mined in private", KO: "몰래 채굴한 블록"}, Value: forkPrivate},
			{Name: "payment_gone", Label: lab.Text{EN: "Payment gone (1 yes, 0 no)", KO: "지불이 사라짐 (1 예, 0 아니오)"}, Value: goneFigure},
		},
	}, nil
}

// waitAll waits until every node has a chain of height blocks at least.
func waitAll(ctx context.Context, height int64, nodes ...*Node) error {
	for _, nd := range nodes {
		if err := nd.WaitTip(ctx, forkWait, func(t pybtc.ChainTip) bool { return t.Height >= height }); err != nil {
			return fmt.Errorf("wait for block %d: %w", height, err)
		}
	}
	return nil
}

// confirmedAt returns the height of the block of nd's chain that holds
// the transaction id, 0 when none does.
func confirmedAt(ctx context.Context, nd *Node, id string) (int64, error) {
	recs, err := nd.DB.FindTransaction(ctx, id)
	if pybtc.ErrorCode(err) == pybtc.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("find %s on %s: %w", id, nd.Name, err)
	}
	for _, r := range recs {
		if !r.Pending() {
			return r.Height, nil
		}
	}
	return 0, nil
}
