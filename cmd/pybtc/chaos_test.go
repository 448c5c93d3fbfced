package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/wire"
)

// The chaos test runs a network of pyBTC nodes (and a tutorial node when
// PYBTC_TUTORIAL_NODE names one, and always in CI) whose every link goes through a
// fault-injecting TCP proxy, and throws random payments, mining,
// partitions, slow links, restarts and SIGKILLs at it. After healing, the
// network must agree and the money must be honest. The seed is printed;
// PYBTC_CHAOS_SEED=N replays a run, PYBTC_CHAOS_STEPS=N makes it longer.

const (
	// chaosNodes is the size of the network, the tutorial node included
	// when there is one.
	chaosNodes     = 5
	chaosAddresses = 12
	// chaosMaxRSSKiB is how much resident memory a node may use at any
	// moment of the run: far above what it needs, far below a leak.
	chaosMaxRSSKiB = 400 << 10
)

func TestChaosNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("the randomized network test takes a minute or two; run without -short")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PYBTC_CHAOS_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("PYBTC_CHAOS_SEED=%q: %v", s, err)
		}
	}
	steps := 1500
	if s := os.Getenv("PYBTC_CHAOS_STEPS"); s != "" {
		steps, _ = strconv.Atoi(s)
	}
	t.Logf("seed %d: PYBTC_CHAOS_SEED=%d go test -run TestChaosNetwork ./cmd/pybtc replays it", seed, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("failed with seed %d", seed)
		}
	})

	net := newChaosNet(t, rand.New(rand.NewPCG(seed, 7)))
	net.run(steps)
	net.heal()
	net.converge()
	net.checkMoney()
	net.checkTutorial()
	net.report()
}

// chaosNode is one pyBTC node of the network, restarted on the same port
// and database as often as the test likes.
type chaosNode struct {
	name  string
	port  int
	url   string // its own address, as peers know it
	db    string
	proxy *forwardProxy // the HTTP proxy its calls to peers go through
	proc  *Process      // nil while it is down
}

type chaosNet struct {
	t     *testing.T
	rng   *rand.Rand
	dir   string
	toxic *toxiproxy.ApiServer
	nodes []*chaosNode
	// tutorial is the tutorial node's URL, "" without one. Its own calls
	// go to peers directly; pyBTC nodes reach it through links.
	tutorial string
	// links[from][to] carries from's calls to the node at to.
	links     map[string]map[string]*toxiproxy.Proxy
	addresses []string

	acked map[string]payment // by id: what some node answered 201
	// usedSats are the amounts payments had, so that each is unique.
	usedSats map[int64]bool
	faults   []string // every 5xx or broken invariant seen
	counts   map[string]int
	maxRSS   int64
	procs    []*Process // every node process started, for their logs
}

// payment is an acknowledged transaction. Its amount is unique in the run,
// so that a copy a tutorial node re-stamped (another id) is still known.
type payment struct {
	id, sender, recipient string
	sats                  int64
}

func newChaosNet(t *testing.T, rng *rand.Rand) *chaosNet {
	// Toxics log through zerolog's global logger; a cut link is no news.
	zerolog.SetGlobalLevel(zerolog.Disabled)
	n := &chaosNet{
		t:        t,
		rng:      rng,
		dir:      t.TempDir(),
		toxic:    toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop()),
		links:    map[string]map[string]*toxiproxy.Proxy{},
		acked:    map[string]payment{},
		usedSats: map[int64]bool{},
		counts:   map[string]int{},
	}
	for i := range chaosAddresses {
		n.addresses = append(n.addresses, fmt.Sprintf("user%02d", i))
	}
	if _, err := findTutorial("node_network_1.py"); err == nil || os.Getenv("CI") != "" {
		n.tutorial = MustStartTutorial(t)
	}
	pybtcNodes := chaosNodes
	if n.tutorial != "" {
		pybtcNodes--
	}
	for i := range pybtcNodes {
		port := freePort(t)
		node := &chaosNode{
			name: fmt.Sprintf("n%d", i),
			port: port,
			url:  fmt.Sprintf("http://127.0.0.1:%d", port),
			db:   filepath.Join(n.dir, fmt.Sprintf("n%d.db", i)),
		}
		node.proxy = newForwardProxy(t)
		n.nodes = append(n.nodes, node)
	}
	// A link for every ordered pair: node i's calls to j go through
	// links[i][j]. Partitions stop links, faults poison them.
	targets := n.allURLs()
	for _, from := range n.nodes {
		n.links[from.url] = map[string]*toxiproxy.Proxy{}
		for _, to := range targets {
			if to == from.url {
				continue
			}
			upstream := strings.TrimPrefix(to, "http://")
			p := toxiproxy.NewProxy(n.toxic, from.name+"->"+upstream, "127.0.0.1:0", upstream)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Stop)
			n.links[from.url][to] = p
			from.proxy.route(upstream, p.Listen)
		}
	}
	for _, node := range n.nodes {
		n.start(node)
	}
	// Everyone knows everyone: each node is told the others' addresses.
	for _, node := range n.nodes {
		var others []string
		for _, u := range targets {
			if u != node.url {
				others = append(others, u)
			}
		}
		MustRegister(t, node.url, others...)
	}
	return n
}

func (n *chaosNet) allURLs() []string {
	var urls []string
	for _, node := range n.nodes {
		urls = append(urls, node.url)
	}
	if n.tutorial != "" {
		urls = append(urls, n.tutorial)
	}
	return urls
}

func (n *chaosNet) start(node *chaosNode) {
	node.proc = MustStartNode(n.t, node.db,
		"--listen", fmt.Sprintf("127.0.0.1:%d", node.port),
		"--peer-proxy", node.proxy.url,
		"--sync-interval", "400ms",
		"--max-mempool", "2000",
		"--miner", "miner_"+node.name)
	n.procs = append(n.procs, node.proc)
}

func (n *chaosNet) running() []*chaosNode {
	var up []*chaosNode
	for _, node := range n.nodes {
		if node.proc != nil {
			up = append(up, node)
		}
	}
	return up
}

func (n *chaosNet) fault(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	n.t.Log("FAULT: " + msg)
	n.faults = append(n.faults, msg)
}

// run takes steps random actions, a few tens of milliseconds apart.
func (n *chaosNet) run(steps int) {
	type action struct {
		weight int
		do     func()
	}
	actions := []action{
		{40, n.pay},
		{12, n.mine},
		{6, n.browse},
		{4, n.partition},
		{3, n.heal},
		{4, n.poisonLink},
		{2, n.restart},
		{2, n.kill},
	}
	total := 0
	for _, a := range actions {
		total += a.weight
	}
	for range steps {
		pick := n.rng.IntN(total)
		for _, a := range actions {
			if pick < a.weight {
				a.do()
				break
			}
			pick -= a.weight
		}
		n.watchMemory()
		time.Sleep(time.Duration(n.rng.IntN(60)) * time.Millisecond)
	}
}

// pay posts a payment between two of the dozen addresses to a running
// node; only a 201 makes it a payment the network owes.
func (n *chaosNet) pay() {
	up := n.running()
	if len(up) == 0 {
		return
	}
	node := up[n.rng.IntN(len(up))]
	from := n.addresses[n.rng.IntN(len(n.addresses))]
	to := n.addresses[n.rng.IntN(len(n.addresses))]
	// Half the payments spend all the sender has on this node: on both
	// sides of a partition, that is a double spend. The others are 0.001
	// to 0.05 pyBTC. Every amount is one no other payment had.
	sats := int64(100_000 + n.rng.IntN(50)*100_000)
	if n.rng.IntN(2) == 0 {
		if all := n.spendable(node, from); all > 2_000 {
			sats = all
		}
	}
	sats -= int64(n.rng.IntN(1_000))
	for n.usedSats[sats] {
		sats--
	}
	n.usedSats[sats] = true
	amount := strconv.FormatFloat(float64(sats)/1e8, 'f', -1, 64)
	body := fmt.Sprintf(`{"sender": %q, "recipient": %q, "amount": %s}`, from, to, amount)
	status, answer := n.call(node, http.MethodPost, "/transactions/new", body)
	n.counts[fmt.Sprintf("pay %d", status)]++
	if status != http.StatusCreated {
		return
	}
	var acc struct {
		ID string `json:"transaction_id"`
	}
	if err := json.Unmarshal(answer, &acc); err != nil || acc.ID == "" {
		n.fault("%s acknowledged a payment without its id: %s", node.name, answer)
		return
	}
	got, exact, _ := consensus.AmountOf(wire.Num{Text: amount})
	if !exact || int64(got) != sats {
		n.t.Fatalf("amount %s is not %d satoshis", amount, sats)
	}
	n.acked[acc.ID] = payment{acc.ID, from, to, sats}
}

// spendable is what node says address may still send, in satoshis.
func (n *chaosNet) spendable(node *chaosNode, address string) int64 {
	status, answer := n.call(node, http.MethodGet, "/api/address/"+address, "")
	var a struct {
		Spendable json.Number `json:"spendable"`
	}
	if status != http.StatusOK || json.Unmarshal(answer, &a) != nil {
		return 0
	}
	sats, _, ok := consensus.AmountOf(wire.Num{Text: a.Spendable.String()})
	if !ok {
		return 0
	}
	return int64(sats)
}

// mine has a running node mine a block paying one of the dozen addresses
// (or the tutorial node mine one).
func (n *chaosNet) mine() {
	if n.tutorial != "" && n.rng.IntN(6) == 0 {
		resp, err := client.Get(n.tutorial + "/mine")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			n.counts[fmt.Sprintf("tutorial mine %d", resp.StatusCode)]++
		}
		return
	}
	up := n.running()
	if len(up) == 0 {
		return
	}
	node := up[n.rng.IntN(len(up))]
	miner := n.addresses[n.rng.IntN(len(n.addresses))]
	status, _ := n.call(node, http.MethodGet, "/mine?miner="+miner, "")
	n.counts[fmt.Sprintf("mine %d", status)]++
}

// browse reads what a learner would look at; every page must answer.
func (n *chaosNet) browse() {
	up := n.running()
	if len(up) == 0 {
		return
	}
	node := up[n.rng.IntN(len(up))]
	addr := n.addresses[n.rng.IntN(len(n.addresses))]
	for _, path := range []string{"/scan", "/scan/address/" + addr, "/api/address/" + addr, "/scan/mempool", "/chain?since=1&limit=50", "/nodes"} {
		n.call(node, http.MethodGet, path, "")
	}
}

// partition splits the nodes into two sides and stops every link that
// crosses; the tutorial node stays with one side.
func (n *chaosNet) partition() {
	n.heal()
	side := map[string]bool{}
	for _, u := range n.allURLs() {
		side[u] = n.rng.IntN(2) == 0
	}
	for from, tos := range n.links {
		for to, p := range tos {
			if side[from] != side[to] {
				p.Stop()
			}
		}
	}
	n.counts["partition"]++
}

// heal starts every link again and takes their poisons away.
func (n *chaosNet) heal() {
	for _, tos := range n.links {
		for _, p := range tos {
			p.Toxics.ResetToxics(context.Background())
			if !p.Enabled {
				if err := p.Start(); err != nil {
					n.t.Fatalf("restart link %s: %v", p.Name, err)
				}
			}
		}
	}
	n.counts["heal"]++
}

// poisonLink makes one link slow, thin, silent or rude.
func (n *chaosNet) poisonLink() {
	froms := n.nodes
	from := froms[n.rng.IntN(len(froms))]
	var tos []*toxiproxy.Proxy
	for _, p := range n.links[from.url] {
		tos = append(tos, p)
	}
	p := tos[n.rng.IntN(len(tos))]
	toxics := []string{
		`{"type": "latency", "stream": "downstream", "attributes": {"latency": 300, "jitter": 200}}`,
		`{"type": "bandwidth", "stream": "downstream", "attributes": {"rate": 16}}`,
		`{"type": "timeout", "stream": "upstream", "attributes": {"timeout": 0}}`,
		`{"type": "reset_peer", "stream": "downstream", "attributes": {"timeout": 50}}`,
		`{"type": "slicer", "stream": "downstream", "attributes": {"average_size": 8, "size_variation": 4, "delay": 2000}}`,
		`{"type": "limit_data", "stream": "downstream", "attributes": {"bytes": 700}}`,
	}
	spec := toxics[n.rng.IntN(len(toxics))]
	name := fmt.Sprintf("poison%d", n.rng.Int())
	spec = strings.Replace(spec, "{", fmt.Sprintf(`{"name": %q, `, name), 1)
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(spec)); err != nil {
		n.t.Fatalf("toxic %s: %v", spec, err)
	}
	n.counts["poison"]++
}

// restart stops a node with SIGTERM (or starts one that is down).
func (n *chaosNet) restart() {
	node := n.nodes[n.rng.IntN(len(n.nodes))]
	if node.proc != nil {
		if err := node.proc.Stop(n.t); err != nil {
			n.fault("%s did not stop cleanly: %v", node.name, err)
		}
		node.proc = nil
	}
	n.start(node)
	n.counts["restart"]++
}

// kill sends SIGKILL to a running node; it comes back a little later.
func (n *chaosNet) kill() {
	up := n.running()
	if len(up) <= 1 {
		for _, node := range n.nodes {
			if node.proc == nil {
				n.start(node)
			}
		}
		return
	}
	node := up[n.rng.IntN(len(up))]
	node.proc.Kill()
	node.proc = nil
	n.counts["kill"]++
}

// call sends one request to a node and records any 5xx as a fault; the
// answer comes back whatever its status (0 when the node did not answer).
func (n *chaosNet) call(node *chaosNode, method, path, body string) (int, []byte) {
	req, err := http.NewRequest(method, node.url+path, strings.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		n.fault("%s %s%s: %v", method, node.name, path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	// A full mempool's 503 is the node's documented answer, not a failure.
	if resp.StatusCode >= 500 && !(resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(answer), "mempool")) {
		n.fault("%s %s%s: status %d: %s", method, node.name, path, resp.StatusCode, answer)
	}
	return resp.StatusCode, answer
}

func (n *chaosNet) watchMemory() {
	for _, node := range n.running() {
		kib := residentKiB(n.t, node.proc.Cmd.Process.Pid)
		n.maxRSS = max(n.maxRSS, kib)
		if kib > chaosMaxRSSKiB {
			n.fault("%s uses %d MiB of memory", node.name, kib>>10)
		}
	}
}

// converge brings every node up, then waits for one tip; equal-length
// branches stay apart (a node keeps its own), so a block is mined now and
// then to break the tie.
func (n *chaosNet) converge() {
	for _, node := range n.nodes {
		if node.proc == nil {
			n.start(node)
		}
	}
	urls := make([]string, len(n.nodes))
	for i, node := range n.nodes {
		urls[i] = node.url
	}
	deadline := time.Now().Add(90 * time.Second)
	for round := 0; !converged(urls...); round++ {
		if time.Now().After(deadline) {
			for _, node := range n.nodes {
				n.t.Logf("%s tip %s", node.name, tryTip(node.url))
			}
			n.t.Fatalf("the nodes did not agree on one tip within 90s of healing")
		}
		if round%30 == 29 {
			n.mineOn(n.nodes[n.rng.IntN(len(n.nodes))])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (n *chaosNet) mineOn(node *chaosNode) {
	status, _ := n.call(node, http.MethodGet, "/mine?miner="+n.addresses[0], "")
	n.counts[fmt.Sprintf("mine %d", status)]++
}

// checkMoney checks, on the chain every node agrees on, that no
// acknowledged payment was mined twice, that one not mined is still
// pending somewhere, and that no block a pyBTC node mined overdraws an
// address that was not already negative.
func (n *chaosNet) checkMoney() {
	chain := chainOf(n.t, n.nodes[0].url)
	type key struct {
		sender, recipient string
		sats              int64
	}
	// where is each place a payment stands in the chain.
	type where struct {
		block, id string
		byPyBTC   bool
	}
	mined := map[key][]where{}
	balance := map[string]int64{}
	pybtcMiners := map[string]bool{}
	for _, a := range n.addresses {
		pybtcMiners[a] = true
	}
	for _, b := range chain[1:] {
		txs, _ := b.Get("transactions")
		index, _ := b.Get("index")
		coinbase := txs.Arr[len(txs.Arr)-1]
		miner, _ := coinbase.Get("recipient")
		byPyBTC := pybtcMiners[miner.Str]
		before := map[string]int64{}
		for _, tx := range txs.Arr {
			sender, _ := tx.Get("sender")
			recipient, _ := tx.Get("recipient")
			amount, _ := tx.Get("amount")
			sats, _, ok := consensus.AmountOf(amount.Num)
			if !ok {
				n.t.Fatalf("block %s: amount %s", index.Num.Text, amount.Num.Text)
			}
			k := key{sender.Str, recipient.Str, int64(sats)}
			mined[k] = append(mined[k], where{index.Num.Text, wire.Hash(tx), byPyBTC})
			if sender.Str != "master" {
				if _, seen := before[sender.Str]; !seen {
					before[sender.Str] = balance[sender.Str]
				}
				balance[sender.Str] -= int64(sats)
				if byPyBTC && before[sender.Str] >= 0 && balance[sender.Str] < 0 {
					n.fault("block %s, mined by a pyBTC node, overdraws %s to %d satoshis", index.Num.Text, sender.Str, balance[sender.Str])
				}
			}
			balance[recipient.Str] += int64(sats)
		}
	}
	var pendingOnly, dropped, minedOnce, restamped int
	for _, p := range n.acked {
		places := mined[key{p.sender, p.recipient, p.sats}]
		switch len(places) {
		case 0:
			switch n.whereIs(p.id) {
			case "pending":
				pendingOnly++
			case "dropped":
				dropped++
			default:
				n.fault("payment %s (%s→%s %d sat) was acknowledged but is neither in the chain, nor pending, nor dropped with a reason", p.id, p.sender, p.recipient, p.sats)
			}
		case 1:
			minedOnce++
		default:
			// A tutorial node stamps a relayed payment anew, so its
			// copy has another id: one that reaches a pyBTC node only
			// after the copy was mined cannot be told from a new
			// payment of the same amount. Twice by pyBTC alone, or the
			// same id twice, is a fault.
			ids, byPyBTC := map[string]bool{}, 0
			for _, w := range places {
				ids[w.id] = true
				if w.byPyBTC {
					byPyBTC++
				}
			}
			if byPyBTC > 1 || len(ids) < len(places) {
				n.fault("payment %s (%s→%s %d sat) is in the chain %d times: %+v", p.id, p.sender, p.recipient, p.sats, len(places), places)
			} else {
				n.t.Logf("payment %s is in the chain again as a tutorial node's re-stamped copy: %+v", p.id, places)
				restamped++
			}
		}
	}
	n.t.Logf("%d blocks; of %d acknowledged payments %d mined once, %d pending, %d dropped with a reason, %d mined again as a tutorial node's copy", len(chain), len(n.acked), minedOnce, pendingOnly, dropped, restamped)
	if len(n.faults) > 0 {
		n.t.Fatalf("%d faults, the first: %s", len(n.faults), n.faults[0])
	}
}

// whereIs says where a payment that is not in the chain went: "pending"
// when some pyBTC node still holds it, "dropped" when none does but one
// recorded why it dropped it (a double spend that a reorganisation made
// uncoverable), "" when it is lost.
func (n *chaosNet) whereIs(id string) string {
	where := ""
	for _, node := range n.nodes {
		status, answer := n.call(node, http.MethodGet, "/api/tx/"+id, "")
		var tx struct{ Status, Reason string }
		if status != http.StatusOK || json.Unmarshal(answer, &tx) != nil {
			continue
		}
		switch {
		case tx.Status == "pending":
			return "pending"
		case tx.Status == "dropped" && tx.Reason != "":
			where = "dropped"
		}
	}
	return where
}

// checkTutorial checks that the tutorial node, if any, took part: its
// chain is one pyBTC accepts. (It follows other chains only one block at a
// time, so after a partition it may stay behind; that is the tutorial's.)
func (n *chaosNet) checkTutorial() {
	if n.tutorial == "" {
		return
	}
	chain := chainOf(n.t, n.tutorial)
	if _, err := consensus.ValidateChain(wire.Blocks(chain), float64(time.Now().Unix())); err != nil {
		n.t.Errorf("the tutorial node's chain is not valid to pyBTC: %v", err)
	}
}

// report says what the run did, and fails it if no partition ever made a
// node reorganise: then it tested less than it claims.
func (n *chaosNet) report() {
	reorgs := 0
	for _, p := range n.procs {
		reorgs += strings.Count(p.Log(), "chain reorganised")
	}
	if reorgs == 0 {
		n.t.Errorf("no node reorganised its chain: the run exercised no fork")
	}
	n.counts["reorganisation"] = reorgs
	var keys []string
	for k, v := range n.counts {
		keys = append(keys, fmt.Sprintf("%s×%d", k, v))
	}
	n.t.Logf("actions: %s; most memory of a node: %d MiB", strings.Join(keys, ", "), n.maxRSS>>10)
}

// freePort returns a port of 127.0.0.1 that nothing listens on now, so
// that a node restarted on it keeps its address.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// forwardProxy is the HTTP proxy one node sends its calls to peers
// through (--peer-proxy): it passes each call on to that node's link to
// the peer, and refuses calls to any address it has no link for.
type forwardProxy struct {
	url    string
	mu     sync.Mutex
	routes map[string]string // peer host:port → its link's listen address
}

func newForwardProxy(tb testing.TB) *forwardProxy {
	fp := &forwardProxy{routes: map[string]string{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "http"
			r.Out.Host = r.In.URL.Host
		},
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				fp.mu.Lock()
				link, ok := fp.routes[addr]
				fp.mu.Unlock()
				if !ok {
					return nil, fmt.Errorf("no link to %s", addr)
				}
				var d net.Dialer
				return d.DialContext(ctx, network, link)
			},
			DisableKeepAlives: true,
		},
		// A refused or cut link is the test's doing, not news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	fp.url = "http://" + ln.Addr().String()
	return fp
}

func (fp *forwardProxy) route(peer, link string) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	fp.routes[peer] = link
}
