package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
)

// hostileTimeout is the total timeout configured for calls that are meant
// to time out, and slack what they may overrun it by on a loaded machine.
const (
	hostileTimeout = 300 * time.Millisecond
	slack          = 2 * time.Second
)

// request is what a fake peer saw of one request.
type request struct {
	Method, Path, Query, ContentType, Body string
}

// recorder is a fake peer that records requests and answers each with
// status and answer.
type recorder struct {
	status int
	answer string

	mu   sync.Mutex
	seen []request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec.mu.Lock()
	rec.seen = append(rec.seen, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(body)})
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.status)
	_, _ = io.WriteString(w, rec.answer)
}

func (rec *recorder) requests() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]request(nil), rec.seen...)
}

// startPeer serves h on 127.0.0.1 until the test ends and returns its URL.
func startPeer(tb testing.TB, h http.Handler) URL {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(func() {
		// Close waits for handlers; hanging ones end when their
		// connection does.
		srv.CloseClientConnections()
		srv.Close()
	})
	return mustParse(tb, srv.URL)
}

// hangLimit bounds how long a hanging handler holds a request, so that a
// client that fails to give up fails the test instead of stalling it.
const hangLimit = 30 * time.Second

// hang returns a handler that never answers: it holds the request until
// the client gives up, the test ends or hangLimit passes.
func hang(tb testing.TB) http.HandlerFunc {
	tb.Helper()
	release := make(chan struct{})
	var once sync.Once
	tb.Cleanup(func() { once.Do(func() { close(release) }) })
	return func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hanging up only once the request
		// body has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		timer := time.NewTimer(hangLimit)
		defer timer.Stop()
		select {
		case <-r.Context().Done():
		case <-release:
		case <-timer.C:
		}
	}
}

// newTestClient returns a Client with timeouts short enough for tests.
func newTestClient(tb testing.TB) *Client {
	tb.Helper()
	c := NewClient()
	c.RequestTimeout = 2 * time.Second
	c.ChainTimeout = 2 * time.Second
	c.MaxChainBytes = 1 << 20
	return c
}

// self is the address the node under test claims.
var self = URL{Scheme: "http", Host: "127.0.0.1:5001"}

// block returns a compact block of index i.
func block(i int) string {
	return fmt.Sprintf(`{"index":%d,"nonce":%d,"previous_hash":"%064x","timestamp":1727568000.0,"transactions":[{"amount":3,"recipient":"b","sender":"a","timestamp":1727568001.5}]}`, i, 100+i, i)
}

// chainAnswer returns a pyBTC-style answer with blocks from..to (none when
// to < from) and the given length.
func chainAnswer(from, to, length int) string {
	var b strings.Builder
	b.WriteString(`{"chain":[`)
	for i := from; i <= to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		b.WriteString(block(i))
	}
	fmt.Fprintf(&b, `],"length":%d}`, length)
	return b.String()
}

func TestNewClientDefaults(t *testing.T) {
	c := NewClient()
	if got, want := c.RequestTimeout, 5*time.Second; got != want {
		t.Errorf("RequestTimeout = %v, want %v", got, want)
	}
	if got, want := c.ChainTimeout, 60*time.Second; got != want {
		t.Errorf("ChainTimeout = %v, want %v", got, want)
	}
	if got, want := c.MaxSmallBytes, int64(64<<10); got != want {
		t.Errorf("MaxSmallBytes = %d, want %d", got, want)
	}
	if got, want := c.MaxChainBytes, int64(64<<20); got != want {
		t.Errorf("MaxChainBytes = %d, want %d", got, want)
	}
	if got := c.HTTP.Timeout; got != 0 {
		t.Errorf("HTTP.Timeout = %v, want 0 (each call has its own)", got)
	}
	if c.HTTP.CheckRedirect == nil {
		t.Error("HTTP.CheckRedirect is nil: redirects would be followed")
	}
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("HTTP.Transport is %T, want *http.Transport", c.HTTP.Transport)
	}
	if tr.DialContext == nil {
		t.Error("Transport.DialContext is nil: connecting has no timeout")
	}
	if tr.ResponseHeaderTimeout <= 0 {
		t.Error("Transport.ResponseHeaderTimeout is not set")
	}
	if tr.Proxy != nil {
		t.Error("Transport.Proxy is set: peers must be reached directly")
	}
}

func TestSmallExchanges(t *testing.T) {
	tests := []struct {
		name   string
		status int
		call   func(ctx context.Context, c *Client, peer URL) error
		want   request
	}{
		{
			name: "Register", status: http.StatusCreated,
			call: func(ctx context.Context, c *Client, peer URL) error { return c.Register(ctx, peer, self, Asked) },
			want: request{"POST", "/nodes/register", "", "application/json", `{"nodes":"http://127.0.0.1:5001"}`},
		},
		{
			name: "RegisterNewcomer", status: http.StatusCreated,
			call: func(ctx context.Context, c *Client, peer URL) error { return c.Register(ctx, peer, self, Newcomer) },
			want: request{"POST", "/nodes/register", "", "application/json", `{"nodes":"http://127.0.0.1:5001","registration":"newcomer"}`},
		},
		{
			name: "RelayIntegerAmount", status: http.StatusCreated,
			call: relay(`{"amount":3,"recipient":"b","sender":"a","timestamp":1727568000.25}`),
			want: request{"POST", "/transactions/new", "", "application/json", `{"amount":3,"recipient":"b","sender":"a","timestamp":1727568000.25,"type":"sharing"}`},
		},
		{
			name: "RelayFloatAmount", status: http.StatusCreated,
			call: relay(`{"amount":3.0,"recipient":"b","sender":"a","timestamp":1727568000.25}`),
			want: request{"POST", "/transactions/new", "", "application/json", `{"amount":3.0,"recipient":"b","sender":"a","timestamp":1727568000.25,"type":"sharing"}`},
		},
		{
			name: "RelaySpacedUnsorted", status: http.StatusCreated,
			call: relay(`{"sender": "a", "recipient": "b", "amount": 0.1, "timestamp": 1727568000.0}`),
			want: request{"POST", "/transactions/new", "", "application/json", `{"amount":0.1,"recipient":"b","sender":"a","timestamp":1727568000.0,"type":"sharing"}`},
		},
		{
			name: "RelayNonASCII", status: http.StatusCreated,
			call: relay(`{"amount":1,"recipient":"b","sender":"김","timestamp":1.5}`),
			want: request{"POST", "/transactions/new", "", "application/json", `{"amount":1,"recipient":"b","sender":"\uae40","timestamp":1.5,"type":"sharing"}`},
		},
		{
			name: "RelayMarksOwnType", status: http.StatusOK,
			call: relay(`{"amount":1,"recipient":"b","sender":"a","timestamp":1.5,"type":"client"}`),
			want: request{"POST", "/transactions/new", "", "application/json", `{"amount":1,"recipient":"b","sender":"a","timestamp":1.5,"type":"sharing"}`},
		},
		{
			name: "Announce", status: http.StatusOK,
			call: func(ctx context.Context, c *Client, peer URL) error {
				return c.AnnounceBlock(ctx, peer, self, -42, "00ab")
			},
			want: request{"GET", "/nodes/resolve", "", "application/json", `{"miner_node":"http://127.0.0.1:5001","new_hash":"00ab","new_nonce":-42}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: tt.status, answer: `{"message":"ok"}`}
			peer := startPeer(t, rec)
			if err := tt.call(t.Context(), newTestClient(t), peer); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := rec.requests()
			if len(got) != 1 {
				t.Fatalf("peer saw %d requests, want 1: %+v", len(got), got)
			}
			if got, want := got[0], tt.want; got != want {
				t.Errorf("peer saw\n %+v\nwant\n %+v", got, want)
			}
		})
	}
}

func relay(tx string) func(context.Context, *Client, URL) error {
	return func(ctx context.Context, c *Client, peer URL) error {
		return c.RelayTransaction(ctx, peer, []byte(tx))
	}
}

// TestAnnounceLongAnswer checks that only the status of a small exchange
// counts: a tutorial node answers an announcement with its whole chain,
// which may be longer than MaxSmallBytes.
func TestAnnounceLongAnswer(t *testing.T) {
	rec := &recorder{status: http.StatusOK, answer: chainAnswer(1, 2000, 2000)}
	peer := startPeer(t, rec)
	c := newTestClient(t)
	if int64(len(rec.answer)) <= c.MaxSmallBytes {
		t.Fatalf("answer of %d bytes is not longer than MaxSmallBytes %d", len(rec.answer), c.MaxSmallBytes)
	}
	if err := c.AnnounceBlock(t.Context(), peer, self, 7, "00ab"); err != nil {
		t.Errorf("AnnounceBlock = %v, want nil", err)
	}
}

func TestSmallExchangeFailures(t *testing.T) {
	ops := []struct {
		name, prefix string
		call         func(ctx context.Context, c *Client, peer URL) error
	}{
		{"Register", "register with ", func(ctx context.Context, c *Client, peer URL) error { return c.Register(ctx, peer, self, Asked) }},
		{"Relay", "relay transaction to ", relay(`{"amount":1,"recipient":"b","sender":"a","timestamp":1.5}`)},
		{"Announce", "announce block to ", func(ctx context.Context, c *Client, peer URL) error {
			return c.AnnounceBlock(ctx, peer, self, 1, "00ab")
		}},
	}
	peers := []struct {
		name    string
		handler func(tb testing.TB) http.Handler
		want    error
		wantMsg string
	}{
		{"Status400", func(testing.TB) http.Handler {
			return &recorder{status: http.StatusBadRequest, answer: `{"message":"amount must be a positive number"}`}
		}, ErrStatus, `400 {"message":"amount must be a positive number"}`},
		{"Status500", func(testing.TB) http.Handler { return &recorder{status: 500, answer: "boom"} }, ErrStatus, "500 boom"},
		{"Redirect", func(testing.TB) http.Handler {
			return http.RedirectHandler("http://127.0.0.1:1/elsewhere", http.StatusTemporaryRedirect)
		}, ErrStatus, "307"},
		{"NeverAnswers", func(tb testing.TB) http.Handler { return hang(tb) }, context.DeadlineExceeded, ""},
	}
	for _, op := range ops {
		for _, p := range peers {
			t.Run(op.name+"/"+p.name, func(t *testing.T) {
				peer := startPeer(t, p.handler(t))
				c := newTestClient(t)
				c.RequestTimeout = hostileTimeout
				start := time.Now()
				err := op.call(t.Context(), c, peer)
				elapsed := time.Since(start)
				if !errors.Is(err, p.want) {
					t.Fatalf("error = %v, want %v", err, p.want)
				}
				if got, want := err.Error(), op.prefix+peer.String()+": "; !strings.HasPrefix(got, want) {
					t.Errorf("error = %q, want it to start with %q", got, want)
				}
				if !strings.Contains(err.Error(), p.wantMsg) {
					t.Errorf("error = %q, want it to contain %q", err, p.wantMsg)
				}
				if elapsed > hostileTimeout+slack {
					t.Errorf("took %v, want at most %v", elapsed, hostileTimeout+slack)
				}
			})
		}
	}
}

func TestSmallExchangeUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	peer := mustParse(t, srv.URL)
	srv.Close() // nothing listens on its port any more
	err := newTestClient(t).Register(t.Context(), peer, self, Asked)
	if err == nil {
		t.Fatal("Register with a closed port succeeded")
	}
	for _, sentinel := range []error{ErrStatus, ErrTooLarge, ErrMalformed, context.DeadlineExceeded} {
		if errors.Is(err, sentinel) {
			t.Errorf("error = %v, should not be %v", err, sentinel)
		}
	}
	if got, want := err.Error(), "register with "+peer.String()+": "; !strings.HasPrefix(got, want) {
		t.Errorf("error = %q, want it to start with %q", got, want)
	}
}

// TestRelayOfMinedTransaction: a peer whose chain already holds the
// relayed transaction answers 409; that is no failure of the peer's.
func TestRelayOfMinedTransaction(t *testing.T) {
	tests := []struct {
		status int
		ok     bool
	}{
		{http.StatusCreated, true},
		{http.StatusConflict, true},
		{http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			peer := startPeer(t, &recorder{status: tt.status, answer: `{"message":"Transaction 1f is already in block 3: it is not stored again."}`})
			err := relay(`{"amount":1,"recipient":"b","sender":"a","timestamp":1.5}`)(t.Context(), newTestClient(t), peer)
			if (err == nil) != tt.ok {
				t.Fatalf("relay answered %d: error %v", tt.status, err)
			}
		})
	}
}

func TestRelayRefusesBadTransaction(t *testing.T) {
	tests := []struct{ name, tx string }{
		{"Empty", ""},
		{"Garbage", `{"amount":`},
		{"Array", `[1,2]`},
		{"String", `"tx"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: http.StatusCreated}
			peer := startPeer(t, rec)
			err := newTestClient(t).RelayTransaction(t.Context(), peer, []byte(tt.tx))
			if got, want := pybtc.ErrorCode(err), pybtc.EINVALID; got != want {
				t.Errorf("error = %v (code %q), want code %q", err, got, want)
			}
			if got := len(rec.requests()); got != 0 {
				t.Errorf("peer saw %d requests, want none", got)
			}
		})
	}
}

func TestFetchChain(t *testing.T) {
	tests := []struct {
		name         string
		answer       string
		since, limit int64
		wantQuery    string
		wantFrom     int // index of the first block expected; 0 when none
		wantBlocks   int
		wantLength   int64
		wantFull     bool
	}{
		{"PyBTCPartial", chainAnswer(5, 7, 10), 5, 3, "since=5&limit=3", 5, 3, 10, false},
		{"PyBTCFromGenesis", chainAnswer(1, 3, 10), 1, 3, "since=1&limit=3", 1, 3, 10, true},
		{"NoLimit", chainAnswer(4, 10, 10), 4, 0, "since=4", 4, 7, 10, false},
		{"PyBTCNothingNew", chainAnswer(1, 0, 4), 5, 500, "since=5&limit=500", 0, 0, 4, false},
		{"TutorialCompact", chainAnswer(1, 7, 7) + "\n", 5, 500, "since=5&limit=500", 1, 7, 7, true},
		{"TutorialSpaced", strings.NewReplacer(`,"`, `, "`, `":`, `": `).Replace(chainAnswer(1, 3, 3)), 2, 500, "since=2&limit=500", 1, 3, 3, true},
		{"KeysInAnyOrder", `{"length": 9, "chain": [` + block(9) + `]}`, 9, 1, "since=9&limit=1", 9, 1, 9, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: http.StatusOK, answer: tt.answer}
			peer := startPeer(t, rec)
			got, err := newTestClient(t).FetchChain(t.Context(), peer, tt.since, tt.limit)
			if err != nil {
				t.Fatalf("FetchChain: %v", err)
			}
			seen := rec.requests()
			if len(seen) != 1 {
				t.Fatalf("peer saw %d requests, want 1", len(seen))
			}
			if got, want := seen[0], (request{"GET", "/chain", tt.wantQuery, "", ""}); got != want {
				t.Errorf("peer saw %+v, want %+v", got, want)
			}
			if got, want := len(got.Blocks), tt.wantBlocks; got != want {
				t.Fatalf("%d blocks, want %d", got, want)
			}
			if got, want := got.Length, tt.wantLength; got != want {
				t.Errorf("Length = %d, want %d", got, want)
			}
			if got, want := got.Full, tt.wantFull; got != want {
				t.Errorf("Full = %v, want %v", got, want)
			}
			for i, b := range got.Blocks {
				// Blocks must come back exactly: the same text, so the same hash.
				if got, want := string(b.Raw), block(tt.wantFrom+i); got != want {
					t.Errorf("block %d = %s, want %s", i, got, want)
				}
			}
		})
	}
}

// TestFetchChainRTT: the answer reports how long the peer took to begin
// answering, so that the peers page can show each peer's round trip.
func TestFetchChainRTT(t *testing.T) {
	const delay = 50 * time.Millisecond
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay) // the peer's think time, which the RTT must include
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, chainAnswer(1, 0, 4))
	})
	peer := startPeer(t, slow)
	got, err := newTestClient(t).FetchChain(t.Context(), peer, 5, 500)
	if err != nil {
		t.Fatalf("StreamChain: %v", err)
	}
	if got.RTT < delay || got.RTT > 2*time.Second {
		t.Errorf("RTT = %v, want at least the peer's %v and less than the call's timeout", got.RTT, delay)
	}
}

func TestFetchChainArguments(t *testing.T) {
	tests := []struct {
		name         string
		since, limit int64
	}{
		{"SinceZero", 0, 10},
		{"SinceNegative", -1, 10},
		{"LimitNegative", 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: http.StatusOK, answer: chainAnswer(1, 1, 1)}
			peer := startPeer(t, rec)
			_, err := newTestClient(t).FetchChain(t.Context(), peer, tt.since, tt.limit)
			if got, want := pybtc.ErrorCode(err), pybtc.EINVALID; got != want {
				t.Errorf("error = %v (code %q), want code %q", err, got, want)
			}
			if got := len(rec.requests()); got != 0 {
				t.Errorf("peer saw %d requests, want none", got)
			}
		})
	}
}

// streamChain returns a handler that streams an endless-looking chain
// answer of total bytes, in chunks, counting what it managed to write.
func streamChain(total int64, declareLength bool, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declareLength {
			w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
		}
		w.WriteHeader(http.StatusOK)
		chunk := []byte(`{"chain":[` + strings.Repeat(block(1)+",", (64<<10)/len(block(1))))
		for written.Load() < total && r.Context().Err() == nil {
			n, err := w.Write(chunk[:min(int64(len(chunk)), total-written.Load())])
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

func TestFetchChainHostile(t *testing.T) {
	const hundredMB = 100 << 20
	var written atomic.Int64 // reset by each subtest that streams
	redirectTarget := &recorder{status: http.StatusOK, answer: chainAnswer(1, 1, 1)}

	tests := []struct {
		name    string
		handler func(tb testing.TB) http.Handler
		since   int64
		setup   func(c *Client)
		want    error
		wantMsg string
		// wantWithin bounds how long the call may take; timeouts are
		// checked to have waited for hostileTimeout too.
		wantWithin time.Duration
	}{
		{name: "Streams100MB", handler: func(testing.TB) http.Handler { return streamChain(hundredMB, false, &written) },
			want: ErrTooLarge, wantWithin: 5 * time.Second},
		{name: "Announces100MB", handler: func(testing.TB) http.Handler { return streamChain(hundredMB, true, &written) },
			want: ErrTooLarge, wantWithin: 5 * time.Second},
		{name: "NeverAnswers", handler: func(tb testing.TB) http.Handler { return hang(tb) },
			want: context.DeadlineExceeded},
		{name: "HeadersThenNothing", handler: func(tb testing.TB) http.Handler {
			wait := hang(tb)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, `{"chain": [`)
				w.(http.Flusher).Flush()
				wait(w, r)
			})
		}, want: context.DeadlineExceeded},
		{name: "Trickles", handler: func(testing.TB) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, `{"chain": [`)
				// Bounded so the handler ends even if the client never
				// gives up; 20 s is far beyond the client's timeout.
				for range 1000 {
					if _, err := io.WriteString(w, " "); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			})
		}, want: context.DeadlineExceeded},
		{name: "HeaderTimeout", handler: func(tb testing.TB) http.Handler { return hang(tb) },
			setup: func(c *Client) {
				c.ChainTimeout = 10 * time.Second
				c.HTTP.Transport.(*http.Transport).ResponseHeaderTimeout = hostileTimeout
			},
			want: context.DeadlineExceeded},
		{name: "GarbageJSON", handler: answer(`{"chain": [{"index": 1,,,]`), want: ErrMalformed},
		{name: "Empty", handler: answer(``), want: ErrMalformed},
		{name: "HTML", handler: answer(`<html><body>Welcome</body></html>`), want: ErrMalformed},
		{name: "TrailingData", handler: answer(chainAnswer(1, 1, 1) + `{}`), want: ErrMalformed},
		{name: "NotAnObject", handler: answer(`[1, 2, 3]`), want: ErrMalformed, wantMsg: "not an object"},
		{name: "NoChain", handler: answer(`{"length": 1}`), want: ErrMalformed, wantMsg: `no "chain"`},
		{name: "ChainNotAList", handler: answer(`{"chain": {"index": 1}, "length": 1}`), want: ErrMalformed, wantMsg: "not a list"},
		{name: "BlockNotAnObject", handler: answer(`{"chain": [` + block(1) + `, 2], "length": 2}`), want: ErrMalformed, wantMsg: `"chain"[1]`},
		{name: "NoLength", handler: answer(`{"chain": []}`), want: ErrMalformed, wantMsg: `no "length"`},
		{name: "LengthFloat", handler: answer(`{"chain": [], "length": 1.0}`), want: ErrMalformed, wantMsg: "integer"},
		{name: "LengthString", handler: answer(`{"chain": [], "length": "1"}`), want: ErrMalformed, wantMsg: "integer"},
		{name: "LengthHuge", handler: answer(`{"chain": [], "length": 100000000000000000000}`), want: ErrMalformed, wantMsg: "integer"},
		{name: "LengthNegative", handler: answer(`{"chain": [], "length": -1}`), want: ErrMalformed, wantMsg: "less than"},
		{name: "LengthTooSmall", handler: answer(chainAnswer(1, 3, 2)), want: ErrMalformed, wantMsg: "less than the 3 blocks"},
		{name: "PartialLengthTooSmall", since: 5, handler: answer(chainAnswer(5, 7, 6)), want: ErrMalformed, wantMsg: "less than the 7 blocks"},
		{name: "WrongFirstBlock", since: 5, handler: answer(chainAnswer(3, 7, 7)), want: ErrMalformed, wantMsg: "from 5, got blocks from 3"},
		{name: "NoIndex", since: 5, handler: answer(`{"chain": [{"nonce": 1}], "length": 5}`), want: ErrMalformed, wantMsg: `"index"`},
		{name: "Status500", handler: func(testing.TB) http.Handler {
			return &recorder{status: http.StatusInternalServerError, answer: "Internal\nServer Error"}
		}, want: ErrStatus, wantMsg: ": 500 Internal Server Error"},
		{name: "Status404LongBody", handler: func(testing.TB) http.Handler {
			return &recorder{status: http.StatusNotFound, answer: strings.Repeat("x", 1<<20)}
		}, want: ErrStatus, wantMsg: ": 404 " + strings.Repeat("x", 200)},
		{name: "Redirect", handler: func(tb testing.TB) http.Handler {
			target := startPeer(tb, redirectTarget)
			return http.RedirectHandler(target.String()+"/chain", http.StatusFound)
		}, want: ErrStatus, wantMsg: ": 302 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			written.Store(0)
			peer := startPeer(t, tt.handler(t))
			c := newTestClient(t)
			c.ChainTimeout = hostileTimeout
			if tt.wantWithin != 0 {
				// The call must end for its own reason, not the timeout.
				c.ChainTimeout = 30 * time.Second
			}
			if tt.setup != nil {
				tt.setup(c)
			}
			since := max(tt.since, 1)
			start := time.Now()
			got, err := c.FetchChain(t.Context(), peer, since, 500)
			elapsed := time.Since(start)
			if !errors.Is(err, tt.want) {
				t.Fatalf("FetchChain = %+v, %v; want error %v", got, err, tt.want)
			}
			if got.Blocks != nil || got.Length != 0 || got.Full {
				t.Errorf("FetchChain returned %+v with its error, want the zero Chain", got)
			}
			if got, want := err.Error(), "fetch chain from "+peer.String()+": "; !strings.HasPrefix(got, want) {
				t.Errorf("error = %q, want it to start with %q", got, want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if tt.want == ErrStatus && strings.Contains(err.Error(), strings.Repeat("x", 201)) {
				t.Errorf("error quotes more than 200 bytes of the answer: %.300q", err)
			}
			within := tt.wantWithin
			if errors.Is(tt.want, context.DeadlineExceeded) {
				if elapsed < hostileTimeout {
					t.Errorf("gave up after %v, before the %v timeout", elapsed, hostileTimeout)
				}
				within = hostileTimeout + slack
			}
			if within != 0 && elapsed > within {
				t.Errorf("took %v, want at most %v", elapsed, within)
			}
			if got := written.Load(); got >= hundredMB {
				t.Errorf("peer wrote all %d bytes: the answer was read to its end", got)
			}
		})
	}
	if got := len(redirectTarget.requests()); got != 0 {
		t.Errorf("redirect target saw %d requests: the redirect was followed", got)
	}
}

// answer returns a handler factory for a peer answering 200 with body.
func answer(body string) func(testing.TB) http.Handler {
	return func(testing.TB) http.Handler {
		return &recorder{status: http.StatusOK, answer: body}
	}
}

// TestFetchChainMemory checks that a huge answer is refused after reading
// about the cap, not after buffering all of it.
func TestFetchChainMemory(t *testing.T) {
	var written atomic.Int64
	peer := startPeer(t, streamChain(100<<20, false, &written))
	c := newTestClient(t)
	c.ChainTimeout = 30 * time.Second

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.FetchChain(t.Context(), peer, 1, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("FetchChain = %v, want %v", err, ErrTooLarge)
	}
	// Reading 1 MiB into a growing buffer allocates a few MiB; 100 MB
	// would show far above this bound.
	const bound = 32 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > bound {
		t.Errorf("allocated %d bytes for a %d-byte cap, want at most %d", got, c.MaxChainBytes, bound)
	}
}

func TestFetchChainCallerContext(t *testing.T) {
	t.Run("Canceled", func(t *testing.T) {
		peer := startPeer(t, hang(t))
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := newTestClient(t).FetchChain(ctx, peer, 1, 0)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want %v", err, context.Canceled)
		}
	})
	t.Run("ShorterDeadline", func(t *testing.T) {
		peer := startPeer(t, hang(t))
		c := newTestClient(t)
		c.ChainTimeout = time.Minute
		ctx, cancel := context.WithTimeout(t.Context(), hostileTimeout)
		defer cancel()
		start := time.Now()
		_, err := c.FetchChain(ctx, peer, 1, 0)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want %v", err, context.DeadlineExceeded)
		}
		if elapsed := time.Since(start); elapsed > hostileTimeout+slack {
			t.Errorf("took %v, want at most %v", elapsed, hostileTimeout+slack)
		}
	})
}

// TestZeroClient checks that a Client not made by NewClient still has
// bounds instead of failing at once or waiting forever.
func TestZeroClient(t *testing.T) {
	peer := startPeer(t, &recorder{status: http.StatusOK, answer: chainAnswer(1, 2, 2)})
	got, err := new(Client).FetchChain(t.Context(), peer, 1, 0)
	if err != nil {
		t.Fatalf("FetchChain: %v", err)
	}
	if got, want := len(got.Blocks), 2; got != want {
		t.Errorf("%d blocks, want %d", got, want)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{-1, 0},
		{0, 0},
		{1, time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{9, 256 * time.Second},
		{10, 5 * time.Minute},
		{11, 5 * time.Minute},
		{64, 5 * time.Minute},
		{math.MaxInt, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.failures), func(t *testing.T) {
			if got := Backoff(tt.failures); got != tt.want {
				t.Errorf("Backoff(%d) = %v, want %v", tt.failures, got, tt.want)
			}
		})
	}
}
