package lab

import (
	"context"
	"errors"
)

// softFork is the experiment "soft-fork" of SPEC §12.
func softFork() Experiment {
	return Experiment{
		Name:  "soft-fork",
		Title: Text{EN: "soft-fork", KO: "soft-fork"},
		Run: func(ctx context.Context, run *Run) (Outcome, error) {
			return Outcome{}, errors.New("not built yet")
		},
	}
}
