package experiments_test

import "testing"

func TestReplay(t *testing.T) {
	out := runExperiment(t, "replay")
	if got := figure(t, out, "replays_refused"); got != 2 {
		t.Errorf("replays_refused = %d, want 2 (the post and the block)", got)
	}
	if got := figure(t, out, "signed_paid"); got != 3_000_000 {
		t.Errorf("signed_paid = %d satoshis, want 3,000,000: paid once", got)
	}
	if got := figure(t, out, "plain_paid"); got != 6_000_000 {
		t.Errorf("plain_paid = %d satoshis, want 6,000,000: the plain payment paid twice", got)
	}
}
