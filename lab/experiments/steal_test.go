package experiments_test

import (
	"context"
	"os"
	"testing"

	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/lab/experiments"
)

// runLesson runs the experiment called name as `pybtc lab NAME` does,
// logs its steps and duration, and fails the test if the run itself fails
// or the lesson's claim does not hold.
func runLesson(t *testing.T, name string) lab.Outcome {
	t.Helper()
	r := &experiments.Runner{TutorialNode: os.Getenv("PYBTC_TUTORIAL_NODE")}
	out, err := r.Run(context.Background(), name, nil)
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	for _, s := range out.Steps {
		t.Logf("%6.2fs %-8s %s", s.At.Seconds(), s.Node, s.Text.EN)
	}
	t.Logf("%s took %.2fs: %s", name, out.Took.Seconds(), out.Summary.EN)
	if !out.OK {
		t.Errorf("%s: the outcome is not what the lesson claims: %s", name, out.Summary.EN)
	}
	for _, s := range out.Steps {
		if s.Text.EN == "" || s.Text.KO == "" {
			t.Errorf("%s: a step is not narrated in both languages: %+v", name, s.Text)
		}
	}
	if out.Summary.KO == "" || out.Why.EN == "" || out.Why.KO == "" {
		t.Errorf("%s: the summary or the explanation lacks a language", name)
	}
	return out
}

// mustFigure returns the figure called name of out, failing the test if it
// has none.
func mustFigure(t *testing.T, out lab.Outcome, name string) int64 {
	t.Helper()
	v, ok := out.Figure(name)
	if !ok {
		t.Fatalf("%s: no figure %q", out.Name, name)
	}
	return v
}

func TestSteal(t *testing.T) {
	out := runLesson(t, "steal")
	if got := mustFigure(t, out, "plain_stolen"); got != 10_000_000 {
		t.Errorf("plain_stolen = %d satoshis, want the whole 0.1 (10,000,000)", got)
	}
	if got := mustFigure(t, out, "key_refusals"); got != 2 {
		t.Errorf("key_refusals = %d, want 2 (unsigned and forged)", got)
	}
	if got := mustFigure(t, out, "owner_paid"); got != 5_000_000 {
		t.Errorf("owner_paid = %d satoshis, want 5,000,000", got)
	}
}
