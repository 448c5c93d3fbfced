package experiments

import (
	"context"
	"errors"

	"github.com/pybtc/pybtc/lab"
)

// steal is the experiment "steal" of SPEC §12.
func steal() Experiment {
	return Experiment{
		Name:  "steal",
		Title: lab.Text{EN: "steal", KO: "steal"},
		Run: func(ctx context.Context, run *Run) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("not built yet")
		},
	}
}
