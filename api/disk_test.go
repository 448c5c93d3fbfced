package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/consensus"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/store"
	"github.com/pybtc/pybtc/wire"
)

// pageCount reads how many pages the database file at path holds.
func pageCount(tb testing.TB, path string) int64 {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestFullDisk gives the database no room to grow, as a full disk would:
// posts and mining then fail with 503 and a message that says so, every
// read keeps working, and once there is room again nothing acknowledged is
// lost and the file is sound.
func TestFullDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	{
		e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true})
		e.MustMine(t)
		e.DB.Close()
	}
	limit := pageCount(t, path) + 2
	e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true}, fmt.Sprintf("max_page_count(%d)", limit))
	var acked []string
	var refusal string
	for i := range 5000 {
		body := fmt.Sprintf(`{"sender": "alice", "recipient": "bob", "amount": %d}`, i+1)
		rec := e.Do(t, "POST", "/transactions/new", body)
		if rec.Code == http.StatusCreated {
			acked = append(acked, body)
			continue
		}
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("post %d on a full disk: %d %s, want 503", i, rec.Code, rec.Body)
		}
		refusal = message(t, rec)
		break
	}
	if refusal == "" {
		t.Fatal("5,000 posts fit in two pages: the limit did not hold")
	}
	if !strings.Contains(refusal, "disk is full") {
		t.Fatalf("refusal says %q", refusal)
	}
	if rec := e.Do(t, "GET", "/mine", ""); rec.Code != http.StatusServiceUnavailable || !strings.Contains(message(t, rec), "disk is full") {
		t.Fatalf("mining on a full disk: %d %s", rec.Code, rec.Body)
	}
	// A supervisor must see that the node cannot take writes; it is still
	// alive.
	if rec := e.Do(t, "GET", "/readyz", ""); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "disk is full") {
		t.Fatalf("GET /readyz on a full disk: %d %s, want 503 saying why", rec.Code, rec.Body)
	}
	if rec := e.Do(t, "GET", "/healthz", ""); rec.Code != http.StatusOK {
		t.Fatalf("GET /healthz on a full disk: %d", rec.Code)
	}
	for _, target := range []string{"/chain", "/nodes", "/api/status", "/api/mempool"} {
		if rec := e.Do(t, "GET", target, ""); rec.Code != http.StatusOK {
			t.Fatalf("GET %s on a full disk: %d %s", target, rec.Code, rec.Body)
		}
	}
	if rec := e.Get(t, "/scan", "en"); rec.Code != http.StatusOK {
		t.Fatalf("GET /scan on a full disk: %d", rec.Code)
	}
	e.Node.Close()
	e.DB.Close()

	// Room again: the file is sound, the chain valid, nothing acknowledged
	// lost, and the node takes posts and mines again.
	if err := store.IntegrityCheck(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	e = mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true})
	if n := mempoolSize(t, e); n != int64(len(acked)) {
		t.Fatalf("%d pending after the full disk, want the %d acknowledged", n, len(acked))
	}
	e.MustMine(t)
	v, err := wire.Parse(e.Do(t, "GET", "/chain", "").Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := v.Get("chain")
	if _, err := consensus.ValidateChain(wire.Blocks(chain.Arr), 1e12); err != nil {
		t.Fatalf("chain after the full disk: %v", err)
	}
	e.MustPost(t, "alice", "bob", "1")
	if rec := e.Do(t, "GET", "/readyz", ""); rec.Code != http.StatusOK {
		t.Fatalf("GET /readyz with room again: %d %s", rec.Code, rec.Body)
	}
}

// TestReadOnlyDatabase opens the node on a database it cannot write to:
// writes answer 503 saying so, reads work, nothing changes.
func TestReadOnlyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.db")
	{
		e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true})
		e.MustMine(t)
		e.MustPost(t, "alice", "bob", "1")
		e.Node.Close()
		e.DB.Close()
	}
	e := mustOpenEnvAt(t, path, node.Config{AllowOverdraft: true}, "query_only(1)")
	rec := e.Do(t, "POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 2}`)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(message(t, rec), "read-only") {
		t.Fatalf("post to a read-only database: %d %s", rec.Code, rec.Body)
	}
	if rec := e.Do(t, "GET", "/mine", ""); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("mining on a read-only database: %d %s", rec.Code, rec.Body)
	}
	if rec := e.Do(t, "GET", "/readyz", ""); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "read-only") {
		t.Fatalf("GET /readyz on a read-only database: %d %s, want 503 saying why", rec.Code, rec.Body)
	}
	if rec := e.Do(t, "GET", "/api/address/alice", ""); rec.Code != http.StatusOK {
		t.Fatalf("reading a read-only database: %d %s", rec.Code, rec.Body)
	}
	if n := mempoolSize(t, e); n != 1 {
		t.Fatalf("%d pending, want the 1 from before", n)
	}
}
