package api_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/node"
)

// rawHead sends "HEAD path" on its own connection and returns the status
// line, the headers and whatever came after them: a HEAD answer has no
// body, and a client reading one would not see a body sent by mistake.
func rawHead(tb testing.TB, addr, path string, headers ...string) (status string, header http.Header, rest []byte) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "HEAD " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n" + strings.Join(headers, "") + "\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		tb.Fatal(err)
	}
	all, err := io.ReadAll(conn)
	if err != nil {
		tb.Fatalf("HEAD %s: %v (read %q)", path, err, all)
	}
	head, rest, ok := bytes.Cut(all, []byte("\r\n\r\n"))
	if !ok {
		tb.Fatalf("HEAD %s: no end of headers in %q", path, all)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))), &http.Request{Method: http.MethodHead})
	if err != nil {
		tb.Fatalf("HEAD %s: %v", path, err)
	}
	return resp.Status, resp.Header, rest
}

// TestHead: every GET route answers HEAD with the GET's status and type
// and no body, streams included; the GETs that change the node do not
// run for a HEAD.
func TestHead(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	e.MustMine(t)
	srv := httptest.NewServer(e.Handler)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	tests := []struct {
		path, status, contentType string
		headers                   []string
	}{
		{"/", "200 OK", "text/plain", nil},
		{"/", "200 OK", "text/html", []string{"Accept: text/html\r\n"}},
		{"/chain", "200 OK", "application/json", nil},
		{"/chain", "200 OK", "application/json", []string{"Accept-Encoding: gzip\r\n"}},
		{"/nodes", "200 OK", "application/json", nil},
		{"/scan", "200 OK", "text/html", nil},
		{"/scan/block/2", "200 OK", "text/html", nil},
		{"/scan/events", "200 OK", "text/event-stream", nil},
		{"/wallet", "200 OK", "text/html", nil},
		{"/api/status", "200 OK", "application/json", nil},
		{"/api/blocks/1", "200 OK", "application/json", nil},
		{"/static/style.css", "200 OK", "text/css", nil},
		{"/healthz", "200 OK", "text/plain", nil},
		{"/api/blocks/9", "404 Not Found", "application/json", nil},
		{"/mine", "405 Method Not Allowed", "", nil},
		{"/nodes/resolve", "405 Method Not Allowed", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, h, rest := rawHead(t, addr, tt.path, tt.headers...)
			if status != tt.status || !strings.HasPrefix(h.Get("Content-Type"), tt.contentType) || len(rest) > 0 {
				t.Fatalf("HEAD %s: %s, Content-Type %q, body %q; want %s, %s and no body", tt.path, status, h.Get("Content-Type"), rest, tt.status, tt.contentType)
			}
		})
	}
	if got := e.Node.Tip().Height; got != 2 {
		t.Fatalf("after HEAD /mine the chain is %d blocks long, want 2", got)
	}
}

// TestGzip: answers are gzipped for clients that accept it, and decode to
// what other clients get; the event stream and the wallet are not.
func TestGzip(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	for range 10 {
		e.MustMine(t)
	}
	srv := httptest.NewServer(e.Handler)
	defer srv.Close()
	// Go's client decodes gzip only when it asked for it itself; this one
	// asks by hand, to see the answer as it travels.
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 10 * time.Second}
	get := func(path, encoding string) *http.Response {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	for _, path := range []string{"/chain", "/chain?since=2", "/api/blocks", "/scan", "/static/style.css"} {
		plain, err := io.ReadAll(get(path, "").Body)
		if err != nil {
			t.Fatal(err)
		}
		resp := get(path, "gzip, deflate")
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("GET %s with gzip: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if path != "/scan" && !bytes.Equal(unzipped, plain) { // the page stamps its own time
			t.Fatalf("GET %s: gzipped answer decodes to %d bytes, plain is %d", path, len(unzipped), len(plain))
		}
		if path == "/chain" && 2*len(plain) < 3*int(resp.ContentLength) && resp.ContentLength > 0 {
			t.Fatalf("GET /chain: gzipped %d bytes of %d", resp.ContentLength, len(plain))
		}
	}
	if resp := get("/chain", ""); resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("GET /chain without Accept-Encoding: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	// The tutorial's node asks for gzip through Python's requests without
	// meaning to: its chain comes as it always did, as fast.
	req, err := http.NewRequest("GET", srv.URL+"/chain", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "python-requests/2.31.0")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	tutorialResp, err := raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tutorialResp.Body.Close()
	if enc := tutorialResp.Header.Get("Content-Encoding"); enc != "" {
		t.Fatalf("GET /chain from python-requests: Content-Encoding %q, want none", enc)
	}
	// /metrics is compressed once, so a scraper reads it.
	if resp := get("/metrics", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET /metrics with gzip: Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	} else {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(body, []byte("pybtc_chain_height")) {
			t.Fatalf("GET /metrics with gzip decodes to %.80q (%v), want the metrics", body, err)
		}
	}
	if resp := get("/wallet", "gzip"); resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("GET /wallet: Content-Encoding %q; a page with a CSRF token is never compressed", resp.Header.Get("Content-Encoding"))
	}
	// The event stream's first event arrives at once, uncompressed.
	resp := get("/scan/events", "gzip")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("GET /scan/events: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	done := make(chan string, 1)
	go func() {
		r := bufio.NewReader(resp.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil || strings.HasPrefix(line, "event: status") {
				done <- line
				return
			}
		}
	}()
	select {
	case line := <-done:
		if !strings.HasPrefix(line, "event: status") {
			t.Fatalf("event stream: %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the event stream's first event did not arrive within 5 s")
	}
	resp.Body.Close() // before srv.Close, which waits for the stream
}
