package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pybtc/pybtc/node"
)

// TestBalancePastInt64: 923 posts of the largest amount a post may carry
// send one address more satoshis than an int64 holds. Its API answer, its
// Block Scan page and its wallet answer 200 with the exact figures, and
// so do the sender's, below the int64's least.
func TestBalancePastInt64(t *testing.T) {
	e := MustOpenEnv(t, node.Config{AllowOverdraft: true})
	const posts, workers = 923, 8
	var wg sync.WaitGroup
	failures := make(chan string, posts)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < posts; i += workers {
				body := fmt.Sprintf(`{"sender": "faucet", "recipient": "whale", "amount": 100000000, "timestamp": %d, "type": "sharing"}`, 1727568000+i)
				if rec := e.Do(t, "POST", "/transactions/new", body); rec.Code != http.StatusCreated {
					failures <- fmt.Sprintf("post %d: %d %s", i, rec.Code, rec.Body)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Fatal(f)
	}
	t.Run("Pending", func(t *testing.T) {
		rec := e.Do(t, "GET", "/api/address/faucet", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"pending_sent":92300000000,`) {
			t.Fatalf("GET /api/address/faucet: %d %s", rec.Code, rec.Body)
		}
	})
	e.MustMine(t)

	tests := []struct {
		address, balance, sats string
	}{
		{"whale", "92300000000", "9230000000000000000"},
		{"faucet", "-92300000000", "-9230000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			rec := e.Do(t, "GET", "/api/address/"+tt.address, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /api/address/%s: %d %s", tt.address, rec.Code, rec.Body)
			}
			var a struct {
				Balance, Spendable json.Number
				BalanceSat         json.Number `json:"balance_sat"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			if a.Balance.String() != tt.balance || a.Spendable.String() != tt.balance || a.BalanceSat.String() != tt.sats {
				t.Fatalf("GET /api/address/%s: balance %s, spendable %s, balance_sat %s; want %s and %s", tt.address, a.Balance, a.Spendable, a.BalanceSat, tt.balance, tt.sats)
			}

			doc := e.MustPage(t, "/scan/address/"+tt.address, http.StatusOK)
			if got := ungroup(MustText(t, doc, "#balance")); got != tt.balance+" pyBTC" {
				t.Fatalf("Block Scan shows balance %q, want %s pyBTC", got, tt.balance)
			}

			v := NewWalletVisitor(e)
			v.MustLogin(t, tt.address)
			rec = v.Get(t, "/wallet")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /wallet as %s: %d", tt.address, rec.Code)
			}
			if got := MustText(t, mustDoc(t, rec), "#balance"); got != tt.balance+" pyBTC" {
				t.Fatalf("wallet shows balance %q, want %s pyBTC", got, tt.balance)
			}
		})
	}
	// The whale's next payment is taken like any other.
	e.MustPost(t, "whale", "bob", "100000000")
}

// TestPostAlreadyMined: a peer relaying a transaction that a block already
// holds is told so with 409, not promised a block with 201; a relay of one
// still pending is answered 201 and stored once.
func TestPostAlreadyMined(t *testing.T) {
	for _, allowOverdraft := range []bool{false, true} {
		t.Run(fmt.Sprint("allowOverdraft=", allowOverdraft), func(t *testing.T) {
			e := MustOpenEnv(t, node.Config{AllowOverdraft: allowOverdraft})
			e.MustMine(t) // miner has 0.1
			relay := `{"sender": "miner", "recipient": "bob", "amount": 0.05, "timestamp": 1727568100.5, "type": "sharing"}`
			for range 2 {
				if rec := e.Do(t, "POST", "/transactions/new", relay); rec.Code != http.StatusCreated {
					t.Fatalf("relay of a new transaction: %d %s", rec.Code, rec.Body)
				}
			}
			if n := mempoolSize(t, e); n != 1 {
				t.Fatalf("mempool holds %d after the same relay twice, want 1", n)
			}
			e.MustMine(t)
			rec := e.Do(t, "POST", "/transactions/new", relay)
			if rec.Code != http.StatusConflict || !strings.Contains(message(t, rec), "already in block 3") {
				t.Fatalf("relay of a mined transaction: %d %s, want 409 naming block 3", rec.Code, rec.Body)
			}
			if n := mempoolSize(t, e); n != 0 {
				t.Fatalf("mempool holds %d after the relay of a mined transaction, want 0", n)
			}
		})
	}
}
