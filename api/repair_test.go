package api

import (
	"strings"
	"testing"
)

func TestHeaderRepair(t *testing.T) {
	const request = "GET /nodes/resolve HTTP/1.1\r\nHost: x\r\nContent=Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}"
	want := strings.Replace(request, "Content=Type", "Content-Type", 1)
	// Every way of splitting the request into two reads must repair it,
	// including splits inside the misspelled name.
	for cut := 0; cut <= len(request); cut++ {
		c := &headerRepairConn{}
		a, b := []byte(request[:cut]), []byte(request[cut:])
		c.repair(a)
		c.repair(b)
		if got := string(a) + string(b); got != want {
			t.Fatalf("split at %d: got %q", cut, got)
		}
	}
	t.Run("ByteAtATime", func(t *testing.T) {
		c := &headerRepairConn{}
		var got strings.Builder
		for i := range len(request) {
			b := []byte{request[i]}
			c.repair(b)
			got.Write(b)
		}
		if got.String() != want {
			t.Fatalf("got %q", got.String())
		}
	})
	t.Run("LeavesOtherEqualsAlone", func(t *testing.T) {
		for _, s := range []string{"a=b&Content=x", "Content=Type", "\nContent=Type", `{"x": "Content=Type"}`} {
			c := &headerRepairConn{}
			b := []byte(s)
			c.repair(b)
			if string(b) != s {
				t.Fatalf("%q became %q", s, b)
			}
		}
	})
}
