package lab

import (
	"context"
	"errors"
)

// steal is the experiment "steal" of SPEC §12.
func steal() Experiment {
	return Experiment{
		Name:  "steal",
		Title: Text{EN: "steal", KO: "steal"},
		Run: func(ctx context.Context, run *Run) (Outcome, error) {
			return Outcome{}, errors.New("not built yet")
		},
	}
}
