package promtext_test

import (
	"bytes"
	"math"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pybtc/pybtc/internal/promtext"
)

// mustParse writes r and parses it with Prometheus's own parser, which
// refuses anything a server would not scrape.
func mustParse(t *testing.T, r *promtext.Registry) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := r.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus cannot parse what was written: %v\n%s", err, buf.String())
	}
	return buf.String(), families
}

// labelsOf reads a sample's labels as name=value pairs.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

func TestCounterWithLabels(t *testing.T) {
	r := promtext.NewRegistry()
	c := r.Counter("requests_total", "Requests, by route and code.", "route", "code")
	for range 3 {
		c.Inc("/a", "200")
	}
	c.Inc("/a", "404")
	// Label values anyone can choose (a route, a reason) are escaped.
	hostile := "/x\"} 99\nfake_total 1\\"
	c.Inc(hostile, "500")
	text, families := mustParse(t, r)

	f := families["requests_total"]
	if f == nil || f.GetType() != dto.MetricType_COUNTER || f.GetHelp() != "Requests, by route and code." {
		t.Fatalf("family: %v\n%s", f, text)
	}
	if families["fake_total"] != nil {
		t.Fatalf("a label value made a metric of its own:\n%s", text)
	}
	want := map[string]float64{"/a 200": 3, "/a 404": 1, hostile + " 500": 1}
	got := map[string]float64{}
	for _, m := range f.GetMetric() {
		l := labelsOf(m)
		got[l["route"]+" "+l["code"]] = m.GetCounter().GetValue()
	}
	if len(got) != len(want) {
		t.Fatalf("samples %v, want %v\n%s", got, want, text)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%q = %v, want %v", k, got[k], v)
		}
	}
	// As Prometheus's client writes them: labels sorted by name, samples
	// by the labels' values.
	if !strings.Contains(text, `requests_total{code="200",route="/a"} 3`+"\n"+`requests_total{code="404",route="/a"} 1`) {
		t.Errorf("samples not in Prometheus's order:\n%s", text)
	}
}

func TestHistogram(t *testing.T) {
	r := promtext.NewRegistry()
	h := r.Histogram("took_seconds", "Time taken.", []float64{0.001, 0.01, 0.1}, "route")
	for _, v := range []float64{0.0005, 0.001, 0.005, 0.05, 2} {
		h.Observe(v, "/a")
	}
	h.Observe(math.NaN(), "/b") // counted in +Inf only
	text, families := mustParse(t, r)
	f := families["took_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.GetMetric()) != 2 {
		t.Fatalf("family: %v\n%s", f, text)
	}
	if !strings.Contains(text, `took_seconds_bucket{route="/b",le="0.1"} 0`) || !strings.Contains(text, `took_seconds_bucket{route="/b",le="+Inf"} 1`) {
		t.Errorf("NaN counted in a bucket below +Inf:\n%s", text)
	}
	hist := f.GetMetric()[0].GetHistogram()
	if hist.GetSampleCount() != 5 || hist.GetSampleSum() < 2.0564 || hist.GetSampleSum() > 2.0566 {
		t.Fatalf("count %d, sum %v, want 5 and 2.0565\n%s", hist.GetSampleCount(), hist.GetSampleSum(), text)
	}
	// Buckets count what is at most their bound, cumulatively; a value
	// equal to a bound is in its bucket.
	wantCumulative := map[float64]uint64{0.001: 2, 0.01: 3, 0.1: 4}
	for _, b := range hist.GetBucket() {
		if want, ok := wantCumulative[b.GetUpperBound()]; ok && b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if !strings.Contains(text, `took_seconds_bucket{route="/a",le="+Inf"} 5`) {
		t.Errorf("no +Inf bucket of all 5:\n%s", text)
	}
}

func TestFuncFamilies(t *testing.T) {
	r := promtext.NewRegistry()
	height := 7.0
	r.GaugeFunc("height", "The height.", func() float64 { return height })
	r.CounterFunc("mined_total", "Blocks mined.", func() float64 { return 3 })
	r.GaugeVecFunc("peers", "Peers, by state.", "state", func() map[string]float64 {
		return map[string]float64{"ok": 2, "backing off": 1}
	})
	r.GaugeVecFunc("unreadable", "Left out when it cannot be read.", "state", func() map[string]float64 { return nil })
	r.Counter("untouched_total", "Left out until something is counted.", "k")
	r.Histogram("unobserved", "Left out until something is observed.", []float64{1}, "k")
	r.RegisterRuntime()
	height = 8 // read when written, not when registered
	text, families := mustParse(t, r)
	if v := families["height"].GetMetric()[0].GetGauge().GetValue(); v != 8 {
		t.Errorf("height %v, want 8", v)
	}
	if f := families["mined_total"]; f.GetType() != dto.MetricType_COUNTER || f.GetMetric()[0].GetCounter().GetValue() != 3 {
		t.Errorf("mined_total: %v", f)
	}
	if len(families["peers"].GetMetric()) != 2 {
		t.Errorf("peers: %v", families["peers"])
	}
	for _, empty := range []string{"unreadable", "untouched_total", "unobserved"} {
		if families[empty] != nil || strings.Contains(text, empty) {
			t.Errorf("%s, with no sample, was written:\n%s", empty, text)
		}
	}
	if g := families["go_goroutines"]; g == nil || g.GetMetric()[0].GetGauge().GetValue() < 1 {
		t.Errorf("go_goroutines: %v", g)
	}
	if f := families["go_memstats_heap_alloc_bytes"]; f == nil || f.GetMetric()[0].GetGauge().GetValue() <= 0 {
		t.Errorf("go_memstats_heap_alloc_bytes: %v", f)
	}
	// Families come sorted by name, as Prometheus's client writes them.
	var names []string
	for line := range strings.SplitSeq(text, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			names = append(names, strings.Fields(name)[0])
		}
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("families out of order: %v", names)
		}
	}
}

func TestHelpIsEscaped(t *testing.T) {
	r := promtext.NewRegistry()
	r.GaugeFunc("g", "A back\\slash and\na new line.", func() float64 { return 1 })
	_, families := mustParse(t, r)
	if got := families["g"].GetHelp(); got != "A back\\slash and\na new line." {
		t.Errorf("help %q", got)
	}
}

func TestMisuseIsRefused(t *testing.T) {
	for name, misuse := range map[string]func(r *promtext.Registry){
		"a name twice": func(r *promtext.Registry) {
			r.GaugeFunc("x", "", func() float64 { return 0 })
			r.CounterFunc("x", "", func() float64 { return 0 })
		},
		"a bad name":            func(r *promtext.Registry) { r.Counter("bad-name", "") },
		"a bad label":           func(r *promtext.Registry) { r.Counter("ok", "", "bad label") },
		"the le label":          func(r *promtext.Registry) { r.Histogram("h", "", []float64{1}, "le") },
		"bounds out of order":   func(r *promtext.Registry) { r.Histogram("h", "", []float64{2, 1}) },
		"a bound twice":         func(r *promtext.Registry) { r.Histogram("h", "", []float64{1, 1}) },
		"too few label values":  func(r *promtext.Registry) { r.Counter("c", "", "a", "b").Inc("x") },
		"too many label values": func(r *promtext.Registry) { r.Counter("c", "", "a").Inc("x", "y") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			misuse(promtext.NewRegistry())
		})
	}
}

// TestConcurrentUse: requests count while a scrape writes (run with -race).
func TestConcurrentUse(t *testing.T) {
	r := promtext.NewRegistry()
	c := r.Counter("c_total", "", "k")
	h := r.Histogram("h", "", []float64{1}, "k")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 1000 {
				k := string(rune('a' + (i+j)%3))
				c.Inc(k)
				h.Observe(float64(j%3), k)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := r.WriteTo(&bytes.Buffer{}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	_, families := mustParse(t, r)
	var total float64
	for _, m := range families["c_total"].GetMetric() {
		total += m.GetCounter().GetValue()
	}
	if total != 4000 {
		t.Errorf("counted %v, want 4000", total)
	}
}
