package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"
)

// runDevnet runs "pybtc devnet": several nodes in one process, on
// consecutive ports of 127.0.0.1, registered with each other, until
// interrupted. Each keeps its own database, so the network survives a
// restart.
func runDevnet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pybtc devnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	count := fs.Int("nodes", 3, "number of nodes")
	basePort := fs.Int("base-port", 5000, "port of the first node; the others follow (0: free ports)")
	watch := fs.String("watch", "", "address of the page that shows every node side by side (default 127.0.0.1 and the port after the nodes')")
	dir := fs.String("dir", filepath.Join("data", "devnet"), "folder for the nodes' databases")
	automine := fs.Bool("automine", false, "let every node mine on its own")
	interval := fs.Duration("block-interval", 10*time.Second, "average time between a node's blocks with --automine")
	dev := fs.Bool("dev", false, "start every node with --dev: the wallet's \"mine a block\" button, and /lab runs experiments")
	secure := fs.Bool("secure", false, "run a secure network: rule W from block 2 (every node gets --secure-from 2)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pybtc devnet [flags]\n\nRuns a local network of pyBTC nodes registered with each other.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *count < 1 || *basePort < 0 || *basePort+*count > 65535 {
		fmt.Fprintln(stderr, "pybtc devnet: --nodes and --base-port must give ports between 1 and 65535")
		return 2
	}
	if *watch == "" {
		*watch = "127.0.0.1:0"
		if *basePort > 0 {
			*watch = fmt.Sprintf("127.0.0.1:%d", *basePort+*count)
		}
	}

	var extra []string
	if *automine {
		extra = append(extra, "--automine", "--block-interval", interval.String())
	}
	if *secure {
		extra = append(extra, "--secure-from", "2")
	}
	if *dev {
		extra = append(extra, "--dev")
	}
	mains, err := startDevnet(ctx, *count, *basePort, *dir, extra, stderr)
	defer func() {
		for _, m := range mains {
			m.Close()
		}
	}()
	if err != nil {
		fmt.Fprintln(stderr, "pybtc devnet:", err)
		return 1
	}
	page, err := serveDevnetPage(*watch, mains)
	if err != nil {
		fmt.Fprintln(stderr, "pybtc devnet:", err)
		return 1
	}
	defer page.Close()

	fmt.Fprintf(stdout, "pyBTC devnet: %d nodes registered with each other\n", *count)
	for _, m := range mains {
		base := m.HTTP.URL()
		fmt.Fprintf(stdout, "  %s   chain %s/chain   peers %s/nodes\n", base, base, base)
	}
	fmt.Fprintf(stdout, "Watch them:  http://%s/\n", page.Addr)
	fmt.Fprintf(stdout, "Mine with:  curl %s/mine\nStop with Ctrl-C.\n", mains[0].HTTP.URL())
	<-ctx.Done()
	return 0
}

// serveDevnetPage serves the watch page of mains on addr until Close.
func serveDevnetPage(addr string, mains []*Main) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("watch page: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Addr:              ln.Addr().String(),
		Handler:           devnetHandler(mains),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, nil
}

// startDevnet starts count nodes on consecutive ports of 127.0.0.1 from
// basePort (0: free ports), each with its database in dir and the flags
// extra, and every node after the first registered with the first, as
// students join their teacher's node. It returns the nodes it started,
// also when one failed to start (the caller closes them).
func startDevnet(ctx context.Context, count, basePort int, dir string, extra []string, stderr io.Writer) ([]*Main, error) {
	var mains []*Main
	for i := range count {
		port := basePort + i
		m := NewMain(io.Discard, stderr)
		db := fmt.Sprintf("node-%d.db", port)
		if basePort == 0 {
			port, db = 0, fmt.Sprintf("node-%d.db", i+1) // the ports change from run to run; the files must not
		}
		args := []string{
			"--listen", fmt.Sprintf("127.0.0.1:%d", port),
			"--db", filepath.Join(dir, db),
		}
		args = append(args, extra...)
		if i > 0 {
			args = append(args, "--peer", mains[0].HTTP.URL())
		}
		if err := m.ParseFlags(args); err != nil {
			return mains, err
		}
		mains = append(mains, m)
		if err := m.Run(ctx); err != nil {
			return mains, fmt.Errorf("node %d: %w", port, err)
		}
	}
	return mains, nil
}
