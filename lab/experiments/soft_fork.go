package experiments

import (
	"context"
	"errors"

	"github.com/pybtc/pybtc/lab"
)

// softFork is the experiment "soft-fork" of SPEC §12.
func softFork() Experiment {
	return Experiment{
		Name:  "soft-fork",
		Title: lab.Text{EN: "soft-fork", KO: "soft-fork"},
		Run: func(ctx context.Context, run *Run) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("not built yet")
		},
	}
}
