package lab

import (
	"context"
	"errors"
)

// rewrite is the experiment "rewrite" of SPEC §12.
func rewrite() Experiment {
	return Experiment{
		Name:  "rewrite",
		Title: Text{EN: "rewrite", KO: "rewrite"},
		Run: func(ctx context.Context, run *Run) (Outcome, error) {
			return Outcome{}, errors.New("not built yet")
		},
	}
}
