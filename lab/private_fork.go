package lab

import (
	"context"
	"errors"
)

// privateFork is the experiment "private-fork" of SPEC §12.
func privateFork() Experiment {
	return Experiment{
		Name:  "private-fork",
		Title: Text{EN: "private-fork", KO: "private-fork"},
		Run: func(ctx context.Context, run *Run) (Outcome, error) {
			return Outcome{}, errors.New("not built yet")
		},
	}
}
