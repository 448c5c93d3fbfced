package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/keys"
)

// runKeyCLI runs "pybtc key ..." in process.
func runKeyCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), append([]string{"key"}, args...), &stdout, &stderr)
	return cliResult{stdout.String(), stderr.String(), code}
}

// TestCLIKeyNew checks that "pybtc key new" writes a key file only its
// owner can read, prints the address the file holds, and never replaces a
// file.
func TestCLIKeyNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "alice.key")
	r := runKeyCLI(t, "new", "--out", path)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("key new: %+v", r)
	}
	addr := strings.TrimSpace(r.stdout)
	if !keys.IsKeyAddress(addr) || r.stdout != addr+"\n" {
		t.Fatalf("key new printed %q, want a key address on its own line", r.stdout)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Fatalf("key file mode %o, want 600", mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := keys.ParseKeyFile(data); err != nil || got != addr {
		t.Fatalf("key file holds %s (%v), the command printed %s", got, err, addr)
	}
	if r := runKeyCLI(t, "address", path); r.code != 0 || r.stdout != addr+"\n" || r.stderr != "" {
		t.Fatalf("key address: %+v, want %s", r, addr)
	}

	// A second key to the same file would lose the first.
	r = runKeyCLI(t, "new", "--out", path)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("key new over an existing file: %+v, want exit 1 and the file kept", r)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, data) {
		t.Fatal("key new changed an existing key file")
	}

	// Without --out the file is named after the address, in the current directory.
	t.Chdir(dir)
	r = runKeyCLI(t, "new")
	if r.code != 0 {
		t.Fatalf("key new: %+v", r)
	}
	addr = strings.TrimSpace(r.stdout)
	if r := runKeyCLI(t, "address", addr+".key.json"); r.code != 0 || r.stdout != addr+"\n" {
		t.Fatalf("key address of the default file: %+v, want %s", r, addr)
	}
}

// TestCLIKeyAddress checks that "pybtc key address" prints the address of a
// key file made elsewhere and refuses what is not one.
func TestCLIKeyAddress(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The first key of testdata/key-vectors.json.
	const (
		seed = "0101010101010101010101010101010101010101010101010101010101010101"
		addr = "pb132yw8ht5p8cetl2jmvknewjawt9xwzdlrk2pyxlnwjyqrdq0dawqnt9k0q"
	)
	good := write("good.json", `{"address": "`+addr+`", "seed": "`+seed+`"}`)
	if r := runKeyCLI(t, "address", good); r.code != 0 || r.stdout != addr+"\n" || r.stderr != "" {
		t.Fatalf("key address: %+v, want %s", r, addr)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"NotJSON", []string{"address", write("text", "hello")}, 1, "not a key file"},
		{"WrongAddress", []string{"address", write("wrong.json", `{"address": "pb1syuhwr4g05t4744r23nvxnr7en9cmz53knhr0gja7c84hr7fkw2q0rgmfk", "seed": "`+seed+`"}`)}, 1, "is not its seed's"},
		{"ShortSeed", []string{"address", write("short.json", `{"address": "`+addr+`", "seed": "01"}`)}, 1, "64 hex characters"},
		{"Missing", []string{"address", filepath.Join(dir, "nothing")}, 1, "no such file"},
		{"NoFile", []string{"address"}, 2, "give one key file"},
		{"TwoFiles", []string{"address", good, good}, 2, "give one key file"},
		{"UnknownVerb", []string{"make"}, 2, `unknown command "make"`},
		{"NewArgument", []string{"new", "x"}, 2, `unexpected argument "x"`},
		{"NewNoDir", []string{"new", "--out", filepath.Join(dir, "no", "such", "dir")}, 1, "create key file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runKeyCLI(t, tc.args...)
			if r.code != tc.code || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("key %v: %+v, want exit %d and %q on stderr", tc.args, r, tc.code, tc.want)
			}
		})
	}
}
