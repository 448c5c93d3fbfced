package consensus_test

import (
	"bytes"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/refusal"
	"github.com/pybtc/pybtc/wire"
)

// FuzzParseNewTransaction feeds any body to the transaction policy. It
// must never panic; a refusal is EINVALID; an accepted transaction obeys
// every rule of the node's policy for new transactions (names of 1 to 128
// characters, no "master" sender, a positive amount of at most 8 decimals
// and 100,000,000) and is hashed from its own canonical JSON.
func FuzzParseNewTransaction(f *testing.F) {
	for _, s := range []string{
		`{"sender": "alice", "recipient": "bob", "amount": 3}`,
		`{"sender": "alice", "recipient": "bob", "amount": 3.0}`,
		`{"sender": "학생", "recipient": "bob", "amount": 0.00000001, "type": "sharing", "timestamp": 1795869583.5}`,
		`{"sender": "master", "recipient": "bob", "amount": 1}`,
		`{"sender": "a", "recipient": "b", "amount": 1e400}`,
		`{"sender": "a", "recipient": "b", "amount": "1"}`,
		`{"sender": "a\u0000", "recipient": "b", "amount": 1}`,
		`[1, 2]`,
		`{"sender": "a", "recipient": "b", "amount": 100000000.000000001}`,
	} {
		f.Add([]byte(s))
	}
	const now = 1795869600.0
	f.Fuzz(func(t *testing.T, body []byte) {
		nt, err := consensus.ParseNewTransaction(body, now)
		if err != nil {
			if pybtc.ErrorCode(err) != pybtc.EINVALID || refusal.Message(err) == "" {
				t.Fatalf("refusal %v is not EINVALID with a message", err)
			}
			return
		}
		tx := nt.Transaction
		for field, addr := range map[string]string{"sender": tx.Sender, "recipient": tx.Recipient} {
			if err := consensus.CheckAddress(field, addr); err != nil {
				t.Fatalf("accepted a bad %s: %v", field, err)
			}
		}
		if tx.Sender == pybtc.CoinbaseSender {
			t.Fatal("accepted master as sender")
		}
		if tx.Amount <= 0 || tx.Amount > consensus.MaxTransferAmount {
			t.Fatalf("accepted amount %d satoshis", tx.Amount)
		}
		v, err := wire.Parse(tx.Raw)
		if err != nil {
			t.Fatalf("stored JSON %q does not parse: %v", tx.Raw, err)
		}
		if !bytes.Equal(wire.AppendCompact(nil, v), tx.Raw) {
			t.Fatalf("stored JSON %q is not compact canonical", tx.Raw)
		}
		if got := wire.Hash(v); got != tx.ID {
			t.Fatalf("id %s, want the hash of its JSON %s", tx.ID, got)
		}
		amount, _ := v.Get("amount")
		if sats, exact, ok := consensus.AmountOf(amount.Num); !ok || !exact || sats != tx.Amount {
			t.Fatalf("stored amount %s is not %d satoshis", amount.Num.Text, tx.Amount)
		}
	})
}

// FuzzValidateChain changes bytes of the tutorial's reference chain and
// validates what still parses. Validation must never panic, and whatever
// it accepts must equal the reference in every block but the last: each
// block's hash is committed to by the next one, while the last block's
// contents are covered by nothing (its proof of work takes only the nonces,
// see SECURITY.md).
func FuzzValidateChain(f *testing.F) {
	reference := MustReferenceChain(f)
	raw := make([][]byte, len(reference))
	for i, b := range reference {
		raw[i] = wire.AppendCanonical(nil, b)
	}
	f.Add(uint16(0), byte('x'), uint16(1))
	f.Add(uint16(200), byte('7'), uint16(3))
	f.Add(uint16(90), byte('"'), uint16(6))
	f.Fuzz(func(t *testing.T, at uint16, b byte, block uint16) {
		chain := MustReferenceChain(t)
		i := int(block) % len(chain)
		text := bytes.Clone(raw[i])
		text[int(at)%len(text)] = b
		mutated, err := wire.Parse(text)
		if err != nil {
			return
		}
		chain[i] = mutated
		blocks, err := consensus.ValidateChain(wire.Blocks(chain), referenceNow)
		if err != nil {
			return
		}
		if len(blocks) != len(chain) {
			t.Fatalf("accepted %d blocks of %d", len(blocks), len(chain))
		}
		for j := range len(chain) - 1 {
			if got := wire.AppendCanonical(nil, chain[j]); !bytes.Equal(got, raw[j]) {
				t.Fatalf("accepted a change to block %d, which block %d commits to:\n%s", j+1, j+2, got)
			}
		}
	})
}
