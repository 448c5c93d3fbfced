package experiments

import (
	"context"
	"errors"

	"github.com/pybtc/pybtc/lab"
)

// replay is the experiment "replay" of SPEC §12.
func replay() Experiment {
	return Experiment{
		Name:  "replay",
		Title: lab.Text{EN: "replay", KO: "replay"},
		Run: func(ctx context.Context, run *Run) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("not built yet")
		},
	}
}
