package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// recordingProxy forwards every request to the node at target and keeps
// the bodies of the transactions posted, as the node received them.
type recordingProxy struct {
	URL   string
	mu    sync.Mutex
	posts [][]byte
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &recordingProxy{}
	forward := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/transactions/new" {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			p.mu.Lock()
			p.posts = append(p.posts, body)
			p.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Posts returns the transactions posted so far.
func (p *recordingProxy) Posts() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// runCLI runs a pybtc command in process against the node PYBTC_NODE names.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return cliResult{stdout.String(), stderr.String(), code}
}

// TestCLISendKey checks that "pybtc send --key" posts a payment from the
// key file's address that carries its own timestamp and its key's
// signature over everything else, the amount as typed, and that the node's
// refusal reaches the user as with any send. The posted body is read on
// its way to the node: what the node keeps of it is rule K's business.
func TestCLISendKey(t *testing.T) {
	node := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"))
	proxy := newRecordingProxy(t, node.URL)
	t.Setenv("PYBTC_NODE", proxy.URL)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "alice.key")
	r := runKeyCLI(t, "new", "--out", keyFile)
	if r.code != 0 {
		t.Fatalf("key new: %+v", r)
	}
	alice := strings.TrimSpace(r.stdout)
	if r := runCLI(t, "mine", "--to", alice); r.code != 0 {
		t.Fatalf("mine to the key address: %+v", r)
	}

	before := time.Now()
	r = runCLI(t, "send", "--key", keyFile, "--to", "bob", "--amount", "0.050")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("send --key: %+v", r)
	}
	if id := field(t, r.stdout, "transaction"); len(id) != 64 || field(t, r.stdout, "message") != "Transaction will be added to Block {3}" {
		t.Fatalf("send --key printed:\n%s", r.stdout)
	}
	posts := proxy.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d transactions posted, want 1", len(posts))
	}
	body := posts[0]
	if err := keys.VerifyTransactionJSON(body); err != nil {
		t.Fatalf("posted %s: signature refused: %v", body, err)
	}
	var tx struct {
		Sender, Recipient, Signature string
		Amount, Timestamp            json.Number
	}
	if err := json.Unmarshal(body, &tx); err != nil {
		t.Fatal(err)
	}
	ts, _ := tx.Timestamp.Float64()
	if tx.Sender != alice || tx.Recipient != "bob" || tx.Amount != "0.050" || len(tx.Signature) != keys.SignatureLen ||
		ts < float64(before.Unix())-1 || ts > float64(time.Now().Unix())+1 {
		t.Fatalf("posted %s: want alice's payment of 0.050 to bob, stamped now, signed", body)
	}
	// The signature covers the amount: the same body paying more is refused.
	forged := bytes.Replace(body, []byte(`"amount":0.050`), []byte(`"amount":0.051`), 1)
	if bytes.Equal(forged, body) || keys.VerifyTransactionJSON(forged) == nil {
		t.Fatalf("a changed amount keeps a valid signature: %s", forged)
	}

	// More than alice has: the node's sentence, exit 1.
	r = runCLI(t, "send", "--key", keyFile, "--to", "bob", "--amount", "5")
	if r.code != 1 || r.stdout != "" || r.stderr == "" || strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "pybtc send") {
		t.Fatalf("send --key beyond the balance: %+v, want exit 1 and the node's sentence", r)
	}
	s := MustJSON[map[string]string](t, proxy.URL, "send", "--key", keyFile, "--to", "carol", "--amount", "0.01")
	if len(s["transaction_id"]) != 64 {
		t.Fatalf("send --key --json: %v", s)
	}
}

// TestCLISendKeyRefusesBadKeyFiles checks that a key file that cannot be
// read says why and posts nothing.
func TestCLISendKeyRefusesBadKeyFiles(t *testing.T) {
	var fetched atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Store(true) }))
	defer srv.Close()
	t.Setenv("PYBTC_NODE", srv.URL)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const seed = "0101010101010101010101010101010101010101010101010101010101010101"
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"NotJSON", []string{"--key", write("text", "hello")}, "not a key file"},
		{"WrongAddress", []string{"--key", write("wrong.json", `{"address": "pb1syuhwr4g05t4744r23nvxnr7en9cmz53knhr0gja7c84hr7fkw2q0rgmfk", "seed": "`+seed+`"}`)}, "is not its seed's"},
		{"Missing", []string{"--key", filepath.Join(dir, "nothing")}, "no such file"},
		{"FromAndKey", []string{"--from", "alice", "--key", write("ok.json", string(keys.MarshalKeyFile(mustKey(t, seed))))}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append(append([]string{"send"}, tc.args...), "--to", "bob", "--amount", "1")...)
			if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "--key") && tc.name != "FromAndKey" {
				t.Fatalf("send %v: %+v, want exit 2 naming --key and %q", tc.args, r, tc.want)
			}
			if fetched.Load() {
				t.Fatal("the node was asked")
			}
		})
	}
}

func mustKey(t *testing.T, seedHex string) ed25519.PrivateKey {
	t.Helper()
	seed, err := hex.DecodeString(seedHex)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}
