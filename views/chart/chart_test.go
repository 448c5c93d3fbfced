package chart

import (
	"encoding/xml"
	"errors"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is one element of a parsed SVG.
type node struct {
	Name     string
	Attr     map[string]string
	Text     string // the element's own character data
	Children []*node
}

// all returns n and its descendants in document order.
func (n *node) all() []*node {
	out := []*node{n}
	for _, c := range n.Children {
		out = append(out, c.all()...)
	}
	return out
}

// withClass returns the elements named name (any name if empty) whose
// class list holds class.
func (n *node) withClass(name, class string) []*node {
	var out []*node
	for _, e := range n.all() {
		if name != "" && e.Name != name {
			continue
		}
		for _, c := range strings.Fields(e.Attr["class"]) {
			if c == class {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func (n *node) named(name string) []*node {
	var out []*node
	for _, e := range n.all() {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// mustParseSVG parses out as strict XML and checks what every chart
// promises: an accessible root with a viewBox, unique ids, and nothing a
// strict Content-Security-Policy would block.
func mustParseSVG(tb testing.TB, out template.HTML) *node {
	tb.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	dec.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("parse SVG: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else if root != nil {
				tb.Fatalf("more than one root element:\n%s", out)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tok)
			}
		}
	}
	if root == nil || root.Name != "svg" {
		tb.Fatalf("root is not <svg>:\n%s", out)
	}
	// A chart is one picture, unless its shapes are links: a group of
	// them (a picture may hold no link).
	want := "img"
	if strings.Contains(string(out), "<a ") {
		want = "group"
	}
	if got := root.Attr["role"]; got != want {
		tb.Errorf("role=%q, want %q", got, want)
	}
	if root.Attr["viewBox"] == "" {
		tb.Errorf("no viewBox")
	}
	if got, want := root.Attr["width"], "100%"; got != want {
		tb.Errorf("width=%q, want %q", got, want)
	}
	ids := map[string]*node{}
	for _, e := range root.all() {
		if e.Name == "style" {
			tb.Errorf("<style> element in SVG")
		}
		if _, ok := e.Attr["style"]; ok {
			tb.Errorf("style attribute on <%s>", e.Name)
		}
		for name := range e.Attr {
			if strings.HasPrefix(strings.ToLower(name), "on") {
				tb.Errorf("event handler attribute %s on <%s>", name, e.Name)
			}
		}
		if id := e.Attr["id"]; id != "" {
			if ids[id] != nil {
				tb.Errorf("id %q used twice", id)
			}
			ids[id] = e
		}
	}
	title := ids[root.Attr["aria-labelledby"]]
	if title == nil || title.Name != "title" {
		tb.Errorf("aria-labelledby=%q does not name a <title>", root.Attr["aria-labelledby"])
	}
	if d := root.Attr["aria-describedby"]; d != "" && (ids[d] == nil || ids[d].Name != "desc") {
		tb.Errorf("aria-describedby=%q does not name a <desc>", d)
	}
	return root
}

func floatAttr(tb testing.TB, n *node, name string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(n.Attr[name], 64)
	if err != nil {
		tb.Fatalf("<%s %s=%q>: %v", n.Name, name, n.Attr[name], err)
	}
	return v
}

func texts(nodes []*node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Text)
	}
	return out
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		want   []float64
	}{
		{"AllZero", 0, 0, []float64{0, 0.5, 1}},
		{"One", 0, 1, []float64{0, 0.5, 1}},
		{"Three", 0, 3, []float64{0, 1, 2, 3}},
		{"Seven", 0, 7, []float64{0, 2, 4, 6, 8}},
		{"Fifteen", 0, 15, []float64{0, 5, 10, 15}},
		{"Fifty", 0, 50, []float64{0, 20, 40, 60}},
		{"Tenths", 0, 0.3, []float64{0, 0.1, 0.2, 0.3}},
		{"Thousands", 0, 1234, []float64{0, 500, 1000, 1500}},
		{"AboveZero", 40, 50, []float64{0, 20, 40, 60}},
		{"Negative", -3, 7, []float64{-5, 0, 5, 10}},
		{"AllNegative", -9, -1, []float64{-10, -5, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := niceTicks(tt.lo, tt.hi)
			if len(got) != len(tt.want) {
				t.Fatalf("niceTicks(%v, %v)=%v, want %v", tt.lo, tt.hi, got, tt.want)
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("niceTicks(%v, %v)=%v, want %v", tt.lo, tt.hi, got, tt.want)
				}
			}
		})
	}
}

// TestNiceTicksAlwaysFit checks, over ranges of every size, the promises
// the drawing code relies on.
func TestNiceTicksAlwaysFit(t *testing.T) {
	for _, lo := range []float64{0, -0.7, -13, -4e6} {
		for hi := 1e-4; hi < 1e9; hi *= 1.37 {
			ticks := niceTicks(lo, hi)
			if n := len(ticks); n < 3 || n > 5 {
				t.Fatalf("niceTicks(%v, %v)=%v: %d ticks, want 3 to 5", lo, hi, ticks, n)
			}
			if ticks[0] > lo || ticks[len(ticks)-1] < hi {
				t.Fatalf("niceTicks(%v, %v)=%v does not cover the range", lo, hi, ticks)
			}
			zero := false
			for _, v := range ticks {
				zero = zero || math.Abs(v) < 1e-12
			}
			if !zero {
				t.Fatalf("niceTicks(%v, %v)=%v has no 0", lo, hi, ticks)
			}
		}
	}
}

func TestFormatTick(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{0, 1, "0"},
		{15, 5, "15"},
		{0.1 + 0.2, 0.1, "0.3"},
		{0.5, 0.5, "0.5"},
		{0.75, 0.25, "0.75"},
		{1500, 500, "1500"},
		{4000, 2000, "4k"},
		{3e6, 1e6, "3M"},
		{-4, 4, "-4"},
	}
	for _, tt := range tests {
		if got, want := formatTick(tt.v, tt.step), tt.want; got != want {
			t.Errorf("formatTick(%v, %v)=%q, want %q", tt.v, tt.step, got, want)
		}
	}
}

func TestBars(t *testing.T) {
	tests := []struct {
		name       string
		bars       []Bar
		wantTicks  []string
		wantLabels []string
		clamped    int
	}{
		{
			name: "OK",
			bars: []Bar{
				{Label: "#1", Value: 3, Href: "/scan/block/1"},
				{Label: "#2", Value: 15, Href: "/scan/block/2"},
				{Label: "#3", Value: 7, Href: "/scan/block/3"},
			},
			wantTicks:  []string{"0", "5", "10", "15"},
			wantLabels: []string{"#1", "#2", "#3"},
		},
		{
			name:       "AllZero",
			bars:       []Bar{{Label: "a"}, {Label: "b"}},
			wantTicks:  []string{"0", "0.5", "1"},
			wantLabels: []string{"a", "b"},
		},
		{
			name:       "OneBar",
			bars:       []Bar{{Label: "#7", Value: 42}},
			wantTicks:  []string{"0", "20", "40", "60"},
			wantLabels: []string{"#7"},
		},
		{
			name: "Negative",
			bars: []Bar{
				{Label: "#1", Value: 600},
				{Label: "#2", Value: -12.5},
				{Label: "#3", Value: math.NaN()},
				{Label: "#4", Value: math.Inf(1)},
			},
			wantTicks:  []string{"0", "200", "400", "600"},
			wantLabels: []string{"#1", "#2", "#3", "#4"},
			clamped:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := mustParseSVG(t, Bars(BarChart{ID: "txs", Title: "Transactions per block", Bars: tt.bars}))

			rects := root.withClass("rect", "chart-bar")
			if got, want := len(rects), len(tt.bars); got != want {
				t.Fatalf("%d bars drawn, want %d", got, want)
			}
			for i, r := range rects {
				h := floatAttr(t, r, "height")
				y := floatAttr(t, r, "y")
				if h < 0 || y < plotTop-1e-9 || y+h > plotBottom+1e-9 {
					t.Errorf("bar %d: y=%v height=%v, outside the plot", i, y, h)
				}
				if v := tt.bars[i].Value; (v <= 0 || !finite(v)) && h != 0 {
					t.Errorf("bar %d of value %v: height=%v, want 0", i, v, h)
				}
			}
			if got, want := strings.Join(texts(root.withClass("text", "chart-tick")), " "), strings.Join(tt.wantTicks, " "); got != want {
				t.Errorf("ticks=%q, want %q", got, want)
			}
			if got, want := strings.Join(texts(root.withClass("text", "chart-xlabel")), " "), strings.Join(tt.wantLabels, " "); got != want {
				t.Errorf("x labels=%q, want %q", got, want)
			}
			if got, want := len(root.withClass("", "chart-clamped")), tt.clamped; got != want {
				t.Errorf("%d clamped markers, want %d", got, want)
			}
		})
	}
}

func TestBarsProportional(t *testing.T) {
	root := mustParseSVG(t, Bars(BarChart{ID: "c", Bars: []Bar{{Value: 5}, {Value: 10}}}))
	rects := root.withClass("rect", "chart-bar")
	h0, h1 := floatAttr(t, rects[0], "height"), floatAttr(t, rects[1], "height")
	if got, want := h1/h0, 2.0; math.Abs(got-want) > 0.01 {
		t.Errorf("height ratio=%v, want %v", got, want)
	}
	if got, want := h1, float64(plotBottom-plotTop); math.Abs(got-want) > 0.1 {
		t.Errorf("tallest bar height=%v, want the plot's %v", got, want)
	}
}

func TestBarsManyLabels(t *testing.T) {
	bars := make([]Bar, 100)
	for i := range bars {
		bars[i] = Bar{Label: "#" + strconv.Itoa(i), Value: float64(i % 7)}
	}
	root := mustParseSVG(t, Bars(BarChart{ID: "many", Bars: bars}))
	labels := texts(root.withClass("text", "chart-xlabel"))
	if got, want := len(labels), maxXLabels-1; got != want {
		t.Fatalf("%d x labels %q, want %d", got, labels, want)
	}
	if got, want := labels[0], "#0"; got != want {
		t.Errorf("first label=%q, want %q", got, want)
	}
	if got, want := labels[len(labels)-1], "#99"; got != want {
		t.Errorf("last label=%q, want %q", got, want)
	}
	if got, want := len(root.withClass("rect", "chart-bar")), 100; got != want {
		t.Errorf("%d bars, want %d", got, want)
	}
}

func TestBarsTooltip(t *testing.T) {
	root := mustParseSVG(t, Bars(BarChart{ID: "c", Unit: "s", Bars: []Bar{
		{Label: "#1", Value: 0.1 + 0.2},
		{Label: "#2", Value: 4, Tooltip: "block 2 came 4 s later"},
		{Label: "#3", Value: -2},
	}}))
	var got []string
	for _, g := range root.withClass("g", "chart-item") {
		got = append(got, texts(g.named("title"))...)
	}
	want := []string{"#1: 0.3 s", "block 2 came 4 s later", "#3: -2 s"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tooltips=%q, want %q", got, want)
	}
}

func TestBarsHref(t *testing.T) {
	tests := []struct {
		name string
		href string
		want string // "" means the bar is not a link
	}{
		{"Relative", "/scan/block/12", "/scan/block/12"},
		{"HTTPS", "https://example.org/b?h=1&x=2", "https://example.org/b?h=1&x=2"},
		{"Quote", `/b" onclick="alert(1)`, `/b" onclick="alert(1)`},
		{"JavaScript", "javascript:alert(1)", ""},
		{"JavaScriptUpper", "JavaScript:alert(1)", ""},
		{"Data", "data:text/html,<script>alert(1)</script>", ""},
		{"LeadingSpace", " javascript:alert(1)", ""},
		{"Tab", "java\tscript:alert(1)", ""},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := mustParseSVG(t, Bars(BarChart{ID: "c", Bars: []Bar{{Label: "x", Value: 1, Href: tt.href}}}))
			links := root.named("a")
			if tt.want == "" {
				if len(links) != 0 {
					t.Fatalf("link %q drawn, want none", links[0].Attr["href"])
				}
				if got, want := len(root.withClass("g", "chart-item")), 1; got != want {
					t.Fatalf("%d plain bars, want %d", got, want)
				}
				return
			}
			if len(links) != 1 {
				t.Fatalf("%d links, want 1", len(links))
			}
			if got, want := links[0].Attr["href"], tt.want; got != want {
				t.Errorf("href=%q, want %q", got, want)
			}
			if got, want := links[0].Attr["tabindex"], "-1"; got != want {
				t.Errorf("tabindex=%q, want %q", got, want)
			}
		})
	}
}

func TestNoData(t *testing.T) {
	tests := []struct {
		name string
		out  template.HTML
		want string
	}{
		{"BarsNil", Bars(BarChart{ID: "a", Title: "T"}), "No data"},
		{"BarsMessage", Bars(BarChart{ID: "a", Title: "T", NoData: "Aucune donnée", Bars: []Bar{}}), "Aucune donnée"},
		{"LineNil", Line(LineChart{ID: "b", Title: "T"}), "No data"},
		{"LineOnlyNaN", Line(LineChart{ID: "b", Title: "T", Points: []Point{{X: math.NaN(), Y: 1}, {X: 1, Y: math.Inf(-1)}}}), "No data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := mustParseSVG(t, tt.out)
			got := texts(root.withClass("text", "chart-message"))
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("message=%q, want %q", got, tt.want)
			}
			if got, want := len(root.withClass("", "chart-axis")), 0; got != want {
				t.Errorf("%d axes, want %d", got, want)
			}
		})
	}
}

// TestEscaping feeds hostile text to every field a caller fills and checks
// that it comes out as text, never as markup.
func TestEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script>"'&` + "\x00\x1b"
	const shown = `<script>alert(1)</script>"'&` + "\uFFFD\uFFFD"
	tests := []struct {
		name string
		out  template.HTML
	}{
		{"Bars", Bars(BarChart{ID: evil, Title: evil, Description: evil, Unit: evil,
			Bars: []Bar{{Label: evil, Value: 1, Tooltip: evil, Href: "/b/" + evil}, {Label: evil, Value: 2}}})},
		{"Line", Line(LineChart{ID: evil, Title: evil, Description: evil, Unit: evil, Start: evil, End: evil,
			Points: []Point{{X: 1, Y: 1, Label: evil}, {X: 2, Y: 3}}})},
		{"Empty", Bars(BarChart{ID: evil, Title: evil, Description: evil, NoData: evil})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(strings.ToLower(string(tt.out)), "<script") {
				t.Fatalf("raw <script in output:\n%s", tt.out)
			}
			root := mustParseSVG(t, tt.out)
			if got := root.named("script"); len(got) != 0 {
				t.Fatalf("%d <script> elements", len(got))
			}
			if got, want := root.named("title")[0].Text, shown; got != want {
				t.Errorf("title=%q, want %q", got, want)
			}
			if got, want := root.named("desc")[0].Text, shown; got != want {
				t.Errorf("desc=%q, want %q", got, want)
			}
			if id := root.Attr["aria-labelledby"]; strings.ContainsAny(id, " <>\"'&") {
				t.Errorf("aria-labelledby=%q holds characters an id may not", id)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"chart-txs", "chart-txs-title"},
		{"", "chart-title"},
		{"two words", "two-words-title"},
		{"é", "--title"},
	}
	for _, tt := range tests {
		root := mustParseSVG(t, Bars(BarChart{ID: tt.id, Description: "d", Bars: []Bar{{Value: 1}}}))
		if got, want := root.Attr["aria-labelledby"], tt.want; got != want {
			t.Errorf("ID %q: aria-labelledby=%q, want %q", tt.id, got, want)
		}
	}
	// Without a description there is nothing to point aria-describedby at.
	root := mustParseSVG(t, Bars(BarChart{ID: "x", Bars: []Bar{{Value: 1}}}))
	if got, ok := root.Attr["aria-describedby"]; ok {
		t.Errorf("aria-describedby=%q, want none", got)
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name      string
		chart     LineChart
		wantD     string // the line's path; "" means no line
		wantTicks []string
		wantTips  []string
	}{
		{
			name: "Steps",
			chart: LineChart{Unit: "pyBTC", Points: []Point{
				{X: 100, Y: 0.1},
				{X: 300, Y: 0.3, Label: "0.3 pyBTC"},
				{X: 200, Y: 0.2},
			}},
			wantD:     "M48 137.3H276V80.7H504V24",
			wantTicks: []string{"0", "0.1", "0.2", "0.3"},
			wantTips:  []string{"0.1 pyBTC", "0.2 pyBTC", "0.3 pyBTC"},
		},
		{
			name: "Straight",
			chart: LineChart{Straight: true, Points: []Point{
				{X: 0, Y: 10},
				{X: 10, Y: 0},
			}},
			wantD:     "M48 24L504 194",
			wantTicks: []string{"0", "5", "10"},
			wantTips:  []string{"10", "0"},
		},
		{
			name:      "OnePoint",
			chart:     LineChart{Points: []Point{{X: 5, Y: 2}}},
			wantTicks: []string{"0", "0.5", "1", "1.5", "2"},
			wantTips:  []string{"2"},
		},
		{
			name: "DropsNaN",
			chart: LineChart{Points: []Point{
				{X: 1, Y: 4},
				{X: 2, Y: math.NaN()},
				{X: math.Inf(1), Y: 1},
				{X: 3, Y: 4},
			}},
			wantD:     "M48 24H504V24",
			wantTicks: []string{"0", "1", "2", "3", "4"},
			wantTips:  []string{"4", "4"},
		},
		{
			name:      "Negative",
			chart:     LineChart{Points: []Point{{X: 1, Y: -3}, {X: 2, Y: 7}}},
			wantD:     "M48 171.3H504V58",
			wantTicks: []string{"-5", "0", "5", "10"},
			wantTips:  []string{"-3", "7"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.chart.ID = "bal"
			tt.chart.Title = "Balance over time"
			root := mustParseSVG(t, Line(tt.chart))

			var d string
			if lines := root.withClass("path", "chart-line"); len(lines) == 1 {
				d = lines[0].Attr["d"]
				if got, want := lines[0].Attr["fill"], "none"; got != want {
					t.Errorf("line fill=%q, want %q", got, want)
				}
			} else if len(lines) > 1 {
				t.Fatalf("%d lines, want at most 1", len(lines))
			}
			if got, want := d, tt.wantD; got != want {
				t.Errorf("line d=%q, want %q", got, want)
			}
			if got, want := strings.Join(texts(root.withClass("text", "chart-tick")), " "), strings.Join(tt.wantTicks, " "); got != want {
				t.Errorf("ticks=%q, want %q", got, want)
			}
			var tips []string
			for _, g := range root.withClass("g", "chart-point") {
				tips = append(tips, texts(g.named("title"))...)
			}
			if got, want := strings.Join(tips, "|"), strings.Join(tt.wantTips, "|"); got != want {
				t.Errorf("tooltips=%q, want %q", got, want)
			}
		})
	}
}

func TestLineAxisLabels(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		want       []string
	}{
		{"Both", "2026-01-02 10:00:00 UTC", "2026-03-04 18:30:00 UTC", []string{"2026-01-02 10:00:00 UTC", "2026-03-04 18:30:00 UTC"}},
		{"StartOnly", "Jan 2", "", []string{"Jan 2"}},
		{"None", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := mustParseSVG(t, Line(LineChart{ID: "l", Start: tt.start, End: tt.end,
				Points: []Point{{X: 1, Y: 1}, {X: 2, Y: 2}}}))
			if got, want := strings.Join(texts(root.withClass("text", "chart-xlabel")), "|"), strings.Join(tt.want, "|"); got != want {
				t.Errorf("x labels=%q, want %q", got, want)
			}
		})
	}
}

// TestInTemplate checks that a page template writes the chart as markup,
// not as escaped text.
func TestInTemplate(t *testing.T) {
	tmpl := template.Must(template.New("page").Parse(`<figure>{{.}}</figure>`))
	svg := Bars(BarChart{ID: "c", Title: "T", Bars: []Bar{{Label: "a", Value: 1}}})
	var b strings.Builder
	if err := tmpl.Execute(&b, svg); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "<figure>"+string(svg)+"</figure>"; got != want {
		t.Errorf("rendered=%q, want %q", got, want)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"#812", 14, "#812"},
		{"abcdefghijklmnop", 14, "abcdefghijklm…"},
		{"éééé", 3, "éé…"},
	}
	for _, tt := range tests {
		if got, want := truncate(tt.s, tt.n), tt.want; got != want {
			t.Errorf("truncate(%q, %d)=%q, want %q", tt.s, tt.n, got, want)
		}
	}
}

// TestExtremeValues draws values a hostile peer can put in a block's
// timestamp: huge, negative, equal. Every chart must come out whole, with
// every coordinate a finite number inside the viewBox.
func TestExtremeValues(t *testing.T) {
	const big = 1.6e308
	tests := []struct {
		name string
		out  func() template.HTML
	}{
		{"BarsHuge", func() template.HTML {
			return Bars(BarChart{ID: "b", Bars: []Bar{{Value: big}, {Value: 10}, {Value: math.MaxFloat64}}})
		}},
		{"BarsHugeNegative", func() template.HTML {
			return Bars(BarChart{ID: "b", Bars: []Bar{{Value: -big}, {Value: 10}}})
		}},
		{"BarsTiny", func() template.HTML {
			return Bars(BarChart{ID: "b", Bars: []Bar{{Value: 5e-324}, {Value: 1e-300}}})
		}},
		{"LineHugeX", func() template.HTML {
			return Line(LineChart{ID: "l", Points: []Point{{X: -big, Y: 1}, {X: 1.7e9, Y: 2}, {X: big, Y: 3}}})
		}},
		{"LineHugeY", func() template.HTML {
			return Line(LineChart{ID: "l", Straight: true, Points: []Point{{X: 1, Y: -math.MaxFloat64}, {X: 2, Y: math.MaxFloat64}}})
		}},
		{"LineEqualX", func() template.HTML {
			return Line(LineChart{ID: "l", Points: []Point{{X: 3, Y: 1}, {X: 3, Y: 2}, {X: 3, Y: 1}}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := mustParseSVG(t, tt.out())
			for _, n := range root.all()[1:] {
				for _, name := range []string{"x", "y", "width", "height", "cx", "cy"} {
					if _, ok := n.Attr[name]; !ok {
						continue
					}
					v := floatAttr(t, n, name)
					if math.IsNaN(v) || v < -width || v > 2*width {
						t.Errorf("<%s %s=%v> outside the chart", n.Name, name, v)
					}
				}
				if d := n.Attr["d"]; strings.Contains(d, "NaN") || strings.Contains(d, "Inf") || strings.Contains(d, "e+") {
					t.Errorf("<%s d=%q> is not a drawable path", n.Name, d)
				}
			}
		})
	}
}
