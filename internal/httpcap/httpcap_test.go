package httpcap_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pybtc/pybtc/internal/httpcap"
)

// TestReadAll checks that an answer up to the cap is read whole and that
// a longer one, announced or not, is refused without being read to its end.
func TestReadAll(t *testing.T) {
	const limit = 8
	for _, tc := range []struct {
		name     string
		body     string
		length   int64
		want     string
		tooLarge bool
	}{
		{name: "Empty", body: "", length: 0, want: ""},
		{name: "AtCap", body: "12345678", length: -1, want: "12345678"},
		{name: "Announced", body: "123456789", length: 9, tooLarge: true},
		{name: "Unannounced", body: "123456789", length: -1, tooLarge: true},
		{name: "Endless", body: strings.Repeat("x", 1<<20), length: -1, tooLarge: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.NewReader(tc.body)
			resp := &http.Response{Body: io.NopCloser(body), ContentLength: tc.length}
			got, err := httpcap.ReadAll(resp, limit)
			if tc.tooLarge {
				if !errors.Is(err, httpcap.ErrTooLarge) {
					t.Fatalf("ReadAll = %q, %v; want %v", got, err, httpcap.ErrTooLarge)
				}
				if read := int64(len(tc.body)) - int64(body.Len()); read > limit+1 {
					t.Errorf("read %d bytes of a %d-byte cap", read, limit)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("ReadAll = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestReaderError checks that a broken connection is told apart from an
// answer too long.
func TestReaderError(t *testing.T) {
	broken := errors.New("connection reset")
	r := httpcap.NewReader(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(broken)), 8)
	if _, err := io.ReadAll(r); !errors.Is(err, broken) || r.Over() || !errors.Is(r.Err(), broken) {
		t.Fatalf("ReadAll = %v, Over %v, Err %v; want the connection's error", err, r.Over(), r.Err())
	}
}
