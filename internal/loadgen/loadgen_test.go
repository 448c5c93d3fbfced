package loadgen_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc/internal/loadgen"
)

// server answers 201 to an even "n" in the JSON body and 400 to an odd one,
// after checking the request is the POST loadgen says it sends, and counts
// the connections it accepts.
func server(t *testing.T, opts func(w http.ResponseWriter)) (url string, conns *atomic.Int64) {
	t.Helper()
	conns = new(atomic.Int64)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || r.Method != http.MethodPost || r.URL.Path != "/transactions/new" ||
			r.Header.Get("Content-Type") != "application/json" || r.ContentLength != int64(len(body)) {
			http.Error(w, fmt.Sprintf("unexpected request %s %s %q", r.Method, r.URL, body), http.StatusTeapot)
			return
		}
		var n int
		if _, err := fmt.Sscanf(string(body), `{"n": %d}`, &n); err != nil {
			http.Error(w, err.Error(), http.StatusTeapot)
			return
		}
		opts(w)
		code := http.StatusCreated
		if n%2 == 1 {
			code = http.StatusBadRequest
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"n": %d}`, n)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL + "/transactions/new", conns
}

func body(i int) []byte { return []byte(`{"n": ` + strconv.Itoa(i) + `}`) }

func TestPost(t *testing.T) {
	tests := []struct {
		name      string
		opts      func(w http.ResponseWriter)
		wantConns func(n int64) bool
	}{
		{"KeepAlive", func(http.ResponseWriter) {}, func(n int64) bool { return n == 4 }},
		// A server that closes every connection after its answer is dialled
		// again: every request still gets its answer.
		{"ConnectionClose", func(w http.ResponseWriter) { w.Header().Set("Connection", "close") }, func(n int64) bool { return n == 101 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, conns := server(t, tt.opts)
			res, err := loadgen.Post(context.Background(), url, 4, 101, body)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status[http.StatusCreated] != 51 || res.Status[http.StatusBadRequest] != 50 || len(res.Status) != 2 {
				t.Fatalf("statuses %v, want 51 × 201 and 50 × 400", res.Status)
			}
			if n := conns.Load(); !tt.wantConns(n) {
				t.Fatalf("%d connections", n)
			}
			if res.Slowest <= 0 {
				t.Fatalf("slowest answer took %v", res.Slowest)
			}
			if len(res.Latencies) != 101 {
				t.Fatalf("%d latencies for 101 answers", len(res.Latencies))
			}
			if p99, p50 := res.Percentile(0.99), res.Percentile(0.5); p99 > res.Slowest || p50 > p99 || p50 <= 0 {
				t.Fatalf("p50 %v, p99 %v, slowest %v: out of order", p50, p99, res.Slowest)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	var res loadgen.Result
	for i := 100; i >= 1; i-- {
		res.Latencies = append(res.Latencies, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got := res.Percentile(tt.q); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := (loadgen.Result{}).Percentile(0.99); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
}

// TestPostRefusesWhatItCannotRead: an answer without Content-Length (a
// chunked one) ends the run with an error rather than a wrong count.
func TestPostRefusesWhatItCannotRead(t *testing.T) {
	url, _ := server(t, func(w http.ResponseWriter) {
		w.Header().Set("Transfer-Encoding", "chunked")
		w.(http.Flusher).Flush()
	})
	if _, err := loadgen.Post(context.Background(), url, 2, 10, body); err == nil {
		t.Fatal("chunked answers accepted")
	}
	if _, err := loadgen.Post(context.Background(), "https://127.0.0.1:1/", 1, 1, body); err == nil {
		t.Fatal("https target accepted")
	}
}
