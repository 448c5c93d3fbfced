package experiments_test

import "testing"

func TestReplay(t *testing.T) {
	out := runLesson(t, "replay")
	if got := mustFigure(t, out, "replays_refused"); got != 3 {
		t.Errorf("replays_refused = %d, want 3 (the post, the later block, the same block)", got)
	}
	if got := mustFigure(t, out, "signed_paid"); got != 3_000_000 {
		t.Errorf("signed_paid = %d satoshis, want 3,000,000: paid once", got)
	}
	if got := mustFigure(t, out, "plain_paid"); got != 6_000_000 {
		t.Errorf("plain_paid = %d satoshis, want 6,000,000: the plain payment paid twice", got)
	}
}
