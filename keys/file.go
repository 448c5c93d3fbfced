package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// keyFile is a key file's JSON. The seed is the 32 bytes RFC 8032 calls
// the private key (Go's 64-byte ed25519.PrivateKey is the seed and the
// public key together), in hex as the test vectors write it, so that the
// same file loads in Go, in Python's cryptography
// (Ed25519PrivateKey.from_private_bytes) and in the browser's wallet. The
// address is there for people: it says whose key a file holds without a
// tool, and a file whose address does not match its seed is refused
// rather than spending from another address than the one it shows. JSON
// rather than PEM or PKCS #8, because a learner can read it and every
// side of pyBTC already reads JSON.
type keyFile struct {
	Address string `json:"address"`
	Seed    string `json:"seed"`
}

// MarshalKeyFile returns the key file of priv.
func MarshalKeyFile(priv ed25519.PrivateKey) []byte {
	data, err := json.MarshalIndent(keyFile{Address: AddressOfKey(priv), Seed: hex.EncodeToString(priv.Seed())}, "", "  ")
	if err != nil {
		panic("keys: marshal a key file: " + err.Error())
	}
	return append(data, '\n')
}

// ParseKeyFile returns the private key of a key file and its address.
func ParseKeyFile(data []byte) (ed25519.PrivateKey, string, error) {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, "", fmt.Errorf("not a key file (a JSON object with address and seed): %w", err)
	}
	seed, err := hex.DecodeString(f.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, "", fmt.Errorf("the key file's seed must be 64 hex characters (32 bytes)")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	addr := AddressOfKey(priv)
	if f.Address != addr {
		return nil, "", fmt.Errorf("the key file's address %q is not its seed's, %s", f.Address, addr)
	}
	return priv, addr, nil
}
