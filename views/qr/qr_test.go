package qr

import (
	"encoding/xml"
	"errors"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// svgDoc is the part of the output the tests look at.
type svgDoc struct {
	XMLName   xml.Name `xml:"svg"`
	ViewBox   string   `xml:"viewBox,attr"`
	Width     string   `xml:"width,attr"`
	Height    string   `xml:"height,attr"`
	Role      string   `xml:"role,attr"`
	Label     string   `xml:"aria-label,attr"`
	Rendering string   `xml:"shape-rendering,attr"`
	Style     string   `xml:"style,attr"`
	Rects     []struct {
		Fill string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

func mustParse(tb testing.TB, out template.HTML) svgDoc {
	tb.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("parse SVG: %v\n%s", err, out)
	}
	if len(doc.Paths) != 1 {
		tb.Fatalf("%d paths, want 1", len(doc.Paths))
	}
	return doc
}

// mustModules reads the dark modules back from a path's d attribute.
func mustModules(tb testing.TB, d string) map[[2]int]bool {
	tb.Helper()
	run := regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	dark := map[[2]int]bool{}
	for d != "" {
		m := run.FindStringSubmatch(d)
		if m == nil {
			tb.Fatalf("unexpected path data at %q", d[:min(len(d), 30)])
		}
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		if m[4] != m[3] {
			tb.Fatalf("run %q does not close on itself", m[0])
		}
		for i := range w {
			if dark[[2]int{x + i, y}] {
				tb.Fatalf("module (%d,%d) drawn twice", x+i, y)
			}
			dark[[2]int{x + i, y}] = true
		}
		d = d[len(m[0]):]
	}
	return dark
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name string
		text string
		size int
	}{
		{"Address", "7f3c9a1e2b4d4f6a8c0e1d3b5a7f9c2e", 192},
		{"URL", "http://127.0.0.1:5000/wallet?to=abc&amount=1.5", 256},
		{"Unicode", "pyBTC → 지갑", 0},
		{"OneByte", "a", 100},
		{"Longest", strings.Repeat("x", 2331), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SVG(tt.text, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			doc := mustParse(t, out)

			code, err := qrcode.New(tt.text, qrcode.Medium)
			if err != nil {
				t.Fatal(err)
			}
			bitmap := code.Bitmap()
			n := len(bitmap)
			// The standard's smallest code is 21 modules, plus 4 of quiet
			// zone on each side.
			if n < 21+8 {
				t.Fatalf("bitmap is %d modules across, want at least 29", n)
			}
			if got, want := doc.ViewBox, "0 0 "+strconv.Itoa(n)+" "+strconv.Itoa(n); got != want {
				t.Errorf("viewBox=%q, want %q", got, want)
			}

			dark := mustModules(t, doc.Paths[0].D)
			want := 0
			for y, row := range bitmap {
				for x, on := range row {
					if on {
						want++
					}
					if got := dark[[2]int{x, y}]; got != on {
						t.Fatalf("module (%d,%d) drawn=%v, want %v", x, y, got, on)
					}
				}
			}
			if got := len(dark); got != want {
				t.Errorf("%d dark modules, want %d", got, want)
			}
			for p := range dark {
				if p[0] < 4 || p[1] < 4 || p[0] >= n-4 || p[1] >= n-4 {
					t.Fatalf("module %v in the quiet zone", p)
				}
			}

			wantSize := ""
			if tt.size > 0 {
				wantSize = strconv.Itoa(tt.size)
			}
			if doc.Width != wantSize || doc.Height != wantSize {
				t.Errorf("width=%q height=%q, want %q", doc.Width, doc.Height, wantSize)
			}
			if got, want := doc.Role, "img"; got != want {
				t.Errorf("role=%q, want %q", got, want)
			}
			if got, want := doc.Label, tt.text; got != want {
				t.Errorf("aria-label=%q, want %q", got, want)
			}
			if got, want := doc.Rendering, "crispEdges"; got != want {
				t.Errorf("shape-rendering=%q, want %q", got, want)
			}
			if doc.Style != "" || strings.Contains(string(out), "<style") {
				t.Errorf("style in output; a strict CSP would block it")
			}
			// Scanners need dark on light whatever the page's theme.
			if len(doc.Rects) != 1 || doc.Rects[0].Fill != "#fff" || doc.Paths[0].Fill != "#000" {
				t.Errorf("colours: rects=%v path fill=%q, want one #fff rect and a #000 path", doc.Rects, doc.Paths[0].Fill)
			}
		})
	}
}

func TestSVGEscaping(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"Script", `<script>alert(1)</script>`, `<script>alert(1)</script>`},
		{"Quotes", `" onload="alert(1)`, `" onload="alert(1)`},
		{"Ampersand", `a&b&amp;`, `a&b&amp;`},
		{"Controls", "a\x00b\x1bc", "a\uFFFDb\uFFFDc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SVG(tt.text, 128)
			if err != nil {
				t.Fatal(err)
			}
			if s := strings.ToLower(string(out)); strings.Contains(s, "<script") || strings.Contains(s, `" onload`) {
				t.Fatalf("text escaped its attribute:\n%s", out)
			}
			doc := mustParse(t, out)
			if got, want := doc.Label, tt.want; got != want {
				t.Errorf("aria-label=%q, want %q", got, want)
			}
		})
	}
}

func TestSVGErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want error
	}{
		{"Empty", "", ErrEmpty},
		{"TooLong", strings.Repeat("x", 2332), ErrTooLong},
		{"FarTooLong", strings.Repeat("x", 10000), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SVG(tt.text, 128)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err=%v, want %v", err, tt.want)
			}
			if out != "" {
				t.Errorf("output=%q, want none", out)
			}
		})
	}
}

func TestSVGDeterministic(t *testing.T) {
	a, err := SVG("same text", 64)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SVG("same text", 64)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two calls differ")
	}
}
