package experiments_test

import (
	"context"
	"testing"

	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/lab/experiments"
)

// runExperiment runs the experiment called name through a Runner, as the
// command and the page do, and logs its steps and duration.
func runExperiment(t *testing.T, name string) lab.Outcome {
	t.Helper()
	var r experiments.Runner
	out, err := r.Run(context.Background(), name, func(s lab.Step) {
		t.Logf("%6.2fs %-8s %s (%d hashes)", s.At.Seconds(), s.Node, s.Text.EN, s.Hashes)
	})
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	t.Logf("%s took %v: %s", name, out.Took, out.Summary.EN)
	return out
}

func TestRewrite(t *testing.T) {
	out := runExperiment(t, "rewrite")
	if !out.OK {
		t.Errorf("outcome not OK: %s", out.Summary.EN)
	}
	tut, _ := out.Figure("hashes_tutorial")
	w, _ := out.Figure("hashes_rule_w")
	depth, _ := out.Figure("depth")
	blocks, _ := out.Figure("blocks")
	if blocks != 40 || depth != 38 {
		t.Errorf("blocks %d, depth %d; want 40 and 38", blocks, depth)
	}
	// One block of work against the work of every block since the edit,
	// about 65,536 tries each: 39 blocks take 2.5 million on average, and
	// less than a million about never.
	if tut <= 0 || tut > 2_000_000 {
		t.Errorf("hashes_tutorial = %d; want about one block's work", tut)
	}
	if w < 1_000_000 {
		t.Errorf("hashes_rule_w = %d; want the work of %d blocks", w, depth+1)
	}
	for _, s := range out.Steps {
		if s.Text.EN == "" || s.Text.KO == "" {
			t.Errorf("step %+v lacks a language", s.Text)
		}
	}
}
