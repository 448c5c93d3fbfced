package experiments_test

import (
	"os"
	"testing"
)

func TestSoftFork(t *testing.T) {
	tutorial := os.Getenv("PYBTC_TUTORIAL_NODE")
	haveTutorial := false
	if tutorial != "" {
		_, err := os.Stat(tutorial)
		haveTutorial = err == nil
	}
	if !haveTutorial && os.Getenv("CI") == "true" {
		t.Fatalf("CI must run the tutorial's part: PYBTC_TUTORIAL_NODE=%q is not a file", tutorial)
	}
	out := runLesson(t, "soft-fork")
	if got := mustFigure(t, out, "split"); got != 1 {
		t.Errorf("split = %d, want 1: nodes with different --secure-from must split", got)
	}
	if got := mustFigure(t, out, "refused_no_work"); got < 1 {
		t.Errorf("refused_no_work = %d, want at least 1", got)
	}
	if got := mustFigure(t, out, "followed"); got != 1 {
		t.Errorf("followed = %d, want 1: the old node follows the longer secure chain", got)
	}
	if got := mustFigure(t, out, "orphaned"); got != 2 {
		t.Errorf("orphaned = %d, want A's blocks 3 and 4", got)
	}
	if !haveTutorial {
		t.Log("no tutorial node (PYBTC_TUTORIAL_NODE): its part was skipped")
		return
	}
	if got := mustFigure(t, out, "refused_unsigned"); got != 2 {
		t.Errorf("refused_unsigned = %d, want 2: both pyBTC nodes refuse the tutorial's block", got)
	}
}
