package chart

import (
	"html/template"
	"math"
)

// Bar is one bar of a BarChart.
type Bar struct {
	// Label names the bar under the x axis, e.g. "#812". Only a few bars
	// get their label shown, evenly spread, when there are many.
	Label string
	// Value is the bar's height in the chart's unit. A negative value is
	// drawn as 0 with a marker under the axis; NaN and infinities as 0.
	Value float64
	// Href, if not empty, makes the bar a link, e.g. to its block's page.
	// It may be relative, http, https or mailto; anything else is dropped.
	Href string
	// Tooltip is shown on hover; empty means "Label: Value Unit".
	Tooltip string
}

// BarChart is a bar chart, such as transactions per block or seconds
// between blocks over the latest blocks.
type BarChart struct {
	// ID prefixes the ids inside the SVG; required to be unique on the
	// page. Characters other than ASCII letters, digits, - and _ become -.
	ID string
	// Title names the chart for screen readers and on hover.
	Title string
	// Description is the chart's text alternative, e.g. a one-sentence
	// summary of what the bars show; may be empty.
	Description string
	// Unit is written above the y axis, e.g. "s"; may be empty.
	Unit string
	// Bars are drawn left to right.
	Bars []Bar
	// NoData is the message drawn when Bars is empty; empty means "No data".
	NoData string
}

// Bars draws c as an inline SVG bar chart with a y axis of 3 to 5 round
// ticks starting at 0. With no bars it draws a short chart holding only
// the NoData message.
func Bars(c BarChart) template.HTML {
	if len(c.Bars) == 0 {
		return template.HTML(empty(c.ID, c.Title, c.Description, c.NoData))
	}
	top := 0.0
	for _, b := range c.Bars {
		if finite(b.Value) {
			top = max(top, clampValue(b.Value))
		}
	}
	ticks := niceTicks(0, top)
	yMax := ticks[len(ticks)-1]
	y := func(v float64) float64 {
		return plotBottom - v/yMax*(plotBottom-plotTop)
	}

	var w svgWriter
	linked := false
	for _, b := range c.Bars {
		linked = linked || safeHref(b.Href) != ""
	}
	w.open("chart-bars", c.ID, c.Title, c.Description, height, linked)
	w.grid(ticks, c.Unit, y)

	n := len(c.Bars)
	slot := float64(plotRight-plotLeft) / float64(n)
	// A fifth of the slot stays empty so that neighbours read as separate
	// bars, and one or two bars do not become slabs.
	barW := min(slot*0.8, 40)
	labelled := labelIndexes(n)
	w.WriteString("<g>")
	for i, b := range c.Bars {
		x0 := plotLeft + float64(i)*slot
		v := b.Value
		clamped := v < 0
		if !finite(v) || clamped {
			v = 0
		}
		v = min(v, yMax)
		tip := b.Tooltip
		if tip == "" {
			tip = b.Label + ": " + formatValue(b.Value)
			if c.Unit != "" {
				tip += " " + c.Unit
			}
		}
		href := safeHref(b.Href)
		if href != "" {
			w.WriteString(`<a class="chart-link" href="`)
			w.WriteString(href)
			w.WriteString(`" tabindex="-1">`)
		} else {
			w.WriteString(`<g class="chart-item">`)
		}
		w.tooltip(tip)
		// The hit area spans the whole slot, so a short or zero bar can
		// still be hovered and clicked.
		w.rect("chart-hit", x0, plotTop, slot, plotBottom-plotTop, ` fill="transparent"`)
		w.rect("chart-bar", x0+(slot-barW)/2, y(v), barW, plotBottom-y(v), "")
		if clamped {
			cx := x0 + slot/2
			w.WriteString(`<path class="chart-clamped" d="M`)
			w.WriteString(num(cx))
			w.WriteString(" ")
			w.WriteString(num(plotBottom + 6))
			w.WriteString("l-3 -5h6z")
			w.WriteString(`"/>`)
		}
		if href != "" {
			w.WriteString("</a>")
		} else {
			w.WriteString("</g>")
		}
		if labelled[i] {
			// The outer labels hang inwards so that they stay inside the
			// viewBox.
			switch {
			case i == 0 && n > 1:
				w.text("chart-label chart-xlabel", x0, height-8, "start", truncate(b.Label, maxRunes))
			case i == n-1 && n > 1:
				w.text("chart-label chart-xlabel", x0+slot, height-8, "end", truncate(b.Label, maxRunes))
			default:
				w.text("chart-label chart-xlabel", x0+slot/2, height-8, "middle", truncate(b.Label, maxRunes))
			}
		}
	}
	w.WriteString("</g>")
	w.close()
	return template.HTML(w.String())
}

// labelIndexes chooses which of n bars show their label: all of them up
// to maxXLabels, else maxXLabels-1 evenly spread from first to last.
func labelIndexes(n int) map[int]bool {
	m := make(map[int]bool)
	if n <= maxXLabels {
		for i := range n {
			m[i] = true
		}
		return m
	}
	k := maxXLabels - 1
	for i := range k {
		m[int(math.Round(float64(i)*float64(n-1)/float64(k-1)))] = true
	}
	return m
}
