package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

const keyUsage = `Usage:
  pybtc key new [--out FILE]   make a new key, write its key file and print its address
  pybtc key address FILE       print the address of a key file

A key address (pb1...) is the bech32m form of an Ed25519 public key; the key
file holds the key's 32-byte seed in hex, which is what spends from the
address, so it is written readable by its owner only (0600) and never
overwritten. Without --out the file is ADDRESS.key.json in the current
directory.

Exit codes: 0 success, 1 the key file could not be written or read, 2 usage error.
`

// runKey runs "pybtc key": it needs no node, so it is not one of the
// client subcommands.
func runKey(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, keyUsage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, keyUsage)
		return exitOK
	case "new":
		return runKeyNew(args[1:], stdout, stderr)
	case "address":
		return runKeyAddress(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "pybtc key: unknown command %q\n\n%s", args[0], keyUsage)
	return exitUsage
}

func runKeyNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pybtc key new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the key file to write (default ADDRESS.key.json); it must not exist")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), keyUsage+"\nFlags of pybtc key new:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "pybtc key new: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	priv, addr := keys.NewKey()
	path := *out
	if path == "" {
		path = addr + ".key.json"
	}
	if err := writeKeyFile(path, keys.MarshalKeyFile(priv)); err != nil {
		fmt.Fprintln(stderr, "pybtc key new:", err)
		return 1
	}
	fmt.Fprintln(stdout, addr)
	return exitOK
}

// writeKeyFile writes a new key file, readable by its owner only. It
// refuses to replace a file: that would lose the key that spends from
// another address.
func writeKeyFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; a key file is never overwritten, choose another --out", path)
	}
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return nil
}

func runKeyAddress(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, keyUsage)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, "pybtc key address: give one key file\n\n"+keyUsage)
		return exitUsage
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "pybtc key address:", err)
		return 1
	}
	_, addr, err := keys.ParseKeyFile(data)
	if err != nil {
		fmt.Fprintf(stderr, "pybtc key address: %s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintln(stdout, addr)
	return exitOK
}

// readKeyFile returns the key of a key file and its address.
func readKeyFile(path string) (ed25519.PrivateKey, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	priv, addr, err := keys.ParseKeyFile(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return priv, addr, nil
}

// signedPayment returns a payment of amount (a JSON number, kept as
// typed) from priv's key address to recipient, stamped at now and signed
// by priv: the body POST /transactions/new takes from a key address. The
// node never stamps it anew, since the timestamp is part of what the
// signature covers.
func signedPayment(priv ed25519.PrivateKey, recipient string, amount json.Number, now time.Time) (json.RawMessage, error) {
	tx := struct {
		Amount    json.Number `json:"amount"`
		Recipient string      `json:"recipient"`
		Sender    string      `json:"sender"`
		Timestamp json.Number `json:"timestamp"`
		Signature string      `json:"signature,omitempty"`
	}{
		Amount:    amount,
		Recipient: recipient,
		Sender:    keys.AddressOfKey(priv),
		// Float seconds, as Python's time.time() and the tutorial's
		// transactions have them.
		Timestamp: json.Number(wire.FormatFloat(float64(now.UnixNano()) / 1e9)),
	}
	encode := func() ([]byte, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		// "<" stays "<", as the learner typed it; the signature does not
		// depend on it either way.
		enc.SetEscapeHTML(false)
		if err := enc.Encode(tx); err != nil {
			return nil, fmt.Errorf("encode payment: %w", err)
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	unsigned, err := encode()
	if err != nil {
		return nil, err
	}
	v, err := wire.Parse(unsigned)
	if err != nil {
		return nil, fmt.Errorf("read back payment: %w", err)
	}
	tx.Signature = keys.Sign(priv, keys.SignedMessage(v))
	return encode()
}
