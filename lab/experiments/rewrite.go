package experiments

import (
	"context"
	"errors"

	"github.com/pybtc/pybtc/lab"
)

// rewrite is the experiment "rewrite" of SPEC §12.
func rewrite() Experiment {
	return Experiment{
		Name:  "rewrite",
		Title: lab.Text{EN: "rewrite", KO: "rewrite"},
		Run: func(ctx context.Context, run *Run) (lab.Outcome, error) {
			return lab.Outcome{}, errors.New("not built yet")
		},
	}
}
