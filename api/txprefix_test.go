package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAPITxPrefix: /api/tx takes the start of an id, 4 hex characters or
// more, as Block Scan's search does: a unique one answers the transaction,
// an ambiguous one 409 with the candidates, an unknown one 404.
func TestAPITxPrefix(t *testing.T) {
	e := MustOpenScanEnv(t)
	// Post until two ids share their first 4 characters (about 300 posts
	// on average: the birthday bound of 65,536 prefixes).
	ids := map[string]string{e.Confirmed[:4]: e.Confirmed, e.Pending[:4]: e.Pending}
	var twins []string
	for i := 0; twins == nil && i < 5000; i++ {
		id := e.MustPost(t, "alice", "bob", fmt.Sprintf("0.%08d", i+1))
		if other, ok := ids[id[:4]]; ok && other != id {
			twins = []string{other, id}
		}
		ids[id[:4]] = id
	}
	if twins == nil {
		t.Fatal("no two ids share 4 characters after 5,000 posts")
	}
	unknown := ""
	for p := 0; unknown == ""; p++ {
		if _, ok := ids[fmt.Sprintf("%04x", p)]; !ok {
			unknown = fmt.Sprintf("%04x", p)
		}
	}
	tests := []struct {
		name, id string
		status   int
		want     string // the id answered, or words of the message
	}{
		{"WholeID", e.Confirmed, 200, e.Confirmed},
		{"Prefix", e.Confirmed[:10], 200, e.Confirmed},
		{"UpperCase", strings.ToUpper(e.Confirmed[:10]), 200, e.Confirmed},
		{"Pending", e.Pending[:12], 200, e.Pending},
		{"TooShort", e.Confirmed[:3], 400, "64 hex characters"},
		{"NotHex", "zzzzzz", 400, "64 hex characters"},
		{"Unknown", unknown, 404, "No transaction id starts with " + unknown},
		{"Ambiguous", twins[0][:4], 409, twins[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.Do(t, http.MethodGet, "/api/tx/"+tt.id, "")
			if rec.Code != tt.status {
				t.Fatalf("GET /api/tx/%s: %d %s, want %d", tt.id, rec.Code, rec.Body, tt.status)
			}
			var got struct {
				ID         string   `json:"id"`
				Message    string   `json:"message"`
				Candidates []string `json:"candidates"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.status == 200 && got.ID != tt.want:
				t.Fatalf("GET /api/tx/%s answered %s, want %s", tt.id, got.ID, tt.want)
			case tt.status == 409 && (!slices.Contains(got.Candidates, twins[0]) || !slices.Contains(got.Candidates, twins[1]) ||
				!strings.Contains(got.Message, twins[0]) || !strings.Contains(got.Message, "more characters")):
				t.Fatalf("GET /api/tx/%s: %s; want both %v named", tt.id, rec.Body, twins)
			case tt.status != 200 && tt.status != 409 && !strings.Contains(got.Message, tt.want):
				t.Fatalf("GET /api/tx/%s: message %q, want %q in it", tt.id, got.Message, tt.want)
			}
		})
	}
}
