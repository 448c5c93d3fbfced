package peer_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pybtc/pybtc"
	"github.com/pybtc/pybtc/peer"
)

func TestParseURL(t *testing.T) {
	accepted := []struct{ in, want string }{
		{"http://127.0.0.1:5000", "http://127.0.0.1:5000"},
		{"HTTP://LOCALHOST:5001/", "http://localhost:5001"},
		{"https://[::1]:443", "https://[::1]:443"},
		{"http://node.example:80", "http://node.example:80"},
	}
	for _, tt := range accepted {
		t.Run("OK"+tt.in, func(t *testing.T) {
			u, err := peer.ParseURL(tt.in)
			if err != nil || u.String() != tt.want {
				t.Fatalf("ParseURL(%q)=%q, %v; want %q", tt.in, u, err, tt.want)
			}
		})
	}
	refused := []string{
		"", "127.0.0.1:5000", "ftp://127.0.0.1:5000", "http://127.0.0.1", "http://127.0.0.1:0",
		"http://127.0.0.1:70000", "http://127.0.0.1:port", "http://127.0.0.1:5000/x",
		"http://127.0.0.1:5000?a=b", "http://127.0.0.1:5000#top", "http://user:pass@127.0.0.1:5000",
		"http://:5000", "http:// 127.0.0.1:5000", "http://", "http://127.0.0.1:05000",
		"http://" + strings.Repeat("a", 3000) + ":5000",
	}
	for _, in := range refused {
		t.Run("Refused", func(t *testing.T) {
			if u, err := peer.ParseURL(in); pybtc.ErrorCode(err) != pybtc.EINVALID {
				t.Fatalf("ParseURL(%q)=%v, %v; want EINVALID", in, u, err)
			}
		})
	}
}

func TestSameNode(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"http://127.0.0.1:5000", "http://localhost:5000", true},
		{"http://0.0.0.0:5000", "http://[::1]:5000", true},
		{"http://127.0.0.1:5000", "http://127.0.0.1:5001", false},
		{"http://10.0.0.1:5000", "http://127.0.0.1:5000", false},
		{"http://node:5000", "https://node:5000", true},
	}
	for _, tt := range tests {
		a, _ := peer.ParseURL(tt.a)
		b, _ := peer.ParseURL(tt.b)
		if got := peer.SameNode(a, b); got != tt.want {
			t.Fatalf("SameNode(%s, %s)=%v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// request is what a fake peer saw.
type request struct {
	method, path, contentType, body string
}

// MustRecordingPeer serves 201 and records each request.
func MustRecordingPeer(tb testing.TB) (peer.URL, *[]request) {
	tb.Helper()
	var mu sync.Mutex
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, request{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), string(body)})
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"message": "ok"}`))
	}))
	tb.Cleanup(srv.Close)
	u, err := peer.ParseURL(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	return u, &seen
}

func TestSmallExchanges(t *testing.T) {
	ctx := context.Background()
	c := peer.NewClient()
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	target, seen := MustRecordingPeer(t)
	if err := c.Register(ctx, target, self); err != nil {
		t.Fatal(err)
	}
	if err := c.RelayTransaction(ctx, target, []byte(`{"amount":3,"recipient":"b","sender":"a","timestamp":1795869583.5}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.RelayTransaction(ctx, target, []byte(`{"amount":3.0,"recipient":"b","sender":"\ud559","timestamp":1.0}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.AnnounceBlock(ctx, target, self, -42); err != nil {
		t.Fatal(err)
	}
	want := []request{
		{"POST", "/nodes/register", "application/json", `{"nodes":"http://127.0.0.1:5000"}`},
		{"POST", "/transactions/new", "application/json", `{"amount":3,"recipient":"b","sender":"a","timestamp":1795869583.5,"type":"sharing"}`},
		{"POST", "/transactions/new", "application/json", `{"amount":3.0,"recipient":"b","sender":"\ud559","timestamp":1.0,"type":"sharing"}`},
		{"GET", "/nodes/resolve", "application/json", `{"miner_node":"http://127.0.0.1:5000","new_nonce":-42}`},
	}
	if len(*seen) != len(want) {
		t.Fatalf("peer saw %d requests, want %d", len(*seen), len(want))
	}
	for i, w := range want {
		if got := (*seen)[i]; got != w {
			t.Fatalf("request %d=%+v, want %+v", i, got, w)
		}
	}
}

// MustPeer serves handler and returns its URL.
func MustPeer(tb testing.TB, handler http.HandlerFunc) peer.URL {
	tb.Helper()
	srv := httptest.NewServer(handler)
	tb.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	u, err := peer.ParseURL(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestFetchChain(t *testing.T) {
	ctx := context.Background()
	c := peer.NewClient()
	c.ChainTimeout = 500 * time.Millisecond
	c.MaxChainBytes = 1 << 20

	t.Run("Partial", func(t *testing.T) {
		var query string
		u := MustPeer(t, func(w http.ResponseWriter, r *http.Request) {
			query = r.URL.RawQuery
			io.WriteString(w, `{"chain": [{"index": 5}, {"index": 6}], "length": 9}`)
		})
		ch, err := c.FetchChain(ctx, u, 5, 2)
		if err != nil || len(ch.Blocks) != 2 || ch.Length != 9 || ch.Full || query != "since=5&limit=2" {
			t.Fatalf("FetchChain=%+v, %v (query %q)", ch, err, query)
		}
	})
	t.Run("TutorialIgnoresSince", func(t *testing.T) {
		u := MustPeer(t, answer(200, `{"chain": [{"index": 1}, {"index": 2}], "length": 2}`))
		if ch, err := c.FetchChain(ctx, u, 2, 500); err != nil || !ch.Full {
			t.Fatalf("FetchChain=%+v, %v; want Full", ch, err)
		}
	})
	hostile := []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"Garbage", answer(200, `{"chain": [`), peer.ErrMalformed},
		{"NotAnObject", answer(200, `[1, 2]`), peer.ErrMalformed},
		{"ChainNotAList", answer(200, `{"chain": {}, "length": 1}`), peer.ErrMalformed},
		{"BlockNotAnObject", answer(200, `{"chain": [1], "length": 1}`), peer.ErrMalformed},
		{"LengthTooSmall", answer(200, `{"chain": [{}, {}], "length": 1}`), peer.ErrMalformed},
		{"Status500", answer(500, `boom`), peer.ErrStatus},
		{"Redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/chain", http.StatusFound)
		}, peer.ErrStatus},
		{"HundredMegabytes", func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for i := 0; i < 1600; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, peer.ErrTooLarge},
		{"NeverAnswers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, context.DeadlineExceeded},
		{"Trickles", func(w http.ResponseWriter, r *http.Request) {
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					w.Write([]byte(" "))
					w.(http.Flusher).Flush()
				}
			}
		}, context.DeadlineExceeded},
	}
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			u := MustPeer(t, tt.handler)
			start := time.Now()
			_, err := c.FetchChain(ctx, u, 2, 500)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err=%v, want %v", err, tt.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {9, 256 * time.Second}, {10, 5 * time.Minute}, {1000, 5 * time.Minute}}
	for _, tt := range tests {
		if got := peer.Backoff(tt.failures); got != tt.want {
			t.Fatalf("Backoff(%d)=%v, want %v", tt.failures, got, tt.want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:5000", "https://[::1]:443/", "ftp://x:1", "http://a:b@c:1", "http://x:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := peer.ParseURL(s)
		if err != nil {
			return
		}
		again, err := peer.ParseURL(u.String())
		if err != nil || again != u {
			t.Fatalf("%q parsed to %q, which reparses to %q, %v", s, u, again, err)
		}
	})
}
