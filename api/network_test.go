package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc/consensus/consensustest"
	pbkeys "github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
	"github.com/pybtc/pybtc/wire"
)

// RecordingClient is a peer client that records registrations and answers
// every chain request with an error, as an unreachable peer would.
type RecordingClient struct {
	// Reachable makes chain requests answer with a chain of one block,
	// as a healthy new peer would, instead of failing.
	Reachable bool
	// Tutorial lists the peers that answer a request for the chain since
	// a height as a tutorial node does: with the whole chain.
	Tutorial map[string]bool

	mu         sync.Mutex
	registered []string
	relayed    []string
	relayedTo  []string
}

func (c *RecordingClient) Register(_ context.Context, target, n peer.URL, _ peer.Registration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.registered = append(c.registered, target.String()+" <- "+n.String())
	return nil
}
func (c *RecordingClient) RelayTransaction(_ context.Context, target peer.URL, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.relayed = append(c.relayed, string(body))
	c.relayedTo = append(c.relayedTo, target.String()+" "+string(body))
	return nil
}

// RelayedTo returns the transactions relayed so far, each after the URL
// of the peer it went to.
func (c *RecordingClient) RelayedTo() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.relayedTo...)
}

// Relayed returns the transactions relayed so far.
func (c *RecordingClient) Relayed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.relayed...)
}

func (c *RecordingClient) AnnounceBlock(context.Context, peer.URL, peer.URL, int64, string) error {
	return nil
}
func (c *RecordingClient) NudgeTutorial(context.Context, peer.URL, peer.URL, string, int64) error {
	return nil
}
func (c *RecordingClient) StreamChain(_ context.Context, target peer.URL, _, _ int64, _ func(*wire.Block) error) (peer.Chain, error) {
	if c.Reachable {
		return peer.Chain{Length: 1, Full: c.Tutorial[target.String()]}, nil
	}
	return peer.Chain{}, context.DeadlineExceeded
}

func TestRegister(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1})
	type answer struct {
		Message    string
		TotalNodes []string `json:"total_nodes"`
	}
	register := func(t *testing.T, body string, status int) answer {
		t.Helper()
		rec := e.Do(t, "POST", "/nodes/register", body)
		if rec.Code != status {
			t.Fatalf("POST /nodes/register %s: status %d %s, want %d", body, rec.Code, rec.Body, status)
		}
		var a answer
		json.Unmarshal(rec.Body.Bytes(), &a)
		return a
	}
	t.Run("TutorialForm", func(t *testing.T) {
		a := register(t, `{"nodes": "http://127.0.0.1:5001"}`, 201)
		if a.Message != "New nodes have been added" || strings.Join(a.TotalNodes, ",") != "127.0.0.1:5001" {
			t.Fatalf("answer %+v", a)
		}
	})
	t.Run("AlreadyRegistered", func(t *testing.T) {
		if a := register(t, `{"nodes": "http://127.0.0.1:5001/"}`, 201); a.Message != "Already Registered Node" {
			t.Fatalf("answer %+v", a)
		}
	})
	t.Run("ListForm", func(t *testing.T) {
		a := register(t, `{"nodes": ["http://127.0.0.1:5002", "http://localhost:5000", "http://127.0.0.1:5003"]}`, 201)
		if a.Message != "New nodes have been added" || len(a.TotalNodes) != 3 {
			t.Fatalf("answer %+v (itself must not be registered)", a)
		}
	})
	for _, tt := range []struct{ name, body string }{
		{"InvalidJSON", `{"nodes": `},
		{"Missing", `{"node": "http://127.0.0.1:5004"}`},
		{"Number", `{"nodes": 5004}`},
		{"EmptyList", `{"nodes": []}`},
		{"NotStrings", `{"nodes": [5004]}`},
		{"Scheme", `{"nodes": "ftp://127.0.0.1:5004"}`},
		{"NoPort", `{"nodes": "http://127.0.0.1"}`},
		{"Path", `{"nodes": "http://127.0.0.1:5004/chain"}`},
		{"OneBadInList", `{"nodes": ["http://127.0.0.1:5005", "nope"]}`},
	} {
		t.Run("Refused"+tt.name, func(t *testing.T) {
			register(t, tt.body, http.StatusBadRequest)
		})
	}
	t.Run("ListPeers", func(t *testing.T) {
		rec := e.Do(t, "GET", "/nodes", "")
		var got struct {
			Nodes []struct {
				URL   string
				State string
			}
			Length int
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Length != 3 {
			t.Fatalf("GET /nodes: %s (%v)", rec.Body, err)
		}
		for _, p := range got.Nodes {
			if p.URL == "http://127.0.0.1:5005" {
				t.Fatal("a peer from a refused list was stored")
			}
			if p.State == "" {
				t.Fatalf("peer %s has no state", p.URL)
			}
		}
	})
}

func TestResolve(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1})
	e.Do(t, "POST", "/nodes/register", `{"nodes": "http://127.0.0.1:5001"}`)
	tests := []struct {
		name, body, contentType string
		status                  int
		message                 string
	}{
		{"NoBody", "", "", 200, "Our chain is authoritative"},
		{"Announcement", `{"miner_node": "http://127.0.0.1:5001", "new_nonce": 5}`, "application/json", 200, "Our chain is authoritative"},
		{"AnyContentType", `{"miner_node": "http://127.0.0.1:5001", "new_nonce": 5}`, "text/plain", 200, "Our chain is authoritative"},
		{"UnknownMiner", `{"miner_node": "http://127.0.0.1:9", "new_nonce": 5}`, "application/json", 200, "Our chain is authoritative"},
		{"InvalidJSON", `{"miner_node": `, "application/json", 400, "miner_node"},
		{"MissingMiner", `{"new_nonce": 5}`, "application/json", 400, "miner_node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "/nodes/resolve", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := serve(e, req)
			if rec.Code != tt.status || !strings.Contains(message(t, rec), tt.message) {
				t.Fatalf("status %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.message)
			}
		})
	}
}

// TestTutorialCheck checks the answer a nudged tutorial node reads: the
// previous hash it asked about where it reads it, the integer 1 for a
// genesis block, and a 400 for anything else.
func TestTutorialCheck(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	hash := strings.Repeat("ab", 32)
	for _, tt := range []struct {
		previous string
		status   int
		want     string
	}{
		{hash, http.StatusOK, `{"chain":[{"previous_hash":"` + hash + `"},{}],"length":2}`},
		{"1", http.StatusOK, `{"chain":[{"previous_hash":1},{}],"length":2}`},
		{"x<script>", http.StatusBadRequest, ""},
		{strings.ToUpper(hash), http.StatusBadRequest, ""},
	} {
		rec := e.Do(t, "GET", "/nodes/tutorial/"+url.PathEscape(tt.previous)+"/chain", "")
		if rec.Code != tt.status || (tt.want != "" && strings.TrimSpace(rec.Body.String()) != tt.want) {
			t.Errorf("%s: %d %s, want %d %s", tt.previous, rec.Code, rec.Body, tt.status, tt.want)
		}
	}
}

// TestSignedSpendsSkipTutorialPeers checks that a spend from a key address
// is relayed to pyBTC peers, signature and all, but not to tutorial peers,
// which would drop its signature and mine a block every pyBTC node refuses;
// other payments go to every peer.
func TestSignedSpendsSkipTutorialPeers(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	alice := consensustest.Key(1)
	const pybtcPeer, tutorialPeer = "http://127.0.0.1:5001", "http://127.0.0.1:5002"
	client := &RecordingClient{Reachable: true, Tutorial: map[string]bool{tutorialPeer: true}}
	e := MustOpenEnv(t, node.Config{Self: self, Client: client, SyncInterval: -1, Miner: pbkeys.AddressOfKey(alice), AllowOverdraft: true})
	e.MustMine(t)
	for _, u := range []string{pybtcPeer, tutorialPeer} {
		if rec := e.Do(t, "POST", "/nodes/register", `{"nodes": "`+u+`"}`); rec.Code != http.StatusCreated {
			t.Fatalf("register %s: %d %s", u, rec.Code, rec.Body)
		}
		pu, _ := peer.ParseURL(u)
		if _, err := e.Node.SyncWith(context.Background(), pu); err != nil {
			t.Fatal(err)
		}
	}
	signed := signedBody(t, alice, alice, `{"recipient": "bob", "amount": 0.01, "timestamp": 1796078802.5}`, nil)
	for _, body := range []string{signed, `{"sender": "carol", "recipient": "dave", "amount": 1}`} {
		if rec := e.Do(t, "POST", "/transactions/new", body); rec.Code != http.StatusCreated {
			t.Fatalf("post %s: %d %s", body, rec.Code, rec.Body)
		}
	}
	want := map[string]bool{pybtcPeer + " bob": true, pybtcPeer + " dave": true, tutorialPeer + " dave": true}
	got := map[string]bool{}
	for deadline := time.Now().Add(5 * time.Second); len(got) < len(want) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, r := range client.RelayedTo() {
			to, body, _ := strings.Cut(r, " ")
			var tx map[string]any
			if err := json.Unmarshal([]byte(body), &tx); err != nil {
				t.Fatal(err)
			}
			got[to+" "+tx["recipient"].(string)] = true
			// The relay adds "type", which the signature does not cover.
			delete(tx, "type")
			data, _ := json.Marshal(tx)
			if err := pbkeys.VerifyTransactionJSON(data); tx["recipient"] == "bob" && err != nil {
				t.Errorf("relayed %s without a valid signature: %v", body, err)
			}
		}
	}
	// The signed spend was posted first: a relay of it to the tutorial
	// peer would have been queued before the payment to dave.
	for _, r := range client.RelayedTo() {
		to, body, _ := strings.Cut(r, " ")
		if to == tutorialPeer && strings.Contains(body, "signature") {
			t.Errorf("a signed spend was relayed to the tutorial peer: %s", body)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("not relayed: %s (relayed %v)", k, got)
		}
	}
}
