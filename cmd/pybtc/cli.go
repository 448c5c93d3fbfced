package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	// Named so as not to collide with the tests' package-level client.
	nodeclient "github.com/pybtc/pybtc/client"
)

// Exit codes of the client subcommands, for scripts (see "pybtc help").
const (
	exitOK          = 0
	exitRefused     = 1 // the node answered 4xx
	exitUsage       = 2 // bad flags or arguments
	exitUnreachable = 3 // no connection, a timeout, or a 5xx
)

// defaultNode is the node the client subcommands talk to without --node or
// PYBTC_NODE: the one "pybtc node" starts.
const defaultNode = "http://127.0.0.1:5000"

// cliOptions are the flags of the client subcommands; each command
// registers only those it takes.
type cliOptions struct {
	node    string
	json    bool
	timeout time.Duration

	since, limit int64
	from, to     string
	amount       string
	key          string
	count        int
}

// cliCommand is one client subcommand.
type cliCommand struct {
	name    string
	usage   string // the arguments after the name
	summary string
	help    string // what it does, after the usage line
	example string
	timeout time.Duration
	flags   func(fs *flag.FlagSet, o *cliOptions)
	// run does the work; args are the positional arguments.
	run func(ctx context.Context, r *cliRun, args []string) error
}

// cliCommands are the client subcommands, in the order "pybtc help" lists
// them.
var cliCommands = []*cliCommand{
	{
		name: "status", summary: "where the node's chain, mempool and peers stand",
		help:    "Prints the node's height, tip, pending transactions and peers (GET /api/status).",
		example: "pybtc status --node http://127.0.0.1:5001",
		run:     runStatus,
	},
	{
		name: "chain", usage: "[--since N] [--limit N]", summary: "list blocks, oldest first",
		help: "Lists the chain's blocks from height --since on, at most --limit of them\n" +
			"(GET /chain?since=N&limit=L): height, time, transactions, nonce and hash.",
		example: "pybtc chain --since 2 --limit 10",
		flags: func(fs *flag.FlagSet, o *cliOptions) {
			fs.Int64Var(&o.since, "since", 1, "first block's height")
			fs.Int64Var(&o.limit, "limit", 0, "most blocks to list; 0 means up to the tip")
		},
		run: runChain,
	},
	{
		name: "send", usage: "(--from A | --key FILE) --to B --amount X", summary: "post a transaction",
		help: "Posts a transaction to the node (POST /transactions/new) and prints its id and\n" +
			"the node's message. The amount is sent as the JSON number typed, so 0.10 stays\n" +
			"0.10; the node refuses a sender who cannot cover it (unless it runs with\n" +
			"--allow-overdraft), more than 8 decimals, or not more than 0.\n" +
			"With --key FILE (a key file of \"pybtc key new\") the sender is the file's key\n" +
			"address: the transaction carries its own timestamp and is signed with the key\n" +
			"before it is posted (rule K). A key address is never allowed to overdraw.",
		example: "pybtc send --from node_5000 --to alice --amount 0.05",
		flags: func(fs *flag.FlagSet, o *cliOptions) {
			fs.StringVar(&o.from, "from", "", "sending address (required unless --key)")
			fs.StringVar(&o.key, "key", "", "key file: send from its key address, signed")
			fs.StringVar(&o.to, "to", "", "receiving address (required)")
			fs.StringVar(&o.amount, "amount", "", "pyBTC to send, a decimal number such as 0.05 (required)")
		},
		run: runSend,
	},
	{
		name: "mine", usage: "[-n N] [--to ADDR]", summary: "mine blocks, one after another",
		help: "Asks the node to mine N blocks, one after another (GET /mine), and prints each\n" +
			"one's height and hash as it comes. The reward goes to --to, or to the node's\n" +
			"own address. With --json, prints a JSON array of the node's answers.",
		example: "pybtc mine -n 3 --to alice",
		timeout: 30 * time.Second,
		flags: func(fs *flag.FlagSet, o *cliOptions) {
			fs.IntVar(&o.count, "n", 1, "number of blocks to mine")
			fs.StringVar(&o.to, "to", "", "address paid the rewards (default: the node's)")
		},
		run: runMine,
	},
	{
		name: "balance", usage: "ADDR", summary: "an address's balance",
		help: "Prints an address's confirmed balance, what is pending in and out, and what is\n" +
			"left to spend (GET /api/address/ADDR). An address no transaction names is refused.",
		example: "pybtc balance alice",
		run:     runBalance,
	},
	{
		name: "tx", usage: "ID", summary: "a transaction, pending or confirmed",
		help: "Prints a transaction: pending, or its block and confirmations (GET /api/tx/ID).\n" +
			"ID may be the start of an id, 4 hex characters or more, when no other id starts so.",
		example: "pybtc tx 5f2f8a8d254caa765b49a5f409bd0bed19c712898a78db73ba954a4dcac200b6",
		run:     runTx,
	},
	{
		name: "block", usage: "HEIGHT|HASH", summary: "a block and its transactions",
		help: "Prints a block, by height or hash, and its first 50 transactions\n" +
			"(GET /api/blocks/ID).",
		example: "pybtc block 2",
		run:     runBlock,
	},
	{
		name: "peers", usage: "[add URL... | remove URL]", summary: "list the node's peers, register new ones or remove one",
		help: "Without arguments, lists the node's peers and their state (GET /api/peers).\n" +
			"\"peers add URL...\" registers peers with the node (POST /nodes/register); the\n" +
			"node keeps them even while they do not answer, and tells its other peers.\n" +
			"\"peers remove URL\" makes the node forget a peer at once (POST /nodes/remove).",
		example: "pybtc peers add http://127.0.0.1:5001",
		run:     runPeers,
	},
	{
		name: "tips", summary: "every chain tip: the active one and the forks",
		help: "Lists every chain tip the node knows, like Bitcoin's getchaintips (GET /api/tips):\n" +
			"the active tip, the tips of stale branches (valid-fork) and of refused blocks\n" +
			"(invalid), with the height where each branch leaves the main chain.",
		example: "pybtc tips --json",
		run:     runTips,
	},
	{
		name: "reorgs", usage: "[--limit N]", summary: "the latest reorganisations, newest first",
		help: "Lists the node's latest reorganisations (GET /api/reorgs?limit=N): when, the\n" +
			"fork height, the old and new tips, how many blocks were removed and added, the\n" +
			"peer whose branch won, and the transactions returned to the mempool or dropped.",
		example: "pybtc reorgs --limit 5",
		flags: func(fs *flag.FlagSet, o *cliOptions) {
			fs.Int64Var(&o.limit, "limit", 20, "most reorganisations to list, 1 to 100")
		},
		run: runReorgs,
	},
}

func findCLICommand(name string) *cliCommand {
	for _, c := range cliCommands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// cliRun is one run of a client subcommand: its options, the node's client
// and where to print.
type cliRun struct {
	opts   cliOptions
	node   *nodeclient.Client
	stdout io.Writer
}

// call bounds one request by --timeout: for mine -n N, each block gets the
// whole timeout.
func (r *cliRun) call(ctx context.Context, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.timeout)
	defer cancel()
	err := f(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s did not answer within %s: %w", r.node.URL(), r.opts.timeout, err)
	}
	return err
}

// printJSON prints a node's answer indented, numbers and strings exactly as
// the node wrote them.
func (r *cliRun) printJSON(raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return fmt.Errorf("indent answer: %w", err)
	}
	buf.WriteByte('\n')
	_, err := r.stdout.Write(buf.Bytes())
	return err
}

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// runClient runs a client subcommand and returns its exit code: 0 done, 1
// the node refused, 2 a usage error, 3 the node could not be reached, failed
// or did not answer in time.
func runClient(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	cmd := findCLICommand(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "pybtc: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	r := &cliRun{stdout: stdout}
	fs := cmd.flagSet(&r.opts)
	fs.SetOutput(stderr)
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		cmd.printHelp(stdout)
		return exitOK
	}
	if err != nil {
		// The flag package has printed what was wrong.
		fmt.Fprintf(stderr, "Run 'pybtc %s --help' for usage.\n", name)
		return exitUsage
	}
	if r.opts.timeout <= 0 {
		fmt.Fprintf(stderr, "pybtc %s: --timeout must be more than 0\n", name)
		return exitUsage
	}
	if r.node, err = nodeclient.New(r.opts.node, nil); err != nil {
		fmt.Fprintf(stderr, "pybtc %s: --node: %v\n", name, err)
		return exitUsage
	}

	err = cmd.run(ctx, r, positional)
	var ue *usageError
	var ne *nodeclient.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "pybtc %s: %s\nRun 'pybtc %s --help' for usage.\n", name, ue.msg, name)
		return exitUsage
	case errors.As(err, &ne) && ne.Refused():
		// Scripts may match on the node's words, so they go out unadorned.
		fmt.Fprintln(stderr, ne.Message)
		return exitRefused
	case errors.Is(err, syscall.ECONNREFUSED):
		// The usual cause is a node not started yet, or stopped: a dial
		// error does not say so to a newcomer.
		fmt.Fprintf(stderr, "pybtc %s: no node answers at %s; start one with 'pybtc node' (or name another with --node URL or PYBTC_NODE).\n", name, r.node.URL())
		return exitUnreachable
	}
	fmt.Fprintf(stderr, "pybtc %s: %v\n", name, err)
	return exitUnreachable
}

// flagSet returns the command's flags, the common ones last.
func (c *cliCommand) flagSet(o *cliOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("pybtc "+c.name, flag.ContinueOnError)
	// Help goes to stdout, on request only; the flag package's own call
	// after a bad flag would repeat it on stderr.
	fs.Usage = func() {}
	if c.flags != nil {
		c.flags(fs, o)
	}
	timeout := c.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	fs.StringVar(&o.node, "node", env("PYBTC_NODE", defaultNode), "the node's URL (env PYBTC_NODE)")
	fs.BoolVar(&o.json, "json", false, "print the node's JSON answer, indented")
	fs.DurationVar(&o.timeout, "timeout", timeout, "how long to wait for each answer")
	return fs
}

// printHelp prints the command's usage line, description, flags with their
// defaults, and an example.
func (c *cliCommand) printHelp(w io.Writer) {
	line := "pybtc " + c.name + " [flags]"
	if c.usage != "" {
		line += " " + c.usage
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", line, c.help)
	fs := c.flagSet(&cliOptions{})
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nExample:\n  %s\n\nExit codes: 0 success, 1 the node refused (its message on stderr),\n2 usage error, 3 node unreachable, failed (5xx) or timed out.\n", c.example)
}

// parseInterleaved parses flags wherever they stand among the arguments,
// so "pybtc balance alice --json" works as "pybtc balance --json alice"
// does; after "--" everything is an argument.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func wantArgs(args []string, n int, what string) error {
	switch {
	case len(args) < n:
		return usagef("missing %s", what)
	case len(args) > n:
		return usagef("unexpected argument %q", args[n])
	}
	return nil
}

func runStatus(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	var s *nodeclient.Status
	err := r.call(ctx, func(ctx context.Context) (err error) {
		s, err = r.node.Status(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(s.Raw)
	}
	pending := strconv.FormatInt(s.Pending, 10)
	if s.MempoolLimit > 0 {
		pending += fmt.Sprintf(" (at most %d)", s.MempoolLimit)
	}
	peers := strconv.Itoa(s.Peers)
	if len(s.PeersByState) > 0 {
		var states []string
		for _, st := range slices.Sorted(maps.Keys(s.PeersByState)) {
			states = append(states, fmt.Sprintf("%d %s", s.PeersByState[st], st))
		}
		peers += " (" + strings.Join(states, ", ") + ")"
	}
	return printFields(r.stdout,
		"node", r.node.URL(),
		"height", strconv.FormatInt(s.Height, 10),
		"tip", s.TipHash,
		"tip time", formatTime(s.TipTimestamp),
		"tip age", formatAge(s.TipAgeSeconds),
		"pending", pending,
		"peers", peers,
	)
}

func runChain(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	if r.opts.since < 1 {
		return usagef("--since must be a height of 1 or more")
	}
	if r.opts.limit < 0 {
		return usagef("--limit must be 0 (no limit) or more")
	}
	var ch *nodeclient.Chain
	err := r.call(ctx, func(ctx context.Context) (err error) {
		ch, err = r.node.Chain(ctx, r.opts.since, r.opts.limit)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(ch.Raw)
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HEIGHT\tTIME (UTC)\tTIMESTAMP\tTXS\tNONCE\tHASH")
	for _, b := range ch.Blocks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\n", b.Index, utc(b.Timestamp), rawTime(b.Timestamp), len(b.Transactions), b.Nonce, b.Hash)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(ch.Blocks) == 0 {
		_, err = fmt.Fprintf(r.stdout, "no blocks from height %d; the chain has %d\n", r.opts.since, ch.Length)
		return err
	}
	_, err = fmt.Fprintf(r.stdout, "%d blocks (%d to %d) of %d\n", len(ch.Blocks), ch.Blocks[0].Index, ch.Blocks[len(ch.Blocks)-1].Index, ch.Length)
	return err
}

func runSend(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	switch {
	case r.opts.from != "" && r.opts.key != "":
		return usagef("give --from or --key, not both: a key file's address is the sender")
	case r.opts.from == "" && r.opts.key == "":
		return usagef("--from is required (or --key FILE to send signed from a key address)")
	case r.opts.to == "":
		return usagef("--to is required")
	case r.opts.amount == "":
		return usagef("--amount is required")
	}
	amount, err := nodeclient.ParseAmount(r.opts.amount)
	if err != nil {
		return usagef("--amount: %v", err)
	}
	send := func(ctx context.Context) (*nodeclient.Sent, error) {
		return r.node.Send(ctx, r.opts.from, r.opts.to, amount)
	}
	if r.opts.key != "" {
		priv, _, err := readKeyFile(r.opts.key)
		if err != nil {
			return usagef("--key: %v", err)
		}
		tx, err := signedPayment(priv, r.opts.to, amount, time.Now())
		if err != nil {
			return err
		}
		send = func(ctx context.Context) (*nodeclient.Sent, error) { return r.node.SendTransaction(ctx, tx) }
	}
	var s *nodeclient.Sent
	err = r.call(ctx, func(ctx context.Context) (err error) {
		s, err = send(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(s.Raw)
	}
	return printFields(r.stdout, "transaction", s.TransactionID, "message", s.Message)
}

func runMine(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	if r.opts.count < 1 {
		return usagef("-n must be 1 or more")
	}
	var answers [][]byte
	var err error
	for range r.opts.count {
		var m *nodeclient.Mined
		err = r.call(ctx, func(ctx context.Context) (err error) {
			m, err = r.node.Mine(ctx, r.opts.to)
			return err
		})
		if err != nil {
			break
		}
		if r.opts.json {
			answers = append(answers, m.Raw)
			continue
		}
		if _, err = fmt.Fprintf(r.stdout, "mined block %d  %s  %s\n", m.Index, m.Hash, plural(len(m.Transactions), "transaction")); err != nil {
			return err
		}
	}
	if r.opts.json && (err == nil || len(answers) > 0) {
		// What was mined is printed even when a later block failed: those
		// blocks are in the chain all the same.
		if perr := r.printJSON(append(append([]byte("["), bytes.Join(answers, []byte(","))...), ']')); perr != nil {
			return perr
		}
	}
	return err
}

func runBalance(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 1, "the address: pybtc balance ADDR"); err != nil {
		return err
	}
	var a *nodeclient.Address
	err := r.call(ctx, func(ctx context.Context) (err error) {
		a, err = r.node.Address(ctx, args[0])
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(a.Raw)
	}
	return printFields(r.stdout,
		"address", a.Address,
		"balance", pyBTC(a.Balance),
		"received", pyBTC(a.Received),
		"sent", pyBTC(a.Sent),
		"pending in", pyBTC(a.PendingReceived),
		"pending out", pyBTC(a.PendingSent),
		"spendable", pyBTC(a.Spendable),
		"transactions", fmt.Sprintf("%d confirmed, %d pending", a.Confirmed, a.Pending),
	)
}

func runTx(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 1, "the transaction id: pybtc tx ID"); err != nil {
		return err
	}
	var t *nodeclient.TxInfo
	err := r.call(ctx, func(ctx context.Context) (err error) {
		t, err = r.node.Transaction(ctx, args[0])
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(t.Raw)
	}
	status := t.Status
	if t.Status == "confirmed" {
		status = fmt.Sprintf("confirmed in block %d (%s)", t.Block, plural(int(t.Confirmations), "confirmation"))
	}
	fields := []string{
		"id", t.ID,
		"status", status,
		"sender", t.Sender,
		"recipient", t.Recipient,
		"amount", pyBTC(t.Amount),
		"time", formatTime(t.Timestamp),
	}
	if len(t.Records) > 1 {
		// The same id can sit in more than one block (a tutorial chain allows
		// it), or in a block and the mempool.
		var where []string
		for _, rec := range t.Records {
			if rec.Status == "pending" {
				where = append(where, "mempool")
			} else {
				where = append(where, "block "+strconv.FormatInt(rec.Block, 10))
			}
		}
		fields = append(fields, "kept in", strings.Join(where, ", "))
	}
	return printFields(r.stdout, fields...)
}

func runBlock(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 1, "the block's height or hash: pybtc block HEIGHT|HASH"); err != nil {
		return err
	}
	var b *nodeclient.BlockInfo
	err := r.call(ctx, func(ctx context.Context) (err error) {
		b, err = r.node.Block(ctx, args[0])
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(b.Raw)
	}
	err = printFields(r.stdout,
		"height", strconv.FormatInt(b.Height, 10),
		"hash", b.Hash,
		"previous hash", b.PreviousHash,
		"nonce", strconv.FormatInt(b.Nonce, 10),
		"time", formatTime(b.Timestamp),
		"status", b.Status,
		"confirmations", strconv.FormatInt(b.Confirmations, 10),
		"transactions", strconv.Itoa(b.TxCount),
	)
	if err == nil && b.ReplacedBy != "" {
		err = printFields(r.stdout, "replaced by", b.ReplacedBy)
	}
	if err != nil || len(b.TxList) == 0 {
		return err
	}
	fmt.Fprintln(r.stdout)
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tID\tSENDER\tRECIPIENT\tAMOUNT (pyBTC)")
	for _, t := range b.TxList {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.Position, t.ID, t.Sender, t.Recipient, t.Amount)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if b.Pages > 1 {
		_, err = fmt.Fprintf(r.stdout, "the first %d of %d transactions; all of them: %s/scan/block/%d\n", len(b.TxList), b.TxCount, r.node.URL(), b.Height)
	}
	return err
}

func runPeers(ctx context.Context, r *cliRun, args []string) error {
	if len(args) > 0 {
		switch {
		case args[0] == "remove" && len(args) == 1:
			return usagef("missing the URL: pybtc peers remove URL")
		case args[0] == "remove" && len(args) > 2:
			return usagef("unexpected argument %q; pybtc peers remove takes one URL", args[2])
		case args[0] == "remove":
			return removePeer(ctx, r, args[1])
		case args[0] != "add":
			return usagef("unexpected argument %q; did you mean: pybtc peers add URL, or pybtc peers remove URL", args[0])
		case len(args) == 1:
			return usagef("missing the URL: pybtc peers add URL")
		}
		return addPeers(ctx, r, args[1:])
	}
	var p *nodeclient.Peers
	err := r.call(ctx, func(ctx context.Context) (err error) {
		p, err = r.node.Peers(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(p.Raw)
	}
	if len(p.Peers) == 0 {
		_, err := fmt.Fprintln(r.stdout, "no peers")
		return err
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tSTATE\tFAILURES\tLAST SUCCESS (UTC)\tLAST ERROR")
	for _, pe := range p.Peers {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", pe.URL, pe.State, pe.Failures, utc(pe.LastSuccess), oneLine(pe.LastError))
	}
	return tw.Flush()
}

func runTips(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	var t *nodeclient.Tips
	err := r.call(ctx, func(ctx context.Context) (err error) {
		t, err = r.node.Tips(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(t.Raw)
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HEIGHT\tSTATUS\tFORK HEIGHT\tBRANCH LENGTH\tHASH")
	for _, tip := range t.Tips {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", tip.Height, tip.Status, tip.ForkHeight, tip.BranchLength, tip.Hash)
	}
	return tw.Flush()
}

func runReorgs(ctx context.Context, r *cliRun, args []string) error {
	if err := wantArgs(args, 0, ""); err != nil {
		return err
	}
	if r.opts.limit < 1 || r.opts.limit > 100 {
		return usagef("--limit must be from 1 to 100, not %d", r.opts.limit)
	}
	var list *nodeclient.Reorgs
	err := r.call(ctx, func(ctx context.Context) (err error) {
		list, err = r.node.Reorgs(ctx, int(r.opts.limit))
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(list.Raw)
	}
	if len(list.Reorgs) == 0 {
		_, err := fmt.Fprintln(r.stdout, "no reorganisations")
		return err
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME (UTC)\tFORK\tOLD TIP\tNEW TIP\tREMOVED\tADDED\tRETURNED\tDROPPED\tPEER")
	for _, g := range list.Reorgs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d %.12s\t%d %.12s\t%d\t%d\t%d\t%d\t%s\n", g.ID, utc(g.Time), g.ForkHeight,
			g.OldHeight, g.OldTip, g.NewHeight, g.NewTip, len(g.Removed), len(g.Added), len(g.Returned), len(g.Dropped), g.Peer)
	}
	return tw.Flush()
}

func addPeers(ctx context.Context, r *cliRun, urls []string) error {
	return changePeers(ctx, r, func(ctx context.Context) (*nodeclient.Registered, error) {
		return r.node.RegisterPeers(ctx, urls...)
	})
}

func removePeer(ctx context.Context, r *cliRun, url string) error {
	return changePeers(ctx, r, func(ctx context.Context) (*nodeclient.Registered, error) {
		return r.node.RemovePeer(ctx, url)
	})
}

// changePeers makes one change to the node's peers and prints its answer.
func changePeers(ctx context.Context, r *cliRun, change func(context.Context) (*nodeclient.Registered, error)) error {
	var reg *nodeclient.Registered
	err := r.call(ctx, func(ctx context.Context) (err error) {
		reg, err = change(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if r.opts.json {
		return r.printJSON(reg.Raw)
	}
	return printFields(r.stdout, "message", reg.Message, "peers", strings.Join(reg.TotalNodes, ", "))
}

// printFields prints key: value lines with the values aligned.
func printFields(w io.Writer, kv ...string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
	}
	return tw.Flush()
}

// pyBTC prints an amount as the node wrote it: an exact decimal.
func pyBTC(n json.Number) string { return string(n) + " pyBTC" }

// formatTime prints a protocol time readably, in UTC, and as sent.
func formatTime(ts float64) string {
	if ts == 0 {
		return "-"
	}
	return utc(ts) + " UTC (" + rawTime(ts) + ")"
}

func utc(ts float64) string {
	if ts == 0 {
		return "-"
	}
	sec, frac := math.Modf(ts)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Format("2006-01-02 15:04:05")
}

// rawTime prints ts as the shortest decimal that reads back the same, as
// the node's JSON writes it.
func rawTime(ts float64) string { return strconv.FormatFloat(ts, 'f', -1, 64) }

func formatAge(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	if d < 0 {
		// A tip stamped ahead of the node's clock.
		return "in the future by " + (-d).Round(time.Second).String()
	}
	if d >= 48*time.Hour {
		// Hours in the thousands read badly; a fresh node's tip is the
		// genesis block, stamped in 2024.
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.Round(time.Second).String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// oneLine keeps a peer's error on its table row.
func oneLine(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Join(strings.Fields(s), " ")
}
