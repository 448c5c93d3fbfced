package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pybtc/pybtc/lab"
)

// The lab (SPEC §12): pages that list the experiments and run one on a
// throw-away network, showing its steps as they happen.

// LabRunner runs the lab's experiments. Package lab/experiments builds on
// this package to start its nodes, so the node's main wires it in.
type LabRunner interface {
	// Infos lists the experiments, in the order the lessons go.
	Infos() []lab.Info
	// Run runs the experiment called name, calling each with every step
	// as it happens, and returns its outcome; an error is a failure of
	// the experiment's machinery, not an outcome.
	Run(ctx context.Context, name string, each func(lab.Step)) (lab.Outcome, error)
}

const (
	labSection = "Lab"
	// labRunLimit ends a run the runner did not end: the runner bounds
	// its own, and this keeps a page from waiting forever on any other.
	labRunLimit = 2 * time.Minute
	// labStepBuffer is how many steps wait for a slow browser before the
	// experiment waits for it too.
	labStepBuffer = 64
	// labTreeBytes bounds a step's picture: the tree chart draws at most
	// 24 heights by 8 rows, well under this.
	labTreeBytes = 256 << 10
)

// labRoutes adds the lab's pages.
func (s *Server) labRoutes(e *echo.Echo) {
	s.labBusy = make(chan struct{}, 1)
	g := e.Group("/lab", pageHeaders, s.pageErrors(labSection))
	g.GET("", s.handleLab)
	g.GET("/:name", s.handleLabExperiment)
	// A run changes what the machine does, so it is a POST: the node
	// refuses one sent by another site (sameOriginWrites), and no link
	// or image can start one.
	g.POST("/:name/run", s.handleLabRun, noStore)
	g.RouteNotFound("/*", notFoundOrNotAllowed)
}

// labInfo is an experiment as the pages show it.
type labInfo struct {
	Name, Title, Claim, URL string
}

func (s *Server) labInfos(lang string) []labInfo {
	if s.Lab == nil {
		return nil
	}
	var infos []labInfo
	for _, i := range s.Lab.Infos() {
		infos = append(infos, labInfo{i.Name, i.Title.In(lang), i.Claim.In(lang), "/lab/" + url.PathEscape(i.Name)})
	}
	return infos
}

// labFind returns the experiment called name, or a 404.
func (s *Server) labFind(p *Page, name string) (labInfo, error) {
	for _, i := range s.labInfos(p.Lang) {
		if i.Name == name {
			return i, nil
		}
	}
	return labInfo{}, echo.NewHTTPError(http.StatusNotFound, p.T("There is no experiment called %q.", name))
}

// handleLab handles "GET /lab": the experiments, one card each.
func (s *Server) handleLab(c echo.Context) error {
	p := s.newPage(c, labSection)
	p.Title = p.T("Lab")
	p.Data = struct {
		Experiments []labInfo
		Enabled     bool
	}{s.labInfos(p.Lang), s.LabEnabled}
	return s.render(c, http.StatusOK, "lab.html", p)
}

// labPage is the page of one experiment, with the outcome of a run when
// the browser ran it without JavaScript.
type labPage struct {
	labInfo
	Enabled bool
	Result  *labResult
}

// handleLabExperiment handles "GET /lab/:name": the experiment and its
// button.
func (s *Server) handleLabExperiment(c echo.Context) error {
	p := s.newPage(c, labSection)
	info, err := s.labFind(p, c.Param("name"))
	if err != nil {
		return err
	}
	p.Title = info.Title
	p.Data = labPage{labInfo: info, Enabled: s.LabEnabled}
	return s.render(c, http.StatusOK, "lab_experiment.html", p)
}

// handleLabRun handles "POST /lab/:name/run": it runs the experiment and
// answers, to the page's script (Accept: text/event-stream), each step as
// an event as it happens, then the outcome; to a plain form, the page
// with every step and the outcome once it ends.
func (s *Server) handleLabRun(c echo.Context) error {
	p := s.newPage(c, labSection)
	info, err := s.labFind(p, c.Param("name"))
	if err != nil {
		return err
	}
	if !s.LabEnabled {
		return echo.NewHTTPError(http.StatusForbidden, p.T("The lab is off on this node. Start the node with --lab (or --dev) to run experiments."))
	}
	select {
	case s.labBusy <- struct{}{}:
		defer func() { <-s.labBusy }()
	default:
		return echo.NewHTTPError(http.StatusConflict, p.T("Another experiment is running on this node. Wait for it to end, then run this one."))
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), labRunLimit)
	defer cancel()
	// A node that shuts down ends the run rather than wait for it.
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/event-stream") {
		return s.streamLabRun(ctx, c, p, info.Name)
	}

	var (
		mu    sync.Mutex
		steps []lab.Step
	)
	out, err := s.Lab.Run(ctx, info.Name, func(st lab.Step) {
		mu.Lock()
		steps = append(steps, st)
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	status := http.StatusOK
	if err != nil {
		// Not the visitor's fault, and nothing to claim: the page says
		// what failed, after the steps that were made.
		status = http.StatusInternalServerError
		s.Logger.Error("lab run failed", "experiment", info.Name, "err", err)
	}
	p.Title = info.Title
	p.Data = labPage{labInfo: info, Enabled: true, Result: p.labResult(out, steps, err)}
	return s.render(c, status, "lab_experiment.html", p)
}

// streamLabRun runs the experiment and sends, as Server-Sent Events, a
// "step" for each step as it happens, then "outcome" or "failed".
func (s *Server) streamLabRun(ctx context.Context, c echo.Context, p *Page, name string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type ended struct {
		out lab.Outcome
		err error
	}
	steps := make(chan lab.Step, labStepBuffer)
	done := make(chan ended, 1)
	go func() {
		out, err := s.Lab.Run(ctx, name, func(st lab.Step) {
			select {
			case steps <- st:
			case <-ctx.Done():
			}
		})
		done <- ended{out, err}
	}()
	// Whatever ends the answer, the run has ended before the next one
	// may start.
	finished := false
	defer func() {
		cancel()
		if !finished {
			<-done
		}
	}()

	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	send := func(event string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("lab event %s: %w", event, err)
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return err
		}
		w.Flush()
		return nil
	}
	idle := time.NewTicker(keepAlive)
	defer idle.Stop()
	for {
		var err error
		select {
		case st := <-steps:
			err = send("step", p.labStep(st))
		case r := <-done:
			finished = true
			// Every step was queued before the run returned.
			for len(steps) > 0 {
				if err := send("step", p.labStep(<-steps)); err != nil {
					return nil
				}
			}
			if r.err != nil {
				s.Logger.Error("lab run failed", "experiment", name, "err", r.err)
				send("failed", struct {
					Message string `json:"message"`
				}{p.labFailure(r.err)})
				return nil
			}
			res := p.labResult(r.out, nil, nil)
			send("outcome", res)
			return nil
		case <-idle.C:
			_, err = io.WriteString(w, ": keep-alive\n\n")
			w.Flush()
		}
		if err != nil {
			// The browser left: the run stops with it.
			return nil
		}
	}
}

// labStepView is a step as the page shows it, in the page's language.
type labStepView struct {
	At     string        `json:"at"`
	Node   string        `json:"node,omitempty"`
	Text   string        `json:"text"`
	Hashes string        `json:"hashes,omitempty"`
	Tree   template.HTML `json:"tree,omitempty"`
}

func (p *Page) labStep(st lab.Step) labStepView {
	v := labStepView{At: p.duration(st.At), Node: st.Node, Text: st.Text.In(p.Lang), Tree: labTree(st.Tree)}
	if st.Hashes > 0 {
		v.Hashes = p.T("%s hashes", grouped(st.Hashes))
	}
	return v
}

// labResult is how a run ended, as the page shows it.
type labResult struct {
	OK      bool          `json:"ok"`
	Failed  bool          `json:"failed"`
	Verdict string        `json:"verdict"`
	Summary string        `json:"summary"`
	Why     string        `json:"why"`
	Figures []labFigure   `json:"figures"`
	Took    string        `json:"took"`
	Steps   []labStepView `json:"-"`
}

type labFigure struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// labResult describes an outcome, or the failure err, after steps (the
// outcome's own when nil).
func (p *Page) labResult(out lab.Outcome, steps []lab.Step, err error) *labResult {
	if steps == nil {
		steps = out.Steps
	}
	r := &labResult{}
	for _, st := range steps {
		r.Steps = append(r.Steps, p.labStep(st))
	}
	if err != nil {
		r.Failed = true
		r.Verdict = p.labFailure(err)
		return r
	}
	r.OK = out.OK
	r.Verdict = p.T("What the lesson claims happened.")
	if !out.OK {
		r.Verdict = p.T("This run did not show what the lesson claims.")
	}
	r.Summary = out.Summary.In(p.Lang)
	r.Why = out.Why.In(p.Lang)
	r.Took = p.duration(out.Took)
	for _, f := range out.Figures {
		r.Figures = append(r.Figures, labFigure{f.Name, f.Label.In(p.Lang), grouped(f.Value)})
	}
	return r
}

func (p *Page) labFailure(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return p.T("The experiment took too long and was stopped.")
	}
	return p.T("The experiment could not run: %s", err.Error())
}

// grouped writes n with its thousands grouped: 2,490,000.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// labSVGElements are the elements views/chart draws pictures with.
var labSVGElements = map[string]bool{
	"svg": true, "g": true, "a": true, "rect": true, "line": true, "path": true, "circle": true,
	"text": true, "tspan": true, "title": true, "desc": true, "polyline": true, "polygon": true,
}

// labTree returns a step's picture as HTML to insert in the page, or ""
// when it is not a picture as views/chart draws them: one <svg> made of
// shapes, text and links within the web, with no script, handler, style
// or foreign content. Experiments draw it with our own chart code; the
// check keeps a mistake there from becoming markup in the page.
func labTree(svg string) template.HTML {
	if svg == "" || len(svg) > labTreeBytes || !strings.HasPrefix(strings.TrimSpace(svg), "<svg") {
		return ""
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if t.Name.Local != "svg" || roots > 1 {
					return ""
				}
			}
			depth++
			if !labSVGElements[t.Name.Local] {
				return ""
			}
			for _, a := range t.Attr {
				name := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(name, "on") || name == "style" {
					return ""
				}
				if name == "href" && !labSafeHref(a.Value) {
					return ""
				}
			}
		case xml.EndElement:
			depth--
		case xml.ProcInst, xml.Directive:
			return ""
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(t)) != "" {
				return ""
			}
		}
	}
	if roots != 1 || depth != 0 {
		return ""
	}
	return template.HTML(svg)
}

// labSafeHref reports whether a link of a picture leads to a page of the
// web: relative, http or https.
func labSafeHref(href string) bool {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return true
	}
	return false
}
