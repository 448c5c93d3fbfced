package experiments

import (
	"context"
	"errors"

	"github.com/pybtc/pybtc/lab"
)

// privateFork is the experiment "private-fork" of SPEC §12.
func privateFork() Experiment {
	return Experiment{
		Name:  "private-fork",
		Title: lab.Text{EN: "private-fork", KO: "private-fork"},
		Run: func(ctx context.Context, run *Run) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("not built yet")
		},
	}
}
