package chart

import (
	"cmp"
	"html/template"
	"slices"
)

// Point is one point of a LineChart.
type Point struct {
	// X places the point across, e.g. a unix time; points are drawn in
	// order of X whatever their order in the slice.
	X float64
	// Y is the point's value in the chart's unit.
	Y float64
	// Label is shown on hover, e.g. "12.5 pyBTC at 14:02"; empty means
	// "Y Unit".
	Label string
}

// LineChart is a line chart, such as an address's balance over time.
type LineChart struct {
	// ID prefixes the ids inside the SVG; required to be unique on the
	// page. Characters other than ASCII letters, digits, - and _ become -.
	ID string
	// Title names the chart for screen readers and on hover.
	Title string
	// Description is the chart's text alternative; may be empty.
	Description string
	// Unit is written above the y axis, e.g. "pyBTC"; may be empty.
	Unit string
	// Points are the data. Points whose X or Y is NaN or infinite are
	// left out.
	Points []Point
	// Start and End label the left and right ends of the x axis, e.g. the
	// dates of the first and last points, as the caller wants them read;
	// either may be empty.
	Start, End string
	// Straight joins the points with straight lines. The zero value draws
	// steps, holding each value until the next point, which is what a
	// balance does: it changes at a transaction and nowhere between.
	Straight bool
	// NoData is the message drawn when there are no points; empty means
	// "No data".
	NoData string
}

// Line draws c as an inline SVG line chart with a y axis of 3 to 5 round
// ticks that includes 0, and the caller's Start and End under the x axis.
// With no drawable points it draws a short chart holding only the NoData
// message.
func Line(c LineChart) template.HTML {
	points := make([]Point, 0, len(c.Points))
	for _, p := range c.Points {
		if finite(p.X) && finite(p.Y) {
			p.X, p.Y = clampValue(p.X), clampValue(p.Y)
			points = append(points, p)
		}
	}
	if len(points) == 0 {
		return template.HTML(empty(c.ID, c.Title, c.Description, c.NoData))
	}
	slices.SortStableFunc(points, func(a, b Point) int { return cmp.Compare(a.X, b.X) })

	lo, hi := points[0].Y, points[0].Y
	for _, p := range points {
		lo, hi = min(lo, p.Y), max(hi, p.Y)
	}
	ticks := niceTicks(lo, hi)
	yMin, yMax := ticks[0], ticks[len(ticks)-1]
	y := func(v float64) float64 {
		return plotBottom - (v-yMin)/(yMax-yMin)*(plotBottom-plotTop)
	}
	xMin, xMax := points[0].X, points[len(points)-1].X
	x := func(v float64) float64 {
		if xMax == xMin {
			return (plotLeft + plotRight) / 2.0
		}
		return plotLeft + (v-xMin)/(xMax-xMin)*(plotRight-plotLeft)
	}

	var w svgWriter
	w.open("chart-lines", c.ID, c.Title, c.Description, height, false)
	w.grid(ticks, c.Unit, y)

	if len(points) > 1 {
		w.WriteString(`<path class="chart-line" d="M`)
		w.WriteString(num(x(points[0].X)))
		w.WriteString(" ")
		w.WriteString(num(y(points[0].Y)))
		for _, p := range points[1:] {
			if c.Straight {
				w.WriteString("L")
				w.WriteString(num(x(p.X)))
				w.WriteString(" ")
				w.WriteString(num(y(p.Y)))
				continue
			}
			w.WriteString("H")
			w.WriteString(num(x(p.X)))
			w.WriteString("V")
			w.WriteString(num(y(p.Y)))
		}
		w.WriteString(`" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>`)
	}
	for _, p := range points {
		tip := p.Label
		if tip == "" {
			tip = formatValue(p.Y)
			if c.Unit != "" {
				tip += " " + c.Unit
			}
		}
		w.WriteString(`<g class="chart-point">`)
		w.tooltip(tip)
		w.WriteString(`<circle cx="`)
		w.WriteString(num(x(p.X)))
		w.WriteString(`" cy="`)
		w.WriteString(num(y(p.Y)))
		w.WriteString(`" r="3"/></g>`)
	}
	if c.Start != "" {
		w.text("chart-label chart-xlabel", plotLeft, height-8, "start", truncate(c.Start, 2*maxRunes+4))
	}
	if c.End != "" {
		w.text("chart-label chart-xlabel", plotRight, height-8, "end", truncate(c.End, 2*maxRunes+4))
	}
	w.close()
	return template.HTML(w.String())
}
