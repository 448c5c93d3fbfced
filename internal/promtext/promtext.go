// Package promtext keeps a node's metrics and writes them in Prometheus's
// text exposition format (version 0.0.4): counters, gauges and histograms,
// with labels. It is the part of a Prometheus client a node needs; the
// client library itself was about 2.5 MB of the binary's code and as much
// of every idle node's resident memory, and a classroom runs dozens of
// nodes on one machine.
package promtext

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ContentType is the media type of what WriteTo writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families. Registering a name twice panics: names
// are fixed in the program, so a duplicate is a programming error.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
}

// family is one metric family: its samples, under one name.
type family interface {
	// write writes the family's HELP and TYPE lines and its samples.
	write(w *bufio.Writer)
}

func NewRegistry() *Registry {
	return &Registry{families: map[string]family{}}
}

func (r *Registry) register(name string, f family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.families[name]; dup {
		panic(fmt.Sprintf("promtext: metric %s registered twice", name))
	}
	r.families[name] = f
}

// WriteTo writes every family, sorted by name, each family's samples
// sorted by their labels' values, as Prometheus's own client does.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for name := range r.families {
		names = append(names, name)
	}
	fams := make([]family, 0, len(names))
	slices.Sort(names)
	for _, name := range names {
		fams = append(fams, r.families[name])
	}
	r.mu.Unlock()
	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, f := range fams {
		f.write(bw)
	}
	err := bw.Flush()
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// desc is what every family has: a name, a help text and label names.
type desc struct {
	name, help, kind string
	labels           []string
	// order lists the label positions sorted by label name: samples
	// carry their labels sorted by name.
	order []int
}

func newDesc(name, help, kind string, labels []string) desc {
	if !validName(name) {
		panic(fmt.Sprintf("promtext: invalid metric name %q", name))
	}
	order := make([]int, len(labels))
	for i, l := range labels {
		if !validName(l) || l == "le" {
			panic(fmt.Sprintf("promtext: invalid label name %q", l))
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return desc{name: name, help: help, kind: kind, labels: labels, order: order}
}

func (d *desc) writeHeader(w *bufio.Writer) {
	w.WriteString("# HELP ")
	w.WriteString(d.name)
	w.WriteByte(' ')
	w.WriteString(helpEscaper.Replace(d.help))
	w.WriteString("\n# TYPE ")
	w.WriteString(d.name)
	w.WriteByte(' ')
	w.WriteString(d.kind)
	w.WriteByte('\n')
}

// writeSample writes one sample line: name and suffix, the labels with
// values (sorted by name), then extra (such as le="0.5"), then v.
func (d *desc) writeSample(w *bufio.Writer, suffix string, values []string, extra string, v float64) {
	w.WriteString(d.name)
	w.WriteString(suffix)
	if len(values) > 0 || extra != "" {
		w.WriteByte('{')
		for i, pos := range d.order {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(d.labels[pos])
			w.WriteString(`="`)
			w.WriteString(labelEscaper.Replace(values[pos]))
			w.WriteByte('"')
		}
		if extra != "" {
			if len(values) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(extra)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

// sortedKeys returns the keys of series sorted by their label values in
// label-name order, the order the samples are written in.
func sortedKeys[S any](d *desc, series map[string]S, values func(S) []string) []string {
	keys := make([]string, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		va, vb := values(series[a]), values(series[b])
		for _, pos := range d.order {
			if c := strings.Compare(va[pos], vb[pos]); c != 0 {
				return c
			}
		}
		return 0
	})
	return keys
}

func (d *desc) key(values []string) string {
	if len(values) != len(d.labels) {
		panic(fmt.Sprintf("promtext: %s takes %d label values, got %d", d.name, len(d.labels), len(values)))
	}
	return strings.Join(values, "\xff")
}

// CounterVec counts events, one count for each set of label values.
type CounterVec struct {
	desc
	mu     sync.Mutex
	series map[string]*counter
}

type counter struct {
	values []string
	n      atomic.Uint64
}

// Counter registers a counter with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{desc: newDesc(name, help, "counter", labels), series: map[string]*counter{}}
	r.register(name, c)
	return c
}

// Inc adds one to the count of the given label values, in the order the
// label names were given.
func (c *CounterVec) Inc(values ...string) {
	key := c.key(values)
	c.mu.Lock()
	s, ok := c.series[key]
	if !ok {
		s = &counter{values: slices.Clone(values)}
		c.series[key] = s
	}
	c.mu.Unlock()
	s.n.Add(1)
}

// write leaves out a counter nothing has counted yet, as Prometheus's
// client does.
func (c *CounterVec) write(w *bufio.Writer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.series) == 0 {
		return
	}
	c.writeHeader(w)
	for _, k := range sortedKeys(&c.desc, c.series, func(s *counter) []string { return s.values }) {
		s := c.series[k]
		c.writeSample(w, "", s.values, "", float64(s.n.Load()))
	}
}

// HistogramVec counts observations into buckets, one histogram for each
// set of label values.
type HistogramVec struct {
	desc
	bounds []float64
	mu     sync.Mutex
	series map[string]*histogram
}

type histogram struct {
	values []string
	counts []uint64 // counts[i]: observations in (bounds[i-1], bounds[i]]; the last, above every bound
	sum    float64
	count  uint64
}

// Histogram registers a histogram with the given upper bounds, in
// increasing order, and label names.
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) *HistogramVec {
	for i, b := range bounds {
		if math.IsInf(b, 0) || math.IsNaN(b) || (i > 0 && b <= bounds[i-1]) {
			panic(fmt.Sprintf("promtext: %s: bounds must be finite and strictly increase", name))
		}
	}
	h := &HistogramVec{desc: newDesc(name, help, "histogram", labels), bounds: slices.Clone(bounds), series: map[string]*histogram{}}
	r.register(name, h)
	return h
}

// Observe records v for the given label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	key := h.key(values)
	i, _ := slices.BinarySearch(h.bounds, v) // the first bound >= v
	if math.IsNaN(v) {
		i = len(h.bounds) // in no bucket but +Inf, as Prometheus's client counts it
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.series[key]
	if !ok {
		s = &histogram{values: slices.Clone(values), counts: make([]uint64, len(h.bounds)+1)}
		h.series[key] = s
	}
	s.counts[i]++
	s.sum += v
	s.count++
}

func (h *HistogramVec) write(w *bufio.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.series) == 0 {
		return
	}
	h.writeHeader(w)
	for _, k := range sortedKeys(&h.desc, h.series, func(s *histogram) []string { return s.values }) {
		s := h.series[k]
		var cumulative uint64
		for i, bound := range h.bounds {
			cumulative += s.counts[i]
			h.writeSample(w, "_bucket", s.values, `le="`+formatFloat(bound)+`"`, float64(cumulative))
		}
		h.writeSample(w, "_bucket", s.values, `le="+Inf"`, float64(s.count))
		h.writeSample(w, "_sum", s.values, "", s.sum)
		h.writeSample(w, "_count", s.values, "", float64(s.count))
	}
}

// funcFamily is a family whose samples are read when it is written.
type funcFamily struct {
	desc
	read func() map[string]float64 // by the value of the one label, or "" without labels
}

func (f *funcFamily) write(w *bufio.Writer) {
	samples := f.read()
	if samples == nil {
		return // nothing to tell: the family is left out
	}
	f.writeHeader(w)
	if len(f.labels) == 0 {
		f.writeSample(w, "", nil, "", samples[""])
		return
	}
	values := make([]string, 0, len(samples))
	for v := range samples {
		values = append(values, v)
	}
	slices.Sort(values)
	for _, v := range values {
		f.writeSample(w, "", []string{v}, "", samples[v])
	}
}

// CounterFunc registers a counter whose value read returns when the
// metrics are written.
func (r *Registry) CounterFunc(name, help string, read func() float64) {
	r.register(name, &funcFamily{desc: newDesc(name, help, "counter", nil), read: one(read)})
}

// GaugeFunc registers a gauge whose value read returns when the metrics
// are written.
func (r *Registry) GaugeFunc(name, help string, read func() float64) {
	r.register(name, &funcFamily{desc: newDesc(name, help, "gauge", nil), read: one(read)})
}

// GaugeVecFunc registers a gauge with one label, whose samples read
// returns, by the label's value, when the metrics are written; nil leaves
// the family out.
func (r *Registry) GaugeVecFunc(name, help, label string, read func() map[string]float64) {
	r.register(name, &funcFamily{desc: newDesc(name, help, "gauge", []string{label}), read: read})
}

func one(read func() float64) func() map[string]float64 {
	return func() map[string]float64 { return map[string]float64{"": read()} }
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// formatFloat writes v as Prometheus's client does.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// validName reports whether s is a metric or label name in the classic
// character set: [a-zA-Z_][a-zA-Z0-9_]* (colons are for recording rules).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
