package chart

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pybtc/pybtc/views/svg"
)

// The drawing area in viewBox units. The width is small enough that text
// stays legible when a phone shrinks the chart to its screen.
const (
	width      = 520
	height     = 220
	emptyH     = 60
	fontSize   = 12
	plotLeft   = 48
	plotRight  = width - 16
	plotTop    = 24
	plotBottom = height - 26
	maxXLabels = 6
	maxRunes   = 14
)

// svgWriter builds one chart. It never fails, so the drawing code reads as
// a list of shapes.
type svgWriter struct {
	strings.Builder
}

// open writes the root element, its title and its description. A chart
// whose shapes are links is a group of them (role "group"); any other is
// one picture (role "img"), whose children assistive technology does not
// enter, so it may hold no link.
func (w *svgWriter) open(class, id, title, desc string, h int, linked bool) {
	id = cleanID(id)
	w.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="chart `)
	w.WriteString(class)
	w.WriteString(`" viewBox="0 0 `)
	w.WriteString(strconv.Itoa(width))
	w.WriteString(" ")
	w.WriteString(strconv.Itoa(h))
	role := "img"
	if linked {
		role = "group"
	}
	w.WriteString(`" width="100%" role="` + role + `" aria-labelledby="`)
	w.WriteString(id)
	w.WriteString(`-title"`)
	if desc != "" {
		w.WriteString(` aria-describedby="`)
		w.WriteString(id)
		w.WriteString(`-desc"`)
	}
	w.WriteString(` fill="currentColor" font-size="`)
	w.WriteString(strconv.Itoa(fontSize))
	w.WriteString(`"><title id="`)
	w.WriteString(id)
	w.WriteString(`-title">`)
	w.WriteString(svg.Escape(title))
	w.WriteString("</title>")
	if desc != "" {
		w.WriteString(`<desc id="`)
		w.WriteString(id)
		w.WriteString(`-desc">`)
		w.WriteString(svg.Escape(desc))
		w.WriteString("</desc>")
	}
}

func (w *svgWriter) close() {
	w.WriteString("</svg>")
}

// text writes a <text> element; anchor is "start", "middle" or "end".
func (w *svgWriter) text(class string, x, y float64, anchor, s string) {
	w.WriteString(`<text class="`)
	w.WriteString(class)
	w.WriteString(`" x="`)
	w.WriteString(num(x))
	w.WriteString(`" y="`)
	w.WriteString(num(y))
	w.WriteString(`" text-anchor="`)
	w.WriteString(anchor)
	w.WriteString(`">`)
	w.WriteString(svg.Escape(s))
	w.WriteString("</text>")
}

// rect writes a <rect>; extra holds further attributes, already escaped.
func (w *svgWriter) rect(class string, x, y, wd, ht float64, extra string) {
	w.WriteString(`<rect class="`)
	w.WriteString(class)
	w.WriteString(`" x="`)
	w.WriteString(num(x))
	w.WriteString(`" y="`)
	w.WriteString(num(y))
	w.WriteString(`" width="`)
	w.WriteString(num(wd))
	w.WriteString(`" height="`)
	w.WriteString(num(ht))
	w.WriteString(`"`)
	w.WriteString(extra)
	w.WriteString("/>")
}

// tooltip writes a <title> child, which browsers show on hover.
func (w *svgWriter) tooltip(s string) {
	if s == "" {
		return
	}
	w.WriteString("<title>")
	w.WriteString(svg.Escape(s))
	w.WriteString("</title>")
}

// grid writes the y ticks as grid lines with their labels, the unit above
// them and the two axes, with y mapping a value to its height.
func (w *svgWriter) grid(ticks []float64, unit string, y func(float64) float64) {
	step := 0.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	}
	for _, t := range ticks {
		ty := y(t)
		w.WriteString(`<path class="chart-grid" d="M`)
		w.WriteString(num(plotLeft))
		w.WriteString(" ")
		w.WriteString(num(ty))
		w.WriteString("H")
		w.WriteString(num(plotRight))
		w.WriteString(`" fill="none" stroke="currentColor" stroke-opacity="0.15"/>`)
		w.text("chart-label chart-tick", plotLeft-6, ty+4, "end", formatTick(t, step))
	}
	if unit != "" {
		w.text("chart-label chart-unit", plotLeft-6, plotTop-10, "end", unit)
	}
	w.WriteString(`<path class="chart-axis" d="M`)
	w.WriteString(num(plotLeft))
	w.WriteString(" ")
	w.WriteString(num(plotTop))
	w.WriteString("V")
	w.WriteString(num(plotBottom))
	w.WriteString("H")
	w.WriteString(num(plotRight))
	w.WriteString(`" fill="none" stroke="currentColor"/>`)
}

// empty draws a chart with nothing to plot, so the page keeps its shape
// and a screen reader still hears the title.
func empty(id, title, desc, message string) string {
	if message == "" {
		message = "No data"
	}
	var w svgWriter
	w.open("chart-empty", id, title, desc, emptyH, false)
	w.text("chart-label chart-message", width/2, emptyH/2+4, "middle", message)
	w.close()
	return w.String()
}

// cleanID keeps id usable in an IDREF list such as aria-labelledby, where a
// space would split it in two.
func cleanID(id string) string {
	if id == "" {
		return "chart"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, id)
}

// safeHref returns href escaped for an attribute, or "" when following it
// could run script: the chart is returned as template.HTML, so
// html/template will not check its URLs.
func safeHref(href string) string {
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
		return svg.Escape(href)
	}
	return ""
}

// truncate shortens s to at most n runes, so that one long label cannot
// cover its neighbours.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// num formats a coordinate; a tenth of a unit is finer than any screen
// shows, and fewer digits keep pages small.
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatValue formats a data value for a default tooltip; eight decimals
// are a satoshi, and rounding there hides float noise such as
// 0.30000000000000004.
func formatValue(v float64) string {
	v = math.Round(v*1e8) / 1e8
	if v == 0 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// finite reports whether v can be drawn.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
