// Package svg holds what every SVG the node draws shares: the escaping of
// text that came from outside (labels, addresses) into markup that both an
// HTML page and an XML parser read safely.
package svg

import (
	"html"
	"strings"
	"unicode/utf8"
)

// Escape makes s safe as XML text or as a quoted attribute value, in an
// HTML page or in a standalone SVG. Characters XML forbids even as
// references (most control characters, invalid UTF-8) become U+FFFD, so
// that a hostile label cannot break an XML parser either.
func Escape(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0x7f, r >= 0xfffe && r <= 0xffff:
			return utf8.RuneError
		}
		return r
	}, s)
	return html.EscapeString(s)
}
