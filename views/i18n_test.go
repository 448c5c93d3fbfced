package views_test

import (
	"testing"

	"github.com/pybtc/pybtc/views"
)

// TestFromAcceptLanguage: a browser gets the supported language it
// prefers most, whatever the region or script it adds, and English when
// it names none or sends nonsense.
func TestFromAcceptLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "en"},
		{"ko", "ko"},
		{"KO-kr", "ko"},
		{"ko-KR,ko;q=0.9,en;q=0.8", "ko"},
		{"fr-FR,en;q=0.5,ko;q=0.7", "ko"},
		{"en-US,ko;q=0.9", "en"},
		{"ko;q=0.1, en-GB;q=0.8", "en"},
		{"ko;q=0,fr", "en"},
		{"ko-Kore-KR", "ko"},
		{"fr, de", "en"},
		{"*", "en"},
		{";;;,q=", "en"},
	} {
		if got := views.FromAcceptLanguage(tc.header); got != tc.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}
