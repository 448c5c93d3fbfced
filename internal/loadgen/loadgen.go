// Package loadgen posts JSON bodies to a node from many keep-alive
// connections, as a load generator such as wrk does: one goroutine per
// connection writes a request and reads its answer, with nothing between
// them. Benchmarks run the generator and the node on the same cores, so the
// generator must cost little next to the node, or the figure measures the
// client; Go's http.Client spends two extra goroutines and a channel handoff
// each way per request.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Result counts the answers of a run.
type Result struct {
	// Status counts answers by HTTP status code.
	Status map[int]int64
	// Slowest is the longest time from writing a request to reading the
	// end of its answer.
	Slowest time.Duration
	// Latencies holds that time for every request answered, in no order.
	Latencies []time.Duration
}

// Percentile returns the latency that a share q (0 < q ≤ 1) of the
// answered requests did not exceed, or 0 when none was answered.
func (r Result) Percentile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Post sends n POST requests to target (an http:// URL) from clients
// connections at once, each waiting for its answer before sending its next
// request. body(i) is the JSON body of request i, 0 ≤ i < n. A connection
// the server closes after an answer ("Connection: close") is dialled again;
// any failure ends the run with an error.
func Post(ctx context.Context, target string, clients, n int, body func(i int) []byte) (Result, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return Result{}, fmt.Errorf("loadgen: target %q: want an http:// URL", target)
	}
	path := u.RequestURI()
	var next atomic.Int64
	var mu sync.Mutex
	res := Result{Status: map[int]int64{}}
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			c := &conn{host: u.Host, path: path}
			defer c.close()
			status := map[int]int64{}
			var slowest time.Duration
			var latencies []time.Duration
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				for code, k := range status {
					res.Status[code] += k
				}
				res.Slowest = max(res.Slowest, slowest)
				res.Latencies = append(res.Latencies, latencies...)
			}()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				start := time.Now()
				code, err := c.post(ctx, body(int(i)))
				if err != nil {
					errs <- fmt.Errorf("loadgen: request %d: %w", i, err)
					return
				}
				took := time.Since(start)
				slowest = max(slowest, took)
				latencies = append(latencies, took)
				status[code]++
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(ctx.Err(), <-errs); err != nil {
		return res, err
	}
	return res, nil
}

// conn is one keep-alive connection.
type conn struct {
	host, path string
	nc         net.Conn
	r          *bufio.Reader
	w          *bufio.Writer
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// post writes one request and reads its answer, dialling first if needed.
// A request is never sent twice: the node would store a second
// transaction, and the count would be wrong.
func (c *conn) post(ctx context.Context, body []byte) (int, error) {
	if c.nc == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", c.host)
		if err != nil {
			return 0, err
		}
		c.nc, c.r, c.w = nc, bufio.NewReader(nc), bufio.NewWriter(nc)
	}
	code, keep, err := c.roundTrip(body)
	if err != nil || !keep {
		c.close()
	}
	return code, err
}

func (c *conn) roundTrip(body []byte) (code int, keepAlive bool, err error) {
	fmt.Fprintf(c.w, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", c.path, c.host, len(body))
	c.w.Write(body)
	if err := c.w.Flush(); err != nil {
		return 0, false, fmt.Errorf("write request: %w", err)
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, false, fmt.Errorf("read status line: %w", err)
	}
	// "HTTP/1.1 201 Created\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	if code, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	length, keepAlive := -1, line[7] == '1'
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, false, fmt.Errorf("read header: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			keepAlive = !bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, false, fmt.Errorf("answer with Transfer-Encoding %q: only Content-Length is read", value)
		}
	}
	if length < 0 {
		return 0, false, errors.New("answer without Content-Length")
	}
	if _, err := c.r.Discard(length); err != nil {
		return 0, false, fmt.Errorf("read body: %w", err)
	}
	return code, keepAlive, nil
}
