package svg_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/pybtc/pybtc/views/svg"
)

// TestEscape checks that hostile text stays text: markup is escaped and
// what XML forbids becomes U+FFFD, so the result parses as XML.
func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`a<b>&"c'`, "a&lt;b&gt;&amp;&#34;c&#39;"},
		{"tab\tnew\nline", "tab\tnew\nline"},
		{"bell\x07 del\x7f", "bell\uFFFD del\uFFFD"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"\uFFFE", "\uFFFD"},
	} {
		got := svg.Escape(tc.in)
		if got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		var v struct {
			A string `xml:"a,attr"`
		}
		if err := xml.NewDecoder(strings.NewReader(`<t a="` + got + `"/>`)).Decode(&v); err != nil {
			t.Errorf("Escape(%q) = %q does not parse as an XML attribute: %v", tc.in, got, err)
		}
	}
}
