package experiments

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// replay is the experiment "replay" of SPEC §12: a signed payment, copied
// off the network and posted again, or carried again by a block, is
// refused (rule K); a plain one is paid again.
func replay() Experiment {
	return Experiment{
		Name:  "replay",
		Title: lab.Text{EN: "Replay a signed payment", KO: "서명된 거래 다시 보내기"},
		Claim: lab.Text{
			EN: "A signed payment is paid once: posted again, or carried again by a block, it is refused.",
			KO: "서명된 거래는 한 번만 지급됩니다. 다시 올려도, 블록에 다시 넣어도 거부됩니다.",
		},
		Run: runReplay,
	}
}

func runReplay(ctx context.Context, run *Run) (lab.Outcome, error) {
	a, err := run.Net().Start(ctx, "A", NodeOptions{})
	if err != nil {
		return lab.Outcome{}, err
	}
	owner, alice := keys.NewKey()
	b, hashes, err := mineBlock(ctx, a, alice)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("Node A mines block %d. Its reward, 0.1, goes to alice's key address %s.", b.Index, short(alice)),
		KO: fmt.Sprintf("노드 A가 블록 %d을 채굴합니다. 보상 0.1은 alice의 키 주소 %s로 갑니다.", b.Index, short(alice)),
	}})

	signed, err := paymentJSON(alice, "bob", "0.03", time.Now(), owner)
	if err != nil {
		return lab.Outcome{}, err
	}
	status, msg, err := postTransaction(ctx, a.URL, signed)
	if err != nil {
		return lab.Outcome{}, err
	}
	if status != http.StatusCreated {
		return lab.Outcome{}, fmt.Errorf("node A refused alice's signed payment: %d %s", status, msg)
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("alice signs a payment of 0.03 to bob and posts it. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("alice가 bob에게 0.03을 보내는 거래에 서명해서 올립니다. 노드 A의 응답: %d “%s”", status, msg),
	})
	paid, hashes, err := mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d with it. bob has 0.03.", paid.Index),
		KO: fmt.Sprintf("A가 그 거래를 블록 %d에 담습니다. bob은 0.03을 가집니다.", paid.Index),
	}})

	// Eve saw the payment pass: its JSON, signature included, is public.
	refused := 0
	status, msg, err = postTransaction(ctx, a.URL, signed)
	if err != nil {
		return lab.Outcome{}, err
	}
	if status == http.StatusConflict || status == http.StatusBadRequest {
		refused++
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Eve copied the signed JSON off the network and posts it again, byte for byte. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("Eve가 네트워크에서 서명된 JSON을 복사해 그대로 다시 올립니다. 노드 A의 응답: %d “%s”", status, msg),
	})

	// Eve mines a block of her own that pays it again, with a valid
	// proof of work, and offers it to A as a peer would.
	var again pybtc.Transaction
	for _, t := range paid.Transactions {
		if t.Sender == alice {
			again = t
		}
	}
	if again.ID == "" {
		return lab.Outcome{}, fmt.Errorf("block %d does not hold alice's payment", paid.Index)
	}
	evil, err := blockOn(ctx, a.Node.Tip(), []pybtc.Transaction{again}, "eve")
	if err != nil {
		return lab.Outcome{}, err
	}
	rule, detail, err := offerBlock(ctx, a, evil)
	if err != nil {
		return lab.Outcome{}, err
	}
	if rule == consensus.ErrKeyReplay.String() {
		refused++
	}
	run.Step(lab.Step{Node: a.Name, Text: lab.Text{
		EN: fmt.Sprintf("Eve mines block %d herself, with a valid proof of work, carrying the same payment again, and offers it to A. A refuses the block: %s: %s", evil.Index, rule, detail),
		KO: fmt.Sprintf("Eve가 같은 거래를 다시 담은 블록 %d을 올바른 작업 증명과 함께 직접 채굴해 A에게 보냅니다. A는 블록을 거부합니다: %s: %s", evil.Index, rule, detail),
	}})
	// A payment alice signed but never posted, twice in one block.
	fresh, err := paymentJSON(alice, "bob", "0.01", time.Now(), owner)
	if err != nil {
		return lab.Outcome{}, err
	}
	twice, err := transactionOf(fresh)
	if err != nil {
		return lab.Outcome{}, err
	}
	evil, err = blockOn(ctx, a.Node.Tip(), []pybtc.Transaction{twice, twice}, "eve")
	if err != nil {
		return lab.Outcome{}, err
	}
	if rule, detail, err = offerBlock(ctx, a, evil); err != nil {
		return lab.Outcome{}, err
	}
	if rule == consensus.ErrKeyReplay.String() {
		refused++
	}
	run.Say(a.Name, lab.Text{
		EN: fmt.Sprintf("Eve also got hold of another payment alice signed, of 0.01 to bob, and puts it twice in a new block %d. A refuses the block: %s: %s", evil.Index, rule, detail),
		KO: fmt.Sprintf("Eve가 alice가 서명한 다른 거래(bob에게 0.01)도 손에 넣어 새 블록 %d에 두 번 넣습니다. A는 블록을 거부합니다: %s: %s", evil.Index, rule, detail),
	})

	bob, err := balanceOf(ctx, a, "bob")
	if err != nil {
		return lab.Outcome{}, err
	}
	left, err := balanceOf(ctx, a, alice)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Say(a.Name, lab.Text{
		EN: fmt.Sprintf("On A, bob has %s and alice %s: the payment moved once.", bob, left),
		KO: fmt.Sprintf("A에서 bob은 %s, alice는 %s를 가집니다. 거래는 한 번만 옮겨졌습니다.", bob, left),
	})

	// The same with a plain address, which no signature protects.
	b, hashes, err = mineBlock(ctx, a, "carol")
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("Now a plain address: A mines block %d, whose reward of 0.1 goes to carol.", b.Index),
		KO: fmt.Sprintf("이제 일반 주소입니다. A가 블록 %d을 채굴하고, 보상 0.1은 carol에게 갑니다.", b.Index),
	}})
	plain, err := paymentJSON("carol", "dave", "0.03", time.Time{}, nil)
	if err != nil {
		return lab.Outcome{}, err
	}
	var answers [2]int
	for i := range answers {
		if answers[i], msg, err = postTransaction(ctx, a.URL, plain); err != nil {
			return lab.Outcome{}, err
		}
	}
	b, hashes, err = mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	dave, err := balanceOf(ctx, a, "dave")
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("carol's payment of 0.03 to dave is posted, then posted again by Eve. A answers %d, then %d: it stamps each post with its own time, so the copy is a new payment. After block %d, dave has %s.", answers[0], answers[1], b.Index, dave),
		KO: fmt.Sprintf("carol이 dave에게 0.03을 보내는 거래가 올라가고, Eve가 다시 올립니다. A의 응답은 %d, 그리고 %d. 노드가 올릴 때마다 새 시각을 찍으므로 복사본은 새 거래가 됩니다. 블록 %d 뒤 dave는 %s를 가집니다.", answers[0], answers[1], b.Index, dave),
	}})

	once := bob == 3*pybtc.Coin/100 && left == consensusReward-bob
	return lab.Outcome{
		OK: refused == 3 && once,
		Summary: lab.Text{
			EN: fmt.Sprintf("alice's signed payment of %s was replayed twice, once as a post and once in a block, and another was put twice in one block: %d of 3 replays refused, and bob was paid once. carol's plain payment, posted twice, paid dave %s.", bob, refused, dave),
			KO: fmt.Sprintf("alice가 서명한 %s 지급을 두 번 재전송했고(글 한 번, 블록 한 번), 다른 서명 거래를 한 블록에 두 번 넣었습니다. 재전송 3번 중 %d번이 거부되었고 bob은 한 번만 받았습니다. carol의 일반 거래는 두 번 올라가 dave에게 %s가 지급되었습니다.", bob, refused, dave),
		},
		Why: lab.Text{
			EN: "A signature proves who agreed to a payment, but it can be copied: anyone who saw the payment holds the same bytes. " +
				"So pyBTC remembers every signed payment in the chain (rule K) and refuses the same signed message a second time, from a client or inside a block. " +
				"A plain payment has no signature: a node takes any copy as a new payment, so whoever sees it can make the sender pay again. " +
				"Bitcoin prevents replay by what a payment spends: each transaction names the earlier outputs it consumes, and an output can be spent only once, so a copy spends nothing.",
			KO: "서명은 누가 지급에 동의했는지 증명하지만 복사될 수 있습니다. 거래를 본 사람은 누구나 같은 바이트를 가집니다. " +
				"그래서 pyBTC는 체인에 있는 모든 서명된 거래를 기억하고(규칙 K), 같은 서명 메시지가 두 번째로 오면 클라이언트가 보냈든 블록 안에 있든 거부합니다. " +
				"일반 거래에는 서명이 없어서 노드는 복사본도 새 거래로 받습니다. 그래서 본 사람은 누구나 보낸 사람이 다시 지급하게 만들 수 있습니다. " +
				"비트코인은 거래가 쓰는 것으로 재전송을 막습니다. 각 거래는 자신이 소비하는 이전 출력(UTXO)을 가리키고, 출력은 한 번만 쓸 수 있으므로 복사본은 쓸 것이 없습니다.",
		},
		Figures: []lab.Figure{
			{Name: "replays_refused", Label: lab.Text{EN: "Replays of the signed payment refused", KO: "거부된 서명 거래 재전송"}, Value: int64(refused)},
			{Name: "signed_paid", Label: lab.Text{EN: "Satoshis the signed payment moved", KO: "서명 거래로 옮겨진 사토시"}, Value: int64(bob)},
			{Name: "plain_paid", Label: lab.Text{EN: "Satoshis the plain payment, posted twice, moved", KO: "두 번 올린 일반 거래로 옮겨진 사토시"}, Value: int64(dave)},
		},
	}, nil
}

// transactionOf reads a payment's JSON as a block carries it.
func transactionOf(body []byte) (pybtc.Transaction, error) {
	t, err := wire.ParseTransaction(body)
	if err != nil {
		return pybtc.Transaction{}, fmt.Errorf("read payment: %w", err)
	}
	nt, err := consensus.AdmitTransaction(&t, float64(time.Now().UnixMicro())/1e6)
	if err != nil {
		return pybtc.Transaction{}, fmt.Errorf("read payment: %w", err)
	}
	return nt.Transaction, nil
}

// blockOn makes a block on tip that carries txs and a coinbase to miner,
// with a valid proof of work, as any miner can: what it carries is for
// the nodes to judge.
func blockOn(ctx context.Context, tip pybtc.ChainTip, txs []pybtc.Transaction, miner string) (pybtc.Block, error) {
	now := float64(time.Now().UnixMicro()) / 1e6
	txs = append(txs, consensus.Coinbase(miner, now))
	const chunk = 1 << 16
	for start := int64(0); ; start += chunk {
		if err := ctx.Err(); err != nil {
			return pybtc.Block{}, fmt.Errorf("mine block %d: %w", tip.Height+1, err)
		}
		if nonce, found := consensus.SearchProof(tip.Nonce, start, chunk); found {
			return consensus.NewBlock(tip.Height+1, now, txs, nonce, tip.Hash)
		}
	}
}

// offerBlock offers b, which builds on n's tip, to n as a peer's block: a
// peer of 127.0.0.1 serves it on GET /chain and n syncs with it. It
// returns the rule n refused the block by and its sentence, from n's
// refused blocks ("" when n took it).
func offerBlock(ctx context.Context, n *Node, b pybtc.Block) (rule, detail string, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", fmt.Errorf("offer block %d: %w", b.Index, err)
	}
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/chain" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"chain":[%s],"length":%d}`, b.Raw, b.Index)
		}),
	}
	go srv.Serve(ln)
	defer srv.Close()
	u, err := peer.ParseURL("http://" + ln.Addr().String())
	if err != nil {
		return "", "", fmt.Errorf("offer block %d: %w", b.Index, err)
	}
	_, serr := n.Node.SyncWith(ctx, u)
	var re *consensus.RuleError
	if serr != nil && !errors.As(serr, &re) {
		return "", "", fmt.Errorf("offer block %d: %w", b.Index, serr)
	}
	refusals, err := n.DB.RefusedBlocks(ctx, 10)
	if err != nil {
		return "", "", fmt.Errorf("offer block %d: %w", b.Index, err)
	}
	for _, r := range refusals {
		if r.Hash == b.Hash {
			return r.Reason, r.Detail, nil
		}
	}
	return "", "", nil
}
