package lab

import (
	"context"
	"errors"
)

// replay is the experiment "replay" of SPEC §12.
func replay() Experiment {
	return Experiment{
		Name:  "replay",
		Title: Text{EN: "replay", KO: "replay"},
		Run: func(ctx context.Context, run *Run) (Outcome, error) {
			return Outcome{}, errors.New("not built yet")
		},
	}
}
