package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/pybtc/pybtc"
	nodeclient "github.com/pybtc/pybtc/client"
	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/keys"
	"github.com/pybtc/pybtc/wire"
)

const simulateUsage = `Usage: pybtc simulate [flags]

Makes traffic on a running network, so that Block Scan has something to
show: a few wallets are funded by mining, then send random amounts to each
other, never more than they have, while blocks are mined every few
transactions. Requests are spread over the nodes given with --node. It stops
after --transactions transactions (or --timeout) and prints a summary.

With --keys the wallets are key addresses (pb1...): their keys are made in
memory for the run, the wallets are funded by mining to their addresses
(anyone can pay a key address), and every payment between them carries its
own timestamp and its key's signature, as rule K asks. The keys are
forgotten at the end, and with them the coins.

Example:

  pybtc simulate --node http://127.0.0.1:5000 --node http://127.0.0.1:5001 --transactions 500
  pybtc simulate --keys --wallets 4 --transactions 50

Exit codes: 0 done; 2 bad flags; 3 a node could not be reached.

Flags:
`

// simulation is one run of pybtc simulate.
type simulation struct {
	nodes      []*nodeclient.Client
	wallets    []string
	keys       map[string]ed25519.PrivateKey // of key-address wallets (--keys)
	rng        *rand.Rand
	spendable  map[string]pybtc.Amount // what each wallet may still send, as far as we know
	sent       int
	refused    map[string]int
	blocks     int
	progress   io.Writer
	total      int
	started    time.Time
	lastDrawn  time.Time
	blockEvery int
}

// simulateSummary is what pybtc simulate reports.
type simulateSummary struct {
	Transactions int               `json:"transactions"`
	Refused      map[string]int    `json:"refused"`
	Blocks       int               `json:"blocks"`
	Seconds      float64           `json:"seconds"`
	Balances     map[string]string `json:"balances"`
	Nodes        []string          `json:"nodes"`
	Heights      map[string]int64  `json:"heights"`
}

// runSimulate runs "pybtc simulate" and returns the exit code.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pybtc simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var nodes []string
	fs.Func("node", "URL of a node to send to; repeat for several (default $PYBTC_NODE or http://127.0.0.1:5000)", func(s string) error {
		nodes = append(nodes, s)
		return nil
	})
	wallets := fs.Int("wallets", 8, "number of wallets")
	total := fs.Int("transactions", 200, "transactions to send")
	blockEvery := fs.Int("block-every", 10, "mine a block after every N transactions")
	fund := fs.Int("fund", 5, "blocks mined to each wallet at the start (0.1 pyBTC each)")
	prefix := fs.String("prefix", "sim", "wallets are named PREFIX-1, PREFIX-2, …")
	seed := fs.Uint64("seed", 0, "random seed (0: a new one each run)")
	timeout := fs.Duration("timeout", 5*time.Minute, "stop after this long whatever is left")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	useKeys := fs.Bool("keys", false, "wallets are key addresses (pb1...) whose payments are signed, with keys made for the run")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), simulateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *wallets < 2 || *total < 0 || *blockEvery < 1 || *fund < 1 {
		fmt.Fprintln(stderr, "pybtc simulate: want no arguments, --wallets ≥ 2, --block-every ≥ 1, --fund ≥ 1")
		return 2
	}
	if len(nodes) == 0 {
		nodes = []string{env("PYBTC_NODE", "http://127.0.0.1:5000")}
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	sim := &simulation{
		rng:        rand.New(rand.NewPCG(*seed, 1)),
		spendable:  map[string]pybtc.Amount{},
		keys:       map[string]ed25519.PrivateKey{},
		refused:    map[string]int{},
		progress:   stderr,
		total:      *total,
		blockEvery: *blockEvery,
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	for _, u := range nodes {
		c, err := nodeclient.New(u, hc)
		if err != nil {
			fmt.Fprintln(stderr, "pybtc simulate:", err)
			return 2
		}
		sim.nodes = append(sim.nodes, c)
	}
	for i := range *wallets {
		if *useKeys {
			priv, addr := keys.NewKey()
			sim.keys[addr] = priv
			sim.wallets = append(sim.wallets, addr)
			continue
		}
		sim.wallets = append(sim.wallets, fmt.Sprintf("%s-%d", *prefix, i+1))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	summary, err := sim.run(ctx, *fund)
	if err != nil {
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "pybtc simulate:", err)
		return 3
	}
	if *asJSON {
		out, _ := json.MarshalIndent(summary, "", "  ")
		fmt.Fprintln(stdout, string(out))
		return 0
	}
	printSummary(stdout, summary)
	return 0
}

// node picks a node for the next request.
func (s *simulation) node() *nodeclient.Client { return s.nodes[s.rng.IntN(len(s.nodes))] }

func (s *simulation) run(ctx context.Context, fund int) (simulateSummary, error) {
	s.started = time.Now()
	// Fund every wallet by mining to it, on one node, so the blocks form
	// one chain that the other nodes then take.
	funder := s.nodes[0]
	for range fund {
		for _, w := range s.wallets {
			if _, err := funder.Mine(ctx, w); err != nil {
				return simulateSummary{}, fmt.Errorf("fund %s: %w", w, err)
			}
			s.blocks++
		}
		s.draw(false)
	}
	if err := s.refresh(ctx, funder); err != nil {
		return simulateSummary{}, err
	}
	for s.sent < s.total && ctx.Err() == nil {
		if err := s.sendOne(ctx); err != nil {
			return simulateSummary{}, err
		}
		if s.sent%s.blockEvery == 0 {
			if err := s.mineOne(ctx); err != nil {
				return simulateSummary{}, err
			}
		}
		s.draw(false)
	}
	if err := s.mineOne(ctx); err != nil { // confirm what is left
		return simulateSummary{}, err
	}
	s.draw(true)
	return s.summarize(ctx)
}

// sendOne sends a random amount, at most half of what the sender can
// spend, to another wallet.
func (s *simulation) sendOne(ctx context.Context) error {
	var rich []string
	for _, w := range s.wallets {
		if s.spendable[w] >= 1000 {
			rich = append(rich, w)
		}
	}
	if len(rich) == 0 { // everything is pending: a block frees it
		return s.mineOne(ctx)
	}
	from := rich[s.rng.IntN(len(rich))]
	to := from
	for to == from {
		to = s.wallets[s.rng.IntN(len(s.wallets))]
	}
	amount := pybtc.Amount(1 + s.rng.Int64N(int64(s.spendable[from]/2)))
	n := s.node()
	err := s.send(ctx, n, from, to, json.Number(amount.String()))
	var refusal *nodeclient.Error
	switch {
	case errors.As(err, &refusal) && refusal.Refused():
		s.refused[refusal.Message]++
		return s.refresh(ctx, n) // the node knows better: learn its balances
	case err != nil:
		return fmt.Errorf("send on %s: %w", n.URL(), err)
	}
	s.spendable[from] -= amount
	s.sent++
	return nil
}

// send posts one payment: signed by the sender's key when it is a key
// address, else as the tutorial's wallet does.
func (s *simulation) send(ctx context.Context, n *nodeclient.Client, from, to string, amount json.Number) error {
	priv, ok := s.keys[from]
	if !ok {
		_, err := n.Send(ctx, from, to, amount)
		return err
	}
	tx, err := signedPayment(priv, to, amount, time.Now())
	if err != nil {
		return err
	}
	_, err = n.SendTransaction(ctx, tx)
	return err
}

// mineOne mines a block on a random node, paying a random wallet, and
// learns the balances that block made.
func (s *simulation) mineOne(ctx context.Context) error {
	n := s.node()
	if _, err := n.Mine(ctx, s.wallets[s.rng.IntN(len(s.wallets))]); err != nil {
		return fmt.Errorf("mine on %s: %w", n.URL(), err)
	}
	s.blocks++
	return s.refresh(ctx, n)
}

// refresh reads every wallet's spendable balance from node n.
func (s *simulation) refresh(ctx context.Context, n *nodeclient.Client) error {
	for _, w := range s.wallets {
		a, err := n.Address(ctx, w)
		var refusal *nodeclient.Error
		if errors.As(err, &refusal) && refusal.Status == http.StatusNotFound {
			s.spendable[w] = 0 // not on this node's chain yet
			continue
		} else if err != nil {
			return fmt.Errorf("balance of %s on %s: %w", w, n.URL(), err)
		}
		s.spendable[w] = amountOf(a.Spendable)
	}
	return nil
}

// amountOf converts an exact decimal of pyBTC, as the JSON API writes
// amounts, to satoshis.
func amountOf(n json.Number) pybtc.Amount {
	a, _, _ := consensus.AmountOf(wire.Num{Text: string(n)})
	return a
}

// draw redraws the progress bar, at most ten times a second.
func (s *simulation) draw(final bool) {
	if !final && time.Since(s.lastDrawn) < 100*time.Millisecond {
		return
	}
	s.lastDrawn = time.Now()
	const width = 30
	done := width
	if s.total > 0 {
		done = width * s.sent / s.total
	}
	refused := 0
	for _, n := range s.refused {
		refused += n
	}
	fmt.Fprintf(s.progress, "\r[%s%s] %d/%d transactions · %d blocks · %d refused · %s",
		strings.Repeat("#", done), strings.Repeat("-", width-done), s.sent, s.total, s.blocks, refused,
		time.Since(s.started).Round(100*time.Millisecond))
	if final {
		fmt.Fprintln(s.progress)
	}
}

// summarize reads the final balances and every node's height.
func (s *simulation) summarize(ctx context.Context) (simulateSummary, error) {
	sum := simulateSummary{
		Transactions: s.sent,
		Refused:      s.refused,
		Blocks:       s.blocks,
		Seconds:      time.Since(s.started).Seconds(),
		Balances:     map[string]string{},
		Heights:      map[string]int64{},
	}
	for _, n := range s.nodes {
		st, err := n.Status(ctx)
		if err != nil {
			return sum, fmt.Errorf("status of %s: %w", n.URL(), err)
		}
		sum.Nodes = append(sum.Nodes, n.URL())
		sum.Heights[n.URL()] = st.Height
	}
	for _, w := range s.wallets {
		a, err := s.nodes[0].Address(ctx, w)
		if err != nil {
			return sum, fmt.Errorf("balance of %s: %w", w, err)
		}
		sum.Balances[w] = string(a.Balance)
	}
	return sum, nil
}

func printSummary(w io.Writer, s simulateSummary) {
	refused := 0
	for _, n := range s.Refused {
		refused += n
	}
	fmt.Fprintf(w, "sent %d transactions and mined %d blocks in %.1f s (%.0f transactions/s); %d refused\n",
		s.Transactions, s.Blocks, s.Seconds, float64(s.Transactions)/max(s.Seconds, 0.001), refused)
	reasons := make([]string, 0, len(s.Refused))
	for msg := range s.Refused {
		reasons = append(reasons, msg)
	}
	sort.Strings(reasons)
	for _, msg := range reasons {
		fmt.Fprintf(w, "  refused %d×: %s\n", s.Refused[msg], msg)
	}
	for _, n := range s.Nodes {
		fmt.Fprintf(w, "node %s at height %d\n", n, s.Heights[n])
	}
	names := make([]string, 0, len(s.Balances))
	for name := range s.Balances {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "balances:")
	for _, name := range names {
		fmt.Fprintf(w, "  %-12s %s pyBTC\n", name, s.Balances[name])
	}
}
