package api_test

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/consensus/consensustest"
	pbkeys "github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/wire"
)

// signedBody returns the JSON of a payment from priv's key address, signed
// by signer after edit changed it (nil: no change), as a client posts it.
func signedBody(tb testing.TB, priv, signer ed25519.PrivateKey, body string, edit func(v *wire.Value)) string {
	tb.Helper()
	v, err := wire.Parse([]byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	consensustest.Set(&v, "sender", wire.StringValue(pbkeys.AddressOfKey(priv)))
	consensustest.Set(&v, "signature", wire.StringValue(pbkeys.Sign(signer, pbkeys.SignedMessage(v))))
	if edit != nil {
		edit(&v)
	}
	return string(wire.AppendCompact(nil, v))
}

// TestKeyAddressPosts checks rule K at the door: a key address's payment
// is taken only signed by its key, whole, with its own timestamp, and
// never overdraws, even on a node that lets other addresses overdraw;
// every refusal is a 400 with one sentence, and changes nothing.
func TestKeyAddressPosts(t *testing.T) {
	alice, mallory := consensustest.Key(1), consensustest.Key(2)
	aliceAddr := pbkeys.AddressOfKey(alice)
	e := MustOpenEnv(t, node.Config{Miner: aliceAddr, AllowOverdraft: true})
	e.MustMine(t) // alice's key address has 0.1

	const pay = `{"recipient": "bob", "amount": 0.04, "timestamp": 1796078802.5}`
	good := signedBody(t, alice, alice, pay, nil)
	refused := []struct {
		name, body, says string
	}{
		{"unsigned", `{"sender": "` + aliceAddr + `", "recipient": "bob", "amount": 0.04, "timestamp": 1796078802.5}`, "signed by its key"},
		{"signed by another key", signedBody(t, alice, mallory, pay, nil), "not by the key"},
		{"amount raised after signing", signedBody(t, alice, alice, pay, func(v *wire.Value) { consensustest.Set(v, "amount", wire.FloatValue(0.05)) }), "not by the key"},
		{"recipient changed after signing", signedBody(t, alice, alice, pay, func(v *wire.Value) { consensustest.Set(v, "recipient", wire.StringValue("mallory")) }), "not by the key"},
		{"signature not hex", signedBody(t, alice, alice, pay, func(v *wire.Value) { consensustest.Set(v, "signature", wire.StringValue("xyz")) }), "128 lowercase hex"},
		{"no timestamp", signedBody(t, alice, alice, `{"recipient": "bob", "amount": 0.04}`, nil), "timestamp"},
		{"overdraft", signedBody(t, alice, alice, `{"recipient": "bob", "amount": 0.2, "timestamp": 1796078802.5}`, nil), "balance"},
		{"mistyped key address as recipient", `{"sender": "carol", "recipient": "` + aliceAddr[:len(aliceAddr)-1] + `x", "amount": 1}`, "not a key address"},
		{"mistyped key address as sender", `{"sender": "pb1qqqq", "recipient": "bob", "amount": 1}`, "not a key address"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.Do(t, "POST", "/transactions/new", tt.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d %s, want 400", rec.Code, rec.Body)
			}
			if msg := message(t, rec); !strings.Contains(msg, tt.says) || strings.Count(msg, ". ") > 0 {
				t.Errorf("message %q: want one sentence saying %q", msg, tt.says)
			}
			if n := mempoolSize(t, e); n != 0 {
				t.Errorf("mempool holds %d after a refusal", n)
			}
		})
	}

	t.Run("signed payment kept whole and mined", func(t *testing.T) {
		// A relay adds "type", which is not part of what was signed.
		relayed := strings.TrimSuffix(good, "}") + `,"type":"sharing"}`
		for _, body := range []string{good, relayed} {
			if rec := e.Do(t, "POST", "/transactions/new", body); rec.Code != http.StatusCreated {
				t.Fatalf("status %d %s, want 201", rec.Code, rec.Body)
			}
		}
		if n := mempoolSize(t, e); n != 1 {
			t.Fatalf("mempool holds %d, want the one payment", n)
		}
		e.MustMine(t)
		rec := e.Do(t, "GET", "/chain", "")
		var chain struct {
			Chain []struct {
				Transactions []json.RawMessage `json:"transactions"`
			} `json:"chain"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &chain); err != nil {
			t.Fatal(err)
		}
		last := chain.Chain[len(chain.Chain)-1].Transactions
		if len(last) != 2 {
			t.Fatalf("last block holds %d transactions, want the payment and the coinbase", len(last))
		}
		if err := pbkeys.VerifyTransactionJSON(last[0]); err != nil || !strings.Contains(string(last[0]), `"signature"`) {
			t.Errorf("the mined payment %s does not verify: %v", last[0], err)
		}
		if strings.Contains(string(last[0]), "sharing") || !strings.Contains(string(last[0]), "1796078802.5") {
			t.Errorf("the mined payment %s is not the one signed", last[0])
		}
	})

	t.Run("paid once", func(t *testing.T) {
		rec := e.Do(t, "POST", "/transactions/new", good)
		if rec.Code != http.StatusConflict {
			t.Fatalf("the mined payment posted again: status %d %s, want 409", rec.Code, rec.Body)
		}
	})
}
