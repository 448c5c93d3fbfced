package keys_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

// vectors is testdata/key-vectors.json, a copy of SPEC §11's vectors,
// made with Python's cryptography package.
type vectors struct {
	Addresses []struct {
		PrivateKey string `json:"private_key"`
		PublicKey  string `json:"public_key"`
		Address    string `json:"address"`
	} `json:"addresses"`
	Transactions []struct {
		Transaction   json.RawMessage `json:"transaction"`
		SignedMessage string          `json:"signed_message"`
		Signature     string          `json:"signature"`
		ID            string          `json:"id"`
	} `json:"transactions"`
	InvalidAddresses []struct {
		Address string `json:"address"`
		Why     string `json:"why"`
	} `json:"invalid_addresses"`
	InvalidSignatures []struct {
		Transaction json.RawMessage `json:"transaction"`
		Why         string          `json:"why"`
	} `json:"invalid_signatures"`
}

func mustVectors(t testing.TB) vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/key-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Addresses) < 5 || len(v.Transactions) < 4 || len(v.InvalidAddresses) < 7 || len(v.InvalidSignatures) < 5 {
		t.Fatalf("key-vectors.json holds fewer vectors than SPEC §11 lists: %d %d %d %d",
			len(v.Addresses), len(v.Transactions), len(v.InvalidAddresses), len(v.InvalidSignatures))
	}
	return v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, raw []byte) wire.Value {
	t.Helper()
	v, err := wire.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// mustReason fails unless err is a refusal with reason want.
func mustReason(t testing.TB, err error, want pybtc.Reason) *pybtc.Error {
	t.Helper()
	e, ok := pybtc.AsError(err)
	if !ok || e.Reason != want || e.Code != pybtc.EINVALID {
		t.Fatalf("error %v, want a refusal %s", err, want)
	}
	return e
}

func TestAddressVectors(t *testing.T) {
	for _, v := range mustVectors(t).Addresses {
		t.Run(v.Address, func(t *testing.T) {
			priv, err := keys.FromSeed(mustHex(t, v.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			pub := priv.Public().(ed25519.PublicKey)
			if got := hex.EncodeToString(pub); got != v.PublicKey {
				t.Fatalf("public key %s, want %s", got, v.PublicKey)
			}
			if got := keys.AddressOf(pub); got != v.Address {
				t.Fatalf("AddressOf = %s, want %s", got, v.Address)
			}
			if got := keys.AddressOfKey(priv); got != v.Address {
				t.Fatalf("AddressOfKey = %s, want %s", got, v.Address)
			}
			back, err := keys.ParseAddress(v.Address)
			if err != nil || !back.Equal(pub) {
				t.Fatalf("ParseAddress = %x, %v; want %s", back, err, v.PublicKey)
			}
			if !keys.IsKeyAddress(v.Address) {
				t.Fatalf("IsKeyAddress(%s) = false", v.Address)
			}
		})
	}
}

func TestInvalidAddressVectors(t *testing.T) {
	rule := map[string]string{
		"checksum":                      keys.RuleChecksum,
		"bech32 checksum, not bech32m":  keys.RuleBech32m,
		"human-readable part is not pb": keys.RulePrefix,
		"data is 31 bytes, not 32":      keys.RuleLength,
		"data is 33 bytes, not 32":      keys.RuleLength,
		"mixed case":                    keys.RuleCase,
	}
	for _, v := range mustVectors(t).InvalidAddresses {
		t.Run(v.Why, func(t *testing.T) {
			_, err := keys.ParseAddress(v.Address)
			e := mustReason(t, err, pybtc.ReasonKeyAddress)
			want, ok := rule[v.Why]
			if !ok && strings.HasPrefix(v.Why, "upper case") {
				want, ok = keys.RuleCase, true
			}
			if ok && e.Args.Field != want {
				t.Fatalf("%s refused for rule %q, want %q", v.Address, e.Args.Field, want)
			}
			if keys.IsKeyAddress(v.Address) {
				t.Fatalf("IsKeyAddress(%s) = true", v.Address)
			}
		})
	}
}

func TestNotKeyAddresses(t *testing.T) {
	for _, s := range []string{"", "alice", "pb1", "pb1qqqq", "김철수", "pb1" + strings.Repeat("q", 200), "master"} {
		if keys.IsKeyAddress(s) {
			t.Errorf("IsKeyAddress(%q) = true", s)
		}
	}
}

func TestTransactionVectors(t *testing.T) {
	v := mustVectors(t)
	seeds := map[string][]byte{}
	for _, a := range v.Addresses {
		seeds[a.Address] = mustHex(t, a.PrivateKey)
	}
	for _, tc := range v.Transactions {
		tx := mustParse(t, tc.Transaction)
		sender, _ := tx.Get("sender")
		t.Run(tc.ID[:8], func(t *testing.T) {
			msg := keys.SignedMessage(tx)
			if string(msg) != tc.SignedMessage {
				t.Fatalf("signed message\n%s\nwant\n%s", msg, tc.SignedMessage)
			}
			if id := wire.Hash(tx); id != tc.ID {
				t.Fatalf("id %s, want %s", id, tc.ID)
			}
			priv, err := keys.FromSeed(seeds[sender.Str])
			if err != nil {
				t.Fatal(err)
			}
			// Ed25519 is deterministic: the same key signs the same bytes alike.
			if sig := keys.Sign(priv, msg); sig != tc.Signature {
				t.Fatalf("signature %s, want %s", sig, tc.Signature)
			}
			if err := keys.Verify(sender.Str, msg, tc.Signature); err != nil {
				t.Fatal(err)
			}
			if err := keys.VerifyTransaction(tx); err != nil {
				t.Fatal(err)
			}
			// A block's transaction as stored: compact JSON.
			compact := wire.AppendCompact(nil, tx)
			if m, err := keys.SignedMessageOfJSON(compact); err != nil || string(m) != tc.SignedMessage {
				t.Fatalf("SignedMessageOfJSON = %s, %v", m, err)
			}
			if err := keys.VerifyTransactionJSON(compact); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInvalidSignatureVectors(t *testing.T) {
	reason := map[string]pybtc.Reason{
		"signed by another key":        pybtc.ReasonSignatureWrong,
		"amount altered after signing": pybtc.ReasonSignatureWrong,
		"signature altered":            pybtc.ReasonSignatureWrong,
		"signature not lowercase hex":  pybtc.ReasonSignatureForm,
		"no signature":                 pybtc.ReasonSignatureMissing,
	}
	for _, v := range mustVectors(t).InvalidSignatures {
		t.Run(v.Why, func(t *testing.T) {
			want, ok := reason[v.Why]
			if !ok {
				t.Fatalf("no expected refusal for %q", v.Why)
			}
			mustReason(t, keys.VerifyTransaction(mustParse(t, v.Transaction)), want)
			mustReason(t, keys.VerifyTransactionJSON(v.Transaction), want)
		})
	}
}

func TestVerifyRefusals(t *testing.T) {
	priv, addr := keys.NewKey()
	msg := []byte(`{"amount": 1, "recipient": "bob", "sender": "` + addr + `", "timestamp": 1.5}`)
	sig := keys.Sign(priv, msg)
	if len(sig) != keys.SignatureLen || sig != strings.ToLower(sig) {
		t.Fatalf("signature %q: want 128 lowercase hex characters", sig)
	}
	_, other := keys.NewKey()
	for _, tc := range []struct {
		name, addr, sig string
		msg             []byte
		want            pybtc.Reason
	}{
		{"Short", addr, sig[:126], msg, pybtc.ReasonSignatureForm},
		{"Long", addr, sig + "00", msg, pybtc.ReasonSignatureForm},
		{"NotHex", addr, "zz" + sig[2:], msg, pybtc.ReasonSignatureForm},
		{"Empty", addr, "", msg, pybtc.ReasonSignatureForm},
		{"OtherKey", other, sig, msg, pybtc.ReasonSignatureWrong},
		{"OtherMessage", addr, sig, append([]byte(nil), msg[1:]...), pybtc.ReasonSignatureWrong},
		{"NotKeyAddress", "alice", sig, msg, pybtc.ReasonKeyAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustReason(t, keys.Verify(tc.addr, tc.msg, tc.sig), tc.want)
		})
	}
	if err := keys.Verify(addr, msg, sig); err != nil {
		t.Fatalf("a fresh key's signature: %v", err)
	}
}

func TestVerifyTransactionLeavesPlainAddresses(t *testing.T) {
	for _, tx := range []string{
		`{"sender": "alice", "recipient": "bob", "amount": 1}`,
		`{"sender": "pb1notakey", "recipient": "bob", "amount": 1}`,
		`{"recipient": "bob", "amount": 1}`,
		`[1]`,
	} {
		if err := keys.VerifyTransaction(mustParse(t, []byte(tx))); err != nil {
			t.Errorf("%s: %v, want the tutorial's rules (no signature)", tx, err)
		}
	}
	_, addr := keys.NewKey()
	tx := mustParse(t, []byte(`{"sender": "`+addr+`", "recipient": "bob", "amount": 1, "signature": 7}`))
	e := mustReason(t, keys.VerifyTransaction(tx), pybtc.ReasonFieldType)
	if e.Args.Field != "signature" {
		t.Fatalf("refusal of a number as signature names %q", e.Args.Field)
	}
}

func BenchmarkVerify(b *testing.B) {
	v := mustVectors(b).Transactions[0]
	tx := mustParse(b, v.Transaction)
	sender, _ := tx.Get("sender")
	msg := []byte(v.SignedMessage)
	for b.Loop() {
		if err := keys.Verify(sender.Str, msg, v.Signature); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	v := mustVectors(t).Addresses[0]
	priv, err := keys.FromSeed(mustHex(t, v.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	data := keys.MarshalKeyFile(priv)
	back, addr, err := keys.ParseKeyFile(data)
	if err != nil || addr != v.Address || !back.Equal(priv) {
		t.Fatalf("ParseKeyFile(MarshalKeyFile) = %s, %v; want %s", addr, err, v.Address)
	}
	other := mustVectors(t).Addresses[1].Address
	for name, bad := range map[string]string{
		"Empty":        ``,
		"NotJSON":      `seed=01`,
		"ShortSeed":    `{"address": "` + v.Address + `", "seed": "0101"}`,
		"NotHex":       `{"address": "` + v.Address + `", "seed": "` + strings.Repeat("zz", 32) + `"}`,
		"OtherAddress": `{"address": "` + other + `", "seed": "` + v.PrivateKey + `"}`,
		"NoAddress":    `{"seed": "` + v.PrivateKey + `"}`,
		"ExtraKey":     `{"address": "` + v.Address + `", "seed": "` + v.PrivateKey + `", "private_key": "00"}`,
	} {
		if _, _, err := keys.ParseKeyFile([]byte(bad)); err == nil {
			t.Errorf("%s: ParseKeyFile(%s) accepted", name, bad)
		}
	}
}

// TestBatch checks that a batch accepts what each signature's check
// accepts, and refuses a batch with one bad signature among good ones.
func TestBatch(t *testing.T) {
	priv, addr := keys.NewKey()
	_, other := keys.NewKey()
	msg := func(i int) []byte { return []byte(fmt.Sprintf(`{"amount": 0.1, "i": %d}`, i)) }
	tests := []struct {
		name string
		bad  int // index of a signature by another key, or -1
		n    int
		want bool
	}{
		{"none", -1, 0, true},
		{"one good", -1, 1, true},
		{"many good", -1, 50, true},
		{"one bad among many", 17, 50, false},
		{"only bad", 0, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := keys.NewBatch()
			for i := range tt.n {
				from := addr
				if i == tt.bad {
					from = other
				}
				if err := b.Add(from, msg(i), keys.Sign(priv, msg(i))); err != nil {
					t.Fatal(err)
				}
			}
			if got := b.Verify(); got != tt.want {
				t.Errorf("Verify() = %v, want %v", got, tt.want)
			}
		})
	}
	mustReason(t, keys.NewBatch().Add(addr, msg(0), "XYZ"), pybtc.ReasonSignatureForm)
}
