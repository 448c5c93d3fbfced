package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/internal/promtext"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/refusal"
)

// metrics are the node's Prometheus metrics, on a registry of this
// server's own (two nodes in one process, as in tests and devnet, must not
// share counters). Figures the node or the database already know are read
// when Prometheus scrapes; only events the API sees are counted here.
type metrics struct {
	registry  *promtext.Registry
	requests  *promtext.CounterVec
	durations *promtext.HistogramVec
	accepted  *promtext.CounterVec
	refused   *promtext.CounterVec
}

// scrapeTimeout bounds the database reads of one scrape.
const scrapeTimeout = 2 * time.Second

func (s *Server) newMetrics() *metrics {
	r := promtext.NewRegistry()
	m := &metrics{
		registry: r,
		requests: r.Counter("pybtc_http_requests_total",
			"HTTP requests answered, by route, method and status code.",
			"route", "method", "code"),
		durations: r.Histogram("pybtc_http_request_duration_seconds",
			"Time to answer HTTP requests, by route and method (event streams left out).",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
			"route", "method"),
		accepted: r.Counter("pybtc_transactions_accepted_total",
			"New transactions accepted, by where they came from (api, wallet) and whether they were already known.",
			"source", "known"),
		refused: r.Counter("pybtc_transactions_refused_total",
			"New transactions refused, by source and reason (malformed, missing_field, address, amount, overdraft, too_large, unavailable).",
			"source", "reason"),
	}
	r.RegisterRuntime()
	stat := func(f func(node.Stats) float64) func() float64 {
		return func() float64 { return f(s.Node.Stats()) }
	}
	r.GaugeFunc("pybtc_chain_height", "Height of the chain's tip.",
		func() float64 { return float64(s.Node.Tip().Height) })
	r.GaugeFunc("pybtc_tip_age_seconds", "Seconds since the tip's timestamp.",
		func() float64 { return s.clock().Sub(timeOf(s.Node.Tip().Timestamp)).Seconds() })
	r.GaugeFunc("pybtc_mempool_transactions", "Pending transactions.",
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
			defer cancel()
			n, err := s.Explorer.PendingCount(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		})
	r.CounterFunc("pybtc_blocks_mined_total", "Blocks this node mined and stored.",
		stat(func(st node.Stats) float64 { return float64(st.BlocksMined) }))
	r.CounterFunc("pybtc_pow_hashes_total", "Proofs of work tried; rate() of it is the hash rate.",
		stat(func(st node.Stats) float64 { return float64(st.Hashes) }))
	r.GaugeFunc("pybtc_hash_rate", "Proofs of work tried per second during the last nonce search.",
		stat(func(st node.Stats) float64 { return st.HashRate }))
	r.CounterFunc("pybtc_reorgs_total", "Switches to a peer's branch that removed blocks of ours.",
		stat(func(st node.Stats) float64 { return float64(st.Reorgs) }))
	r.CounterFunc("pybtc_reorg_removed_blocks_total", "Blocks removed by reorganisations, summed: divided by pybtc_reorgs_total, the mean depth.",
		stat(func(st node.Stats) float64 { return float64(st.ReorgedBlocks) }))
	r.GaugeFunc("pybtc_reorg_deepest_blocks", "Blocks removed by the deepest reorganisation since start.",
		stat(func(st node.Stats) float64 { return float64(st.DeepestReorg) }))
	r.CounterFunc("pybtc_mempool_commits_total", "Group commits of new transactions.",
		stat(func(st node.Stats) float64 { return float64(st.Commits) }))
	r.CounterFunc("pybtc_mempool_commit_seconds_total", "Time the group commits took, from their start to the end of their sync to disk; rate() of it over rate() of pybtc_mempool_commits_total is what a commit makes a post wait.",
		stat(func(st node.Stats) float64 { return st.CommitTime.Seconds() }))
	r.CounterFunc("pybtc_log_syncs_total", "Syncs of the database's write-ahead log that made writes durable (commits share them).",
		stat(func(st node.Stats) float64 { return float64(st.LogSyncs) }))
	r.CounterFunc("pybtc_log_sync_seconds_total", "Time those syncs took; rate() of it over rate() of pybtc_log_syncs_total is the disk's sync time.",
		stat(func(st node.Stats) float64 { return st.LogSyncTime.Seconds() }))
	r.GaugeVecFunc("pybtc_peers", "Peers, by state (new, ok, failing, backing off).", "state", s.peersByState)
	return m
}

// peersByState counts the peers by state when Prometheus scrapes; nil
// when they cannot be read.
func (s *Server) peersByState() map[string]float64 {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	peers, err := s.Node.Peers(ctx)
	if err != nil {
		return nil
	}
	now := s.now()
	count := map[string]float64{
		string(pybtc.PeerNew): 0, string(pybtc.PeerOK): 0, string(pybtc.PeerFailing): 0, string(pybtc.PeerBackingOff): 0,
	}
	for _, p := range peers {
		count[string(p.State(now))]++
	}
	return count
}

// measure counts every request by its route (the pattern, not the path, so
// addresses and ids do not make a label each) and times it. It runs
// outside the request logger, which has answered errors by the time it
// returns, so the status is final.
func (m *metrics) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		method := methodLabel(c.Request().Method)
		m.requests.Inc(route, method, strconv.Itoa(c.Response().Status))
		if route != "/scan/events" {
			m.durations.Observe(time.Since(start).Seconds(), route, method)
		}
		return err
	}
}

// methodLabel is the method as a label: the client chooses it, so any
// but HTTP's own methods count as "other", or made-up ones would each make
// a series and a stream of them would grow the node's memory without end.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// countSubmission counts a new transaction's outcome.
func (m *metrics) countSubmission(source string, acc node.Accepted, err error) {
	if err == nil {
		m.accepted.Inc(source, strconv.FormatBool(acc.Known))
		return
	}
	m.refused.Inc(source, refusalReason(err))
}

// refusalReason sorts a refusal into a few kinds by its reason.
func refusalReason(err error) string {
	e, ok := refusal.Of(err)
	if !ok {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return "too_large"
		}
		return "internal"
	}
	if e.Code == pybtc.EUNAVAILABLE {
		return "unavailable"
	}
	switch e.Reason {
	case pybtc.ReasonOverdraft, pybtc.ReasonOverdraftInBlock:
		return "overdraft"
	case pybtc.ReasonFieldMissing:
		return "missing_field"
	case pybtc.ReasonAmountNotPositive, pybtc.ReasonAmountDecimals, pybtc.ReasonAmountTooLarge:
		return "amount"
	case pybtc.ReasonAddressEmpty, pybtc.ReasonAddressUTF8, pybtc.ReasonAddressTooLong,
		pybtc.ReasonControlChars, pybtc.ReasonMasterReserved:
		return "address"
	case pybtc.ReasonFieldType:
		if e.Args.Field == "amount" {
			return "amount"
		}
		return "address"
	}
	if e.Code != pybtc.EINVALID {
		return "internal"
	}
	return "malformed"
}

// handleMetrics handles "GET /metrics", in Prometheus's text format.
func (s *Server) handleMetrics(c echo.Context) error {
	var buf bytes.Buffer
	if _, err := s.metrics.registry.WriteTo(&buf); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return c.Blob(http.StatusOK, promtext.ContentType, buf.Bytes())
}

// handleHealth handles "GET /healthz": the process is up and serving.
func (s *Server) handleHealth(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// writeFailureWindow is how long a failed write keeps the node not ready
// when nothing has been written since.
const writeFailureWindow = time.Minute

// writeHealth is what a store tells of its latest writes.
type writeHealth interface {
	// WriteFailure returns the latest failure of the disk within window,
	// unless a write succeeded since.
	WriteFailure(window time.Duration) error
}

// handleReady handles "GET /readyz": 200 when the node can serve, that is
// its database answers, holds a chain and takes writes (no write failed
// for want of disk lately); 503 otherwise, saying why.
func (s *Server) handleReady(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), scrapeTimeout)
	defer cancel()
	tip, err := s.Explorer.Tip(ctx)
	switch {
	case pybtc.ErrorCode(err) == pybtc.ENOTFOUND || (err == nil && tip.Height < 1):
		return c.String(http.StatusServiceUnavailable, "no chain yet\n")
	case err != nil:
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	if h, ok := s.Explorer.(writeHealth); ok {
		if err := h.WriteFailure(writeFailureWindow); err != nil {
			return c.String(http.StatusServiceUnavailable, "cannot write: "+refusal.Message(err)+"\n")
		}
	}
	return c.String(http.StatusOK, "ready\n")
}
