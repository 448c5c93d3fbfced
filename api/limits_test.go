package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/peer"
)

// TestSlowClientsAreCutOff opens connections that send part of a request
// and stall: the server must hang up after its read timeouts instead of
// holding the connection.
func TestSlowClientsAreCutOff(t *testing.T) {
	e := MustOpenEnv(t, node.Config{})
	s := &api.Server{Addr: "127.0.0.1:0", Chain: e.DB, Explorer: e.DB, Node: e.Node, Logger: slog.New(slog.DiscardHandler),
		ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	addr := strings.TrimPrefix(s.URL(), "http://")
	for _, tc := range []struct{ name, sent string }{
		{"Headers", "POST /transactions/new HTTP/1.1\r\nHost: x\r\n"},
		{"Body", "POST /transactions/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sender\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.sent); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, conn) // returns when the server hangs up
			if waited := time.Since(start); waited > 3*time.Second {
				t.Fatalf("the server held a stalled connection for %v", waited)
			}
			if n := mempoolSize(t, e); n != 0 {
				t.Fatalf("a cut-off request stored %d transactions", n)
			}
		})
	}
}

// TestFullMempool posts to a node whose mempool holds 3: the fourth post is
// refused with 503 and says why, and /api/status says the mempool is full.
func TestFullMempool(t *testing.T) {
	e := MustOpenEnv(t, node.Config{AllowOverdraft: true, MaxPending: 3})
	for i := range 3 {
		e.MustPost(t, "alice", "bob", fmt.Sprint(i+1))
	}
	rec := e.Do(t, "POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 4}`)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(message(t, rec), "mempool is full") {
		t.Fatalf("fourth post: %d %s, want 503 saying the mempool is full", rec.Code, rec.Body)
	}
	var status struct {
		Pending int64
		Limit   int64 `json:"mempool_limit"`
		Full    bool  `json:"mempool_full"`
	}
	if err := json.Unmarshal(e.Do(t, "GET", "/api/status", "").Body.Bytes(), &status); err != nil {
		t.Fatal(err)
	}
	if status.Pending != 3 || status.Limit != 3 || !status.Full {
		t.Fatalf("status %+v, want 3 of 3, full", status)
	}
	e.MustMine(t)
	e.MustPost(t, "alice", "bob", "4")
}

// TestTooManyPeers registers peers with a node that takes 3: the fourth is
// refused with 503 and a message, and is not stored.
func TestTooManyPeers(t *testing.T) {
	self, _ := peer.ParseURL("http://127.0.0.1:5000")
	e := MustOpenEnv(t, node.Config{Self: self, Client: &RecordingClient{}, SyncInterval: -1, MaxPeers: 3})
	for port := 5001; port <= 5003; port++ {
		if rec := e.Do(t, "POST", "/nodes/register", fmt.Sprintf(`{"nodes": "http://127.0.0.1:%d"}`, port)); rec.Code != http.StatusCreated {
			t.Fatalf("peer %d: %d %s", port, rec.Code, rec.Body)
		}
	}
	rec := e.Do(t, "POST", "/nodes/register", `{"nodes": "http://127.0.0.1:5004"}`)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(message(t, rec), "3 peers") {
		t.Fatalf("fourth peer: %d %s, want 503", rec.Code, rec.Body)
	}
	var peers struct{ Length int }
	json.Unmarshal(e.Do(t, "GET", "/nodes", "").Body.Bytes(), &peers)
	if peers.Length != 3 {
		t.Fatalf("%d peers stored, want 3", peers.Length)
	}
}
