package keys_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/keys"
)

// python is Debian's Python, where python3-cryptography installs.
const python = "/usr/bin/python3"

// crossCheck derives a key from a seed, signs a message, and checks a
// signature made elsewhere, with Python's cryptography package. It prints
// the public key and its signature in hex, then "ok" or "bad".
const crossCheck = `
import sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.exceptions import InvalidSignature
seed, msg, theirs = bytes.fromhex(sys.argv[1]), sys.argv[2].encode("utf-8"), bytes.fromhex(sys.argv[3])
key = Ed25519PrivateKey.from_private_bytes(seed)
pub = key.public_key()
print(pub.public_bytes(Encoding.Raw, PublicFormat.Raw).hex())
print(key.sign(msg).hex())
try:
    pub.verify(theirs, msg)
    print("ok")
except InvalidSignature:
    print("bad")
`

// TestPythonCrossCheck checks a fresh key against Python's cryptography:
// the same public key from the seed, the same signature of a message with
// Korean text, and each side's signature accepted by the other. Outside CI
// it is skipped when python3-cryptography is missing; in CI it must run.
func TestPythonCrossCheck(t *testing.T) {
	if err := exec.Command(python, "-c", "import cryptography").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import cryptography (%v): CI installs python3-cryptography", python, err)
		}
		t.Skip("needs Debian's python3-cryptography: apt-get install python3-cryptography, then go test -run TestPythonCrossCheck ./keys/")
	}
	priv, addr := keys.NewKey()
	msg := `{"amount": 0.5, "recipient": "\uae40\ucca0\uc218", "sender": "` + addr + `", "timestamp": 1796078822.25}`
	sig := keys.Sign(priv, []byte(msg))
	for _, tc := range []struct {
		name, sig, verdict string
	}{
		{"GoSignature", sig, "ok"},
		{"AlteredSignature", sig[:len(sig)-2] + flip(sig[len(sig)-2:]), "bad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(python, "-c", crossCheck, hex.EncodeToString(priv.Seed()), msg, tc.sig)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("python: %v\n%s", err, stderr.String())
			}
			lines := strings.Fields(stdout.String())
			if len(lines) != 3 {
				t.Fatalf("python printed %q", stdout.String())
			}
			pub, err := hex.DecodeString(lines[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := keys.AddressOf(pub); got != addr {
				t.Fatalf("Python's public key makes address %s, Go's is %s", got, addr)
			}
			if lines[1] != sig {
				t.Fatalf("Python signs %s, Go %s", lines[1], sig)
			}
			if err := keys.Verify(addr, []byte(msg), lines[1]); err != nil {
				t.Fatalf("Go refuses Python's signature: %v", err)
			}
			if lines[2] != tc.verdict {
				t.Fatalf("Python says %s of the signature, want %s", lines[2], tc.verdict)
			}
		})
	}
}

// flip changes a hex byte so that the signature no longer verifies.
func flip(b string) string {
	if b == "00" {
		return "01"
	}
	return "00"
}
