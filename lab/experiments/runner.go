// Package experiments runs the lab's experiments (SPEC §12): each shows
// one weakness of the tutorial's design, or the rule that closes it, on a
// throw-away network of real nodes (in this process, each with its own
// temporary database and HTTP server on 127.0.0.1, never the user's node),
// narrates its steps as they happen and ends with an outcome in numbers.
package experiments

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pybtc/pybtc/lab"
)

// Experiment is one lesson.
type Experiment struct {
	// Name is what `pybtc lab NAME` and /lab/NAME call it.
	Name string
	// Title names it; Claim says in one sentence what it shows.
	Title, Claim lab.Text
	// Run runs it on a network of its own (run.Net) and returns its
	// outcome; run.Say narrates. An error is a failure of the
	// experiment's machinery, not of the lesson: then nothing can be
	// claimed.
	Run func(ctx context.Context, run *Run) (lab.Outcome, error)
}

// Order names the experiments in the order they are listed: the lessons
// build on each other.
var Order = []string{"rewrite", "steal", "private-fork", "replay", "soft-fork"}

// Experiments returns every experiment, in Order.
func Experiments() []Experiment {
	return []Experiment{rewrite(), steal(), privateFork(), replay(), softFork()}
}

// Find returns the experiment called name.
func Find(name string) (Experiment, bool) {
	for _, e := range Experiments() {
		if e.Name == name {
			return e, true
		}
	}
	return Experiment{}, false
}

// Limits bound every run.
const (
	// MaxDuration ends a run that takes longer.
	MaxDuration = 60 * time.Second
	// MaxSteps bounds what a run narrates.
	MaxSteps = 500
)

// ErrBusy refuses a run while another runs: one experiment at a time.
var ErrBusy = errors.New("another experiment is running; wait for it to end")

// ErrUnknown refuses a name that is no experiment.
var ErrUnknown = errors.New("no such experiment")

// Runner runs one experiment at a time. The zero Runner is ready.
type Runner struct {
	// TutorialNode is the path of the tutorial's node_network_1.py, for
	// the experiments that add a tutorial node when one is available;
	// empty leaves it out.
	TutorialNode string
	// Python runs it (default /usr/bin/python3).
	Python string

	busy sync.Mutex
}

// Run runs the experiment called name, calling each with every step as it
// happens (each may be nil), and returns its outcome. It refuses with
// ErrBusy while another run is going on, and ErrUnknown for an unknown
// name.
func (r *Runner) Run(ctx context.Context, name string, each func(lab.Step)) (lab.Outcome, error) {
	e, ok := Find(name)
	if !ok {
		return lab.Outcome{}, fmt.Errorf("%w: %q", ErrUnknown, name)
	}
	if !r.busy.TryLock() {
		return lab.Outcome{}, ErrBusy
	}
	defer r.busy.Unlock()
	ctx, cancel := context.WithTimeout(ctx, MaxDuration)
	defer cancel()
	run := &Run{runner: r, start: time.Now(), each: each}
	defer run.close()
	out, err := e.Run(ctx, run)
	if err != nil {
		return lab.Outcome{}, fmt.Errorf("experiment %s: %w", name, err)
	}
	out.Name = name
	out.Steps = run.steps
	out.Took = time.Since(run.start)
	return out, nil
}

// Run is one run of an experiment: its network and its narration.
type Run struct {
	runner *Runner
	start  time.Time
	each   func(lab.Step)
	steps  []lab.Step
	net    *Net
}

// Say narrates a step; node names who acted ("" for the experiment).
func (r *Run) Say(node string, text lab.Text) {
	r.Step(lab.Step{Node: node, Text: text})
}

// Step narrates s, stamped with the time since the start.
func (r *Run) Step(s lab.Step) {
	if len(r.steps) >= MaxSteps {
		return
	}
	s.At = time.Since(r.start)
	r.steps = append(r.steps, s)
	if r.each != nil {
		r.each(s)
	}
}

// Net returns the run's network, made on first use; it is closed, and its
// databases removed, when the run ends.
func (r *Run) Net() *Net {
	if r.net == nil {
		r.net = newNet(r.runner.TutorialNode, r.runner.Python)
	}
	return r.net
}

func (r *Run) close() {
	if r.net != nil {
		r.net.Close()
	}
}

// Infos returns the name, title and claim of every experiment, in Order.
func (r *Runner) Infos() []lab.Info {
	var infos []lab.Info
	for _, e := range Experiments() {
		infos = append(infos, lab.Info{Name: e.Name, Title: e.Title, Claim: e.Claim})
	}
	return infos
}
