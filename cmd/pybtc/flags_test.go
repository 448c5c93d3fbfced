package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Config
		err  bool
	}{
		{name: "Defaults", want: Config{Listen: "127.0.0.1:5000"}},
		{
			name: "Environment",
			env:  map[string]string{"PYBTC_LISTEN": "127.0.0.1:6000", "PYBTC_DB": "x.db", "PYBTC_MINER": "alice", "PYBTC_ALLOW_OVERDRAFT": "true", "PYBTC_LOG_LEVEL": "debug"},
			want: Config{Listen: "127.0.0.1:6000", DB: "x.db", Miner: "alice", AllowOverdraft: true, LogLevel: slog.LevelDebug},
		},
		{
			name: "FlagsWinOverEnvironment",
			env:  map[string]string{"PYBTC_LISTEN": "127.0.0.1:6000", "PYBTC_ALLOW_OVERDRAFT": "true"},
			args: []string{"--listen", "127.0.0.1:7000", "--allow-overdraft=false", "--miner", "bob"},
			want: Config{Listen: "127.0.0.1:7000", Miner: "bob"},
		},
		{
			name: "Network",
			env:  map[string]string{"PYBTC_PEERS": "http://127.0.0.1:5001, http://127.0.0.1:5002", "PYBTC_SYNC_INTERVAL": "1s"},
			args: []string{"--peer", "http://127.0.0.1:5003", "--automine", "--block-interval", "2s", "--advertise", "http://10.0.0.1:5000"},
			want: Config{Listen: "127.0.0.1:5000", Advertise: "http://10.0.0.1:5000", Peers: []string{"http://127.0.0.1:5001", "http://127.0.0.1:5002", "http://127.0.0.1:5003"},
				Automine: true, BlockInterval: 2 * time.Second, SyncInterval: time.Second},
		},
		{
			name: "PeerProxy",
			env:  map[string]string{"PYBTC_PEER_PROXY": "http://127.0.0.1:3128"},
			args: []string{"--sync-timeout", "20s"},
			want: Config{Listen: "127.0.0.1:5000", PeerProxy: "http://127.0.0.1:3128", SyncTimeout: 20 * time.Second},
		},
		{name: "BadDurationEnvironment", env: map[string]string{"PYBTC_BLOCK_INTERVAL": "soon"}, err: true},
		{name: "BadBoolEnvironment", env: map[string]string{"PYBTC_ALLOW_OVERDRAFT": "maybe"}, err: true},
		{name: "Limits", env: map[string]string{"PYBTC_MAX_MEMPOOL": "500", "PYBTC_DEV": "true"}, want: Config{Listen: "127.0.0.1:5000", MaxMempool: 500, Dev: true}},
		{name: "LabEnvironment", env: map[string]string{"PYBTC_LAB": "true"}, want: Config{Listen: "127.0.0.1:5000", Lab: true}},
		{name: "LabFlag", args: []string{"--lab"}, want: Config{Listen: "127.0.0.1:5000", Lab: true}},
		{name: "BadLabEnvironment", env: map[string]string{"PYBTC_LAB": "sometimes"}, err: true},
		{name: "BadMempoolEnvironment", env: map[string]string{"PYBTC_MAX_MEMPOOL": "lots"}, err: true},
		{name: "SecureFromEnvironment", env: map[string]string{"PYBTC_SECURE_FROM": "5"}, want: Config{Listen: "127.0.0.1:5000", SecureFrom: 5}},
		{name: "SecureFromFlag", env: map[string]string{"PYBTC_SECURE_FROM": "5"}, args: []string{"--secure-from", "2"}, want: Config{Listen: "127.0.0.1:5000", SecureFrom: 2}},
		{name: "BadSecureFromEnvironment", env: map[string]string{"PYBTC_SECURE_FROM": "soon"}, err: true},
		{name: "SecureFromGenesis", args: []string{"--secure-from", "1"}, err: true},
		{name: "NegativeSecureFrom", args: []string{"--secure-from", "-3"}, err: true},
		{name: "BadLogLevel", args: []string{"--log-level", "loud"}, err: true},
		{name: "StrayArgument", args: []string{"extra"}, err: true},
		{name: "UnknownFlag", args: []string{"--peers", "x"}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"PYBTC_LISTEN", "PYBTC_DB", "PYBTC_MINER", "PYBTC_ALLOW_OVERDRAFT", "PYBTC_LOG_LEVEL",
				"PYBTC_PEERS", "PYBTC_ADVERTISE", "PYBTC_AUTOMINE", "PYBTC_BLOCK_INTERVAL", "PYBTC_SYNC_INTERVAL", "PYBTC_MAX_MEMPOOL", "PYBTC_DEV", "PYBTC_PEER_PROXY", "PYBTC_SYNC_TIMEOUT", "PYBTC_SECURE_FROM", "PYBTC_LAB"} {
				t.Setenv(name, tt.env[name])
				if _, ok := tt.env[name]; !ok {
					unsetenv(t, name)
				}
			}
			m := NewMain(&bytes.Buffer{}, &bytes.Buffer{})
			err := m.ParseFlags(tt.args)
			if tt.err {
				if err == nil {
					t.Fatalf("ParseFlags(%v) accepted, want an error", tt.args)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want.BlockInterval == 0 {
				want.BlockInterval = 10 * time.Second
			}
			if want.SyncInterval == 0 {
				want.SyncInterval = 3 * time.Second
			}
			if want.SyncTimeout == 0 {
				want.SyncTimeout = time.Minute
			}
			if want.MaxMempool == 0 {
				want.MaxMempool = 100_000
			}
			if got := m.Config; !reflect.DeepEqual(got, want) {
				t.Fatalf("Config=%+v, want %+v", got, want)
			}
		})
	}
}

// TestPeerProxy starts a node with --peer-proxy and registers a peer: the
// node's calls to it must reach the proxy, not the peer's address.
func TestPeerProxy(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:3128", "ftp://127.0.0.1:21", "http://"} {
		if _, err := peerClient(bad); err == nil {
			t.Errorf("--peer-proxy %q accepted", bad)
		}
	}
	asked := make(chan string, 16)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case asked <- r.Method + " " + r.URL.String():
		default:
		}
		http.Error(w, "no route", http.StatusBadGateway)
	}))
	defer proxy.Close()
	node := MustStartNode(t, filepath.Join(t.TempDir(), "n.db"), "--peer-proxy", proxy.URL)
	const peerURL = "http://127.0.0.1:9"
	MustRegister(t, node.URL, peerURL)
	select {
	case got := <-asked:
		if !strings.Contains(got, peerURL+"/") {
			t.Fatalf("the proxy was asked %q, want a call to %s", got, peerURL)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the node made no call through its --peer-proxy within 20s")
	}
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, 0, "pybtc dev"},
		{[]string{"help"}, 0, "pybtc node"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{nil, 2, "Usage"},
		{[]string{"node", "--help"}, 0, "-allow-overdraft"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tt.args, &stdout, &stderr)
		if code != tt.code || !bytes.Contains(append(stdout.Bytes(), stderr.Bytes()...), []byte(tt.out)) {
			t.Fatalf("pybtc %v: exit %d, output %q%q; want exit %d mentioning %q", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.out)
		}
	}
}

// unsetenv removes name for the rest of the test (t.Setenv restores it).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
