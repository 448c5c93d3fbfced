package api

import (
	"strings"
	"testing"
)

// TestIsBlockHash: an announcement's "new_hash" is taken only when it
// reads as a block hash; anything else is answered as a tutorial node's
// announcement.
func TestIsBlockHash(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{strings.Repeat("0a", 32), true},
		{strings.Repeat("0A", 32), false},
		{strings.Repeat("0", 63), false},
		{strings.Repeat("0", 65), false},
		{strings.Repeat("g", 64), false},
		{"", false},
	} {
		if got := isBlockHash(tt.s); got != tt.want {
			t.Errorf("isBlockHash(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
