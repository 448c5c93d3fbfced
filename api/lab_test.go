package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/node"
	"github.com/pybtc/pybtc/views/chart"
)

// fakeLab is a LabRunner with one experiment, "rewrite", that narrates
// its steps and ends with out (or err). With gate set, it waits after its
// first step until the gate closes or the run's context ends.
type fakeLab struct {
	steps   []lab.Step
	out     lab.Outcome
	err     error
	gate    chan struct{}
	started chan struct{}
	once    sync.Once
	runs    atomic.Int32
}

func (f *fakeLab) Infos() []lab.Info {
	return []lab.Info{
		{Name: "rewrite", Title: lab.Text{EN: "Rewrite history", KO: "기록 고쳐 쓰기"},
			Claim: lab.Text{EN: "An edited old payment wins with one block of work.", KO: "고친 옛 거래가 블록 하나의 작업으로 이깁니다."}},
		{Name: "steal", Title: lab.Text{EN: "Spend someone else's coins", KO: "남의 코인 쓰기"},
			Claim: lab.Text{EN: "A plain address can be spent by anyone.", KO: "일반 주소는 누구나 쓸 수 있습니다."}},
	}
}

func (f *fakeLab) Run(ctx context.Context, name string, each func(lab.Step)) (lab.Outcome, error) {
	f.runs.Add(1)
	start := time.Now()
	var steps []lab.Step
	for i, st := range f.steps {
		st.At = time.Since(start)
		steps = append(steps, st)
		each(st)
		if i == 0 && f.gate != nil {
			if f.started != nil {
				f.once.Do(func() { close(f.started) })
			}
			select {
			case <-f.gate:
			case <-ctx.Done():
				return lab.Outcome{}, ctx.Err()
			}
		}
	}
	if f.err != nil {
		return lab.Outcome{}, f.err
	}
	out := f.out
	out.Name, out.Steps, out.Took = name, steps, time.Since(start)
	return out, nil
}

func newFakeLab() *fakeLab {
	tree := chart.Tree(chart.TreeChart{ID: "lab-tree-1", Title: "Block tree", Nodes: []chart.TreeNode{
		{Height: 1, Hash: "aa11", Status: "main"},
		{Height: 2, Hash: "bb22", PreviousHash: "aa11", Status: "main"},
		{Height: 2, Hash: "cc33", PreviousHash: "aa11", Status: "stale"},
	}})
	return &fakeLab{
		steps: []lab.Step{
			{Node: "A", Text: lab.Text{EN: "A mines 3 blocks.", KO: "A가 블록 3개를 채굴합니다."}, Hashes: 65536},
			{Node: "B", Text: lab.Text{EN: "B rewrites block 2 and wins.", KO: "B가 블록 2를 고쳐 쓰고 이깁니다."}, Tree: string(tree)},
			{Text: lab.Text{EN: "A hostile picture is left out.", KO: "해로운 그림은 빠집니다."}, Tree: `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		},
		out: lab.Outcome{
			OK:      true,
			Summary: lab.Text{EN: "Rewriting block 2 of 3 cost 65,536 hashes.", KO: "3개 중 블록 2를 고쳐 쓰는 데 해시 65,536번이 들었습니다."},
			Why:     lab.Text{EN: "The tutorial's nodes take the longest chain.", KO: "튜토리얼 노드는 가장 긴 체인을 받아들입니다."},
			Figures: []lab.Figure{{Name: "hashes_tutorial", Label: lab.Text{EN: "Hashes, tutorial rules", KO: "해시 수, 튜토리얼 규칙"}, Value: 2490000}},
		},
	}
}

// mustOpenLabEnv is a node whose pages run f, the lab enabled or not.
func mustOpenLabEnv(t *testing.T, f *fakeLab, enabled bool) *Env {
	t.Helper()
	e := MustOpenEnv(t, node.Config{})
	e.Server.Lab = f
	e.Server.LabEnabled = enabled
	return e
}

// labPost posts the run form of name as a browser on the node's own page
// does, speaking lang, and accepting accept.
func labPost(e *Env, name, lang, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/lab/"+name+"/run", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://127.0.0.1:5000")
	req.Host = "127.0.0.1:5000"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Language", lang)
	return serve(e, req)
}

func mustParse(t *testing.T, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestLabList(t *testing.T) {
	f := newFakeLab()
	for _, tc := range []struct {
		enabled bool
		wantOff bool
	}{{true, false}, {false, true}} {
		e := mustOpenLabEnv(t, f, tc.enabled)
		doc := e.MustPage(t, "/lab", http.StatusOK)
		if got := doc.Find(".lab-card").Length(); got != 2 {
			t.Fatalf("enabled=%v: %d experiments listed, want 2", tc.enabled, got)
		}
		if href, _ := doc.Find("#lab-rewrite h2 a").Attr("href"); href != "/lab/rewrite" {
			t.Errorf("link to rewrite = %q, want /lab/rewrite", href)
		}
		if got := MustText(t, doc, "#lab-rewrite .lab-claim"); got != "An edited old payment wins with one block of work." {
			t.Errorf("claim = %q", got)
		}
		if got := doc.Find("#lab-off").Length() == 1; got != tc.wantOff {
			t.Errorf("enabled=%v: note that the lab is off shown=%v, want %v", tc.enabled, got, tc.wantOff)
		}
		if doc.Find(`nav.bar a[href="/lab"][aria-current="page"]`).Length() != 1 {
			t.Errorf("the nav has no current Lab link")
		}
	}
}

func TestLabDisabled(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, false)
	doc := e.MustPage(t, "/lab/rewrite", http.StatusOK)
	if _, disabled := doc.Find("#lab-button").Attr("disabled"); !disabled {
		t.Errorf("the Run button is enabled on a node without --lab")
	}
	if got := MustText(t, doc, "#lab-off"); !strings.Contains(got, "--lab") || !strings.Contains(got, "--dev") {
		t.Errorf("the page says %q, want how to enable the lab (--lab or --dev)", got)
	}
	rec := labPost(e, "rewrite", "en", "text/html")
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "--lab") {
		t.Errorf("run on a node without --lab: %d %s, want 403 saying how to enable it", rec.Code, rec.Body)
	}
	if n := f.runs.Load(); n != 0 {
		t.Errorf("the runner ran %d times on a node without --lab", n)
	}
}

func TestLabRunWithoutJS(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, true)
	rec := labPost(e, "rewrite", "en", "text/html,application/xhtml+xml,*/*;q=0.8")
	if rec.Code != http.StatusOK {
		t.Fatalf("run: status %d: %s", rec.Code, rec.Body)
	}
	doc := mustParse(t, rec)
	if got := MustText(t, doc, "#lab-summary"); got != "Rewriting block 2 of 3 cost 65,536 hashes." {
		t.Errorf("summary = %q", got)
	}
	if got := MustText(t, doc, "#lab-why"); !strings.Contains(got, "longest chain") {
		t.Errorf("why = %q", got)
	}
	if got := MustText(t, doc, `.lab-figure[data-name="hashes_tutorial"]`); got != "Hashes, tutorial rules 2,490,000" {
		t.Errorf("figure = %q", got)
	}
	steps := doc.Find("#lab-steps .lab-step")
	if steps.Length() != 3 {
		t.Fatalf("%d steps shown, want 3", steps.Length())
	}
	if got := MustText(t, doc, "#lab-steps .lab-step:nth-child(1)"); !strings.Contains(got, "A A mines 3 blocks. 65,536 hashes") {
		t.Errorf("first step = %q, want its node, text and hashes", got)
	}
	if steps.Eq(1).Find("svg.chart").Length() != 1 {
		t.Errorf("the step with a fork picture shows none")
	}
	if steps.Eq(2).Find("svg, script").Length() != 0 || strings.Contains(rec.Body.String(), "alert(1)") {
		t.Errorf("a picture with a script made it into the page")
	}
	if _, hidden := doc.Find("#lab-result").Attr("hidden"); hidden {
		t.Errorf("the outcome is hidden")
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

// labEvents reads an event stream into its events, in order.
func labEvents(t *testing.T, body string) (names []string, data []string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			names = append(names, v)
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			data = append(data, v)
		}
	}
	if len(names) != len(data) {
		t.Fatalf("%d events and %d data lines in %s", len(names), len(data), body)
	}
	return names, data
}

func TestLabRunStream(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, true)
	rec := labPost(e, "rewrite", "en", "text/event-stream, application/json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		t.Fatalf("run: %d %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	names, data := labEvents(t, rec.Body.String())
	if got := strings.Join(names, ","); got != "step,step,step,outcome" {
		t.Fatalf("events %s, want three steps then the outcome", got)
	}
	var st struct{ Node, Text, Hashes, Tree string }
	if err := json.Unmarshal([]byte(data[0]), &st); err != nil || st.Node != "A" || st.Hashes != "65,536 hashes" {
		t.Errorf("first step %s (%v)", data[0], err)
	}
	if err := json.Unmarshal([]byte(data[1]), &st); err != nil || !strings.HasPrefix(st.Tree, "<svg") {
		t.Errorf("the step with a picture sent %s (%v)", data[1], err)
	}
	st.Tree = ""
	if err := json.Unmarshal([]byte(data[2]), &st); err != nil || st.Tree != "" {
		t.Errorf("the hostile picture was sent: %s (%v)", data[2], err)
	}
	var out struct {
		OK      bool
		Summary string
		Figures []struct{ Name, Label, Value string }
	}
	if err := json.Unmarshal([]byte(data[3]), &out); err != nil || !out.OK || out.Summary != "Rewriting block 2 of 3 cost 65,536 hashes." ||
		len(out.Figures) != 1 || out.Figures[0].Value != "2,490,000" {
		t.Errorf("outcome %s (%v)", data[3], err)
	}
}

func TestLabRunFailed(t *testing.T) {
	f := newFakeLab()
	f.err = errors.New("not built yet")
	e := mustOpenLabEnv(t, f, true)
	rec := labPost(e, "rewrite", "en", "text/html")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	doc := mustParse(t, rec)
	if got := MustText(t, doc, "#lab-verdict"); !strings.Contains(got, "could not run") || !strings.Contains(got, "not built yet") {
		t.Errorf("verdict = %q, want the failure", got)
	}
	if doc.Find("#lab-steps .lab-step").Length() != 3 {
		t.Errorf("the steps made before the failure are not shown")
	}
	names, _ := labEvents(t, labPost(e, "rewrite", "en", "text/event-stream").Body.String())
	if got := names[len(names)-1]; got != "failed" {
		t.Errorf("the stream ends with %q, want failed", got)
	}
}

func TestLabBusy(t *testing.T) {
	f := newFakeLab()
	f.gate, f.started = make(chan struct{}), make(chan struct{})
	e := mustOpenLabEnv(t, f, true)
	first := make(chan *httptest.ResponseRecorder, 1)
	go func() { first <- labPost(e, "rewrite", "en", "text/html") }()
	select {
	case <-f.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first run did not start")
	}
	for _, accept := range []string{"text/html", "text/event-stream, application/json"} {
		rec := labPost(e, "steal", "en", accept)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Another experiment is running") {
			t.Errorf("a second run (%s): %d %s, want 409 with a sentence", accept, rec.Code, rec.Body)
		}
	}
	close(f.gate)
	if rec := <-first; rec.Code != http.StatusOK {
		t.Fatalf("first run: %d", rec.Code)
	}
	if rec := labPost(e, "rewrite", "en", "text/html"); rec.Code != http.StatusOK {
		t.Errorf("a run after the first ended: %d, want 200", rec.Code)
	}
	if n := f.runs.Load(); n != 2 {
		t.Errorf("the runner ran %d times, want 2", n)
	}
}

func TestLabUnknown(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, true)
	e.MustPage(t, "/lab/nope", http.StatusNotFound)
	if rec := labPost(e, "nope", "en", "text/html"); rec.Code != http.StatusNotFound {
		t.Errorf("POST /lab/nope/run: %d, want 404", rec.Code)
	}
	if rec := e.Get(t, "/lab/rewrite/run", "en"); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /lab/rewrite/run: %d, want 405: no link may start a run", rec.Code)
	}
	if n := f.runs.Load(); n != 0 {
		t.Errorf("the runner ran %d times", n)
	}
}

// TestLabCrossSite: a page of another site cannot start an experiment on
// the node, with or without a form.
func TestLabCrossSite(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, true)
	req := httptest.NewRequest("POST", "/lab/rewrite/run", nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := serve(e, req); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site run: %d, want 403", rec.Code)
	}
	if n := f.runs.Load(); n != 0 {
		t.Errorf("a cross-site post ran the experiment %d times", n)
	}
}

func TestLabKorean(t *testing.T) {
	f := newFakeLab()
	e := mustOpenLabEnv(t, f, false)
	doc := mustParse(t, e.Get(t, "/lab/rewrite", "ko-KR,ko;q=0.9"))
	if got := MustText(t, doc, "h1"); got != "기록 고쳐 쓰기" {
		t.Errorf("title = %q", got)
	}
	if got := MustText(t, doc, "#lab-off"); !strings.Contains(got, "실험실이 꺼져") {
		t.Errorf("note = %q, want Korean", got)
	}
	e.Server.LabEnabled = true
	rec := labPost(e, "rewrite", "ko", "text/html")
	doc = mustParse(t, rec)
	if got := MustText(t, doc, "#lab-summary"); !strings.HasPrefix(got, "3개 중 블록 2") {
		t.Errorf("summary = %q, want Korean", got)
	}
	if got := MustText(t, doc, "#lab-steps .lab-step:nth-child(1)"); !strings.Contains(got, "A가 블록 3개") || !strings.Contains(got, "해시 65,536번") {
		t.Errorf("step = %q, want Korean", got)
	}
	if got := MustText(t, doc, "#lab-verdict"); got != "수업에서 말한 대로 일어났습니다." {
		t.Errorf("verdict = %q", got)
	}
}
