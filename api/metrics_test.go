package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/node"
)

// MustMetric scrapes /metrics and returns the value of the sample whose
// name and labels read exactly series, e.g. `pybtc_chain_height` or
// `pybtc_transactions_refused_total{reason="amount",source="api"}`; 0 when
// the series is absent (a counter nothing has touched).
func MustMetric(tb testing.TB, e *Env, series string) float64 {
	tb.Helper()
	rec := e.Do(tb, "GET", "/metrics", "")
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /metrics: %d", rec.Code)
	}
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				tb.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	return 0
}

func TestMetricsMove(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	if got := MustMetric(t, e, "pybtc_chain_height"); got != 1 {
		t.Fatalf("height %v before mining, want 1", got)
	}
	e.MustMine(t)
	e.MustMine(t)
	for series, want := range map[string]float64{
		"pybtc_chain_height":       3,
		"pybtc_blocks_mined_total": 2,
		`pybtc_http_requests_total{code="200",method="GET",route="/mine"}`: 2,
	} {
		if got := MustMetric(t, e, series); got != want {
			t.Fatalf("%s = %v after mining twice, want %v", series, got, want)
		}
	}
	if got := MustMetric(t, e, "pybtc_pow_hashes_total"); got < 2 {
		t.Fatalf("pybtc_pow_hashes_total = %v after two blocks", got)
	}

	e.Do(t, "POST", "/transactions/new", `{"sender": "miner", "recipient": "bob", "amount": 0}`)
	e.Do(t, "POST", "/transactions/new", `{"sender": "miner", "recipient": "bob", "amount": 5}`)
	e.Do(t, "POST", "/transactions/new", `{"sender": "miner"}`)
	e.MustPost(t, "miner", "bob", "0.05")
	for series, want := range map[string]float64{
		`pybtc_transactions_refused_total{reason="amount",source="api"}`:        1,
		`pybtc_transactions_refused_total{reason="overdraft",source="api"}`:     1,
		`pybtc_transactions_refused_total{reason="missing_field",source="api"}`: 1,
		`pybtc_transactions_accepted_total{known="false",source="api"}`:         1,
		"pybtc_mempool_transactions":                                            1,
		`pybtc_peers{state="ok"}`:                                               0,
	} {
		if got := MustMetric(t, e, series); got != want {
			t.Fatalf("%s = %v, want %v", series, got, want)
		}
	}
	// Two posts reached the batcher (one accepted, one an overdraft);
	// each commit synced to disk, which takes some time.
	if got := MustMetric(t, e, "pybtc_mempool_commits_total"); got < 1 || got > 2 {
		t.Fatalf("pybtc_mempool_commits_total = %v, want 1 or 2", got)
	}
	// Every write made since the node opened waited for a sync: the disk's
	// pace is there to read.
	if got := MustMetric(t, e, "pybtc_log_syncs_total"); got < 1 {
		t.Fatalf("pybtc_log_syncs_total = %v, want at least the commit's", got)
	}
	if got := MustMetric(t, e, "pybtc_log_sync_seconds_total"); got <= 0 || got > 10 {
		t.Fatalf("pybtc_log_sync_seconds_total = %v", got)
	}
	if got := MustMetric(t, e, "pybtc_mempool_commit_seconds_total"); got <= 0 || got > 10 {
		t.Fatalf("pybtc_mempool_commit_seconds_total = %v", got)
	}
}

func TestHealthAndReady(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for _, path := range []string{"/healthz", "/readyz"} {
		if rec := e.Do(t, "GET", path, ""); rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	e.DB.Close() // a database that no longer answers
	if rec := e.Do(t, "GET", "/readyz", ""); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz with the database closed: %d, want 503", rec.Code)
	}
	if rec := e.Do(t, "GET", "/healthz", ""); rec.Code != http.StatusOK {
		t.Fatalf("GET /healthz: %d", rec.Code)
	}
}

// TestMetricsLabelsAreBounded: a client picks the method of its requests,
// so made-up methods must not each make a series of their own: a stream of
// them would grow the node's memory without end.
func TestMetricsLabelsAreBounded(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for i := range 50 {
		e.Do(t, "X"+strconv.Itoa(i), "/chain", "")
		e.Do(t, "Y"+strconv.Itoa(i), "/no/such/page/"+strconv.Itoa(i), "")
	}
	rec := e.Do(t, "GET", "/metrics", "")
	series := 0
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "pybtc_http_requests_total{") {
			series++
			if strings.Contains(line, `method="X`) || strings.Contains(line, `method="Y`) || strings.Contains(line, "/no/such") {
				t.Fatalf("a made-up method or path is a label: %s", line)
			}
		}
	}
	if series > 4 {
		t.Fatalf("%d series of requests for 100 made-up requests:\n%s", series, rec.Body.String())
	}
}
