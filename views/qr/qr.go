// Package qr draws QR codes as inline SVG, so that a wallet page can show
// an address to a phone's camera without JavaScript, images on disk or a
// third-party service.
//
// The code is one <path> of the dark modules over a white square, with
// the quiet zone of four modules the standard asks for. Its colours are
// presentation attributes rather than CSS classes on purpose: a dark
// theme that inverted them would make the code unreadable to many
// scanners.
package qr

import (
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/pybtc/pybtc/views/svg"
)

// ErrEmpty is returned for an empty text, which a QR code cannot hold.
var ErrEmpty = errors.New("qr: empty text")

// ErrTooLong is returned when the text does not fit in the largest QR
// code (version 40) at medium error correction: 2,331 bytes of any text,
// more if it is only digits or upper-case letters.
var ErrTooLong = errors.New("qr: text too long")

// SVG returns text as a QR code in an inline <svg class="qr">, with medium
// error correction so that it survives a smudged or glaring screen.
//
// size is the width and height in CSS pixels; zero or less leaves them
// out, for a stylesheet to set. The drawing is in module units with a
// viewBox, so it stays sharp at any size. The svg has role="img" and
// aria-label set to text, escaped.
//
// When text cannot be encoded it returns an error matching ErrEmpty or
// ErrTooLong under errors.Is.
func SVG(text string, size int) (template.HTML, error) {
	if text == "" {
		return "", ErrEmpty
	}
	code, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		// With a valid level, go-qrcode fails only when the text is too
		// long; its error is not exported, so name it here.
		return "", fmt.Errorf("encode %d bytes: %w", len(text), ErrTooLong)
	}
	// Bitmap includes the quiet zone.
	bitmap := code.Bitmap()
	n := strconv.Itoa(len(bitmap))

	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 `)
	b.WriteString(n + " " + n)
	b.WriteString(`"`)
	if size > 0 {
		s := strconv.Itoa(size)
		b.WriteString(` width="` + s + `" height="` + s + `"`)
	}
	b.WriteString(` shape-rendering="crispEdges" role="img" aria-label="`)
	b.WriteString(svg.Escape(text))
	b.WriteString(`"><rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	// One rectangle per horizontal run of dark modules keeps the path far
	// shorter than one square per module.
	for y, row := range bitmap {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b.WriteString("M" + strconv.Itoa(start) + " " + strconv.Itoa(y) +
				"h" + strconv.Itoa(x-start) + "v1h-" + strconv.Itoa(x-start) + "z")
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
