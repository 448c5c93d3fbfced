// Package keys is rule K's foundation (SPEC §11): key addresses, the
// message a key-address transaction signs, and its Ed25519 signature.
//
// A key address "pb1…" is the bech32m encoding (BIP 350) of a 32-byte
// Ed25519 public key (RFC 8032) with human-readable part "pb", as Bitcoin
// writes its taproot addresses: a checksum catches typing mistakes before
// coins go to a key nobody holds. The package is pure: it reads no files
// and holds no state, so the node, the CLI and tests share it.
package keys

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/hdevalence/ed25519consensus"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/wire"
)

// HRP is the human-readable part of every key address.
const HRP = "pb"

// Prefix starts every key address.
const Prefix = HRP + "1"

// SignatureLen is the length of a signature as a transaction carries it:
// 64 bytes in lowercase hex.
const SignatureLen = 2 * ed25519.SignatureSize

// The rules a string breaks when it is not a key address, as
// pybtc.ReasonKeyAddress's Field names them.
const (
	RuleCase     = "case"     // not all lower case
	RuleEncoding = "encoding" // not bech32 at all: characters, separator, length
	RuleChecksum = "checksum" // the checksum does not match
	RuleBech32m  = "bech32m"  // a bech32 checksum (BIP 173), not bech32m
	RulePrefix   = "prefix"   // the human-readable part is not "pb"
	RuleLength   = "length"   // the data is not a 32-byte key
)

// AddressOf returns the key address of pub, a 32-byte Ed25519 public key.
func AddressOf(pub ed25519.PublicKey) string {
	data, err := bech32.ConvertBits(pub, 8, 5, true)
	if err != nil {
		panic("keys: convert a public key to 5-bit groups: " + err.Error())
	}
	addr, err := bech32.EncodeM(HRP, data)
	if err != nil {
		panic("keys: encode a key address: " + err.Error())
	}
	return addr
}

// ParseAddress returns the public key that s encodes, or a refusal with
// reason pybtc.ReasonKeyAddress whose Field names the rule s breaks.
// Only lower case is a key address, although bech32 allows upper case:
// addresses are compared as strings, so "PB1…" would be another account.
func ParseAddress(s string) (ed25519.PublicKey, error) {
	refuse := func(rule string) error {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonKeyAddress, pybtc.Args{Address: wire.Abbreviate([]byte(s)), Field: rule})
	}
	if strings.ToLower(s) != s {
		return nil, refuse(RuleCase)
	}
	hrp, data, version, err := bech32.DecodeGeneric(s)
	var checksum bech32.ErrInvalidChecksum
	switch {
	case errors.As(err, &checksum):
		return nil, refuse(RuleChecksum)
	case err != nil:
		return nil, refuse(RuleEncoding)
	case version != bech32.VersionM:
		return nil, refuse(RuleBech32m)
	case hrp != HRP:
		return nil, refuse(RulePrefix)
	}
	// Without padding, leftover bits must be zero: one key, one address.
	pub, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, refuse(RuleLength)
	}
	return ed25519.PublicKey(pub), nil
}

// IsKeyAddress reports whether s is a key address: "pb1…" that decodes.
// Any other string is an address under the tutorial's rules.
func IsKeyAddress(s string) bool {
	if !strings.HasPrefix(s, Prefix) {
		return false
	}
	_, err := ParseAddress(s)
	return err == nil
}

// NewKey returns a new private key, from the operating system's random
// source, and its address.
func NewKey() (ed25519.PrivateKey, string) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		// crypto/rand does not fail on the systems Go supports.
		panic("keys: generate a key: " + err.Error())
	}
	return priv, AddressOf(pub)
}

// FromSeed returns the private key of a 32-byte seed, what RFC 8032 and
// Python's cryptography call the private key.
func FromSeed(seed []byte) (ed25519.PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("a key's seed is 32 bytes")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// AddressOfKey returns the address of a private key.
func AddressOfKey(priv ed25519.PrivateKey) string {
	return AddressOf(priv.Public().(ed25519.PublicKey))
}

// SignedMessage returns what a transaction's signature signs: the
// canonical JSON (SPEC §3) of tx without its "signature" key, so every
// other key (amount, recipient, sender, timestamp, any extra one) is
// covered.
func SignedMessage(tx wire.Value) []byte {
	return wire.SignedMessage(tx)
}

// SignedMessageOfJSON returns the signed message of a transaction given
// as JSON, such as a block transaction's stored Raw (wire.Transaction), for
// code that reads transactions only as wire types them.
func SignedMessageOfJSON(raw []byte) ([]byte, error) {
	tx, err := wire.Parse(raw)
	if err != nil {
		return nil, err
	}
	return SignedMessage(tx), nil
}

// SignTransaction returns the transaction tx, a JSON object, with its
// "signature" member set to priv's signature of its signed message (any
// signature it had is replaced).
func SignTransaction(priv ed25519.PrivateKey, tx wire.Value) wire.Value {
	sig := wire.Member{Key: "signature", Value: wire.StringValue(Sign(priv, SignedMessage(tx)))}
	// ObjectValue keeps the last of equal keys.
	return wire.ObjectValue(append(slices.Clone(tx.Obj), sig)...)
}

// Sign returns priv's signature of msg as a transaction carries it: 128
// lowercase hex characters.
func Sign(priv ed25519.PrivateKey, msg []byte) string {
	return hex.EncodeToString(ed25519.Sign(priv, msg))
}

// Verify checks that sig is the signature of msg by the key of address.
// It refuses with pybtc.ReasonKeyAddress when address is not a key
// address, pybtc.ReasonSignatureForm when sig is not 128 lowercase hex
// characters, and pybtc.ReasonSignatureWrong when the key did not sign msg.
func Verify(address string, msg []byte, sig string) error {
	pub, err := ParseAddress(address)
	if err != nil {
		return err
	}
	return verify(address, pub, msg, sig)
}

// Signatures are checked by the rules of ZIP 215 (through
// github.com/hdevalence/ed25519consensus), which Zcash wrote for consensus:
// RFC 8032 lets implementations differ on edge cases (non-canonical points,
// small-order keys), which a chain cannot afford, and ZIP 215 fixes them so
// that checking a block's signatures in one batch accepts exactly what
// checking them one by one accepts. A batch costs about half as much a
// signature, which is why Bitcoin's Schnorr signatures (BIP 340) were
// designed for batches too. Every signature an honest signer makes
// (RFC 8032, Python's cryptography, WebCrypto) passes either way.

func verify(address string, pub ed25519.PublicKey, msg []byte, sig string) error {
	raw, err := signatureBytes(sig)
	if err != nil {
		return err
	}
	if !ed25519consensus.Verify(pub, msg, raw) {
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonSignatureWrong, pybtc.Args{Field: "signature", Address: address})
	}
	return nil
}

// signatureBytes decodes a signature as a transaction carries it: 128
// lowercase hex characters.
func signatureBytes(sig string) ([]byte, error) {
	if !lowerHex(sig) || len(sig) != SignatureLen {
		return nil, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonSignatureForm, pybtc.Args{Field: "signature", Got: wire.Abbreviate([]byte(sig))})
	}
	raw, err := hex.DecodeString(sig)
	if err != nil {
		return nil, pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonSignatureForm, pybtc.Args{Field: "signature", Got: wire.Abbreviate([]byte(sig))})
	}
	return raw, nil
}

// Batch checks many signatures at once, for about half the cost of each
// alone. It says only whether all are valid: to find which is not, check
// them one by one with Verify. The zero Batch is not usable; NewBatch
// makes one.
type Batch struct {
	v ed25519consensus.BatchVerifier
	n int
}

// NewBatch returns an empty Batch.
func NewBatch() *Batch {
	return &Batch{v: ed25519consensus.NewBatchVerifier()}
}

// Add adds the signature sig of msg by the key of address. It refuses,
// adding nothing, what Verify refuses before any arithmetic: an address
// that is not a key address, a signature not written as 128 lowercase hex
// characters.
func (b *Batch) Add(address string, msg []byte, sig string) error {
	pub, err := ParseAddress(address)
	if err != nil {
		return err
	}
	raw, err := signatureBytes(sig)
	if err != nil {
		return err
	}
	b.v.Add(pub, msg, raw)
	b.n++
	return nil
}

// Verify reports whether every signature added is valid (true for none).
func (b *Batch) Verify() bool {
	return b.n == 0 || b.v.Verify()
}

// VerifyTransaction checks rule K's signature of a transaction whose
// sender is a key address: it must carry "signature", a string that Verify
// accepts for its signed message. A transaction from any other sender
// passes: the tutorial's rules apply to it.
func VerifyTransaction(tx wire.Value) error {
	sender, ok := tx.Get("sender")
	if !ok || sender.Kind != wire.String || !IsKeyAddress(sender.Str) {
		return nil
	}
	sig, ok := tx.Get("signature")
	return VerifySigned(sender.Str, SignedMessage(tx), wire.Field{Present: ok, Kind: sig.Kind, Str: sig.Str})
}

// VerifySigned checks the "signature" member sig of a spend from the key
// address whose signed message is signed: present, a string, and Verify's.
func VerifySigned(address string, signed []byte, sig wire.Field) error {
	switch {
	case !sig.Present:
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonSignatureMissing, pybtc.Args{Field: "signature", Address: address})
	case sig.Kind != wire.String:
		return pybtc.Refuse(pybtc.EINVALID, pybtc.ReasonFieldType, pybtc.Args{Field: "signature", Got: sig.Kind.Name()})
	}
	return Verify(address, signed, sig.Str)
}

// VerifyTransactionJSON is VerifyTransaction of a transaction given as
// JSON; JSON that does not parse is returned as wire's error.
func VerifyTransactionJSON(raw []byte) error {
	tx, err := wire.Parse(raw)
	if err != nil {
		return err
	}
	return VerifyTransaction(tx)
}

// lowerHex reports whether s holds only 0-9 and a-f: hex.Decode also
// takes upper case, which would let one signature be written two ways.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
