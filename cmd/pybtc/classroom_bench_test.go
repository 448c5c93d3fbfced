package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A classroom is a network of nodes joined as students join their
// teacher's: every node after the first registers with the first, node 0.
// The benchmarks start one, in one process as "pybtc devnet" does and as
// separate "pybtc node" processes, and report what the network costs:
//
//   - teacher-registrations: POST /nodes/register answered by node 0
//     while the class joins;
//   - registrations/node: the same, answered by all the nodes, per node;
//   - peers/node and peers-max: how many peers a node ends with;
//   - idle-req/s/node: requests a node serves a second when no block is
//     mined (the periodic sync), and teacher-idle-req/s at node 0;
//   - req/node/block and req/node/block-max: requests a node serves for
//     each block, network traffic only (the benchmark's own calls,
//     /mine, /metrics, /api/status and /nodes, are left out);
//   - prop-p50-ms, prop-p99-ms and prop-max-ms: how long after its
//     arrival at its miner a block arrives at each other node, from the
//     arrivals table of each node's database; hop-p50-ms and hop-p99-ms,
//     the time from a node to the next on a block's path, and hops-mean
//     and hops-max, how many hops a block took to a node;
//   - in one process, heap-MB/node (heap in use after a collection, per
//     node) and rss-MB/node (the process's resident memory per node);
//     as processes, the median and the largest of each process's resident
//     (rss), anonymous (anon) and proportional (pss) memory.
//
// Run them with
//
//	go test -run '^$' -bench Classroom -benchtime 1x -timeout 30m ./cmd/pybtc/

// classNode is one node of a classroom as the benchmark sees it.
type classNode struct {
	url string
	db  string // its database file
}

// classBlocks is how many blocks a classroom benchmark mines, one at a
// time, each at another node.
const classBlocks = 20

func BenchmarkClassroom(b *testing.B) {
	for _, n := range []int{30, 100} {
		b.Run(fmt.Sprintf("devnet/nodes=%d", n), func(b *testing.B) {
			for range b.N {
				benchDevnetClassroom(b, n)
			}
		})
	}
	b.Run("processes/nodes=100", func(b *testing.B) {
		for range b.N {
			benchProcessClassroom(b, 100)
		}
	})
}

func benchDevnetClassroom(b *testing.B, count int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := b.TempDir()
	mains, err := startDevnet(ctx, count, 0, dir, []string{"--log-level", "error"}, io.Discard)
	defer func() {
		for _, m := range mains {
			m.Close()
		}
	}()
	if err != nil {
		b.Fatal(err)
	}
	nodes := make([]classNode, len(mains))
	for i, m := range mains {
		nodes[i] = classNode{url: m.HTTP.URL(), db: m.Config.DB}
	}
	runClassroom(b, nodes, func() {
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		report(b, float64(ms.HeapInuse)/float64(count)/(1<<20), "heap-MB/node")
		report(b, float64(rssOf(b, os.Getpid()))/float64(count)/(1<<20), "rss-MB/node")
	})
}

func benchProcessClassroom(b *testing.B, count int) {
	// PYBTC_BENCH_BIN runs another build, e.g. an older one to compare.
	bin := os.Getenv("PYBTC_BENCH_BIN")
	if bin == "" {
		bin = MustBuild(b)
	}
	dir := b.TempDir()
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	var nodes []classNode
	for i := range count {
		db := filepath.Join(dir, fmt.Sprintf("node-%d.db", i+1))
		args := []string{"node", "--listen", "127.0.0.1:0", "--db", db, "--log-level", "error"}
		if i > 0 {
			args = append(args, "--peer", nodes[0].url)
		}
		cmd := exec.Command(bin, args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatalf("start node %d: %v", i, err)
		}
		procs = append(procs, cmd)
		url, err := apiURL(out)
		if err != nil {
			b.Fatalf("node %d: %v", i, err)
		}
		nodes = append(nodes, classNode{url: url, db: db})
	}
	runClassroom(b, nodes, func() {
		// Resident memory counts the program's code, which the
		// processes share (the file's pages, about 16 MB of them);
		// anonymous memory is each one's own, and the proportional
		// size shares the shared pages out among the processes.
		for _, m := range []struct{ file, field, unit string }{
			{"status", "VmRSS:", "rss-MB/node"},
			{"status", "RssAnon:", "anon-MB/node"},
			{"smaps_rollup", "Pss:", "pss-MB/node"},
		} {
			sizes := make([]float64, len(procs))
			for i, p := range procs {
				sizes[i] = float64(procSize(b, p.Process.Pid, m.file, m.field)) / (1 << 20)
			}
			slices.Sort(sizes)
			report(b, sizes[len(sizes)/2], m.unit+"-median")
			report(b, sizes[len(sizes)-1], m.unit+"-max")
		}
	})
}

// apiURL reads a starting node's standard output until it prints its API
// URL, and drains the rest.
func apiURL(out io.Reader) (string, error) {
	select {
	case u := <-apiURLs(out):
		return u, nil
	case <-time.After(60 * time.Second):
		return "", fmt.Errorf("no API URL within 60s")
	}
}

// runClassroom measures a class that is joining: it waits until the
// registrations end, lets the class idle, measures its memory with
// idleMemory, then mines classBlocks blocks, each at another node and
// each once the one before reached every node.
func runClassroom(b *testing.B, nodes []classNode, idleMemory func()) {
	b.Helper()
	count := len(nodes)
	// The join: over once no node has answered a registration for 3s.
	joinDeadline := time.Now().Add(5 * time.Minute)
	last, stableSince := -1.0, time.Now()
	for {
		total := 0.0
		for _, n := range nodes {
			total += requests(b, n.url)["POST /nodes/register"]
		}
		if total != last {
			last, stableSince = total, time.Now()
		} else if time.Since(stableSince) >= 3*time.Second {
			break
		}
		if time.Now().After(joinDeadline) {
			b.Fatalf("registrations still going on after 5 minutes: %v so far", total)
		}
		time.Sleep(500 * time.Millisecond)
	}
	report(b, requests(b, nodes[0].url)["POST /nodes/register"], "teacher-registrations")
	report(b, last/float64(count), "registrations/node")

	// Idle: what the periodic sync costs.
	const idle = 15 * time.Second
	before := make([]float64, count)
	for i, n := range nodes {
		before[i] = networkRequests(requests(b, n.url))
	}
	time.Sleep(idle)
	var idleTotal float64
	for i, n := range nodes {
		d := networkRequests(requests(b, n.url)) - before[i]
		idleTotal += d
		if i == 0 {
			report(b, d/idle.Seconds(), "teacher-idle-req/s")
		}
	}
	report(b, idleTotal/float64(count)/idle.Seconds(), "idle-req/s/node")
	idleMemory()

	peers := make([]float64, count)
	for i, n := range nodes {
		peers[i] = float64(statusOf(b, n.url).Peers)
	}
	report(b, mean(peers), "peers/node")
	report(b, slices.Max(peers), "peers-max")

	for i, n := range nodes {
		before[i] = networkRequests(requests(b, n.url))
	}
	var hashes []string
	miners := make([]int, 0, classBlocks)
	for k := range classBlocks {
		miner := (k*37 + 1) % count
		var mined struct {
			Index int64 `json:"index"`
		}
		if err := json.Unmarshal(MustGet(b, nodes[miner].url+"/mine"), &mined); err != nil {
			b.Fatal(err)
		}
		hash := statusOf(b, nodes[miner].url).TipHash
		deadline := time.Now().Add(60 * time.Second)
		for _, n := range nodes {
			for statusOf(b, n.url).TipHash != hash {
				if time.Now().After(deadline) {
					b.Fatalf("block %d (%s), mined at node %d, has not reached %s within 60s", mined.Index, hash, miner, n.url)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		hashes = append(hashes, hash)
		miners = append(miners, miner)
	}
	perBlock := make([]float64, count)
	for i, n := range nodes {
		perBlock[i] = (networkRequests(requests(b, n.url)) - before[i]) / classBlocks
	}
	report(b, mean(perBlock), "req/node/block")
	report(b, slices.Max(perBlock), "req/node/block-max")

	// Propagation, from each node's arrivals.
	arrivals := make([]map[string]arrival, count)
	for i, n := range nodes {
		arrivals[i] = readArrivals(b, n.db, hashes)
	}
	var delays []float64
	for k, h := range hashes {
		at := arrivals[miners[k]][h]
		if at.source != "self" {
			b.Fatalf("block %s: source %q at its miner, want self", h, at.source)
		}
		for i := range nodes {
			if i == miners[k] {
				continue
			}
			delays = append(delays, (arrivals[i][h].at-at.at)*1000)
		}
	}
	slices.Sort(delays)
	report(b, delays[len(delays)/2], "prop-p50-ms")
	report(b, delays[len(delays)*99/100], "prop-p99-ms")
	report(b, delays[len(delays)-1], "prop-max-ms")

	// Where the time goes: a block's path to each node is a chain of
	// hops, each from the node it came from (its arrival's source).
	byURL := map[string]int{}
	for i, n := range nodes {
		byURL[n.url] = i
	}
	var hopDelays, hopCounts []float64
	for _, h := range hashes {
		for i := range nodes {
			at := arrivals[i][h]
			if at.source == "self" {
				continue
			}
			from, ok := byURL[at.source]
			if !ok {
				continue
			}
			hopDelays = append(hopDelays, (at.at-arrivals[from][h].at)*1000)
			hops := 1
			for j := from; arrivals[j][h].source != "self" && hops <= count; hops++ {
				if j, ok = byURL[arrivals[j][h].source]; !ok {
					break
				}
			}
			hopCounts = append(hopCounts, float64(hops))
		}
	}
	if len(hopDelays) > 0 {
		slices.Sort(hopDelays)
		slices.Sort(hopCounts)
		report(b, hopDelays[len(hopDelays)/2], "hop-p50-ms")
		report(b, hopDelays[len(hopDelays)*99/100], "hop-p99-ms")
		report(b, mean(hopCounts), "hops-mean")
		report(b, hopCounts[len(hopCounts)-1], "hops-max")
	}
}

type arrival struct {
	at     float64
	source string
}

// readArrivals reads when each of hashes arrived at the node with the
// database file db, and from whom.
func readArrivals(tb testing.TB, db string, hashes []string) map[string]arrival {
	tb.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	got := map[string]arrival{}
	for _, h := range hashes {
		var a arrival
		if err := conn.QueryRow(`SELECT arrived_at, source FROM arrivals WHERE hash = ?`, h).Scan(&a.at, &a.source); err != nil {
			tb.Fatalf("arrival of %s at %s: %v", h, db, err)
		}
		got[h] = a
	}
	return got
}

var metricLine = regexp.MustCompile(`^pybtc_http_requests_total\{code="\d+",method="(\w+)",route="([^"]*)"\} (\S+)$`)

// requests returns the requests the node at url has answered, by method
// and route ("POST /nodes/register").
func requests(tb testing.TB, url string) map[string]float64 {
	tb.Helper()
	// Plain text, which the scanner below reads as it comes.
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	counts := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if m := metricLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[3], 64)
			counts[m[1]+" "+m[2]] += v
		}
	}
	return counts
}

// networkRequests sums the requests that nodes make to each other,
// leaving out the benchmark's own.
func networkRequests(counts map[string]float64) float64 {
	total := 0.0
	for k, v := range counts {
		switch k {
		case "GET /metrics", "GET /api/status", "GET /mine", "GET /nodes":
		default:
			total += v
		}
	}
	return total
}

type classStatus struct {
	TipHash string `json:"tip_hash"`
	Peers   int    `json:"peers"`
}

func statusOf(tb testing.TB, url string) classStatus {
	tb.Helper()
	var s classStatus
	if err := json.Unmarshal(MustGet(tb, url+"/api/status"), &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// rssOf returns the resident memory of process pid, in bytes.
func rssOf(tb testing.TB, pid int) int64 {
	return procSize(tb, pid, "status", "VmRSS:")
}

// procSize returns the size in field (such as "VmRSS:") of the file (such
// as "status") under /proc/pid, in bytes.
func procSize(tb testing.TB, pid int, file, field string) int64 {
	tb.Helper()
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.Lines(string(text)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatalf("no %s in /proc/%d/%s", field, pid, file)
	return 0
}

// report reports a metric, and logs it too, so that a run that fails
// later still shows what it measured.
func report(b *testing.B, v float64, unit string) {
	b.Helper()
	b.Logf("%s %.4g", unit, v)
	b.ReportMetric(v, unit)
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
