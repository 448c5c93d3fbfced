package experiments

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/wire"
)

// steal is the experiment "steal" of SPEC §12: anyone can spend from a
// plain address, nobody but its key from a key address.
func steal() Experiment {
	return Experiment{
		Name:  "steal",
		Title: lab.Text{EN: "Spend someone else's coins", KO: "남의 코인 쓰기"},
		Claim: lab.Text{
			EN: "Anyone can spend the coins of a plain address; a key address refuses a spend without its key's signature, or with a forged one.",
			KO: "일반 주소의 코인은 누구나 쓸 수 있습니다. 키 주소는 서명이 없거나 위조된 지출을 거부합니다.",
		},
		Run: runSteal,
	}
}

func runSteal(ctx context.Context, run *Run) (lab.Outcome, error) {
	a, err := run.Net().Start(ctx, "A", NodeOptions{})
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Say("", lab.Text{
		EN: "Node A starts: a real pyBTC node with its own database.",
		KO: "노드 A가 시작합니다. 자기 데이터베이스를 가진 실제 pyBTC 노드입니다.",
	})

	// A plain address: a name, nothing more.
	b, hashes, err := mineBlock(ctx, a, "alice")
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d. Its reward, 0.1, goes to alice, a plain address.", b.Index),
		KO: fmt.Sprintf("A가 블록 %d을 채굴합니다. 보상 0.1은 일반 주소 alice에게 갑니다.", b.Index),
	}})
	theft, err := paymentJSON("alice", "mallory", "0.1", time.Time{}, nil)
	if err != nil {
		return lab.Outcome{}, err
	}
	status, msg, err := postTransaction(ctx, a.URL, theft)
	if err != nil {
		return lab.Outcome{}, err
	}
	plainAccepted := status == http.StatusCreated
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Mallory posts a payment of 0.1 from alice to herself. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("Mallory가 alice에게서 자기에게 0.1을 보내는 거래를 올립니다. 노드 A의 응답: %d “%s”", status, msg),
	})
	b, hashes, err = mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	stolen, err := balanceOf(ctx, a, "mallory")
	if err != nil {
		return lab.Outcome{}, err
	}
	alice, err := balanceOf(ctx, a, "alice")
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d with it. Mallory has %s, alice %s. Nobody asked alice.", b.Index, stolen, alice),
		KO: fmt.Sprintf("A가 그 거래를 블록 %d에 담습니다. Mallory는 %s, alice는 %s. 아무도 alice에게 묻지 않았습니다.", b.Index, stolen, alice),
	}})

	// A key address: a public key, which only its private key spends.
	owner, ownerAddr := keys.NewKey()
	mallory, _ := keys.NewKey()
	b, hashes, err = mineBlock(ctx, a, ownerAddr)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d. Its reward goes to a key address, %s: an Ed25519 public key.", b.Index, short(ownerAddr)),
		KO: fmt.Sprintf("A가 블록 %d을 채굴합니다. 보상은 키 주소 %s로 갑니다. 이 주소는 Ed25519 공개 키입니다.", b.Index, short(ownerAddr)),
	}})
	refusals := 0
	unsigned, err := paymentJSON(ownerAddr, "mallory", "0.1", time.Now(), nil)
	if err != nil {
		return lab.Outcome{}, err
	}
	status, msg, err = postTransaction(ctx, a.URL, unsigned)
	if err != nil {
		return lab.Outcome{}, err
	}
	if status == http.StatusBadRequest {
		refusals++
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Mallory posts the same theft from the key address, without a signature. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("Mallory가 키 주소에서 같은 도둑질을 서명 없이 올립니다. 노드 A의 응답: %d “%s”", status, msg),
	})
	forged, err := paymentJSON(ownerAddr, "mallory", "0.1", time.Now(), mallory)
	if err != nil {
		return lab.Outcome{}, err
	}
	status, msg, err = postTransaction(ctx, a.URL, forged)
	if err != nil {
		return lab.Outcome{}, err
	}
	if status == http.StatusBadRequest {
		refusals++
	}
	run.Say("", lab.Text{
		EN: fmt.Sprintf("Mallory signs it with her own key instead. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("Mallory가 자기 키로 서명해서 다시 올립니다. 노드 A의 응답: %d “%s”", status, msg),
	})

	// The owner's own payment goes through: the rule stops thieves only.
	paid, err := paymentJSON(ownerAddr, "bob", "0.05", time.Now(), owner)
	if err != nil {
		return lab.Outcome{}, err
	}
	status, msg, err = postTransaction(ctx, a.URL, paid)
	if err != nil {
		return lab.Outcome{}, err
	}
	ownerAccepted := status == http.StatusCreated
	run.Say("", lab.Text{
		EN: fmt.Sprintf("The owner signs a payment of 0.05 to bob with the private key. Node A answers %d: “%s”", status, msg),
		KO: fmt.Sprintf("주인이 개인 키로 bob에게 0.05를 보내는 거래에 서명합니다. 노드 A의 응답: %d “%s”", status, msg),
	})
	b, hashes, err = mineBlock(ctx, a, "")
	if err != nil {
		return lab.Outcome{}, err
	}
	bob, err := balanceOf(ctx, a, "bob")
	if err != nil {
		return lab.Outcome{}, err
	}
	left, err := balanceOf(ctx, a, ownerAddr)
	if err != nil {
		return lab.Outcome{}, err
	}
	run.Step(lab.Step{Node: a.Name, Hashes: hashes, Text: lab.Text{
		EN: fmt.Sprintf("A mines block %d. bob has %s; the key address keeps %s. Mallory got nothing from it.", b.Index, bob, left),
		KO: fmt.Sprintf("A가 블록 %d을 채굴합니다. bob은 %s, 키 주소에는 %s가 남습니다. Mallory는 여기서 아무것도 얻지 못했습니다.", b.Index, bob, left),
	}})

	ok := plainAccepted && stolen == consensusReward && refusals == 2 && ownerAccepted && bob == consensusReward/2
	return lab.Outcome{
		OK: ok,
		Summary: lab.Text{
			EN: fmt.Sprintf("Mallory took %s from the plain address alice with one post; her %d posts against the key address were refused, and its owner's signed payment of %s went through.", stolen, refusals, bob),
			KO: fmt.Sprintf("Mallory는 글 하나로 일반 주소 alice에게서 %s를 가져갔습니다. 키 주소를 노린 %d번의 시도는 거부되었고, 주인이 서명한 %s 지급은 통과했습니다.", stolen, refusals, bob),
		},
		Why: lab.Text{
			EN: "In the tutorial an address is only a name, and a node checks who is paid, never who pays: anyone who knows the name can spend its coins. " +
				"A key address is a public key. The node takes a spend from it only with a signature over the whole payment that only the matching private key can make; " +
				"a missing or forged signature fails the check, and so does any change to the amount or the recipient. " +
				"Bitcoin works the same way: each coin is locked by a small script, usually \"show a signature by this key\", and every node runs the script before it accepts the spend.",
			KO: "튜토리얼에서 주소는 이름일 뿐이고, 노드는 누가 받는지만 보고 누가 보내는지는 확인하지 않습니다. 이름만 알면 누구나 그 코인을 쓸 수 있습니다. " +
				"키 주소는 공개 키입니다. 노드는 짝이 되는 개인 키만 만들 수 있는, 거래 전체에 대한 서명이 있을 때만 지출을 받아들입니다. " +
				"서명이 없거나 위조되면 검사에 실패하고, 금액이나 받는 사람을 바꿔도 실패합니다. " +
				"비트코인도 같습니다. 모든 코인은 작은 스크립트(보통 \"이 키의 서명을 보여라\")로 잠겨 있고, 모든 노드가 지출을 받아들이기 전에 그 스크립트를 실행합니다.",
		},
		Figures: []lab.Figure{
			{Name: "plain_stolen", Label: lab.Text{EN: "Satoshis stolen from the plain address", KO: "일반 주소에서 도둑맞은 사토시"}, Value: int64(stolen)},
			{Name: "key_refusals", Label: lab.Text{EN: "Thefts from the key address refused", KO: "거부된 키 주소 도둑질"}, Value: int64(refusals)},
			{Name: "owner_paid", Label: lab.Text{EN: "Satoshis the key's owner paid", KO: "키 주인이 보낸 사토시"}, Value: int64(bob)},
		},
	}, nil
}

// consensusReward is a block's reward, 0.1 pyBTC.
const consensusReward = pybtc.Coin / 10

// paymentJSON returns the body of a payment of amount (JSON number text)
// from sender to recipient, stamped at at unless it is zero (the node
// stamps a plain payment itself), and signed by signer when there is one:
// the owner's key for a real payment, another for a forged one.
func paymentJSON(sender, recipient, amount string, at time.Time, signer ed25519.PrivateKey) ([]byte, error) {
	n, err := wire.Parse([]byte(amount))
	if err != nil || n.Kind != wire.Number {
		return nil, fmt.Errorf("payment amount %q is not a JSON number", amount)
	}
	members := []wire.Member{
		{Key: "sender", Value: wire.StringValue(sender)},
		{Key: "recipient", Value: wire.StringValue(recipient)},
		{Key: "amount", Value: n},
	}
	if !at.IsZero() {
		members = append(members, wire.Member{Key: "timestamp", Value: wire.FloatValue(float64(at.UnixMicro()) / 1e6)})
	}
	v := wire.ObjectValue(members...)
	if signer != nil {
		v = keys.SignTransaction(signer, v)
	}
	return wire.AppendCompact(nil, v), nil
}

// mineBlock mines one block on n paying miner (n's own address when
// empty) and returns it with the hashes the search spent.
func mineBlock(ctx context.Context, n *Node, miner string) (pybtc.Block, int64, error) {
	before := n.Node.Stats().Hashes
	b, err := n.Node.Mine(ctx, miner)
	if err != nil {
		return pybtc.Block{}, 0, fmt.Errorf("node %s mines: %w", n.Name, err)
	}
	return b, n.Node.Stats().Hashes - before, nil
}

// balanceOf returns address's balance on n's chain.
func balanceOf(ctx context.Context, n *Node, address string) (pybtc.Amount, error) {
	b, err := n.DB.Balance(ctx, address)
	if err != nil {
		return 0, fmt.Errorf("balance of %s on %s: %w", address, n.Name, err)
	}
	a, ok := b.Total().Amount()
	if !ok {
		return 0, fmt.Errorf("balance of %s on %s is out of range", address, n.Name)
	}
	return a, nil
}

// short shortens a hash or a key address for a sentence on a projector.
func short(s string) string {
	if len(s) <= 12 {
		return s
	}
	return s[:10] + "…"
}
