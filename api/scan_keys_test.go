package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus/consensustest"
	pbkeys "github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// signedPayment returns a payment of amount from priv's key address to
// recipient, stamped ts and signed as rule K asks, and its signature.
func signedPayment(tb testing.TB, priv ed25519.PrivateKey, recipient, amount string, ts float64) (pybtc.Transaction, string) {
	tb.Helper()
	sender := pbkeys.AddressOfKey(priv)
	a, err := wire.Parse([]byte(amount))
	if err != nil {
		tb.Fatal(err)
	}
	members := []wire.Member{
		{Key: "amount", Value: a},
		{Key: "recipient", Value: wire.StringValue(recipient)},
		{Key: "sender", Value: wire.StringValue(sender)},
		{Key: "timestamp", Value: wire.FloatValue(ts)},
	}
	sig := pbkeys.Sign(priv, pbkeys.SignedMessage(wire.ObjectValue(members...)))
	v := wire.ObjectValue(append(members, wire.Member{Key: "signature", Value: wire.StringValue(sig)})...)
	return pybtc.Transaction{ID: wire.Hash(v), Sender: sender, Recipient: recipient, Raw: wire.AppendCompact(nil, v), Timestamp: ts}, sig
}

// TestScanKeyMarks checks that Block Scan marks a payment from a key
// address as signed, shows its signature on the transaction's page, marks
// key addresses in lists, and says on an address's page who can spend from
// it. The chain comes from a peer, as a key address's signed payment
// reaches a node in a block.
func TestScanKeyMarks(t *testing.T) {
	ctx := context.Background()
	peers := &branchPeers{chains: map[string][]wire.Value{}}
	self, _ := peer.ParseURL("http://127.0.0.1:5990")
	e := MustOpenEnv(t, node.Config{Self: self, Client: peers, SyncInterval: -1})
	priv, err := pbkeys.FromSeed(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	alice := pbkeys.AddressOfKey(priv)
	g := consensustest.NewGenerator(t)
	g.Miner = alice // a key address is paid like any other
	g.NextBlock("b2")
	b2time, _ := g.Block("b2").Get("timestamp")
	pay, sig := signedPayment(t, priv, "bob", "0.05", b2time.Num.Float+1)
	g.Miner = "carol"
	g.NextBlock("b3", pay)
	b3 := g.Block("b3")
	coinbaseID := wire.Hash(*consensustest.TxAt(&b3, 1))
	u := peers.serve(t, "http://127.0.0.1:6001", g.Chain("b3"))
	if changed, err := e.Node.SyncWith(ctx, u); err != nil || !changed {
		t.Fatalf("SyncWith = %v, %v; want the peer's chain", changed, err)
	}

	doc := e.MustPage(t, "/scan/block/3", http.StatusOK)
	row := doc.Find(`#block-txs tr:has(a[href="/scan/tx/` + pay.ID + `"])`)
	if row.Find(".badge.signed").Length() != 1 || !strings.Contains(row.Find(".badge.signed").AttrOr("title", ""), "signature") {
		t.Fatalf("the signed payment's row lacks its mark: %q", row.Text())
	}
	if row.Find(".badge.keyaddr").Length() != 1 {
		t.Fatalf("the key address in the row is not marked: %q", row.Text())
	}
	coinbase := doc.Find(`#block-txs tbody tr`).Last()
	if coinbase.Find(".badge.signed, .badge.keyaddr").Length() != 0 {
		t.Fatalf("the coinbase to a plain address is marked: %q", coinbase.Text())
	}

	doc = e.MustPage(t, "/scan/tx/"+pay.ID, http.StatusOK)
	if got := MustText(t, doc, "dd.sig"); !strings.Contains(got, sig) || !strings.Contains(got, "signed") {
		t.Fatalf("signature %q, want %s marked signed", got, sig)
	}
	doc = e.MustPage(t, "/scan/tx/"+coinbaseID, http.StatusOK)
	if doc.Find("dd.sig").Length() != 0 {
		t.Fatalf("a coinbase shows a signature")
	}

	for _, tc := range []struct {
		address, want string
		key           bool
	}{
		{alice, "only its key can spend from this address", true},
		{"bob", "anyone can spend from it", false},
	} {
		doc := e.MustPage(t, "/scan/address/"+tc.address, http.StatusOK)
		if got := MustText(t, doc, "#address-kind"); !strings.Contains(got, tc.want) {
			t.Fatalf("%s: %q, want %q", tc.address, got, tc.want)
		}
		if got := doc.Find("p.address .badge.keyaddr").Length() == 1; got != tc.key {
			t.Fatalf("%s: marked as a key address: %v, want %v", tc.address, got, tc.key)
		}
	}
	ko := e.mustPageIn(t, "/scan/address/"+alice, "ko", http.StatusOK)
	if got := MustText(t, ko, "#address-kind"); !strings.Contains(got, "그 키로만") {
		t.Fatalf("Korean address kind %q", got)
	}
}

// TestScanRefusedRuleLabels checks that a block refused under rule K or
// rule W names the rule in words, in English and Korean, on the refused
// blocks' page and on the page of the main block at its height.
func TestScanRefusedRuleLabels(t *testing.T) {
	ctx := context.Background()
	e := MustOpenScanEnv(t)
	labels := []struct {
		reason, en, ko string
		height         int64
	}{
		{"ErrKeySignature", "Rule K: bad or missing signature", "규칙 K: 서명이 틀렸거나 없음", 3},
		{"ErrKeyReplay", "Rule K: replayed payment", "규칙 K: 이미 체인에 있는 거래의 재사용", 2},
		{"ErrKeyOverdraft", "Rule K: key address overdrawn", "규칙 K: 키 주소의 잔액을 넘는 지출", 2},
		{"ErrNoWork", "Rule W: block hash lacks the work", "규칙 W: 블록 해시에 작업이 부족함", 4},
	}
	for i, l := range labels {
		r := pybtc.RefusedBlock{Hash: strings.Repeat(string("abcd"[i]), 64), Height: l.height, Peer: peerURL, Reason: l.reason, Detail: "detail " + l.reason}
		if err := e.DB.RecordRefused(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.DB.RecordRefused(ctx, pybtc.RefusedBlock{Hash: strings.Repeat("e", 64), Height: 3, Reason: "ErrBadProof", Detail: "the tutorial's proof"}); err != nil {
		t.Fatal(err)
	}

	en := e.MustPage(t, "/scan/refused", http.StatusOK)
	ko := e.mustPageIn(t, "/scan/refused", "ko", http.StatusOK)
	for _, l := range labels {
		row := MustText(t, en, `#refused tbody tr:has(code.rule:contains("`+l.reason+`"))`)
		if !strings.Contains(row, l.en) {
			t.Fatalf("refused row %q lacks %q", row, l.en)
		}
		row = MustText(t, ko, `#refused tbody tr:has(code.rule:contains("`+l.reason+`"))`)
		if !strings.Contains(row, l.ko) {
			t.Fatalf("Korean refused row %q lacks %q", row, l.ko)
		}
	}
	if n := en.Find(`#refused tbody tr:has(code.rule:contains("ErrBadProof")) .rule-label`).Length(); n != 0 {
		t.Fatalf("a tutorial rule got a soft fork's label")
	}

	doc := e.MustPage(t, "/scan/block/3", http.StatusOK)
	here := MustText(t, doc, "#refused-here")
	if !strings.Contains(here, "Rule K: bad or missing signature") || !strings.Contains(here, "ErrBadProof") || strings.Contains(here, "Rule W") {
		t.Fatalf("refused at height 3: %q, want the two refused there, the rule K one named", here)
	}
	if e.MustPage(t, "/scan/block/1", http.StatusOK).Find("#refused-here").Length() != 0 {
		t.Fatalf("block 1 lists refusals at another height")
	}
}

// TestScanNewKeyAddress checks that a key address nobody has paid yet has
// a page (its key exists, and a wallet made in the browser links to it),
// while any other unknown address, a mistyped key address included, is
// not found.
func TestScanNewKeyAddress(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	addr := pbkeys.AddressOfKey(consensustest.Key(7))
	rec := e.Do(t, "GET", "/scan/address/"+addr, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "only its key can spend") {
		t.Fatalf("new key address: %d, want 200 and its page", rec.Code)
	}
	for _, unknown := range []string{"nobody", addr[:len(addr)-1] + "q"} {
		if rec := e.Do(t, "GET", "/scan/address/"+unknown, ""); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", unknown, rec.Code)
		}
	}
}
